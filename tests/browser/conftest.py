"""Chromium through Playwright against a live server on SQLite (Debian's /usr/bin/chromium)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

IN_CI = os.environ.get("CI", "").lower() == "true"

CHROMIUM = os.environ.get("QUIZAPP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """Browser tests drive one server on SQLite; the PostgreSQL matrix runs in the client tests."""
    return f"sqlite:///{tmp_path / 'browser.sqlite3'}"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium"
        if IN_CI:
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(app: Any) -> Iterator[Callable[[], str]]:
    """Serve the app on a free loopback port in a thread, once the test has put its data in.

    A thread, not a forked process: the server shares this process's app and database file, and
    nothing inherits Playwright's or pytest's state through a fork.
    """
    servers: list[Any] = []

    def start() -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()

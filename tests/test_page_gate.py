"""The page gate (quizapp/page_gate.py): at most N responses built at once per process, over
real connections to a threaded server; event streams hold no place while they stay open."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from werkzeug.serving import make_server

from quizapp.page_gate import PageGate

WAIT = 10.0  # seconds any step may take before the test fails (never reached when it passes)


@contextmanager
def serving(wsgi_app: Callable[..., Any]) -> Iterator[int]:
    server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()


def get(port: int, path: str, results: list[Any]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT)
    connection.request("GET", path)
    response = connection.getresponse()
    results.append((response.status, response.read()))
    connection.close()


def wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


class SlowPages:
    """A WSGI app whose every response waits for `release`, counting those being built."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.building = 0
        self.most = 0
        self.release = threading.Event()

    def __call__(self, environ: Any, start_response: Any) -> list[bytes]:
        with self.lock:
            self.building += 1
            self.most = max(self.most, self.building)
        self.release.wait(WAIT)
        with self.lock:
            self.building -= 1
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"page"]


def test_no_more_than_its_places_build_at_once_and_the_others_wait_their_turn():
    pages = SlowPages()
    results: list[Any] = []
    with serving(PageGate(pages, places=2)) as port:
        clients = [threading.Thread(target=get, args=(port, "/", results)) for _ in range(5)]
        for client in clients:
            client.start()
        wait_for(lambda: pages.building == 2)
        time.sleep(0.3)  # the other three are connected and waiting at the gate
        assert pages.building == 2
        pages.release.set()
        for client in clients:
            client.join(WAIT)
    assert results == [(200, b"page")] * 5
    assert pages.most == 2


def test_without_the_gate_the_same_requests_all_build_at_once():
    """The control: the server itself runs the five at once, so the limit above is the gate's."""
    pages = SlowPages()
    results: list[Any] = []
    with serving(pages) as port:
        clients = [threading.Thread(target=get, args=(port, "/", results)) for _ in range(5)]
        for client in clients:
            client.start()
        wait_for(lambda: pages.building == 5)
        pages.release.set()
        for client in clients:
            client.join(WAIT)
    assert pages.most == 5


def test_an_open_event_stream_holds_no_place():
    stream_open = threading.Event()
    end_stream = threading.Event()

    def app(environ: Any, start_response: Any) -> Any:
        start_response("200 OK", [("Content-Type", "text/plain")])
        if environ["PATH_INFO"] == "/events":

            def events() -> Iterator[bytes]:
                yield b"data: open\n\n"
                stream_open.set()
                end_stream.wait(WAIT)
                yield b"data: end\n\n"

            return events()
        return [b"page"]

    results: list[Any] = []
    with serving(PageGate(app, places=1)) as port:
        stream = threading.Thread(target=get, args=(port, "/events", results))
        stream.start()
        assert stream_open.wait(WAIT)
        page: list[Any] = []
        get(port, "/page", page)  # the one place is free: the stream gave it back
        assert page == [(200, b"page")]
        assert stream.is_alive()  # ... while the stream is still open
        end_stream.set()
        stream.join(WAIT)
    assert results == [(200, b"data: open\n\ndata: end\n\n")]


@pytest.mark.parametrize(
    ("setting", "gated"), [("4", 4), (" 2 ", 2), ("0", None)], ids=["default", "two", "off"]
)
def test_the_setting_installs_the_gate(app_factory, setting, gated):
    app = app_factory({"PAGE_CONCURRENCY": setting})
    gate = app.wsgi_app if isinstance(app.wsgi_app, PageGate) else None
    assert (gate.places if gate else None) == gated


@pytest.mark.parametrize("setting", ["-1", "four", "1.5", ""])
def test_a_bad_setting_stops_the_app_with_its_name(app_factory, setting):
    with pytest.raises(SystemExit, match="QUIZAPP_PAGE_CONCURRENCY must be a whole number"):
        app_factory({"PAGE_CONCURRENCY": setting})


@pytest.fixture
def app_factory(tmp_path):
    from quizapp import create_app
    from quizapp.config import TestConfig

    def make(overrides: dict[str, Any]) -> Any:
        config = type(
            "Config",
            (TestConfig,),
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'gate.sqlite3'}", **overrides},
        )
        return create_app(config)

    return make

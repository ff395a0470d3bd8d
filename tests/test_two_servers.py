"""Two app servers (gunicorn, with gunicorn.conf.py) on this machine's PostgreSQL and Redis.

A student logs in on one and answers on the other; the teacher's results page on the first
shows it; a rate limit counts across both; `/readyz` goes to 503 while the database is out of
reach (a TCP proxy in front of PostgreSQL, stopped and started: the server itself is shared
and never stopped) or its schema behind, and back to 200.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

import pytest
import yaml
from helpers import set_document
from sqlalchemy import create_engine, make_url, text

from quizapp import create_app
from quizapp.config import TestConfig
from quizapp.extensions import db as _db

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("QUIZAPP_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("QUIZAPP_TEST_REDIS_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"
SECRET_KEY = "the same on every server " + uuid.uuid4().hex
STUDENT_PASSWORD = "student-pw-Tq44-two-servers"
TEACHER_PASSWORD = "teacher-pw-Rb19-two-servers"


@pytest.fixture(scope="module")
def services() -> tuple[str, str]:
    missing = [
        name
        for name, value in [
            ("QUIZAPP_TEST_POSTGRES_URL", POSTGRES_URL),
            ("QUIZAPP_TEST_REDIS_URL", REDIS_URL),
        ]
        if not value
    ]
    if missing:
        if IN_CI:
            pytest.fail(f"CI=true: {' and '.join(missing)} must name a server")
        pytest.skip(f"{' and '.join(missing)} not set: the two-server test is skipped")
    return POSTGRES_URL, REDIS_URL  # type: ignore[return-value]


class TcpProxy:
    """Forward a local port to PostgreSQL; `stop` is an outage: refused connections, and the
    open ones cut, as when the database host goes away."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()
        self.running = threading.Event()

    def start(self) -> None:
        self.server = socket.create_server(("127.0.0.1", self.port))
        self.server.settimeout(0.1)
        self.running.set()
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self) -> None:
        while self.running.is_set():
            try:
                client, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self.lock:
                self.connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self.running.clear()
        self.thread.join(timeout=5)
        self.server.close()
        with self.lock:
            connections, self.connections = self.connections, []
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()


class NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """Cookies per host, as a browser keeps them: both servers are 127.0.0.1 behind one name."""

    def __init__(self) -> None:
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), NoRedirect())

    def open(self, url: str, data: dict[str, str] | None = None) -> tuple[int, Any, str]:
        body = urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(Request(url, data=body), timeout=15) as response:
                return response.status, response.headers, response.read().decode()
        except HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def get(self, url: str) -> tuple[int, str]:
        status, _headers, page = self.open(url)
        return status, page

    def submit(self, form_url: str, action_url: str, data: dict[str, str]) -> tuple[int, str]:
        """Load the form's page, then post the form with its CSRF token; (status, Location)."""
        status, page = self.get(form_url)
        assert status == 200, (form_url, status)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        status, headers, _ = self.open(action_url, {"csrf_token": token, **data})
        return status, headers.get("Location", "")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(database_url: str, redis_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZAPP_")}
    env.update(
        QUIZAPP_DATABASE_URL=database_url,
        QUIZAPP_RATELIMIT_STORAGE_URI=redis_url,
        QUIZAPP_SECRET_KEY=SECRET_KEY,
        QUIZAPP_AUTO_SETUP="0",
        WEB_CONCURRENCY="2",  # two workers each: requests also cross processes within a server
    )
    return env


def flask(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "quizapp", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


class Server:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("w") as stream:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--config",
                    str(ROOT / "gunicorn.conf.py"),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                ],
                env=env,
                cwd=log.parent,
                stdout=stream,
                stderr=subprocess.STDOUT,
            )

    def wait_until_up(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited: {self.log.read_text()}")
            try:
                if Browser().get(self.url + "/healthz")[0] == 200:
                    return
            except OSError:  # not listening yet, or its workers still starting
                pass
            time.sleep(0.2)
        pytest.fail(f"gunicorn did not answer in {seconds}s: {self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=35)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def database(services: tuple[str, str]) -> Iterator[str]:
    """A database of its own, created and dropped here."""
    postgres_url, _ = services
    name = f"quizapp_two_servers_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def populate(database_url: str, questions_dir: Path) -> dict[str, Any]:
    """A teacher, a student in her class, an assignment open now (as the teacher would do)."""
    from quizapp.auth.services import create_user
    from quizapp.bank.sync import sync_directory
    from quizapp.classes.assignments import create_assignment
    from quizapp.classes.classrooms import create_classroom
    from quizapp.classes.join import join
    from quizapp.models import QuestionSet, utcnow

    config = {"SQLALCHEMY_DATABASE_URI": database_url, "QUESTIONS_DIR": str(questions_dir)}
    app = create_app(type("Config", (TestConfig,), config))
    with app.app_context():
        sync_directory(questions_dir)
        question_set = _db.session.scalar(_db.select(QuestionSet))
        teacher = create_user("teacher", TEACHER_PASSWORD, role="teacher")
        student = create_user("zoe", STUDENT_PASSWORD)
        classroom = create_classroom(teacher, "4e A", "Europe/Paris")
        join(classroom, student, "Zoé Martin")
        now = utcnow()
        assignment = create_assignment(
            classroom, question_set, now - timedelta(hours=1), now + timedelta(days=1)
        )
        _db.session.commit()
        ids = {"classroom": classroom.id, "assignment": assignment.id}
        _db.session.remove()
        _db.engine.dispose()
    return ids


def result_row(page: str, name: str) -> tuple[str, str, str]:
    """(status, best score, attempts) of a student on the teacher's results page."""
    match = re.search(
        rf">{re.escape(name)}</a></th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>", page
    )
    assert match, page
    return match.groups()  # type: ignore[return-value]


def poll(url: str, want: int, seconds: float = 20) -> tuple[float, dict[str, Any]]:
    """Poll `url` every 0.1 s until it answers `want`; (seconds it took, its JSON)."""
    import json

    started = time.monotonic()
    while time.monotonic() - started < seconds:
        status, page = Browser().get(url)
        if status == want:
            return time.monotonic() - started, json.loads(page)
        time.sleep(0.1)
    pytest.fail(f"{url} did not answer {want} within {seconds}s (last: {status} {page})")


def test_two_servers_share_sessions_rate_limits_and_report_readiness(
    database: str, services: tuple[str, str], tmp_path: Path
) -> None:
    _, redis_url = services
    questions = tmp_path / "questions"
    questions.mkdir()
    (questions / "sample.yaml").write_text(yaml.safe_dump(set_document(), sort_keys=False))
    direct_env = server_env(database, redis_url)

    migrated = flask(["db", "upgrade"], direct_env, tmp_path)  # once per release
    assert migrated.returncode == 0, migrated.stderr
    ids = populate(database, questions)

    proxy = TcpProxy((make_url(database).host or "127.0.0.1", make_url(database).port or 5432))
    proxy.start()
    through_proxy = make_url(database).set(host="127.0.0.1", port=proxy.port)
    env = server_env(through_proxy.render_as_string(hide_password=False), redis_url)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    servers = [
        Server(env, tmp_path / "a" / "gunicorn.log"),
        Server(env, tmp_path / "b" / "gunicorn.log"),
    ]
    a, b = servers
    started = list(servers)  # stopped at the end, whatever happens
    try:
        for server in servers:
            server.wait_until_up()

        # A student logs in on A and answers on B.
        student = Browser()
        status, _location = student.submit(
            f"{a.url}/auth/login",
            f"{a.url}/auth/login",
            {"username": "zoe", "password": STUDENT_PASSWORD},
        )
        assert status == 302, "login on A"
        teacher = Browser()
        status, _ = teacher.submit(
            f"{a.url}/auth/login",
            f"{a.url}/auth/login",
            {"username": "teacher", "password": TEACHER_PASSWORD},
        )
        assert status == 302
        results = f"{a.url}/classes/{ids['classroom']}/assignments/{ids['assignment']}"
        status, page = teacher.get(results)
        assert status == 200 and result_row(page, "Zoé Martin")[2] == "0"

        start = f"{b.url}/assignments/{ids['assignment']}/start"
        status, first = student.submit(f"{b.url}/assignments", start, {})
        assert status == 302 and first.endswith("/questions/1"), first
        first = b.url + first if first.startswith("/") else first
        assert student.submit(first, first, {"answer": "1", "action": "next"})[0] == 302
        second = first.replace("/questions/1", "/questions/2")
        assert student.submit(second, second, {"answer": "2", "action": "review"})[0] == 302
        review = second.replace("/questions/2", "/summary")
        status, _result = student.submit(review, review.replace("/summary", "/submit"), {})
        assert status == 302

        # The teacher's page on A shows what the student did on B.
        status, page = teacher.get(results)
        state, best, attempts = result_row(page, "Zoé Martin")
        best = re.sub(r"<[^>]+>", "", best)  # the score links to the attempt
        assert attempts == "1" and best.replace("\xa0", " ").replace("&nbsp;", " ") in (
            "50%",
            "50 %",
        ), (state, best)

        # Failed logins counted across both servers: 10 allowed, in any mix, then 429 on both.
        victim = f"victim-{uuid.uuid4().hex[:8]}"  # Redis keeps counts between runs
        intruder = Browser()
        statuses = [
            intruder.submit(
                f"{server.url}/auth/login",
                f"{server.url}/auth/login",
                {"username": victim, "password": "wrong"},
            )[0]
            for server in [a, b] * 5
        ]
        assert statuses == [422] * 10
        for server in servers:
            refused = intruder.submit(
                f"{server.url}/auth/login",
                f"{server.url}/auth/login",
                {"username": victim, "password": "wrong"},
            )[0]
            assert refused == 429

        # Readiness: 200, 503 during a database outage (liveness stays 200), then 200 again.
        for server in servers:
            _, ready = poll(server.url + "/readyz", 200)
            assert ready == {"status": "ready", "database": "ok", "redis": "ok"}
        proxy.stop()
        to_503, body = poll(a.url + "/readyz", 503)
        assert body["database"] == "unreachable"
        assert Browser().get(a.url + "/healthz")[0] == 200
        proxy.start()
        back_to_200, _ = poll(a.url + "/readyz", 200)
        print(f"readyz: 503 {to_503:.2f}s after the outage, 200 {back_to_200:.2f}s after it ended")

        # A schema behind the code: 503 on both until `flask db upgrade`; a new server refuses.
        downgraded = flask(["db", "downgrade", "--", "-1"], direct_env, tmp_path)
        assert downgraded.returncode == 0, downgraded.stderr
        for server in servers:
            _, body = poll(server.url + "/readyz", 503)
            assert "is behind this code" in body["database"]
        (tmp_path / "c").mkdir()
        late = Server(env, tmp_path / "c" / "gunicorn.log")
        started.append(late)
        assert late.process.wait(timeout=60) != 0
        assert "flask --app quizapp db upgrade" in late.log.read_text()
        upgraded = flask(["db", "upgrade"], direct_env, tmp_path)
        assert upgraded.returncode == 0, upgraded.stderr
        for server in servers:
            poll(server.url + "/readyz", 200)
    finally:
        for server in started:
            server.stop()
        proxy.stop()

    # Both servers logged each request with its id, and never the passwords.
    logs = a.log.read_text() + b.log.read_text()
    assert re.search(r"quizapp\.request \[[0-9a-f]{32}\] POST /auth/login 302 ", a.log.read_text())
    assert re.search(
        r"quizapp\.request \[[0-9a-f]{32}\] POST /attempts/\d+/submit 302 ", b.log.read_text()
    )
    assert STUDENT_PASSWORD not in logs and TEACHER_PASSWORD not in logs

"""What the HTTP benchmarks share: a fresh database at the newest migration, a classroom written
into it, gunicorn started as docs/DEPLOYMENT.md recommends, and a cookie-keeping HTTP client.

Not a benchmark itself: `bench/hot_paths.py`, `bench/classroom.py`, `bench/memory.py`,
`bench/compare.py` and `bench/profile.py` use it.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, insert, make_url, select, text

import quizapp
from quizapp import create_app
from quizapp.bank.sync import sync_directory
from quizapp.config import TestConfig
from quizapp.extensions import db

REPO = Path(quizapp.__file__).resolve().parent.parent
PASSWORD = "benchmark password"
SECRET_KEY = "benchmark secret key, never used outside bench/"
TOKEN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)
POSTGRES_URL = os.environ.get("QUIZAPP_TEST_POSTGRES_URL")
REDIS_URL = os.environ.get("QUIZAPP_TEST_REDIS_URL")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database(engine: str, folder: Path, postgres_url: str | None) -> Iterator[str]:
    """A URL of an empty database: a SQLite file in `folder`, or a PostgreSQL database of its
    own (dropped on exit)."""
    if engine == "sqlite":
        yield f"sqlite:///{folder / 'bench.sqlite3'}"
        return
    assert postgres_url, "PostgreSQL needs --postgres-url or QUIZAPP_TEST_POSTGRES_URL"
    name = f"quizapp_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def setup_app(url: str, questions: Path) -> Flask:
    """An in-process app on `url`, migrated to the newest revision (`flask db upgrade`) with the
    question folder loaded, for writing the world and checking it afterwards."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": url,
        "QUESTIONS_DIR": str(questions),
        "TESTING": True,  # no start-up check: this app migrates the database itself
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # hundreds of accounts, made quickly
    }
    app = create_app(type("BenchConfig", (TestConfig,), settings))
    with app.app_context():
        upgrade()
        assert not sync_directory(questions).failed
        db.session.commit()
    return app


def production_app(url: str, questions: Path, **settings: Any) -> Flask:
    """The app as docs/DEPLOYMENT.md configures it (CSRF on, JSON logs, behind a proxy), for the
    benches that request it in process; `settings` add to or override those."""
    os.environ["QUIZAPP_LOG_FORMAT"] = "json"
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": SECRET_KEY,
            "QUESTIONS_DIR": str(questions),
            "AUTO_SETUP": False,
            "PROXY_FIX": True,
            **settings,
        }
    )


def token_of(client: Any, path: str) -> str:
    """The CSRF token of the form on the page at `path`."""
    found = TOKEN.search(client.get(path).get_data(as_text=True))
    assert found, path
    return found.group(1) or found.group(2)


def logged_in(app: Flask, username: str) -> tuple[Any, str]:
    """A test client of `app` logged in as `username`, and its CSRF token."""
    client = app.test_client()
    token = token_of(client, "/auth/login")
    form = {"csrf_token": token, "username": username, "password": PASSWORD}
    assert client.post("/auth/login", data=form).status_code == 302
    return client, token


@dataclass
class InProcessRequest:
    """One hot path's request through Flask's test client, logged in, ready to send again."""

    client: Any
    method: str
    path: str
    data: str | None = None

    def send(self) -> Any:
        kwargs = {"content_type": "application/x-www-form-urlencoded"} if self.data else {}
        return self.client.open(self.path, method=self.method, data=self.data, **kwargs)


@contextmanager
def hot_path_requests(
    students: int,
    history: int,
    engine: str = "sqlite",
    postgres_url: str | None = None,
    **settings: Any,
) -> Iterator[dict[str, InProcessRequest]]:
    """The world of bench/hot_paths.py in a fresh database, an app configured as production
    (`settings` added), and each hot path's request: question, save, dashboard, gradebook."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        questions = folder / "questions"
        questions.mkdir()
        question_file(questions)
        with database(engine, folder, postgres_url) as url:
            world = build_world(setup_app(url, questions), students, history)
            app = production_app(url, questions, **settings)
            student, token = logged_in(app, world.students[0])
            teacher, _ = logged_in(app, world.teacher)
            base = f"/attempts/{world.attempt_of[world.students[0]]}/questions"
            body = urlencode({"csrf_token": token, **answer_form(1), "action": "next"}, doseq=True)
            yield {
                "question": InProcessRequest(student, "GET", f"{base}/1"),
                "save": InProcessRequest(student, "POST", f"{base}/2", body),
                "dashboard": InProcessRequest(student, "GET", "/dashboard"),
                "gradebook": InProcessRequest(
                    teacher, "GET", f"/classes/{world.classroom_id}/gradebook"
                ),
            }
            with app.app_context():
                db.engine.dispose()


def question_file(folder: Path, size: int = 40, slug: str = "bench") -> Path:
    """A set of `size` questions of four types, answers saved on every page."""
    questions: list[dict[str, Any]] = []
    for i in range(size):
        kind = i % 4
        base: dict[str, Any] = {"id": f"q{i:03d}", "prompt": f"Question {i}: which is right?"}
        base["tags"] = [f"t{i % 5}"]
        if kind == 0:
            base.update(type="single", choices=["alpha", "beta", "gamma", "delta"], answer="beta")
        elif kind == 1:
            choices = ["one", "two", "three", "four"]
            base.update(type="multiple", choices=choices, answer=["one", "three"])
        elif kind == 2:
            base.update(type="true_false", answer=True)
        else:
            base.update(type="numeric", answer=2015, tolerance=0)
        questions.append(base)
    document = {
        "id": slug,
        "title": "Benchmark set",
        "language": "en",
        "settings": {"feedback": "after_submit", "shuffle_choices": False},
        "topics": {f"t{k}": f"Topic {k}" for k in range(5)},
        "questions": questions,
    }
    path = folder / f"{slug}.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


# The form data of a valid answer per question type of `question_file` (display positions).
ANSWERS = [
    {"answer": "1"},
    {"answer": ["0", "2"]},
    {"answer": "true"},
    {"answer": "2015"},
]


def answer_form(position: int) -> dict[str, Any]:
    return dict(ANSWERS[position % 4])


@dataclass
class World:
    classroom_id: int
    assignment_id: int
    teacher: str
    students: list[str]
    attempt_of: dict[str, int] = field(default_factory=dict)


def build_world(app: Flask, students: int, history: int, start_attempts: bool = True) -> World:
    """A teacher, a class of `students` (accounts `s0000`...), two closed assignments of the
    set with `history` graded attempts per student (written in bulk, their progress folded in
    by the real service), and an open one on which each student has an attempt in progress."""
    from quizapp.auth.services import create_user
    from quizapp.classes.classrooms import create_classroom
    from quizapp.models import (
        Assignment,
        Attempt,
        Membership,
        Question,
        QuestionAttempt,
        QuestionSet,
        User,
        utcnow,
    )
    from quizapp.progress.services import record_attempt
    from quizapp.quiz.attempts import start_attempt

    rng = random.Random(18)
    with app.app_context():
        question_set = db.session.scalar(select(QuestionSet).where(QuestionSet.slug == "bench"))
        questions = db.session.scalars(
            select(Question).where(Question.set_id == question_set.id).order_by(Question.position)
        ).all()
        teacher = create_user("teacher", PASSWORD, role="teacher")
        classroom = create_classroom(teacher, "Bench class", "UTC")
        now = utcnow()
        closed = []
        for days in (20, 10):
            assignment = Assignment(
                classroom_id=classroom.id,
                set_id=question_set.id,
                opens_at=now - timedelta(days=days),
                due_at=now - timedelta(days=days - 5),
            )
            db.session.add(assignment)
            closed.append(assignment)
        opened = Assignment(
            classroom_id=classroom.id,
            set_id=question_set.id,
            opens_at=now - timedelta(hours=1),
            due_at=now + timedelta(days=2),
        )
        db.session.add(opened)
        db.session.flush()
        hashed = create_user("template", PASSWORD).password_hash
        first = (db.session.scalar(select(db.func.max(User.id))) or 0) + 1
        names = [f"s{i:04d}" for i in range(students)]
        db.session.execute(
            insert(User),
            [
                {
                    "id": first + i,
                    "username": name,
                    "display_name": f"Student {i:04d}",
                    "password_hash": hashed,
                    "role": "student",
                    "session_version": 1,
                }
                for i, name in enumerate(names)
            ],
        )
        db.session.execute(
            insert(Membership),
            [
                {
                    "classroom_id": classroom.id,
                    "user_id": first + i,
                    "display_name": f"Student {i:04d}",
                    "display_key": f"student {i:04d}",
                }
                for i in range(students)
            ],
        )
        attempt_id = (db.session.scalar(select(db.func.max(Attempt.id))) or 0) + 1
        attempts, responses = [], []
        for i in range(students):
            for n in range(history):
                assignment = closed[n % 2]
                started = assignment.opens_at + timedelta(hours=n)
                score = 0.0
                for q in questions:
                    right = rng.random() < 0.7
                    score += right
                    responses.append(
                        {
                            "attempt_id": attempt_id,
                            "question_id": q.id,
                            "position": q.position,
                            "layout": {},
                            "answer": None,
                            "answered_at": started + timedelta(seconds=20 * (q.position + 1)),
                            "score": float(right),
                            "points": float(right),
                        }
                    )
                attempts.append(
                    {
                        "id": attempt_id,
                        "user_id": first + i,
                        "set_id": question_set.id,
                        "assignment_id": assignment.id,
                        "number": n + 1,
                        "state": "graded",
                        "seed": 1,
                        "started_at": started,
                        "submitted_at": started + timedelta(minutes=15),
                        "score": score,
                        "max_score": float(len(questions)),
                    }
                )
                attempt_id += 1
        if attempts:
            db.session.execute(insert(Attempt), attempts)
            for s in range(0, len(responses), 20_000):
                db.session.execute(insert(QuestionAttempt), responses[s : s + 20_000])
            # The dashboard's mastery and review read progress rows: folded in by the service.
            for attempt in db.session.scalars(select(Attempt).where(Attempt.state == "graded")):
                record_attempt(attempt)
        fix_sequences()
        world = World(classroom.id, opened.id, "teacher", names)
        if start_attempts:
            users = db.session.scalars(select(User).where(User.username.in_(names))).all()
            for user in users:
                attempt = start_attempt(user, question_set, assignment=opened)
                world.attempt_of[user.username] = attempt.id
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.execute(text("ANALYZE"))
        else:
            with db.engine.connect() as c:
                c.execute(text("ANALYZE"))
        db.session.remove()
    return world


def fix_sequences() -> None:
    """After rows written with their ids: PostgreSQL's sequences go on from the largest."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("user", "attempt", "response", "membership", "question_progress"):
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"), false)'
            )
        )


def server_env(url: str, questions: Path, workers: int | None) -> dict[str, str]:
    """The environment of recipe 2 in docs/DEPLOYMENT.md (a school server), on this machine."""
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "QUIZAPP_DATABASE_URL": url,
        "QUIZAPP_SECRET_KEY": SECRET_KEY,
        "QUIZAPP_AUTO_SETUP": "0",
        "QUIZAPP_QUESTIONS_DIR": str(questions),
        "QUIZAPP_PROXY_FIX": "1",
        "QUIZAPP_LOG_FORMAT": "json",
        # Logging in a few hundred students from one address in a few seconds.
        "QUIZAPP_LOGIN_RATE_LIMIT": "100000 per minute",
    }
    if REDIS_URL:
        env["QUIZAPP_RATELIMIT_STORAGE_URI"] = REDIS_URL
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    else:
        env.pop("WEB_CONCURRENCY", None)
    return env


@contextmanager
def gunicorn(
    env: dict[str, str], folder: Path, app: str | None = None, log_name: str = "gunicorn.log"
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """gunicorn with the repository's gunicorn.conf.py on a free port: (port, process)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", str(REPO / "gunicorn.conf.py")]
    command += ["--bind", f"127.0.0.1:{port}"]
    if app:
        command.append(app)
    log = (folder / log_name).open("ab")
    process = subprocess.Popen(command, env=env, cwd=folder, stderr=log, stdout=log)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start: see {folder / log_name}")
            time.sleep(0.2)
        yield port, process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


class Browser:
    """One student's browser: a cookie jar and the last CSRF token seen; one kept-alive
    connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: dict[str, Any] | None = None) -> Any:
        headers = {"Cookie": self.cookie_header()}
        body = None
        if form is not None:
            body = urlencode({"csrf_token": self.token, **form}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for retry in (True, False):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                response.text = response.read().decode()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection = None
                if not retry:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        found = TOKEN.search(response.text)
        if found:
            self.token = found.group(1) or found.group(2)
        return response

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def log_in(self, username: str) -> None:
        self.request("GET", "/auth/login")
        reply = self.request("POST", "/auth/login", {"username": username, "password": PASSWORD})
        assert reply.status == 302, (username, reply.status)

"""Issue 9's race measurement, over real HTTP against `gunicorn -w 4`.

    python bench/races.py [--trials 20] [--postgres-url URL]

For each engine (SQLite in a temporary folder; PostgreSQL too with `--postgres-url`, in a
database of its own created there and dropped afterwards), a server of four worker processes
runs the app as in production (CSRF on, tokens read from the pages). Two races, `--trials`
times each, both requests of a trial released together from two threads on two connections:

- save racing submit: an answer POSTed to a question while the attempt is submitted. Lost: the
  save was acknowledged (a redirect onward) but the graded attempt does not count it.
- start racing practice: `/assignments/<open>/start` and `/assignments/<closed>/practice` on one
  set. Printed: the trials with a 500.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from scratch import scratch_app
from sqlalchemy import select

import quizapp
from quizapp.auth.services import create_user
from quizapp.bank.sync import sync_directory
from quizapp.classes.assignments import create_assignment
from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join
from quizapp.extensions import db
from quizapp.models import Attempt, QuestionAttempt, QuestionSet, utcnow

PASSWORD = "benchmark password"
QUESTIONS = 5
TOKEN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


class Browser:
    """One cookie jar; each call opens its own connection (a tab, or another browser)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.token = ""

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Any:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            from urllib.parse import urlencode

            body = urlencode({"csrf_token": self.token, **form})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.text = response.read().decode()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        connection.close()
        found = TOKEN.search(response.text)
        if found:
            self.token = found.group(1) or found.group(2)
        return response

    def log_in(self, username: str) -> None:
        self.request("GET", "/auth/login")
        reply = self.request("POST", "/auth/login", {"username": username, "password": PASSWORD})
        assert reply.status == 302, reply.status


def together(*calls: Any) -> list[Any]:
    """Run the calls in threads released by one barrier; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Any) -> None:
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def set_up(app: Any, questions: Path) -> dict[str, int]:
    """A set, a student in a class with an open and a closed assignment of it."""
    document = {
        "id": "race",
        "title": "Race",
        "language": "en",
        "settings": {"feedback": "after_submit", "shuffle_choices": False},
        "questions": [
            {
                "id": f"q{i}",
                "type": "single",
                "prompt": f"Q{i}?",
                "choices": ["a", "b"],
                "answer": "b",
            }
            for i in range(QUESTIONS)
        ],
    }
    (questions / "race.yaml").write_text(yaml.safe_dump(document))
    with app.app_context():
        assert not sync_directory(questions).failed
        question_set = db.session.scalar(select(QuestionSet))
        teacher = create_user("teacher", PASSWORD, role="teacher")
        student = create_user("student", PASSWORD)
        classroom = create_classroom(teacher, "A", "UTC")
        join(classroom, student, "Student")
        now = utcnow()
        opened = create_assignment(
            classroom, question_set, now - timedelta(hours=1), now + timedelta(days=1)
        )
        closed = create_assignment(
            classroom, question_set, now - timedelta(days=3), now - timedelta(days=2)
        )
        db.session.commit()
        return {"open": opened.id, "closed": closed.id}


def save_racing_submit(app: Any, port: int, trials: int) -> tuple[int, int, int]:
    """Trials that lost an acknowledged answer, 500s, saves refused (not acknowledged)."""
    browser = Browser(port)
    browser.log_in("student")
    lost = errors = refused = 0
    for trial in range(trials):
        browser.request("GET", "/quizzes")
        started = browser.request("POST", "/quizzes/race/start", {})
        base = started.getheader("Location").rsplit("/questions/", 1)[0]
        number = trial % QUESTIONS + 1
        browser.request("GET", f"{base}/questions/{number}")  # a token, as a student would
        save, submit = together(
            partial(
                browser.request,
                "POST",
                f"{base}/questions/{number}",
                {"answer": "1", "action": "next"},
            ),
            partial(browser.request, "POST", f"{base}/submit", {}),
        )
        errors += (save.status >= 500) + (submit.status >= 500)
        location = save.getheader("Location") or ""
        acknowledged = save.status == 302 and re.search(r"/(questions/\d+|review)$", location)
        refused += save.status < 500 and not acknowledged
        with app.app_context():
            attempt_id = int(base.rsplit("/", 1)[1])
            attempt = db.session.get(Attempt, attempt_id)
            response = db.session.scalar(
                select(QuestionAttempt).where(
                    QuestionAttempt.attempt_id == attempt_id, QuestionAttempt.position == number - 1
                )
            )
            counted = attempt.state == "graded" and response.score == 1.0
            if acknowledged and not counted:
                lost += 1
            db.session.remove()
    return lost, errors, refused


def start_racing_practice(app: Any, port: int, trials: int, ids: dict[str, int]) -> int:
    browser = Browser(port)
    browser.log_in("student")
    browser.request("GET", "/assignments")
    errors = 0
    for _ in range(trials):
        start, practice = together(
            lambda: browser.request("POST", f"/assignments/{ids['open']}/start", {}),
            lambda: browser.request("POST", f"/assignments/{ids['closed']}/practice", {}),
        )
        errors += (start.status >= 500) + (practice.status >= 500)
        with app.app_context():  # hand both in, so that the next trial starts two new ones
            for attempt in db.session.scalars(
                select(Attempt).where(Attempt.state == "in_progress")
            ):
                browser.request("POST", f"/attempts/{attempt.id}/submit", {})
            db.session.remove()
    return errors


def measure(engine: str, database_url: str | None, folder: Path, trials: int) -> None:
    questions = folder / "questions"
    questions.mkdir()
    with scratch_app(database_url, folder / "race.sqlite3", QUESTIONS_DIR=str(questions)) as app:
        ids = set_up(app, questions)
        port = free_port()
        env = {
            **os.environ,
            # the workers import the same quizapp as this script (a checkout given by PYTHONPATH)
            "PYTHONPATH": str(Path(quizapp.__file__).parent.parent),
            "QUIZAPP_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "QUIZAPP_SECRET_KEY": "race benchmark",
            "QUIZAPP_AUTO_SETUP": "0",
            "QUIZAPP_QUESTIONS_DIR": str(questions),
            "QUIZAPP_LOGIN_RATE_LIMIT": "1000 per minute",
        }
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                "4",
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "quizapp:create_app()",
            ],
            env=env,
            cwd=folder,
            stderr=(folder / "gunicorn.log").open("w"),  # the 500s' tracebacks
        )
        try:
            for _ in range(100):
                try:
                    Browser(port).request("GET", "/")
                    break
                except OSError:
                    time.sleep(0.2)
            lost, save_errors, refused = save_racing_submit(app, port, trials)
            start_errors = start_racing_practice(app, port, trials, ids)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    print(
        f"{engine}: save racing submit: {lost}/{trials} trials lost an acknowledged answer, "
        f"{refused} saves refused (not acknowledged), {save_errors} responses were 500s"
    )
    print(f"{engine}: start racing practice: {start_errors} responses were 500s in {trials} trials")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--postgres-url", help="a PostgreSQL server: measure there too")
    args = parser.parse_args()
    engines = [("SQLite", None)] + (
        [("PostgreSQL", args.postgres_url)] if args.postgres_url else []
    )
    print(f"quizapp from {Path(quizapp.__file__).parent}")
    with tempfile.TemporaryDirectory() as folder:
        for engine, url in engines:
            (Path(folder) / engine).mkdir()
            measure(engine, url, Path(folder) / engine, args.trials)


if __name__ == "__main__":
    main()

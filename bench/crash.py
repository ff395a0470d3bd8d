"""Acknowledged answers survive crashes: gunicorn -w 4 while workers are SIGKILLed.

    python bench/crash.py [--students 50] [--seconds 60] [--database-url URL]

Starts gunicorn as docs/DEPLOYMENT.md does (`-c gunicorn.conf.py`: not preloaded, each worker
builds its own app, and a SIGKILLed worker is replaced by a fresh import), with 4 workers on a free
loopback port, on SQLite (WAL) in a temporary folder or on a database of its own on the
PostgreSQL server `--database-url` names.
Each simulated student is a thread with its own HTTP session (cookies, CSRF token): logged in
(before the clock starts), with an attempt of an assignment, it saves answers (`s<n>`, n
counting up) as fast as the server answers, with a short pause. Every 2 s a random worker is
SIGKILLed; halfway, the master itself is SIGKILLed (its workers then exit) and gunicorn is
started again. For the last tenth of the time the students submit, each twice at once.

A save is acknowledged when the server answered its redirect to the next question; it is
stored when the database holds it (or a later save of the same question) at the end. Lost =
acknowledged but not stored; must be 0. Gradings are counted by a trigger on the attempt table
(a change of state to `graded`): a double grading is an attempt graded more than once; must be 0.

Needs gunicorn (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path

import yaml
from scratch import scratch_app
from sqlalchemy import select, text

from quizapp.auth.services import create_user
from quizapp.bank.sync import sync_directory
from quizapp.classes.assignments import create_assignment
from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join as join_class
from quizapp.extensions import db
from quizapp.models import Attempt, QuestionAttempt, QuestionSet, utcnow
from quizapp.quiz import attempts as quiz_attempts

PASSWORD = "benchmark password"
QUESTIONS = 5
TIMEOUT = 15  # seconds a request may take before the student gives up on it

# The number of times each attempt became `graded`, kept by the database itself.
TRIGGERS = {
    "sqlite": [
        "CREATE TABLE bench_grading (attempt_id INTEGER NOT NULL)",
        """CREATE TRIGGER bench_graded AFTER UPDATE OF state ON attempt
           WHEN NEW.state = 'graded' AND OLD.state <> 'graded'
           BEGIN INSERT INTO bench_grading VALUES (NEW.id); END""",
    ],
    "postgresql": [
        "CREATE TABLE bench_grading (attempt_id INTEGER NOT NULL)",
        """CREATE FUNCTION bench_graded() RETURNS trigger AS $$
           BEGIN INSERT INTO bench_grading VALUES (NEW.id); RETURN NEW; END $$
           LANGUAGE plpgsql""",
        """CREATE TRIGGER bench_graded AFTER UPDATE OF state ON attempt FOR EACH ROW
           WHEN (NEW.state = 'graded' AND OLD.state <> 'graded')
           EXECUTE FUNCTION bench_graded()""",
    ],
}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the 302 itself is the acknowledgement


@dataclass
class Student:
    username: str
    attempt_id: int
    base: str
    acknowledged: list[tuple[int, int]] = field(default_factory=list)  # (position, n)
    sent: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    submitted: int = 0

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect
        )
        self.token = ""

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=TIMEOUT) as response:
                return response.status, response.headers.get("Location", ""), response.read()
        except urllib.error.HTTPError as error:  # 3xx and 4xx/5xx land here without redirects
            return error.code, error.headers.get("Location", ""), error.read().decode()

    def fetch_token(self, path: str) -> bool:
        status, _location, page = self.request(path)
        found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', str(page))
        if status == 200 and found:
            self.token = found.group(1)
        return bool(found)

    def login(self) -> bool:
        if not self.fetch_token("/auth/login"):
            return False
        status, location, _ = self.request(
            "/auth/login",
            {"csrf_token": self.token, "username": self.username, "password": PASSWORD},
        )
        return status == 302 and "/auth/login" not in location

    def ready(self, until: float) -> bool:
        """Log in (again) until it works (the server may be down for a moment) or `until`."""
        while time.monotonic() < until:
            try:
                if self.login() and self.fetch_token(f"/attempts/{self.attempt_id}/questions/1"):
                    return True
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.2)
        return False

    def save(self, position: int, n: int, until: float) -> None:
        self.sent += 1
        path = f"/attempts/{self.attempt_id}/questions/{position + 1}"
        data = {"csrf_token": self.token, "answer": f"s{n}", "action": "next"}
        try:
            status, location, _ = self.request(path, data)
        except (OSError, http.client.HTTPException) as error:  # killed mid-request, refused...
            self.failures[type(error).__name__] += 1
            return
        if status == 302 and re.search(r"/attempts/\d+/(questions/\d+|summary)$", location):
            self.acknowledged.append((position, n))
        elif status == 302 and "/auth/login" in location:
            self.failures["logged out"] += 1
            self.ready(until)
        else:
            self.failures[f"status {status}"] += 1
            if status == 400:  # a session from before a restart: a new token
                self.ready(until)

    def submit(self) -> None:
        try:
            status, _location, _ = self.request(
                f"/attempts/{self.attempt_id}/submit", {"csrf_token": self.token}
            )
        except (OSError, http.client.HTTPException) as error:
            self.failures[f"submit {type(error).__name__}"] += 1
            return
        if status == 302:
            self.submitted += 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_stats() -> Iterator[tuple[int, str, list[str]]]:
    """Every process alive now on this machine: (pid, command name, the fields of
    /proc/<pid>/stat after the name: state, parent, ..., utime at 11, stime at 12)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # ended meanwhile
            name, _, rest = stat.partition(" (")[2].rpartition(")")
            yield int(entry.name), name, rest.split()


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers), from /proc."""
    listed = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(child) for child in listed.read_text().split()]
    except OSError:
        pass  # a kernel without that file: scan every process
    return [child for child, _name, fields in process_stats() if int(fields[1]) == pid]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "(Z)" not in Path(f"/proc/{pid}/stat").read_text()


class Server:
    def __init__(self, url: str, port: int, log: Path, questions: Path) -> None:
        self.port = port
        self.log = log.open("ab")
        self.env = {
            **os.environ,
            "QUIZAPP_DATABASE_URL": url,
            "QUIZAPP_SECRET_KEY": "crash-bench-secret",  # the same key in every worker
            "QUIZAPP_AUTO_SETUP": "0",
            "QUIZAPP_QUESTIONS_DIR": str(questions),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.workers_seen: set[int] = set()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                "4",
                "-b",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "30",
                "-c",
                str(Path(__file__).parents[1] / "gunicorn.conf.py"),
            ],
            env=self.env,
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=5):
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not start: see its log")

    def workers(self) -> list[int]:
        assert self.process is not None
        found = children(self.process.pid)
        self.workers_seen.update(found)
        return found

    def kill_worker(self) -> bool:
        workers = self.workers()
        if not workers:
            return False
        os.kill(random.choice(workers), signal.SIGKILL)
        return True

    def kill_master(self) -> None:
        """SIGKILL the master; its workers notice and exit (killed after 10 s if not)."""
        assert self.process is not None
        workers = self.workers()
        self.process.kill()
        self.process.wait()
        deadline = time.monotonic() + 10
        while any(alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        for worker in workers:
            if alive(worker):
                os.kill(worker, signal.SIGKILL)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            workers = self.workers()
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
            for worker in workers:
                if alive(worker):
                    os.kill(worker, signal.SIGKILL)
        self.log.close()


def prepare(questions: Path, students: int) -> list[tuple[str, int]]:
    """A set of text questions, a class, an open assignment, and an attempt per student."""
    document = {
        "id": "crash",
        "title": "Crash test",
        "language": "en",
        "settings": {"feedback": "after_submit", "shuffle_choices": False},
        "questions": [
            {"id": f"q{i}", "type": "text", "prompt": f"Question {i}", "accept": [f"s{i}"]}
            for i in range(QUESTIONS)
        ],
    }
    (questions / "crash.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    assert not sync_directory(questions).failed
    question_set = db.session.scalar(select(QuestionSet))
    teacher = create_user("teacher", PASSWORD, role="teacher")
    classroom = create_classroom(teacher, "Crash", "Europe/Paris")
    now = utcnow()
    assignment = create_assignment(
        classroom, question_set, now - timedelta(hours=1), now + timedelta(days=1)
    )
    found = []
    for number in range(students):
        user = create_user(f"student{number}", PASSWORD)
        join_class(classroom, user, f"Student {number}")
        attempt = quiz_attempts.start_attempt(user, question_set, assignment=assignment)
        found.append((user.username, attempt.id))
    db.session.commit()
    for statement in TRIGGERS[db.engine.dialect.name]:
        db.session.execute(text(statement))
    db.session.commit()
    return found


def run(students: int, seconds: float, database_url: str | None, log: Path | None) -> int:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        questions = folder / "questions"
        questions.mkdir()
        with scratch_app(
            database_url, folder / "crash.sqlite3", QUESTIONS_DIR=str(questions)
        ) as app:
            with app.app_context():
                accounts = prepare(questions, students)
                url = db.engine.url.render_as_string(hide_password=False)
                engine = db.engine.dialect.name
            server = Server(url, free_port(), log or folder / "gunicorn.log", questions)
            server.start()
            base = f"http://127.0.0.1:{server.port}"
            crowd = [Student(username, attempt, base) for username, attempt in accounts]
            print(f"{engine}: gunicorn -w 4, {students} students, {seconds:.0f} s", flush=True)
            # Everyone logged in and on the quiz before the clock starts (a loaded machine
            # can take a while): the seconds measured are all saving and killing.
            arrivals = [
                threading.Thread(target=s.ready, args=(time.monotonic() + 300,)) for s in crowd
            ]
            for thread in arrivals:
                thread.start()
            for thread in arrivals:
                thread.join()
            start = time.monotonic()
            submit_at = start + seconds * 0.9
            stop_at = start + seconds

            def live(student: Student) -> None:
                n = 0
                while time.monotonic() < submit_at:
                    n += 1
                    student.save(n % QUESTIONS, n, submit_at)
                    time.sleep(random.uniform(0.05, 0.3))
                twice = [threading.Thread(target=student.submit) for _ in range(2)]
                for thread in twice:
                    thread.start()
                for thread in twice:
                    thread.join()
                while not student.submitted and time.monotonic() < stop_at + 30:
                    time.sleep(0.5)
                    student.submit()  # not acknowledged (killed worker): again

            threads = [threading.Thread(target=live, args=(s,), daemon=True) for s in crowd]
            for thread in threads:
                thread.start()
            kills, master_killed = 0, False
            try:
                while time.monotonic() < stop_at:
                    time.sleep(2)
                    if not master_killed and time.monotonic() - start > seconds / 2:
                        killed_at = time.monotonic() - start
                        server.kill_master()
                        master_killed = True
                        print(f"  {killed_at:.0f} s: master SIGKILLed", flush=True)
                        server.start()
                        print(f"  {time.monotonic() - start:.0f} s: restarted", flush=True)
                    elif server.kill_worker():
                        kills += 1
                for thread in threads:
                    thread.join(timeout=max(1, stop_at + 60 - time.monotonic()))
            finally:
                server.stop()
            with app.app_context():
                stored = {
                    (attempt_id, position): answer
                    for attempt_id, position, answer in db.session.execute(
                        select(
                            QuestionAttempt.attempt_id,
                            QuestionAttempt.position,
                            QuestionAttempt.answer,
                        )
                    )
                }
                gradings = Counter(
                    db.session.scalars(text("SELECT attempt_id FROM bench_grading")).all()
                )
                graded = db.session.scalar(
                    select(text("count(*)")).select_from(Attempt).where(Attempt.state == "graded")
                )
                db.session.execute(text("DROP TABLE bench_grading"))
                db.session.commit()
    acknowledged = sum(len(s.acknowledged) for s in crowd)
    kept = 0
    for student in crowd:
        for position, n in student.acknowledged:
            answer = stored.get((student.attempt_id, position))
            # this save, or a later one of the same question, is in the database
            if isinstance(answer, str) and answer.startswith("s") and int(answer[1:]) >= n:
                kept += 1
    lost = acknowledged - kept
    doubles = sum(1 for count in gradings.values() if count > 1)
    failures: Counter[str] = Counter()
    for student in crowd:
        failures.update(student.failures)
    print(f"  workers SIGKILLed: {kills}, master SIGKILLed: {int(master_killed)}")
    print(f"  saves sent: {sum(s.sent for s in crowd)}")
    print(f"  acknowledged: {acknowledged}")
    print(f"  stored: {kept}")
    print(f"  lost: {lost}")
    print(f"  not acknowledged: {dict(failures)}")
    print(f"  attempts graded: {graded} of {students}, gradings: {sum(gradings.values())}")
    print(f"  double gradings: {doubles}")
    return 1 if lost or doubles else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--database-url", help="a PostgreSQL server (default: SQLite)")
    parser.add_argument("--log", type=Path, help="keep gunicorn's log in this file")
    arguments = parser.parse_args()
    sys.exit(run(arguments.students, arguments.seconds, arguments.database_url, arguments.log))


if __name__ == "__main__":
    main()

"""Start-up with QUIZAPP_AUTO_SETUP=1 under a real `gunicorn -w 4`, on SQLite and PostgreSQL.

Four workers build the same app at once against a fresh database: the migration and the sync of
the question folder must run once, every worker must boot and serve, and a question file with
errors must never stop a worker from booting.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from harness import postgres_database
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine

from quizapp.config import instance_secret_key, shipped_dir
from quizapp.models import Question, QuestionSet

WORKERS = 4
BOOT_TIMEOUT = 120.0


@dataclass
class Run:
    served_by: set[int]  # pids of the workers that answered a request
    statuses: list[int]
    log: str

    @property
    def worker_failures(self) -> list[str]:
        return re.findall(r".*(?:Worker failed to boot|exited with code|Traceback).*", self.log)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def run_gunicorn(database_url: str, questions: Path, log_path: Path) -> Run:
    """Start `gunicorn -w 4` with auto set-up, request until every worker answered, stop it."""
    port = free_port()
    env = {
        **os.environ,
        "QUIZAPP_DATABASE_URL": database_url,
        "QUIZAPP_AUTO_SETUP": "1",
        "QUIZAPP_QUESTIONS_DIR": str(questions),
        "QUIZAPP_SECRET_KEY": "start-up-test",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(WORKERS),
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        "120",
        "--access-logfile",
        "-",
        "--access-logformat",
        "served-by %(p)s %(s)s",
        "quizapp:create_app()",
    ]
    served_by: set[int] = set()
    statuses: list[int] = []
    with log_path.open("w") as log_file:
        server = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}/"
            deadline = time.monotonic() + BOOT_TIMEOUT
            # Every worker that booted logs its pid on the requests it answers: ask (eight at
            # a time, so that idle workers take some) until all four have answered.
            while time.monotonic() < deadline and server.poll() is None:
                with ThreadPoolExecutor(8) as pool:
                    statuses.extend(pool.map(get, [url] * 8))
                served_by = {
                    int(pid) for pid in re.findall(r"served-by <?(\d+)>? 200", log_path.read_text())
                }
                if len(served_by) >= WORKERS:
                    break
                time.sleep(0.2)
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return Run(served_by, statuses, log_path.read_text())


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    with postgres_database() as url:  # the harness's: created here, dropped after
        yield url


def versions_per_question(engine: Engine) -> dict[str, int]:
    """Per set: how many question rows there are beyond one per question."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(QuestionSet.slug, func.count(Question.id), func.count(Question.key.distinct()))
            .join(Question, Question.set_id == QuestionSet.id)
            .group_by(QuestionSet.slug)
        ).all()
    return {slug: rows_count - keys for slug, rows_count, keys in rows}


def test_four_workers_set_up_once_and_all_serve(fresh_database: str, tmp_path: Path) -> None:
    questions = tmp_path / "questions"
    shutil.copytree(shipped_dir("questions"), questions)
    shipped = sorted(p.name for p in questions.glob("*.yaml"))
    assert len(shipped) >= 2

    first = run_gunicorn(fresh_database, questions, tmp_path / "first.log")

    assert first.worker_failures == []
    assert len(first.served_by) == WORKERS, first.log[-3000:]
    engine = create_engine(fresh_database)
    try:
        loaded = versions_per_question(engine)
        assert len(loaded) == len(shipped)
        assert set(loaded.values()) == {0}, loaded  # each question loaded once, not per worker

        # Restart on the same database with a new set, a set broken by an edit and a new
        # broken file: every worker boots, the new set is loaded once, the broken ones
        # are recorded and the last good version stays live.
        new = questions / "zz-new.yaml"
        new.write_text((questions / shipped[0]).read_text().replace("\nid: ", "\nid: zz-new-", 1))
        edited = questions / shipped[1]
        edited.write_text(edited.read_text().replace("questions:", "questions: [oops", 1))
        (questions / "zz-broken.yaml").write_text("id: zz-broken\ntitle: [never closed\n")

        second = run_gunicorn(fresh_database, questions, tmp_path / "second.log")

        assert second.worker_failures == []
        assert len(second.served_by) == WORKERS, second.log[-3000:]
        loaded = versions_per_question(engine)
        assert len(loaded) == len(shipped) + 1
        assert set(loaded.values()) == {0}, loaded
        with engine.connect() as connection:
            errors = dict(
                connection.execute(select(QuestionSet.path, QuestionSet.load_error)).all()
            )
        assert errors[shipped[1]]  # recorded on the set, whose last good version stays
        assert errors["zz-new.yaml"] is None
        assert "zz-broken.yaml" not in errors
    finally:
        engine.dispose()


def test_workers_starting_at_once_share_one_whole_secret_key(tmp_path: Path) -> None:
    # The embedded default keeps its key in the instance folder, which four workers create at
    # once: none may crash on the file another made, nor read it before it is written.
    barrier = threading.Barrier(16)

    def start() -> str:
        barrier.wait()
        return instance_secret_key(tmp_path)

    with ThreadPoolExecutor(16) as pool:
        keys = list(pool.map(lambda _: start(), range(16)))
    assert len(set(keys)) == 1 and len(keys[0]) == 64
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary file left


def test_a_set_the_database_refuses_is_logged_and_start_up_goes_on(app, db, questions_dir, caplog):
    import yaml
    from helpers import database_refuses_set, set_document

    from quizapp.start_up import sync_questions

    for name, slug in (("a.yaml", "refused"), ("b.yaml", "kept")):
        document = set_document(id=slug, title=slug.title())
        (questions_dir / name).write_text(yaml.safe_dump(document, allow_unicode=True))
    with database_refuses_set(db, "refused"):
        sync_questions(questions_dir)  # no exception: the worker boots

    assert "a.yaml not loaded" in caplog.text and "the database refused this set" in caplog.text
    assert db.session.scalars(select(QuestionSet.slug)).all() == ["kept"]


def test_start_up_goes_on_whatever_the_sync_raises(app, db, questions_dir, caplog, monkeypatch):
    from quizapp.bank import sync
    from quizapp.start_up import sync_questions

    def broken(directory):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(sync, "sync_directory", broken)
    sync_questions(questions_dir)  # no exception: the worker boots
    assert "question bank: not loaded at start" in caplog.text and "disk on fire" in caplog.text

"""A database too busy to answer in time is a 503 the browser may retry, and changes nothing.

On SQLite a burst of saves queues for the one write lock; a save that waits past the busy
timeout used to be a 500 (bench/hot_paths.py found a few under 64 connections). Here a second,
real connection holds the write lock while a student saves, with CSRF on as in production.
"""

from __future__ import annotations

import sqlite3

import pytest
from helpers import PASSWORD
from helpers import csrf_token as token
from sqlalchemy import select

from quizapp.models import QuestionAttempt


@pytest.fixture
def database_url(sqlite_url):
    return sqlite_url  # the write lock is SQLite's; PostgreSQL locks rows, not the database


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "SQLITE_BUSY_TIMEOUT_MS": 200}


@pytest.fixture
def question_url(client, auth, make_set):
    make_set(settings={"feedback": "after_submit", "shuffle_choices": False})
    client.post(
        "/auth/register",
        data={
            "username": "ada",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": token(client, "/auth/register"),
        },
    )
    started = client.post("/quizzes/sample/start", data={"csrf_token": token(client, "/quizzes")})
    assert started.status_code == 302
    return started.headers["Location"]


def stored_answer(db):
    db.session.commit()
    return db.session.scalar(select(QuestionAttempt.answer).where(QuestionAttempt.position == 0))


def test_a_save_that_waits_past_the_busy_timeout_is_a_503_and_stores_nothing(
    client, db, question_url, sqlite_url
):
    form = {"answer": "1", "action": "next", "csrf_token": token(client, question_url)}
    other = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another connection holds the write lock
    try:
        busy = client.post(question_url, data=form)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "5"
    assert "was not saved" in busy.get_data(as_text=True)
    assert stored_answer(db) is None
    saved = client.post(question_url, data=form)  # the lock gone, the same form goes through
    assert saved.status_code == 302
    assert stored_answer(db) is not None


def test_other_database_errors_stay_500s(app, client, db, question_url, monkeypatch):
    """A missing table is a bug, not a busy database: the handler does not hide it."""
    from quizapp.quiz import attempts

    def broken(*args, **kwargs):
        db.session.execute(db.text("SELECT * FROM no_such_table"))

    monkeypatch.setattr(attempts, "save_answer", broken)
    form = {"answer": "1", "action": "next", "csrf_token": token(client, question_url)}
    assert client.post(question_url, data=form).status_code == 500

"""With CSRF protection on, as in production: every form carries a token the next POST sends
back (read here from the pages, as a browser does), and a POST without it changes nothing."""

from __future__ import annotations

import pytest
from helpers import PASSWORD
from helpers import csrf_token as token
from sqlalchemy import select

from quizapp.models import Attempt, QuestionAttempt, User


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def register(client, username: str = "ada") -> None:
    form = {"username": username, "password": PASSWORD, "confirm": PASSWORD}
    response = client.post(
        "/auth/register", data={**form, "csrf_token": token(client, "/auth/register")}
    )
    assert response.status_code == 302


def test_a_quiz_taken_with_the_tokens_of_its_pages(client, db, make_set):
    make_set(settings={"feedback": "after_submit", "shuffle_choices": False})
    register(client)
    started = client.post("/quizzes/sample/start", data={"csrf_token": token(client, "/quizzes")})
    assert started.status_code == 302
    question = started.headers["Location"]
    saved = client.post(
        question, data={"answer": "1", "action": "next", "csrf_token": token(client, question)}
    )
    assert saved.status_code == 302
    attempt = db.session.scalar(select(Attempt))
    review = f"/attempts/{attempt.id}/summary"
    submitted = client.post(
        f"/attempts/{attempt.id}/submit", data={"csrf_token": token(client, review)}
    )
    assert submitted.status_code == 302
    db.session.refresh(attempt)
    assert attempt.state == "graded" and attempt.score == 1.0


def test_posts_without_a_token_change_nothing(client, db, make_set):
    make_set(settings={"feedback": "after_submit", "shuffle_choices": False})
    register(client)
    assert client.post("/quizzes/sample/start").status_code == 400
    assert db.session.scalar(select(Attempt)) is None
    question = client.post(
        "/quizzes/sample/start", data={"csrf_token": token(client, "/quizzes")}
    ).headers["Location"]
    attempt = db.session.scalar(select(Attempt))
    assert client.post(question, data={"answer": "1", "action": "next"}).status_code == 400
    assert client.post(f"/attempts/{attempt.id}/submit").status_code == 400
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 400
    db.session.refresh(attempt)
    assert attempt.state == "in_progress"
    assert db.session.scalars(select(QuestionAttempt.answer)).all() == [None, None]
    assert db.session.scalar(select(User.username)) == "ada"


def test_another_sessions_token_is_refused(app, client, db, make_set):
    make_set()
    register(client, "ada")
    other = app.test_client()
    register(other, "bob")
    stolen = token(other, "/quizzes")
    assert client.post("/quizzes/sample/start", data={"csrf_token": stolen}).status_code == 400
    assert db.session.scalar(select(Attempt)) is None

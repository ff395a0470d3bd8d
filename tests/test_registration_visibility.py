"""Instance and set settings that keep a class's test from strangers (issue 10, defect 9):
registration closed unless the instance opens it, and sets taken only through assignments."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from helpers import PASSWORD, assign
from sqlalchemy import func, select

from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join
from quizapp.models import Attempt, User, utcnow


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_registration_is_closed_by_default():
    env = {k: v for k, v in os.environ.items() if k != "QUIZAPP_OPEN_REGISTRATION"}
    code = "from quizapp.config import Config; print(Config.OPEN_REGISTRATION)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "False"
    env["QUIZAPP_OPEN_REGISTRATION"] = "on"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "True"


def test_closed_registration_refuses_sign_up_but_classes_still_join_by_code(
    app, client, db, make_user
):
    app.config["OPEN_REGISTRATION"] = False
    teacher = make_user("tess", role="teacher")
    classroom = create_classroom(teacher, "5B", "UTC")
    db.session.commit()
    users = count(db, User)
    response = client.post(
        "/auth/register", data={"username": "eve", "password": PASSWORD, "confirm": PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/join")
    assert count(db, User) == users
    for url in ("/", "/auth/login"):
        assert "/auth/register" not in client.get(url).get_data(as_text=True)
    joined = client.post(
        "/join",
        data={
            "code": classroom.join_code,
            "display_name": "Zoé",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert joined.status_code in (200, 302)
    assert count(db, User) == users + 1


@pytest.fixture
def assigned_only(make_set):
    return make_set(settings={"feedback": "immediate", "visibility": "assigned"})


def test_a_set_for_assignments_only_is_not_in_the_student_catalogue(
    auth, client, db, make_user, assigned_only
):
    make_user("ada")
    make_user("tess", role="teacher")
    auth.login("ada")
    assert "Sample set" not in client.get("/quizzes").get_data(as_text=True)
    assert client.post("/quizzes/sample/start").status_code == 404
    assert count(db, Attempt) == 0
    auth.logout()
    auth.login("tess")
    assert "Sample set" in client.get("/quizzes").get_data(as_text=True)


def test_a_set_for_assignments_only_is_taken_through_its_assignment(
    auth, client, db, make_user, assigned_only
):
    teacher = make_user("tess", role="teacher")
    student = make_user("ada")
    classroom = create_classroom(teacher, "5B", "UTC")
    join(classroom, student, "Ada")
    now = utcnow()
    assignment = assign(db, classroom, assigned_only, now - timedelta(hours=1), now + timedelta(1))
    auth.login("ada")
    response = client.post("/quizzes/sample/start")
    assert response.status_code == 302 and "/attempts/" in response.headers["Location"]
    assert db.session.scalar(select(Attempt.assignment_id)) == assignment.id


def test_public_is_the_default_visibility(auth, client, make_user, make_set):
    make_set()
    make_user("ada")
    auth.login("ada")
    assert "Sample set" in client.get("/quizzes").get_data(as_text=True)

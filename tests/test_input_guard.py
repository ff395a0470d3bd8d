"""Input no field may hold is a 400 or 422 with a clear message, and stores nothing
(issue 10, defect 3): NUL bytes, oversize values, folded usernames, huge pages, sNaN."""

from __future__ import annotations

import pytest
from helpers import PASSWORD
from sqlalchemy import func, select

from quizapp.classes.classrooms import create_classroom
from quizapp.models import Assignment, Classroom, QuestionAttempt, User

NUL_MESSAGE = "The request contains a NUL character"


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def classroom(db, make_user):
    teacher = make_user("teach", role="teacher")
    room = create_classroom(teacher, "5B", "UTC")
    db.session.commit()
    return room


def test_a_nul_byte_anywhere_is_a_400_that_stores_nothing(auth, client, db, classroom, make_user):
    users = count(db, User)
    anonymous = [
        client.post("/auth/login", data={"username": "a\x00", "password": "x"}),
        client.post(
            "/auth/register",
            data={
                "username": "zoe",
                "display_name": "Zo\x00é",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
        ),
        client.post(
            "/join",
            data={
                "code": classroom.join_code + "\x00",
                "display_name": "Zoé",
                "password": PASSWORD,
                "confirm": PASSWORD,
            },
        ),
        client.get("/join/AB%00CD"),
    ]
    make_user("root", role="admin")
    auth.login("root")
    as_admin = [
        client.get("/quizzes?language=%00"),
        client.get("/admin/users?q=%00"),
        client.post("/classes", data={"name": "5\x00B", "timezone": "UTC"}),
        client.post("/quizzes/a%00b/start"),
    ]
    for response in anonymous + as_admin:
        assert response.status_code == 400, response.request.path
        assert NUL_MESSAGE in response.get_data(as_text=True)
    assert count(db, User) == users + 1 and count(db, Classroom) == 1


def test_a_text_answer_with_a_nul_byte_is_refused_and_not_saved(
    auth, client, db, make_user, make_set
):
    make_set(
        [{"id": "t", "type": "text", "prompt": "Who?", "accept": ["Turing"]}],
        settings={"feedback": "after_submit"},
    )
    make_user("ada")
    auth.login("ada")
    attempt_url = client.post("/quizzes/sample/start").headers["Location"]
    response = client.post(attempt_url, data={"answer": "Tur\x00ing", "action": "next"})
    assert response.status_code == 400 and NUL_MESSAGE in response.get_data(as_text=True)
    assert db.session.scalar(select(QuestionAttempt.answer)) is None


def test_an_oversize_field_is_a_400(client, db):
    response = client.post("/auth/login", data={"username": "a" * 20_001, "password": "x"})
    assert response.status_code == 400
    assert "longer than 20000 characters" in response.get_data(as_text=True)


def test_a_username_that_case_folds_past_the_column_is_refused(client, db):
    name = "ß" * 40  # 40 characters, 80 once case-folded ("ss")
    response = client.post(
        "/auth/register", data={"username": name, "password": PASSWORD, "confirm": PASSWORD}
    )
    assert response.status_code == 422
    assert "once in lower case" in response.get_data(as_text=True)
    assert count(db, User) == 0
    login = client.post("/auth/login", data={"username": name, "password": PASSWORD})
    assert login.status_code == 422


def test_a_page_number_beyond_any_offset_is_a_404(auth, client, make_user):
    make_user("root", role="admin")
    auth.login("root")
    assert client.get("/admin/users?page=99999999999999999999").status_code == 404
    assert client.get("/admin/users?page=0").status_code == 404
    assert client.get("/admin/users?page=2").status_code == 200  # past the end: empty


@pytest.mark.parametrize("value", ["sNaN", "NaN", "-Infinity", "1e999999"])
def test_a_late_penalty_that_is_no_number_is_refused(auth, client, db, classroom, make_set, value):
    question_set = make_set()
    auth.login("teach")
    response = client.post(
        f"/classes/{classroom.id}/assignments",
        data={
            "set_id": str(question_set.id),
            "opens_at": "2026-12-01T09:00",
            "due_at": "2026-12-08T09:00",
            "late_policy": "penalty",
            "late_penalty": value,
        },
    )
    assert response.status_code == 422
    assert count(db, Assignment) == 0

"""Logging out, changing or resetting a password ends the session: a replayed cookie is dead."""

from __future__ import annotations

from helpers import PASSWORD

from quizapp.classes.accounts import reset_password
from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join


def cookies_of(client):
    return {c.key: c.value for c in client._cookies.values()}


def replay(app, cookies):
    """A fresh client (another browser, or a thief) sending a copy of the old cookies."""
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other.get("/account/")


def test_logout_ends_the_session_everywhere(app, auth, client, make_user):
    make_user("lin")
    client.post("/auth/login", data={"username": "lin", "password": PASSWORD, "remember": "y"})
    stolen = cookies_of(client)
    assert "remember_token" in stolen
    assert replay(app, stolen).status_code == 200
    auth.logout()
    assert replay(app, stolen).status_code == 302
    # the remember-me cookie alone does not bring the session back either
    assert replay(app, {"remember_token": stolen["remember_token"]}).status_code == 302


def test_a_password_change_ends_the_old_cookie(app, auth, client, make_user):
    make_user("lin")
    auth.login("lin")
    stolen = cookies_of(client)
    new = "another long password"
    response = client.post(
        "/account/password",
        data={"pw-current": PASSWORD, "pw-password": new, "pw-confirm": new},
    )
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200  # this session goes on
    assert replay(app, stolen).status_code == 302


def test_a_teacher_reset_ends_the_students_old_cookie(app, auth, client, db, make_user):
    teacher = make_user("tess", role="teacher")
    student = make_user("lin")
    classroom = create_classroom(teacher, "5B", "UTC")
    join(classroom, student, "Lin")
    db.session.commit()
    auth.login("lin")
    stolen = cookies_of(client)
    reset_password(student)
    db.session.commit()
    assert replay(app, stolen).status_code == 302

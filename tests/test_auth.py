from __future__ import annotations

from helpers import PASSWORD

from quizapp.models import User


def test_register_logs_in_and_hashes_the_password(auth, client, db):
    response = auth.register("Grace")
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.username == "grace"))
    assert user is not None and user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert "correct horse" not in user.password_hash
    assert client.get("/quizzes").status_code == 200


def test_invalid_registration_rerenders_with_messages_next_to_fields(client, db):
    response = client.post(
        "/auth/register", data={"username": "x", "password": "short", "confirm": "other"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="username-error"' in page and 'aria-invalid="true"' in page
    assert 'id="confirm-error"' in page and "The passwords differ." in page
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_a_taken_username_is_refused_whatever_its_case(auth, db):
    auth.register("ada")
    auth.logout()
    response = auth.register("ADA")
    assert response.status_code == 422
    assert "already taken" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_login_logout(auth, client, make_user):
    make_user("lin")
    assert auth.login("lin", "wrong password").status_code == 422
    assert client.get("/quizzes").status_code == 302
    assert auth.login("lin").status_code == 302
    assert client.get("/quizzes").status_code == 200
    auth.logout()
    assert client.get("/quizzes").status_code == 302


def test_login_redirects_only_to_local_next(client, make_user):
    make_user("lin")
    data = {"username": "lin", "password": PASSWORD}
    response = client.post("/auth/login?next=https://evil.example/x", data=data)
    assert response.headers["Location"] == "/quizzes"


def test_a_password_change_ends_other_sessions(auth, client, db, make_user):
    user = make_user("lin")
    auth.login("lin")
    assert client.get("/quizzes").status_code == 200
    user.session_version += 1
    db.session.commit()
    assert client.get("/quizzes").status_code == 302


def test_fields_without_hint_or_error_carry_no_empty_aria(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert '="None"' not in page and 'aria-describedby=""' not in page

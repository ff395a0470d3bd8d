"""Classes, join codes, rosters, assignments and privacy, through the test client."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from helpers import PASSWORD, assign
from sqlalchemy import func, select

from quizapp.classes.classrooms import archive, create_classroom
from quizapp.classes.join import join
from quizapp.classes.reports import question_stats
from quizapp.models import Assignment, Attempt, Classroom, Membership, User, utcnow


@pytest.fixture
def teacher(make_user):
    return make_user("teach", role="teacher")


@pytest.fixture
def classroom(db, teacher):
    room = create_classroom(teacher, "2nde B", "Europe/Paris")
    db.session.commit()
    return room


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def join_new(client, code, name="Zoé M.", password=PASSWORD):
    return client.post(
        "/join",
        data={"code": code, "display_name": name, "password": password, "confirm": password},
    )


def test_a_teacher_creates_a_class_with_code_link_and_qr(auth, client, db, teacher):
    auth.login("teach")
    response = client.post("/classes", data={"name": "2nde B", "timezone": "Europe/Paris"})
    assert response.status_code == 302
    room = db.session.scalar(select(Classroom))
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", room.join_code)  # no 0, O, 1, I or L
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert room.join_code in page and f"/join/{room.join_code}" in page
    qr = client.get(f"/classes/{room.id}/qr.svg")
    assert qr.mimetype == "image/svg+xml" and b"<svg" in qr.data


def test_an_unknown_time_zone_is_refused(auth, client, db, teacher):
    auth.login("teach")
    response = client.post("/classes", data={"name": "X", "timezone": "Mars/Olympus"})
    assert response.status_code == 422
    assert "Choose a time zone from the list" in response.get_data(as_text=True)
    assert count(db, Classroom) == 0


def test_a_student_joins_with_code_name_and_password_no_email(client, db, classroom):
    response = join_new(client, classroom.join_code.lower())  # codes are not case-sensitive
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.role == "student"))
    assert user.display_name == "Zoé M." and re.fullmatch(r"zoe-m-[a-z2-9]{4}", user.username)
    membership = db.session.scalar(select(Membership))
    assert (membership.classroom_id, membership.user_id) == (classroom.id, user.id)
    page = client.get("/assignments").get_data(as_text=True)
    assert "My assignments" in page  # logged in


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ZZZZZZ", "No class has this code."),
        ("", "This field is required."),
    ],
)
def test_a_wrong_code_creates_nothing(client, db, classroom, code, message):
    response = join_new(client, code)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(db, User) == 1 and count(db, Membership) == 0


def test_an_expired_code_creates_nothing(client, db, classroom):
    classroom.join_code_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = join_new(client, classroom.join_code)
    assert response.status_code == 422
    assert "This code has expired." in response.get_data(as_text=True)
    assert count(db, User) == 1


def test_a_name_taken_in_the_class_creates_nothing(client, db, classroom):
    join_new(client, classroom.join_code, "Zoé M.")
    client.post("/auth/logout")
    response = join_new(client, classroom.join_code, "zoe m")
    assert response.status_code == 422
    assert "The name zoe m is already taken in this class" in response.get_data(as_text=True)
    assert count(db, User) == 2 and count(db, Membership) == 1


def test_an_archived_class_cannot_be_joined(client, db, classroom):
    archive(classroom)
    db.session.commit()
    assert join_new(client, classroom.join_code).status_code == 422


def test_a_logged_in_student_joins_with_the_code_only(auth, client, db, classroom, make_user):
    make_user("lea")
    auth.login("lea")
    response = client.post("/join", data={"code": classroom.join_code, "display_name": "Léa"})
    assert response.status_code == 302
    assert db.session.scalar(select(Membership.display_name)) == "Léa"
    again = client.post("/join", data={"code": classroom.join_code, "display_name": "Léa B"})
    assert "You are already in this class." in again.get_data(as_text=True)


def test_renewing_the_code_retires_the_old_one(auth, client, db, classroom):
    auth.login("teach")
    old = classroom.join_code
    client.post(f"/classes/{classroom.id}/code", data={"valid_days": "7"})
    db.session.refresh(classroom)
    assert classroom.join_code != old
    assert classroom.join_code_expires_at > utcnow() + timedelta(days=6)
    client.post("/auth/logout")
    assert join_new(client, old).status_code == 422


def test_a_roster_creates_accounts_and_login_cards(auth, client, db, classroom):
    auth.login("teach")
    response = client.post(
        f"/classes/{classroom.id}/roster", data={"names": "Ada L.\n\nGrace H.\nAlan T.\n"}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    cards = re.findall(
        r"<code>([a-z0-9-]+)</code></dd>\s*<dt>Password</dt><dd><code>"
        r"((?:[a-z2-9]{4}-){3}[a-z2-9]{4})</code>",
        page,
    )
    assert len(cards) == 3 and count(db, Membership) == 3
    # Long random secrets, hence a fast hash (a slow one would protect nothing more)
    hashes = db.session.scalars(select(User.password_hash).where(User.role == "student")).all()
    assert len(hashes) == 3 and all(h.startswith("pbkdf2:sha256:1$") for h in hashes)
    client.post("/auth/logout")
    username, password = cards[1]
    response = client.post("/auth/login", data={"username": username, "password": password})
    assert response.status_code == 302


def test_a_roster_csv_upload_with_a_header(auth, client, db, classroom):
    auth.login("teach")
    csv = b"class,name\n2B,Ada L.\n2B,Grace H.\n"
    response = client.post(
        f"/classes/{classroom.id}/roster",
        data={"file": (io.BytesIO(csv), "class.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    names = set(db.session.scalars(select(Membership.display_name)))
    assert names == {"Ada L.", "Grace H."}


def test_a_roster_with_bad_lines_names_them_and_creates_nothing(auth, client, db, classroom):
    auth.login("teach")
    names = "Ada L.\nGrace H.\n" + "x" * 81 + "\ngrace h\n"
    response = client.post(f"/classes/{classroom.id}/roster", data={"names": names})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "line 3: This name is too long" in page
    assert "line 4: grace h is already on line 2" in page
    assert "No account was created." in page
    assert count(db, User) == 1 and count(db, Membership) == 0


def test_a_roster_name_already_in_the_class_creates_nothing(auth, client, db, classroom):
    auth.login("teach")
    client.post(f"/classes/{classroom.id}/roster", data={"names": "Ada L."})
    response = client.post(f"/classes/{classroom.id}/roster", data={"names": "Bob\nada l."})
    assert response.status_code == 422
    assert "ada l. is already in this class" in response.get_data(as_text=True)
    assert count(db, Membership) == 1


def test_a_teacher_resets_a_password_and_the_old_sessions_end(app, auth, client, db, classroom):
    join_new(client, classroom.join_code)
    student = db.session.scalar(select(User).where(User.role == "student"))
    assert client.get("/assignments").status_code == 200
    teacher_client = app.test_client()
    teacher_client.post("/auth/login", data={"username": "teach", "password": PASSWORD})
    membership = db.session.scalar(select(Membership))
    page = teacher_client.post(
        f"/classes/{classroom.id}/members/{membership.id}/password"
    ).get_data(as_text=True)
    new_password = re.search(r"<code>((?:[a-z2-9]{4}-){3}[a-z2-9]{4})</code>", page)[1]
    assert client.get("/assignments").status_code == 302  # the student's session has ended
    fresh = app.test_client()
    assert (
        fresh.post(
            "/auth/login", data={"username": student.username, "password": PASSWORD}
        ).status_code
        == 422
    )
    assert (
        fresh.post(
            "/auth/login", data={"username": student.username, "password": new_password}
        ).status_code
        == 302
    )


# --- assignments ------------------------------------------------------------------------------


def assign_form(set_id, opens, due, **extra):
    return {
        "set_id": str(set_id),
        "opens_at": opens,
        "due_at": due,
        "late_policy": "refuse",
        **extra,
    }


def test_assignment_dates_are_read_in_the_class_time_zone(auth, client, db, classroom, make_set):
    question_set = make_set()
    auth.login("teach")
    response = client.post(
        f"/classes/{classroom.id}/assignments",
        data=assign_form(question_set.id, "2026-12-01T09:00", "2026-12-08T18:30"),
    )
    assert response.status_code == 302
    assignment = db.session.scalar(select(Assignment))
    assert assignment.opens_at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # Paris is UTC+1
    assert assignment.due_at == datetime(2026, 12, 8, 17, 30, tzinfo=UTC)
    page = client.get(f"/classes/{classroom.id}").get_data(as_text=True)
    assert "Dec 8, 2026, 6:30\u202fPM" in page  # shown back in the class's time zone


def test_a_due_date_before_the_opening_is_refused(auth, client, db, classroom, make_set):
    question_set = make_set()
    auth.login("teach")
    response = client.post(
        f"/classes/{classroom.id}/assignments",
        data=assign_form(question_set.id, "2026-12-08T09:00", "2026-12-01T09:00"),
    )
    assert response.status_code == 422
    assert "The due date must come after the opening date." in response.get_data(as_text=True)
    assert count(db, Assignment) == 0


def _student(client, db, classroom):
    join_new(client, classroom.join_code)
    return db.session.scalar(select(User).where(User.role == "student"))


def _take(client, db, assignment, answer="1"):
    response = client.post(f"/assignments/{assignment.id}/start")
    url = response.headers["Location"]
    if "/questions/" not in url:
        return None
    client.post(url, data={"answer": answer, "action": "next"})
    attempt = db.session.scalar(select(Attempt).order_by(Attempt.id.desc()))
    client.post(f"/attempts/{attempt.id}/submit")
    db.session.refresh(attempt)
    return attempt


def test_students_see_to_do_done_late_and_coming_up(client, db, classroom, make_set):
    question_set = make_set(settings={"shuffle_choices": False, "feedback": "after_submit"})
    now = utcnow()
    todo = assign(db, classroom, question_set, now - timedelta(days=1), now + timedelta(days=1))
    assign(
        db,
        classroom,
        question_set,
        now - timedelta(days=3),
        now - timedelta(days=2),
        late_policy="accept",
    )
    assign(db, classroom, question_set, now + timedelta(days=2), now + timedelta(days=3))
    assign(db, classroom, question_set, now - timedelta(days=5), now - timedelta(days=4))
    _student(client, db, classroom)
    page = client.get("/assignments").get_data(as_text=True)
    for heading in ("To do (1)", "Late (1)", "Coming up (1)", "Missed (1)"):
        assert heading in page
    attempt = _take(client, db, todo)
    assert attempt.assignment_id == todo.id and attempt.state == "graded"
    page = client.get("/assignments").get_data(as_text=True)
    assert "Done (1)" in page and "To do" not in page


def test_an_assignment_is_closed_after_its_due_date_when_late_work_is_refused(
    client, db, classroom, make_set
):
    question_set = make_set()
    now = utcnow()
    closed = assign(db, classroom, question_set, now - timedelta(days=2), now - timedelta(days=1))
    upcoming = assign(db, classroom, question_set, now + timedelta(days=1), now + timedelta(days=2))
    _student(client, db, classroom)
    for assignment, message in (
        (closed, "this assignment is closed"),
        (upcoming, "This assignment is not open yet."),
    ):
        response = client.post(f"/assignments/{assignment.id}/start", follow_redirects=True)
        assert message in response.get_data(as_text=True)
    assert count(db, Attempt) == 0


def test_late_work_is_marked_late_and_penalised(client, db, classroom, make_set):
    question_set = make_set(settings={"shuffle_choices": False, "feedback": "after_submit"})
    now = utcnow()
    penalised = assign(
        db,
        classroom,
        question_set,
        now - timedelta(days=2),
        now - timedelta(days=1),
        late_policy="penalty",
        late_penalty=25,
    )
    _student(client, db, classroom)
    attempt = _take(client, db, penalised)  # 1 of 2 points, minus 25%
    assert attempt.late and attempt.penalty == 0.25 and attempt.score == 0.75


def test_overrides_of_attempts_time_limit_and_feedback(client, db, classroom, make_set):
    question_set = make_set(settings={"feedback": "after_submit", "shuffle_choices": False})
    now = utcnow()
    assignment = assign(
        db,
        classroom,
        question_set,
        now - timedelta(hours=1),
        now + timedelta(hours=1),
        max_attempts=1,
        time_limit=600,
        feedback="after_due",
    )
    _student(client, db, classroom)
    attempt = _take(client, db, assignment)
    assert attempt.deadline - attempt.started_at == timedelta(seconds=600)
    result = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "Your teacher will share the answers later." in result  # after_due, not yet due
    response = client.post(f"/assignments/{assignment.id}/start", follow_redirects=True)
    assert "You have used all your attempts" in response.get_data(as_text=True)
    assignment.due_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert "In 2015, as a non-profit." in client.get(f"/attempts/{attempt.id}").get_data(
        as_text=True
    )


def test_the_teacher_sees_who_has_done_an_assignment(app, client, db, classroom, make_set):
    question_set = make_set(settings={"shuffle_choices": False})
    now = utcnow()
    assignment = assign(
        db, classroom, question_set, now - timedelta(hours=1), now + timedelta(days=1)
    )
    _student(client, db, classroom)
    _take(client, db, assignment)
    teacher_client = app.test_client()
    teacher_client.post("/auth/login", data={"username": "teach", "password": PASSWORD})
    page = teacher_client.get(f"/classes/{classroom.id}/assignments/{assignment.id}").get_data(
        as_text=True
    )
    # the best score links to the attempt it comes from
    assert re.search(
        r"Zoé M\.</a></th>\s*<td>done</td>\s*"
        r"<td><a href=\"/classes/\d+/attempts/\d+\">50%</a></td>",
        page,
    )
    assert "1 / 1" in teacher_client.get(f"/classes/{classroom.id}").get_data(as_text=True)


def test_an_archived_class_accepts_no_change(auth, client, db, classroom, make_set):
    question_set = make_set()
    auth.login("teach")
    client.post(f"/classes/{classroom.id}/archive")  # without the confirmation: nothing
    db.session.refresh(classroom)
    assert not classroom.archived
    client.post(f"/classes/{classroom.id}/archive", data={"confirm": "y"})
    db.session.refresh(classroom)
    assert classroom.archived
    response = client.post(
        f"/classes/{classroom.id}/assignments",
        data=assign_form(question_set.id, "2026-12-01T09:00", "2026-12-08T09:00"),
    )
    assert response.status_code == 409 and count(db, Assignment) == 0


# --- accounts ---------------------------------------------------------------------------------


def test_a_student_downloads_all_their_data(client, db, classroom, make_set):
    question_set = make_set(settings={"shuffle_choices": False})
    now = utcnow()
    assignment = assign(
        db, classroom, question_set, now - timedelta(hours=1), now + timedelta(days=1)
    )
    _student(client, db, classroom)
    _take(client, db, assignment)
    response = client.get("/account/export.json")
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["account"]["display_name"] == "Zoé M."
    assert data["classes"][0]["class"] == "2nde B"
    [attempt] = data["attempts"]
    assert attempt["score"] == 1.0
    assert [r["answer"] for r in attempt["responses"]] == [1, None]


def test_a_student_deletes_their_account_and_data(client, db, classroom, make_set):
    question_set = make_set()
    now = utcnow()
    assignment = assign(
        db, classroom, question_set, now - timedelta(hours=1), now + timedelta(days=1)
    )
    _student(client, db, classroom)
    _take(client, db, assignment)
    wrong = client.post("/account/delete", data={"delete-password": "not it"})
    assert wrong.status_code == 422 and count(db, User) == 2
    response = client.post("/account/delete", data={"delete-password": PASSWORD})
    assert response.status_code == 302
    assert count(db, User) == 1 and count(db, Attempt) == 0 and count(db, Membership) == 0
    assert client.get("/assignments").status_code == 302


def test_a_teacher_with_classes_cannot_delete_their_account(auth, client, db, classroom):
    auth.login("teach")
    response = client.post("/account/delete", data={"delete-password": PASSWORD})
    assert (
        response.status_code == 422
        and "An account that teaches classes cannot be deleted yet"
        in response.get_data(as_text=True)
    )
    assert count(db, User) == 1


def test_changing_the_password_ends_the_other_sessions(app, auth, client, make_user):
    make_user("lin")
    auth.login("lin")
    other = app.test_client()
    other.post("/auth/login", data={"username": "lin", "password": PASSWORD})
    response = client.post(
        "/account/password",
        data={
            "pw-current": PASSWORD,
            "pw-password": "another long one",
            "pw-confirm": "another long one",
        },
    )
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200  # this session goes on
    assert other.get("/account/").status_code == 302  # the other one has ended


def test_session_and_remember_cookies_are_httponly_and_lax(client, make_user):
    make_user("lin")
    response = client.post(
        "/auth/login", data={"username": "lin", "password": PASSWORD, "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith("remember_token="))
    session = next(c for c in cookies if c.startswith("session="))
    for cookie in (remember, session):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_an_admin_promotes_a_teacher_but_keeps_one_admin(auth, client, db, make_user):
    admin = make_user("root", role="admin")
    pupil = make_user("pupil")
    auth.login("root")
    assert client.post(f"/admin/users/{pupil.id}/role", data={"role": "teacher"}).status_code == 302
    db.session.refresh(pupil)
    assert pupil.role == "teacher"
    response = client.post(
        f"/admin/users/{admin.id}/role", data={"role": "student"}, follow_redirects=True
    )
    assert "at least one administrator" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_the_account_page_has_unique_ids(auth, client, make_user):
    import collections

    make_user("lin")
    auth.login("lin")
    page = client.get("/account/").get_data(as_text=True)
    ids = collections.Counter(re.findall(r'\bid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1] == []
    assert '<label for="delete-password">' in page


def test_the_results_page_ranks_questions_by_difficulty(app, db, classroom, make_set, make_user):
    question_set = make_set(settings={"shuffle_choices": False, "shuffle_questions": False})
    now = utcnow()
    assignment = assign(
        db, classroom, question_set, now - timedelta(hours=1), now + timedelta(days=1)
    )
    from helpers import answer_attempt

    # Three students; "investor" is answered right by all, "founding-year" by one of three;
    # the first student's second attempt fixes their founding year (their best answer counts).
    answers = {"s1": [[0, 0], [1, 0]], "s2": [[0, 0]], "s3": [[2, 0]]}
    for name, attempts in answers.items():
        student = make_user(name)
        join(classroom, student, name.upper())
        db.session.commit()
        for given in attempts:
            answer_attempt(
                db, student, question_set, given, now, submit_at=now, assignment=assignment
            )
    stats = question_stats(assignment)
    assert [(s.key, s.answered, s.right, round(s.mean, 3)) for s in stats] == [
        ("founding-year", 3, 1, 0.333),
        ("investor", 3, 3, 1.0),
    ]
    client = app.test_client()
    client.post("/auth/login", data={"username": "teach", "password": PASSWORD})
    page = client.get(f"/classes/{classroom.id}/assignments/{assignment.id}").get_data(as_text=True)
    assert re.search(r"1\. When was OpenAI founded\?</th>\s*<td>33%</td>\s*<td>1</td>", page)


def test_new_login_cards_for_the_whole_class(app, auth, client, db, classroom):
    auth.login("teach")
    first = client.post(f"/classes/{classroom.id}/roster", data={"names": "Ada L.\nAlan T."})
    old = dict(
        re.findall(
            r"<code>([a-z0-9-]+)</code></dd>\s*<dt>Password</dt><dd><code>"
            r"((?:[a-z2-9]{4}-){3}[a-z2-9]{4})</code>",
            first.get_data(as_text=True),
        )
    )
    unconfirmed = client.post(f"/classes/{classroom.id}/cards")
    assert unconfirmed.status_code == 302  # back to the class page: nothing changed
    some_user, some_password = next(iter(old.items()))
    assert (
        app.test_client()
        .post("/auth/login", data={"username": some_user, "password": some_password})
        .status_code
        == 302
    )
    response = client.post(f"/classes/{classroom.id}/cards", data={"confirm": "y"})
    new = dict(
        re.findall(
            r"<code>([a-z0-9-]+)</code></dd>\s*<dt>Password</dt><dd><code>"
            r"((?:[a-z2-9]{4}-){3}[a-z2-9]{4})</code>",
            response.get_data(as_text=True),
        )
    )
    assert set(new) == set(old) and len(new) == 2
    fresh = app.test_client()
    username = next(iter(new))
    assert (
        fresh.post(
            "/auth/login", data={"username": username, "password": old[username]}
        ).status_code
        == 422
    )
    assert (
        fresh.post(
            "/auth/login", data={"username": username, "password": new[username]}
        ).status_code
        == 302
    )

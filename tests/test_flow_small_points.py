"""Smaller points of the quiz flow: assignment names, where teachers land, usernames chosen at
join (and seen and reset by the teacher), the practice label, distinct chart labels."""

from __future__ import annotations

import re
from datetime import timedelta

from helpers import PASSWORD, assign
from sqlalchemy import select

from quizapp.classes.classrooms import create_classroom
from quizapp.models import Assignment, Membership, User, utcnow
from quizapp.progress import charts


def _teacher_with_class(make_user, db):
    teacher = make_user("teach", role="teacher")
    room = create_classroom(teacher, "2nde B", "Europe/Paris")
    db.session.commit()
    return teacher, room


def test_teachers_land_on_their_classes_and_students_on_the_quizzes(auth, client, make_user, db):
    make_user("teach", role="teacher")
    response = auth.login("teach")
    assert response.headers["Location"] == "/classes"
    assert client.get("/").headers["Location"] == "/classes"
    auth.logout()
    make_user("zoe")
    assert auth.login("zoe").headers["Location"] == "/quizzes"
    assert client.get("/").headers["Location"] == "/quizzes"


def test_a_teacher_names_an_assignment(auth, client, make_user, make_set, db):
    question_set = make_set()
    _teacher, room = _teacher_with_class(make_user, db)
    auth.login("teach")
    now = utcnow()
    response = client.post(
        f"/classes/{room.id}/assignments",
        data={
            "set_id": str(question_set.id),
            "name": "  Test 1  ",
            "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "due_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "late_policy": "refuse",
            "feedback": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assignment = db.session.scalar(select(Assignment))
    assert assignment.name == "Test 1" and assignment.title == "Test 1"
    page = client.get(f"/classes/{room.id}").get_data(as_text=True)
    assert '>Test 1</a> <span class="muted" lang="en">(Sample set)</span>' in page
    # a name too long is refused with a message, nothing created
    response = client.post(
        f"/classes/{room.id}/assignments",
        data={
            "set_id": str(question_set.id),
            "name": "x" * 101,
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "due_at": (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "late_policy": "refuse",
        },
    )
    assert response.status_code == 422
    assert db.session.scalar(select(db.func.count()).select_from(Assignment)) == 1


def test_two_assignments_of_one_set_are_told_apart(auth, client, make_user, make_set, db):
    question_set = make_set()
    _teacher, room = _teacher_with_class(make_user, db)
    client.post(
        f"/join/{room.join_code}",
        data={
            "code": room.join_code,
            "display_name": "Zoé M.",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    now = utcnow()
    assign(db, room, question_set, now - timedelta(hours=1), now + timedelta(days=1), name="Quiz A")
    assign(db, room, question_set, now - timedelta(hours=1), now + timedelta(days=2), name="Quiz B")
    page = client.get("/assignments").get_data(as_text=True)
    assert re.search(r">Quiz A</h3>", page) and re.search(r">Quiz B</h3>", page)


def test_a_student_chooses_a_username_when_joining(client, make_user, db):
    _teacher, room = _teacher_with_class(make_user, db)
    form = client.get(f"/join/{room.join_code}").get_data(as_text=True)
    assert 'name="username"' in form and "Choose a username (optional)" in form
    response = client.post(
        f"/join/{room.join_code}",
        data={
            "code": room.join_code,
            "display_name": "Zoé M.",
            "username": "Zoe.M",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.display_name == "Zoé M."))
    assert user.username == "zoe.m"
    assert "<code>zoe.m</code>" in client.get("/account/").get_data(as_text=True)


def test_a_username_taken_or_malformed_at_join_is_refused_with_a_message(client, make_user, db):
    _teacher, room = _teacher_with_class(make_user, db)
    make_user("zoe.m")
    data = {
        "code": room.join_code,
        "display_name": "Zoé M.",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    taken = client.post(f"/join/{room.join_code}", data={**data, "username": "ZOE.M"})
    assert taken.status_code == 422
    assert "This username is already taken." in taken.get_data(as_text=True)
    odd = client.post(f"/join/{room.join_code}", data={**data, "username": "zoé m!"})
    assert odd.status_code == 422
    assert "Use letters, digits, dots, hyphens or underscores." in odd.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Membership)) == 0
    empty = client.post(f"/join/{room.join_code}", data={**data, "username": ""})
    assert empty.status_code == 302  # one made from the name
    user = db.session.scalar(select(User).where(User.display_name == "Zoé M."))
    assert user.username.startswith("zoe-m-")


def test_the_teacher_sees_and_resets_a_username(auth, client, make_user, db):
    _teacher, room = _teacher_with_class(make_user, db)
    client.post(
        f"/join/{room.join_code}",
        data={
            "code": room.join_code,
            "display_name": "Zoé M.",
            "username": "zoe.m",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    auth.logout()
    auth.login("teach")
    membership = db.session.scalar(select(Membership))
    page = client.get(f"/classes/{room.id}").get_data(as_text=True)
    assert "<code>zoe.m</code>" in page and "New username for Zoé M." in page
    response = client.post(f"/classes/{room.id}/members/{membership.id}/username")
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, membership.user_id)
    assert user.username.startswith("zoe-m-")
    flashed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Zoé M. now logs in as {user.username}" in flashed
    auth.logout()
    assert auth.login(user.username).status_code == 302  # the password still works


def test_another_teacher_cannot_reset_the_username(auth, client, make_user, db):
    _teacher, room = _teacher_with_class(make_user, db)
    client.post(
        f"/join/{room.join_code}",
        data={
            "code": room.join_code,
            "display_name": "Zoé M.",
            "username": "zoe.m",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    auth.logout()
    make_user("other", role="teacher")
    auth.login("other")
    membership = db.session.scalar(select(Membership))
    response = client.post(f"/classes/{room.id}/members/{membership.id}/username")
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(User, membership.user_id).username == "zoe.m"


def test_chart_labels_are_distinct_and_phones_get_their_own_drawing():
    labels = charts.distinct_labels(
        ["27/11/2026", "27/11/2026", "28/11/2026", "27/11/2026"],
        ["10:00", "10:00", "09:00", "11:30"],
    )
    assert labels == [
        "27/11/2026 10:00 (1)",
        "27/11/2026 10:00 (2)",
        "28/11/2026",
        "27/11/2026 11:30",
    ]
    assert len(set(labels)) == len(labels)
    svg = str(charts.scores_chart(labels, [10, 50, 70, 90], "caption"))
    assert 'class="pygal-chart chart--phone" viewBox="0 0 360 300"' in svg
    assert 'class="pygal-chart chart--wide" viewBox="0 0 720 320"' in svg
    # drawn at 360 units for a phone, its 14-unit labels stay about 13 px at 360 px
    assert "font-size:14px" in svg.replace(" ", "")


def test_dashboard_chart_labels_differ_for_attempts_of_one_day(auth, client, make_set, db):
    make_set(settings={"feedback": "after_submit", "shuffle_choices": False})
    auth.register()
    for _ in range(3):  # three attempts within a minute
        location = client.post("/quizzes/sample/start").headers["Location"]
        attempt_id = re.search(r"/attempts/(\d+)/", location).group(1)
        client.post(f"/attempts/{attempt_id}/submit")
    page = client.get("/dashboard").get_data(as_text=True)
    wide = page[page.index("chart--wide") :]
    start = wide.index('class="axis x')
    axis = wide[start : wide.index('<g class="series', start)]
    labels = re.findall(r"<text[^>]*>([^<]+)</text>", axis)
    assert len(labels) == 3 and len(set(labels)) == 3, labels


def test_practice_attempts_are_labelled_on_the_question_page(auth, client, make_user, make_set, db):
    from quizapp.classes.join import join
    from quizapp.quiz import attempts

    question_set = make_set(settings={"feedback": "after_submit", "shuffle_choices": False})
    _teacher, room = _teacher_with_class(make_user, db)
    auth.register()
    student = db.session.scalar(select(User).where(User.username == "ada"))
    join(room, student, "Ada L.")
    db.session.commit()
    now = utcnow()
    assignment = assign(db, room, question_set, now - timedelta(days=3), now - timedelta(days=1))
    practice = attempts.start_attempt(student, question_set, practice=True)
    db.session.commit()
    page = client.get(f"/attempts/{practice.id}/questions/1").get_data(as_text=True)
    assert "Practice: no credit" in page and assignment.id

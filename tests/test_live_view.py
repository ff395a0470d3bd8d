"""The live view of an assignment: who has not started, who works (how far), who handed in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import PASSWORD, answer_attempt, assign

from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join as join_class
from quizapp.gradebook import services
from quizapp.models import utcnow


@pytest.fixture
def lesson(db, make_user, make_set):
    teacher = make_user("teacher", role="teacher")
    question_set = make_set()
    classroom = create_classroom(teacher, "A", "Europe/Paris")
    now = utcnow()
    assignment = assign(
        db, classroom, question_set, now - timedelta(hours=1), now + timedelta(hours=1)
    )
    students = {}
    for name in ["Ana", "Ben", "Cyd", "Dee"]:
        students[name] = make_user(name.lower())
        join_class(classroom, students[name], name)
    db.session.commit()
    # Ana handed in half right; Ben answered one question and works on; Cyd opened it.
    answer_attempt(
        db, students["Ana"], question_set, [1, 2], now, submit_at=now, assignment=assignment
    )
    answer_attempt(db, students["Ben"], question_set, [1], now, assignment=assignment)
    answer_attempt(db, students["Cyd"], question_set, [], now, assignment=assignment)
    return classroom, assignment


def test_the_counts(db, lesson):
    _classroom, assignment = lesson
    live = services.live(assignment)
    states = {s.membership.display_name: (s.state, s.reached) for s in live.students}
    assert states == {
        "Ana": ("submitted", 0),
        "Ben": ("working", 1),
        "Cyd": ("working", 0),
        "Dee": ("not_started", 0),
    }
    assert (live.count("not_started"), live.count("working"), live.count("submitted")) == (1, 2, 1)
    assert live.average == pytest.approx(0.5)
    # Graded answers only: Ben's answer waits for his hand-in.
    assert [(q.key, q.answered, q.share_right) for q in live.questions] == [
        ("founding-year", 1, 1.0),
        ("investor", 1, 0.0),
    ]


def test_the_page_with_its_script_and_projector_mode(client, lesson):
    classroom, assignment = lesson
    client.post("/auth/login", data={"username": "teacher", "password": PASSWORD})
    url = f"/classes/{classroom.id}/assignments/{assignment.id}/live"
    page = client.get(url).get_data(as_text=True)
    assert "Not started: 1 · Working: 2 · Handed in: 1" in page
    assert "working, 1 of 2 answered" in page
    assert 'src="/static/js/live.js"' in page and 'class="live"' in page
    assert 'class="live projector"' in client.get(url + "?projector=1").get_data(as_text=True)

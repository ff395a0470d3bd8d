"""Item statistics against values worked out by hand on three students (upper-lower index:
fewer than 30 attempts), flags that name the file, the question id and its line."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import PASSWORD, assign
from sqlalchemy import select

from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join as join_class
from quizapp.gradebook import analysis
from quizapp.models import Assignment, utcnow
from quizapp.quiz import attempts as quiz_attempts

QUESTIONS = [
    {
        "id": "founding-year",
        "type": "single",
        "prompt": "When was OpenAI founded?",
        "choices": ["2014", "2015", "2019"],
        "answer": "2015",
    },
    {
        "id": "investor",
        "type": "single",
        "prompt": "Who invested more than 10 billion dollars?",
        "choices": ["Microsoft", "Sequoia", "Google"],
        "answer": "Microsoft",
    },
    {"id": "capital", "type": "text", "prompt": "Capital of France?", "accept": ["Paris"]},
    {
        "id": "non-profit",
        "type": "true_false",
        "prompt": "OpenAI began as a non-profit.",
        "answer": True,
    },
]
# Per student: (answer, seconds since the previous answer) per question; None: left blank.
ANSWERS = {
    "ana": [(1, 10), (1, 20), ("Paris", 30), (True, 40)],  # 3 of 4, investor wrong
    "ben": [(1, 20), (1, 20), ("Lyon", 60), (True, 10)],  # 2 of 4
    "cyd": [(0, 30), (0, 50), ("Lyon", 30), None],  # 1 of 4, investor right
}


@pytest.fixture
def analysed(db, make_user, make_set, questions_dir):
    teacher = make_user("teacher", role="teacher")
    question_set = make_set(QUESTIONS)
    classroom = create_classroom(teacher, "A", "Europe/Paris")
    now = utcnow()
    assignment = assign(
        db, classroom, question_set, now - timedelta(days=1), now + timedelta(days=1)
    )
    for name, answers in ANSWERS.items():
        student = make_user(name)
        join_class(classroom, student, name)
        start = now - timedelta(hours=1)
        attempt = quiz_attempts.start_attempt(
            student, question_set, now=start, assignment=assignment
        )
        at = start
        for response, given in zip(attempt.responses, answers, strict=True):
            if given is not None:
                at += timedelta(seconds=given[1])
                quiz_attempts.save_answer(attempt, response, given[0], now=at)
        quiz_attempts.submit(attempt, now=at)
        db.session.commit()
    result = analysis.analyse(question_set, analysis.attempts_of_assignment(assignment))
    return result, {item.key: item for item in result.items}, questions_dir


def line_of(questions_dir, key):
    lines = (questions_dir / "sample.yaml").read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.strip() == f"- id: {key}")


def test_facility_discrimination_and_times_by_hand(analysed):
    result, items, _folder = analysed
    assert (result.attempts, result.method) == (3, "upper_lower")
    # one attempt in each 27 % group: ana (3/4) above, cyd (1/4) below
    expected = {  # share right, discrimination, median seconds
        "founding-year": (2 / 3, 1.0, 20),
        "investor": (1 / 3, -1.0, 20),
        "capital": (1 / 3, 1.0, 30),
        "non-profit": (2 / 3, 1.0, 25),  # cyd's blank counts as wrong; times 40 and 10
    }
    for key, (right, discrimination, seconds) in expected.items():
        item = items[key]
        assert item.attempts == 3
        assert item.share_right == pytest.approx(right)
        assert item.mean_score == pytest.approx(right)
        assert item.discrimination == pytest.approx(discrimination)
        assert item.median_seconds == pytest.approx(seconds, abs=0.01)
    assert items["founding-year"].picks == {1: 2, 0: 1}
    assert items["investor"].picks == {1: 2, 0: 1}
    assert items["capital"].wrong_answers == [("Lyon", 2)]


def test_flags_name_the_file_the_question_and_its_line(analysed):
    _result, items, folder = analysed
    investor = " ".join(items["investor"].flags)
    where = f"sample.yaml, question “investor”, line {line_of(folder, 'investor')}"
    assert "check the key" in investor and where in investor
    assert "Nobody picked “Google”" in investor
    assert "Nobody picked “2019”" in " ".join(items["founding-year"].flags)
    assert "Nobody picked" not in " ".join(items["capital"].flags)
    capital = " ".join(items["capital"].flags)
    assert "“Lyon”" in capital and "add it to accept?" in capital
    assert f"line {line_of(folder, 'capital')}" in capital
    assert not any("check the key" in f for f in items["founding-year"].flags)


def test_point_biserial_from_30_attempts(db, make_user, make_set):
    """30 attempts: half get both questions right, half only the second: the first question
    then follows the total exactly (r = 1), the second does not vary (no correlation)."""
    teacher = make_user("teacher", role="teacher")
    question_set = make_set()
    classroom = create_classroom(teacher, "A", "Europe/Paris")
    now = utcnow()
    assignment = assign(
        db, classroom, question_set, now - timedelta(days=1), now + timedelta(days=1)
    )
    for i in range(30):
        student = make_user()
        join_class(classroom, student, f"S{i}")
        attempt = quiz_attempts.start_attempt(student, question_set, now=now, assignment=assignment)
        quiz_attempts.save_answer(attempt, attempt.responses[0], 1 if i % 2 else 0, now=now)
        quiz_attempts.save_answer(attempt, attempt.responses[1], 0, now=now)
        quiz_attempts.submit(attempt, now=now)
    db.session.commit()
    result = analysis.analyse(question_set, analysis.attempts_of_assignment(assignment))
    first, second = result.items
    assert result.method == "point_biserial"
    assert first.discrimination == pytest.approx(1.0)
    assert second.discrimination is None
    assert second.share_right == 1.0 and any("Too easy" in f for f in second.flags)


def test_the_page_shows_it_to_the_classes_teacher(client, db, analysed):
    assignment = db.session.scalar(select(Assignment))
    client.post("/auth/login", data={"username": "teacher", "password": PASSWORD})
    page = client.get(f"/classes/{assignment.classroom_id}/assignments/{assignment.id}/analysis")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "check the key" in text and "<svg" in text and "upper-lower" in text
    across = client.get(f"/teacher/sets/{assignment.set_id}/analysis").get_data(as_text=True)
    assert "3 attempts counted" in across

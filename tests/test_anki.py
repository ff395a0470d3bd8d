"""A student's missed questions as an Anki deck: only from attempts whose feedback they may see,
read back from the .apkg (a zip holding Anki's SQLite collection)."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from datetime import timedelta
from pathlib import Path

from helpers import PASSWORD, answer_attempt, assign

from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join as join_class
from quizapp.models import utcnow


def notes_of(data: bytes, tmp_path: Path) -> list[list[str]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert "collection.anki2" in archive.namelist()
    path = tmp_path / "collection.anki2"
    path.write_bytes(archive.read("collection.anki2"))
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute("SELECT flds FROM notes ORDER BY id").fetchall()
    finally:
        connection.close()
    return [row[0].split("\x1f") for row in rows]


def test_the_deck_holds_the_missed_questions_with_their_key(
    db, make_user, make_set, client, tmp_path
):
    student = make_user("zoe")
    visible = make_set()  # feedback after_submit
    never = make_set(id="secret", settings={"feedback": "never", "shuffle_choices": False})
    now = utcnow()
    # founding-year wrong (choice 0: 2014), investor right.
    answer_attempt(db, student, visible, [0, 0], now, submit_at=now)
    answer_attempt(db, student, never, [0, 1], now, submit_at=now)
    client.post("/auth/login", data={"username": "zoe", "password": PASSWORD})
    response = client.get("/dashboard/missed.apkg")
    assert response.status_code == 200
    assert "quizapp-missed.apkg" in response.headers["Content-Disposition"]
    notes = notes_of(response.get_data(), tmp_path)
    assert len(notes) == 1  # one missed question whose feedback is visible
    [(front, back)] = notes
    assert "When was OpenAI founded?" in front and "<li>2014</li>" in front
    assert "2015" in back and "In 2015, as a non-profit." in back
    assert "Your answer: 2014" in back
    # The dashboard offers it, and the review page once nothing is due.
    assert "/dashboard/missed.apkg" in client.get("/dashboard").get_data(as_text=True)
    assert "/dashboard/missed.apkg" in client.get("/review").get_data(as_text=True)


def test_a_pending_assignment_keeps_its_questions_out_of_the_deck(
    db, make_user, make_set, client, tmp_path
):
    teacher = make_user("marie", role="teacher")
    student = make_user("zoe")
    question_set = make_set()
    now = utcnow()
    # Self-study, missed and graded with visible feedback...
    answer_attempt(db, student, question_set, [0, 0], now - timedelta(hours=1), submit_at=now)
    # ... then the set is assigned to the student's class, due tomorrow: its key is hidden.
    classroom = create_classroom(teacher, "5e B", "Europe/Paris")
    join_class(classroom, student, "Zoé")
    db.session.commit()
    assign(db, classroom, question_set, now - timedelta(minutes=5), now + timedelta(days=1))
    client.post("/auth/login", data={"username": "zoe", "password": PASSWORD})
    response = client.get("/dashboard/missed.apkg")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")


def test_nothing_missed_means_no_deck(db, make_user, make_set, client):
    student = make_user("zoe")
    question_set = make_set()
    now = utcnow()
    answer_attempt(db, student, question_set, [1, 0], now, submit_at=now)  # all right
    client.post("/auth/login", data={"username": "zoe", "password": PASSWORD})
    response = client.get("/dashboard/missed.apkg", follow_redirects=True)
    assert "nothing to export" in response.get_data(as_text=True)

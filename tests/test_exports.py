"""CSV and XLSX exports read back: accents kept, a formula-like display name neutralised,
header row, frozen panes and number formats; exports change nothing."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from helpers import PASSWORD, answer_attempt, assign
from openpyxl import load_workbook
from sqlalchemy import func, select

from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join as join_class
from quizapp.models import Attempt, utcnow

EVIL = '=HYPERLINK("http://evil.example","Zoé")'


@pytest.fixture
def exported(db, make_user, make_set, client):
    teacher = make_user("teacher", role="teacher")
    question_set = make_set(title="Révolution française")
    classroom = create_classroom(teacher, "5e B", "Europe/Paris")
    now = utcnow()
    assignment = assign(
        db, classroom, question_set, now - timedelta(days=1), now + timedelta(days=1)
    )
    for name, answers in [("Zoé Müller", [1, 0]), (EVIL, [1, 2])]:
        student = make_user()
        join_class(classroom, student, name)
        answer_attempt(
            db, student, question_set, answers, now, submit_at=now, assignment=assignment
        )
    client.post("/auth/login", data={"username": "teacher", "password": PASSWORD})
    return client, classroom, assignment


def test_the_gradebook_as_csv(db, exported):
    client, classroom, _assignment = exported
    response = client.get(f"/classes/{classroom.id}/gradebook.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    disposition = response.headers["Content-Disposition"]
    assert f"5e-b_gradebook_{utcnow().date().isoformat()}.csv" in disposition
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM that keeps Excel's accents
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["Student", "Révolution française", "Late"]
    by_name = {row[0]: row for row in rows[1:]}
    assert float(by_name["Zoé Müller"][1]) == 1.0
    assert by_name["'" + EVIL][1] == "0.5"  # neutralised: a text, not a formula
    assert EVIL not in by_name


def test_the_responses_as_xlsx(db, exported):
    client, classroom, assignment = exported
    attempts = db.session.scalar(select(func.count()).select_from(Attempt))
    response = client.get(f"/classes/{classroom.id}/assignments/{assignment.id}/responses.xlsx")
    assert response.status_code == 200
    assert "5e-b_revolution-francaise_" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.freeze_panes == "B2"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Student", "Attempt", "Question", "Answer", "Score", "Points", "Late")
    assert len(rows) == 1 + 2 * 2  # two students, two questions
    evil_rows = [r for r in sheet.iter_rows(min_row=2) if r[0].value == EVIL]
    assert len(evil_rows) == 2 and all(r[0].data_type == "s" for r in evil_rows)
    zoe = [r for r in sheet.iter_rows(min_row=2) if r[0].value == "Zoé Müller"]
    assert zoe[0][3].value == "2015" and zoe[1][3].value == "Microsoft"
    assert zoe[0][4].value == 1.0 and zoe[0][4].number_format == "0.0%"
    # a GET that exports writes nothing
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == attempts


def test_the_analysis_as_xlsx_and_an_unknown_format(db, exported):
    client, classroom, assignment = exported
    base = f"/classes/{classroom.id}/assignments/{assignment.id}/analysis"
    sheet = load_workbook(io.BytesIO(client.get(base + ".xlsx").get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "1. founding-year" and rows[1][2] == 1.0
    assert client.get(base + ".pdf").status_code == 404

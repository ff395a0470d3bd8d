"""The teacher's downloads of a set in each exchange format, and the upload that converts a GIFT
or Moodle XML file into a YAML draft shown with its warnings."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import yaml
from helpers import PASSWORD
from sqlalchemy import func, select

from quizapp.interop import convert
from quizapp.models import Question, QuestionSet

FIXTURES = Path(__file__).parent / "fixtures" / "interop"


@pytest.fixture
def teacher(make_user, client):
    make_user("marie", role="teacher")
    client.post("/auth/login", data={"username": "marie", "password": PASSWORD})
    return client


def rows(db) -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(QuestionSet)),
        db.session.scalar(select(func.count()).select_from(Question)),
    )


@pytest.mark.parametrize(
    ("fmt", "suffix", "mimetype"),
    [
        ("gift", ".gift.txt", "text/plain"),
        ("moodle-xml", ".moodle.xml", "application/xml"),
        ("qti", ".qti.zip", "application/zip"),
    ],
)
def test_a_teacher_downloads_a_set_in_each_format(db, make_set, teacher, fmt, suffix, mimetype):
    question_set = make_set()
    before = rows(db)
    response = teacher.get(f"/teacher/sets/{question_set.id}/export/{fmt}")
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert f'filename="sample{suffix}"' in response.headers["Content-Disposition"]
    data = response.get_data()
    if fmt == "qti":
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        assert "imsmanifest.xml" in names and "items/founding-year.xml" in names
    else:
        back = convert(data, f"x{suffix}", fmt, "en")
        assert [q["id"] for q in yaml.safe_load(back.yaml_text)["questions"]] == [
            "founding-year",
            "investor",
        ]
    assert rows(db) == before  # a GET changes nothing


def test_the_bank_page_links_each_set_to_its_downloads(db, make_set, teacher):
    question_set = make_set()
    page = teacher.get("/teacher/bank").get_data(as_text=True)
    for fmt in ("gift", "moodle-xml", "qti"):
        assert f"/teacher/sets/{question_set.id}/export/{fmt}" in page
    assert "/teacher/import" in page


def test_unknown_sets_and_formats_are_404(db, make_set, teacher):
    question_set = make_set()
    assert teacher.get(f"/teacher/sets/{question_set.id}/export/docx").status_code == 404
    assert teacher.get("/teacher/sets/999999/export/gift").status_code == 404


def upload(client, data: bytes, filename: str, **fields: str):
    form = {"file": (io.BytesIO(data), filename), "format": "", "language": "en", **fields}
    return client.post("/teacher/import", data=form, content_type="multipart/form-data")


def test_an_upload_shows_the_draft_with_its_warnings(db, teacher):
    before = rows(db)
    response = upload(
        teacher, (FIXTURES / "every-construct.gift").read_bytes(), "moodle.gift", preview="Convert"
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "17 questions converted" in page and "2 skipped" in page
    assert "moodle.gift:" in page and "warning: skipped: an essay question" in page
    assert "id: ceo" in page and "type: single" in page
    assert 'download="moodle.yaml"' in page
    assert rows(db) == before  # nothing stored


def test_an_upload_can_be_downloaded_as_yaml(db, teacher):
    response = upload(
        teacher, (FIXTURES / "every-construct.xml").read_bytes(), "bank.xml", download="Download"
    )
    assert response.status_code == 200
    assert response.mimetype == "application/yaml"
    assert 'filename="bank.yaml"' in response.headers["Content-Disposition"]
    document = yaml.safe_load(response.get_data(as_text=True))
    assert document["questions"][0]["id"] == "single-choice"


def test_an_upload_in_french_gets_french_warnings(db, teacher):
    response = teacher.get("/teacher/import?lang=fr")
    assert response.status_code == 200
    response = upload(teacher, b"::a:: Quoi ? {=a ~b}\n\n::e:: Essai. {}\n", "q.gift", preview="x")
    page = response.get_data(as_text=True)
    assert "ignorée" in page and "language: en" in page


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (
            b"::a:: ok {T}\n\n::b:: Which?\n{=a ~b\n",
            "bad.gift",
            "bad.gift:4: error: a `{` is never closed",
        ),
        (b"::a:: Which? {= ~b}\n", "stray.gift", "stray.gift:1: error: a stray `=`"),
        (b"<quiz>\n<question>\n</quiz>", "bad.xml", "bad.xml:3: error: not well-formed XML"),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE q [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<quiz>&x;</quiz>',
            "evil.xml",
            "evil.xml:2: error: the XML declares entities or a DTD",
        ),
    ],
)
def test_an_unreadable_upload_is_refused_with_its_line(db, teacher, data, filename, message):
    before = rows(db)
    response = upload(teacher, data, filename, preview="Convert")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True).replace("&#39;", "'").replace("&#96;", "`")
    assert rows(db) == before


def test_a_missing_or_oversized_upload_is_refused(db, teacher):
    response = teacher.post(
        "/teacher/import", data={"format": "", "language": "en"}, content_type="multipart/form-data"
    )
    assert response.status_code == 400 and "Choose a file." in response.get_data(as_text=True)
    # Encoded by hand: the test client would spool a large upload to a file it never closes.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.gift"\r\n\r\n'
        + b"//"
        + b"x" * (1024 * 1024 + 10)
        + b"\r\n--b--\r\n"
    )
    big = teacher.post("/teacher/import", data=body, content_type="multipart/form-data; boundary=b")
    assert big.status_code == 413


def test_a_converted_draft_becomes_the_teachers_own_set(db, teacher):
    import html
    import re

    page = upload(
        teacher, (FIXTURES / "every-construct.gift").read_bytes(), "moodle.gift", preview="Convert"
    ).get_data(as_text=True)
    assert 'action="/teacher/sets/from-draft"' in page
    text = html.unescape(re.search(r"<textarea name=\"text\"[^>]*>(.*?)</textarea>", page, re.S)[1])
    before = rows(db)
    response = teacher.post("/teacher/sets/from-draft", data={"text": text})
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit")
    question_set = db.session.scalar(select(QuestionSet).where(QuestionSet.owner_id.is_not(None)))
    assert question_set.owner.username == "marie"
    assert rows(db) == (before[0] + 1, before[1] + 17)
    assert "id: ceo" in question_set.source_text.text


def test_a_broken_draft_makes_no_set(db, teacher):
    before = rows(db)
    response = teacher.post("/teacher/sets/from-draft", data={"text": "id: x\ntitle: [unclosed\n"})
    assert response.status_code == 422
    assert "nothing was created" in response.get_data(as_text=True)
    assert rows(db) == before

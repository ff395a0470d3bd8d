"""A question file's `source.url` is an http(s) address; pages never link an unchecked one
(issue 10, defect 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import answer_attempt

from quizapp.bank.reader import read_file
from quizapp.models import utcnow

SET = """\
id: demo
title: Demo
language: en
source:
  title: The paper
  url: {url}
questions:
  - id: q1
    type: true_false
    prompt: True?
    answer: true
"""


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "//evil.example/x",
        "ftp://example.org/file",
    ],
)
def test_the_validator_refuses_a_source_url_that_is_not_http_at_its_line(tmp_path, url):
    path = tmp_path / "demo.yaml"
    path.write_text(SET.format(url=f'"{url}"'), encoding="utf-8")
    report = read_file(path, display="demo.yaml")
    messages = [str(d) for d in report.diagnostics]
    assert report.model is None
    assert any(
        m.startswith("demo.yaml:6:8: error:") and "http:// or https://" in m for m in messages
    ), messages


@pytest.mark.parametrize("url", ["https://example.org/paper.pdf", "http://example.org"])
def test_http_and_https_source_urls_pass(tmp_path, url):
    path = tmp_path / "demo.yaml"
    path.write_text(SET.format(url=url), encoding="utf-8")
    assert read_file(path, display="demo.yaml").model is not None


def test_a_stored_javascript_url_is_never_rendered_as_a_link(auth, client, db, make_user, make_set):
    question_set = make_set(
        [
            {
                "id": "q",
                "type": "true_false",
                "prompt": "True?",
                "answer": True,
                "quote": "A quote.",
            }
        ],
        settings={"feedback": "after_submit"},
        source={"title": "The paper", "url": "https://example.org/paper"},
    )
    # A row stored before the schema checked URLs, or written by other means.
    question_set.source = {"title": "The paper", "url": "javascript:alert(1)"}
    db.session.commit()
    student = make_user("ada")
    at = utcnow() - timedelta(minutes=1)
    attempt = answer_attempt(db, student, question_set, [False], at, submit_at=at)
    auth.login("ada")
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "A quote." in page and "The paper" in page
    assert "javascript:" not in page

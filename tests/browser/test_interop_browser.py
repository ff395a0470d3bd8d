"""A teacher converts a GIFT file in the browser, sees the draft beside its warnings and
downloads it; downloads a set as GIFT from the bank page; a student downloads an Anki deck."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from helpers import PASSWORD, answer_attempt

from quizapp.models import utcnow

pytestmark = pytest.mark.browser
WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

FIXTURES = Path(__file__).parents[1] / "fixtures" / "interop"


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/auth/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_a_teacher_imports_a_gift_file_and_downloads_the_draft(
    page, site, make_user, make_set, screenshot, tmp_path
):
    make_user("marie", role="teacher")
    make_set()
    base = site()
    log_in(page, base, "marie")
    page.goto(base + "/teacher/bank")
    with page.expect_download() as gift:
        page.get_by_role("link", name="Sample set as GIFT").click()
    assert "::founding-year::" in Path(gift.value.path()).read_text()
    screenshot(page, "interop-bank")
    axe = Axe()
    assert axe.run(page, options=WCAG_21_AA).violations_count == 0
    page.get_by_role("link", name="Import questions from GIFT or Moodle XML").click()
    page.get_by_label("GIFT or Moodle XML file").set_input_files(
        str(FIXTURES / "every-construct.gift")
    )
    page.get_by_role("button", name="Convert", exact=True).click()
    page.get_by_role("heading", name="YAML draft").wait_for()
    warnings = page.locator(".warning-list li")
    assert warnings.count() > 10
    assert "warning: skipped: an essay question" in page.locator(".warning-list").inner_text()
    screenshot(page, "interop-import")
    results = axe.run(page, options=WCAG_21_AA)
    assert results.violations_count == 0, results.generate_report()
    with page.expect_download() as draft:
        page.get_by_role("link", name="Download the draft").click()
    assert draft.value.suggested_filename == "every-construct.yaml"
    document = yaml.safe_load(Path(draft.value.path()).read_text())
    assert document["questions"][0]["id"] == "ceo"


def test_a_student_downloads_an_anki_deck(page, site, db, make_user, make_set):
    student = make_user("zoe")
    question_set = make_set()
    now = utcnow()
    answer_attempt(db, student, question_set, [0, 0], now, submit_at=now)
    base = site()
    log_in(page, base, "zoe")
    page.goto(base + "/dashboard")
    with page.expect_download() as deck:
        page.get_by_role("link", name="Export my missed questions as an Anki deck").click()
    assert deck.value.suggested_filename == "quizapp-missed.apkg"
    assert Path(deck.value.path()).read_bytes()[:2] == b"PK"

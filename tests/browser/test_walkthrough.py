"""A new student registers, takes a quiz and sees the score, in a real Chromium."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_register_take_a_quiz_and_see_the_score(page, site, make_set, screenshot):
    make_set()
    base = site()
    page.goto(base + "/")
    page.get_by_role("link", name="Create an account").first.click()
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password", exact=True).fill("correct horse battery")
    page.get_by_label("Repeat the password").fill("correct horse battery")
    page.get_by_role("button", name="Create my account").click()
    page.get_by_role("heading", name="Sample set").wait_for()
    page.get_by_role("link", name="Start").click()
    page.get_by_role("button", name="Start").click()
    page.get_by_text("Question 1 of 2").wait_for()
    screenshot(page, "walkthrough-question")
    page.get_by_label("2015").check()
    page.get_by_role("button", name="Save and next").click()
    page.get_by_text("Question 2 of 2").wait_for()
    page.get_by_label("Sequoia").check()
    page.get_by_role("button", name="Review and submit").click()
    page.get_by_text("2 of 2 questions answered").wait_for()
    page.get_by_role("button", name="Submit my answers").click()
    score = page.locator("#score")
    score.wait_for()
    assert re.search(r"1 of 2 points \(50%\)", score.inner_text())
    written = screenshot(page, "walkthrough-result")
    names = [path.name for path in written]
    assert names == ["walkthrough-result-390.png", "walkthrough-result-1280.png"]
    assert all(path.stat().st_size > 1000 for path in written)

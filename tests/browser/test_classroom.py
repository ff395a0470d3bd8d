"""A teacher creates a class, a student joins with its code, takes the assignment, and the
teacher sees it done: two browsers, one server."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


def log_in(page, base, username):
    page.goto(base + "/auth/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_teacher_class_student_joins_takes_assignment_teacher_sees_it(
    browser, site, make_set, make_user
):
    make_set(settings={"shuffle_choices": False, "feedback": "after_submit"})
    make_user("teach", role="teacher")
    base = site()
    teacher = browser.new_context(locale="en-GB").new_page()
    student = browser.new_context(locale="en-GB").new_page()
    for page in (teacher, student):
        page.set_default_timeout(10_000)

    log_in(teacher, base, "teach")
    teacher.get_by_role("link", name="Classes").click()
    teacher.get_by_label("Class name").fill("2nde B")
    teacher.get_by_label("Time zone").fill("Europe/Paris")
    teacher.get_by_role("button", name="Create the class").click()
    code = teacher.locator("#join-code").inner_text()
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", code)
    assert teacher.get_by_role("img", name=re.compile("QR code")).is_visible()

    paris = datetime.now(ZoneInfo("Europe/Paris"))
    teacher.get_by_label("Question set").select_option(label="Sample set (en)")
    teacher.get_by_label("Opens").fill((paris - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    teacher.get_by_label("Due").fill((paris + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    teacher.get_by_role("button", name="Assign").click()
    teacher.get_by_text("Assigned.").wait_for()

    student.goto(base + "/")
    student.get_by_role("link", name="Join a class").first.click()
    student.get_by_label("Class code").fill(code.lower())
    student.get_by_label("Your name").fill("Zoé M.")
    student.get_by_label("Choose a password").fill(PASSWORD)
    student.get_by_label("Repeat the password").fill(PASSWORD)
    student.get_by_role("button", name="Join the class").click()
    student.get_by_role("heading", name="To do (1)").wait_for()
    student.get_by_role("link", name=re.compile("^Start")).click()
    student.get_by_role("button", name="Start").click()
    student.get_by_label("2015").check()
    student.get_by_role("button", name="Save and next").click()
    student.get_by_label("Microsoft").check()
    student.get_by_role("button", name="Review and submit").click()
    student.get_by_role("button", name="Submit my answers").click()
    assert "2 of 2 points (100%)" in student.locator("#score").inner_text()
    student.get_by_role("link", name="My assignments").click()
    student.get_by_role("heading", name="Done (1)").wait_for()

    teacher.reload()
    assert teacher.get_by_role("cell", name="1 / 1").is_visible()
    teacher.get_by_role("link", name="Sample set").click()
    row = teacher.get_by_role("row", name=re.compile("Zoé M."))
    assert re.search(r"done\s+100%\s+1", row.inner_text())

"""The live view of an assignment (static/js/live.js): the teacher's open page shows a student's
answer without a reload; without JavaScript, a reload shows it. Two browsers, one server.

The page refreshes every 10 seconds: Playwright's clock runs those seconds at once (timers
only; the fetch it triggers is real)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import PASSWORD, assign
from playwright.sync_api import expect
from sqlalchemy import select

from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join
from quizapp.models import Attempt, utcnow
from quizapp.quiz import attempts

pytestmark = pytest.mark.browser


def log_in(page, base, username):
    page.goto(base + "/auth/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def live_url(db, make_set, make_user):
    question_set = make_set(settings={"shuffle_choices": False, "feedback": "after_submit"})
    teacher = make_user("teach", role="teacher")
    classroom = create_classroom(teacher, "2nde B", "Europe/Paris")
    for name in ("ada", "ben"):
        join(classroom, make_user(name), name.capitalize())
    db.session.commit()
    now = utcnow()
    assignment = assign(
        db, classroom, question_set, now - timedelta(hours=1), now + timedelta(days=1)
    )
    return f"/classes/{classroom.id}/assignments/{assignment.id}/live"


def student_answers_the_first_question(browser, base):
    student = browser.new_context(locale="en-GB").new_page()
    student.set_default_timeout(10_000)
    log_in(student, base, "ada")
    student.get_by_role("link", name="Go to the assignment").click()
    student.get_by_role("button", name="Start").click()  # the start page
    student.get_by_label("2015").check()
    student.get_by_role("button", name="Save and next").click()
    student.get_by_label("Microsoft").wait_for()  # the second question: the first is saved
    student.context.close()


def test_the_open_page_shows_a_new_answer_by_itself(db, browser, site, live_url, screenshot):
    base = site()
    context = browser.new_context(locale="en-GB")
    teacher = context.new_page()
    teacher.set_default_timeout(10_000)
    teacher.clock.install()
    log_in(teacher, base, "teach")
    teacher.goto(base + live_url)
    summary = teacher.locator("#live-summary")
    assert "Not started: 2 · Working: 0" in summary.inner_text()
    ada = teacher.locator(".live-students li", has_text="Ada")
    assert "not started" in ada.inner_text()
    teacher.evaluate("window.notReloaded = true")

    student_answers_the_first_question(browser, base)
    # Nothing moves before the refresh is due...
    teacher.clock.run_for(5_000)
    assert "not started" in ada.inner_text()
    # ...then the page fetches itself and swaps its #live block in place.
    teacher.clock.run_for(6_000)
    expect(summary).to_contain_text("Working: 1")
    assert "working, 1 of 2 answered" in ada.inner_text()
    assert "Not started: 1 · Working: 1 · Handed in: 0" in summary.inner_text()
    assert teacher.evaluate("window.notReloaded") is True
    # The question table counts the answer saved (not graded yet: after submit).
    assert teacher.locator("table.data tbody tr").count() == 1
    screenshot(teacher, "live-view")

    # And it keeps refreshing: Ada hands in, the next round shows it.
    attempt = db.session.scalar(select(Attempt))
    attempts.submit(attempt)
    db.session.commit()
    teacher.clock.run_for(11_000)
    expect(summary).to_contain_text("Handed in: 1")
    expect(ada).to_contain_text("handed in (50")
    assert teacher.locator("#live").count() == 1
    assert teacher.evaluate("window.notReloaded") is True
    teacher.goto(base + live_url + "?projector=1")
    assert teacher.locator(".live.projector").count() == 1
    screenshot(teacher, "live-view-projector")
    context.close()


def test_without_javascript_a_reload_shows_it(browser, site, live_url, screenshot):
    base = site()
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    teacher = context.new_page()
    teacher.set_default_timeout(10_000)
    log_in(teacher, base, "teach")
    teacher.goto(base + live_url)
    ada = teacher.locator(".live-students li", has_text="Ada")
    assert "not started" in ada.inner_text()
    assert "without JavaScript, reload it" in teacher.content()

    student_answers_the_first_question(browser, base)
    teacher.wait_for_timeout(300)
    assert "not started" in ada.inner_text()  # no script: the page stays as it was loaded
    teacher.reload()
    assert "working, 1 of 2 answered" in ada.inner_text()
    screenshot(teacher, "live-view-no-js")
    context.close()

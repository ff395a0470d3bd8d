"""axe-core (WCAG 2.1 A and AA rules) on every kind of page, in English and in French, in the
light and the dark colour scheme, at a phone's (390 px) and a laptop's (1280 px) width."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
QUESTIONS = [
    {
        "id": "s",
        "type": "single",
        "prompt": "Who invested?",
        "choices": ["A", "B", "C"],
        "answer": "B",
        "explanation": "B did.",
        "quote": "B did it.",
    },
    {
        "id": "m",
        "type": "multiple",
        "prompt": "Which?",
        "choices": ["A", "B", "C"],
        "answer": ["A"],
    },
    {"id": "t", "type": "true_false", "prompt": "True?", "answer": True},
    {"id": "n", "type": "numeric", "prompt": "Year?", "answer": 2015, "unit": "year"},
    {"id": "x", "type": "text", "prompt": "Who?", "accept": ["Altman"]},
    {"id": "o", "type": "order", "prompt": "Order?", "items": ["one", "two", "three"]},
    {"id": "p", "type": "match", "prompt": "Match?", "pairs": [["a", "1"], ["b", "2"]]},
]


SCHEMES = ("light", "dark")
WIDTHS = (390, 1280)


def check(page, axe, what: str) -> None:
    before = page.viewport_size
    for scheme in SCHEMES:
        # Reduced motion: colours switch at once, so axe never measures a button halfway
        # through its transition from the light scheme to the dark one.
        page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            results = axe.run(page, options=WCAG_21_AA)
            where = f"{what} ({scheme}, {width}px)"
            assert results.violations_count == 0, f"{where}:\n{results.generate_report()}"
    page.emulate_media(color_scheme="no-preference", reduced_motion="no-preference")
    if before:
        page.set_viewport_size(before)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_pages_have_no_wcag_violations(page, site, make_set, make_user, lang):
    make_set(QUESTIONS, settings={"feedback": "immediate", "time_limit": "30m"})
    make_user("teach", role="teacher")
    base = site()
    axe = Axe()
    page.goto(f"{base}/?lang={lang}")
    check(page, axe, "home")
    page.goto(f"{base}/no/such/page?lang={lang}")
    check(page, axe, "404")
    page.goto(f"{base}/auth/register?lang={lang}")
    page.locator("#username").fill("x")
    page.locator("form.stack [type=submit]").click()
    check(page, axe, "register with errors")
    page.locator("#username").fill("ada")
    page.locator("#password").fill("correct horse battery")
    page.locator("#confirm").fill("correct horse battery")
    page.locator("form.stack [type=submit]").click()
    page.locator("a[href$='/start']").first.wait_for()
    check(page, axe, "catalogue")
    page.locator("a[href$='/start']").first.click()
    page.locator("form[action$='/start'] button").wait_for()
    check(page, axe, "start page")
    page.locator("form[action$='/start'] button").click()
    for number in range(1, len(QUESTIONS) + 1):
        page.locator("#prompt").wait_for()
        check(page, axe, f"question {number}")
        page.locator("button[value=check]:not(.default-action)").click()  # blank answer
        if number == 1:
            page.goto(page.url)  # the answered, locked page with its feedback
        if number < len(QUESTIONS):
            page.goto(page.url.rsplit("/", 1)[0] + f"/{number + 1}")
    page.goto(page.url.rsplit("/", 2)[0] + "/summary")
    check(page, axe, "review")
    page.locator("form[action$='/submit'] button").click()
    page.locator("#score").wait_for()
    check(page, axe, "result")
    page.locator("form[action$='/logout'] button").click()
    page.goto(f"{base}/auth/login?lang={lang}")
    check(page, axe, "login")
    page.locator("#username").fill("teach")
    page.locator("#password").fill("correct horse battery")
    page.locator("form.stack [type=submit]").click()
    page.goto(f"{base}/teacher/bank")
    check(page, axe, "question bank")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_class_progress_and_account_pages_have_no_wcag_violations(
    page, site, make_set, make_user, db, lang
):
    from datetime import timedelta

    from quizapp.classes.assignments import create_assignment
    from quizapp.classes.classrooms import create_classroom
    from quizapp.classes.join import join
    from quizapp.models import utcnow
    from quizapp.quiz import attempts as quiz_attempts

    question_set = make_set(QUESTIONS[:3], settings={"feedback": "after_submit"})
    teacher = make_user("teach", role="teacher")
    student = make_user("ada")
    make_user("root", role="admin")
    classroom = create_classroom(teacher, "2nde B", "Europe/Paris")
    join(classroom, student, "Ada L.")
    now = utcnow()
    assignment = create_assignment(
        classroom, question_set, now - timedelta(days=1), now + timedelta(days=1)
    )
    attempt = quiz_attempts.start_attempt(student, question_set, assignment=assignment)
    quiz_attempts.save_answer(attempt, attempt.responses[0], 0)
    quiz_attempts.submit(attempt)
    db.session.commit()
    base = site()
    axe = Axe()

    def login(name):
        page.goto(f"{base}/auth/login?lang={lang}")
        page.locator("#username").fill(name)
        page.locator("#password").fill("correct horse battery")
        page.locator("form.stack [type=submit]").click()

    login("ada")
    for path in ("/dashboard", "/review", "/assignments", "/account/", "/join"):
        page.goto(base + path)
        check(page, axe, path)
    page.locator("form[action$='/logout'] button").click()
    login("teach")
    for path in (
        "/classes",
        f"/classes/{classroom.id}",
        f"/classes/{classroom.id}/assignments/{assignment.id}",
        f"/classes/{classroom.id}/students/{student.id}",
        f"/classes/{classroom.id}?projector=1",
        f"/classes/{classroom.id}/assignments/{assignment.id}/live?projector=1",
    ):
        page.goto(base + path)
        check(page, axe, path)
    page.goto(f"{base}/classes/{classroom.id}")
    page.locator("#names").fill("Grace H.\nAlan T.")
    page.get_by_role("button", name=re.compile("accounts|comptes")).click()
    check(page, axe, "login cards")
    page.locator("form[action$='/logout'] button").click()
    login("root")
    page.goto(base + "/admin/users")
    check(page, axe, "/admin/users")

"""Every main page, as the role that sees it, in light and dark, at 390 and 1280 px: the
screenshots people look at when the look changes (QUIZAPP_SCREENSHOTS=screenshots/before keeps
a set aside to compare). Each page is also checked to have loaded what it should."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
SCHEMES = ("light", "dark")
# QUIZAPP_DOCS_IMAGES=docs/img also writes the few small pictures of docs/DESIGN_SYSTEM.md.
DOCS_IMAGES = os.environ.get("QUIZAPP_DOCS_IMAGES")


def doc_image(page, name, width, scheme, selector=None, height=720):
    """A small picture for the design system's page: one element, or the top of the page."""
    if not DOCS_IMAGES:
        return
    folder = Path(DOCS_IMAGES)
    folder.mkdir(parents=True, exist_ok=True)
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": height})
    target = page.locator(selector).first if selector else page
    target.screenshot(path=str(folder / f"{name}.png"), animations="disabled")
    page.emulate_media(color_scheme="no-preference")


TYPES = [
    {
        "id": "s",
        "type": "single",
        "prompt": "Who invested in OpenAI in 2019?",
        "choices": ["Sequoia", "Microsoft", "Google"],
        "answer": "Microsoft",
        "explanation": "Microsoft invested one billion dollars.",
        "quote": "Microsoft a investi un milliard de dollars.",
    },
    {
        "id": "m",
        "type": "multiple",
        "prompt": "Which products got OpenAI's AI?",
        "choices": ["Bing", "Teams", "Edge"],
        "answer": ["Bing", "Edge"],
    },
    {"id": "t", "type": "true_false", "prompt": "OpenAI was always for profit.", "answer": False},
    {"id": "n", "type": "numeric", "prompt": "OpenAI was founded in?", "answer": 2015},
    {"id": "x", "type": "text", "prompt": "Who is OpenAI's CEO?", "accept": ["Sam Altman"]},
    {
        "id": "o",
        "type": "order",
        "prompt": "Put in order.",
        "items": ["Ethereum ICO", "OpenAI founded", "Microsoft deal"],
    },
    {
        "id": "p",
        "type": "match",
        "prompt": "Match.",
        "pairs": [["Sam Altman", "CEO"], ["Microsoft", "investor"], ["Worldcoin", "iris scan"]],
    },
]


def log_in(page, base, username):
    page.goto(base + "/auth/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.stack [type=submit]").click()
    page.wait_for_load_state()


def log_out(page):
    page.locator("form[action$='/logout'] button").first.click()
    page.wait_for_load_state()


@pytest.fixture
def lesson(make_set, make_user, db):
    """A teacher, a class with two students and an assignment one of them has handed in."""
    from quizapp.classes.assignments import create_assignment
    from quizapp.classes.classrooms import create_classroom
    from quizapp.classes.join import join
    from quizapp.models import utcnow
    from quizapp.quiz import attempts as quiz_attempts

    question_set = make_set(TYPES, settings={"feedback": "after_submit", "shuffle_choices": False})
    teacher = make_user("teach", role="teacher")
    ada = make_user("ada")
    grace = make_user("grace")
    classroom = create_classroom(teacher, "2nde B", "Europe/Paris")
    join(classroom, ada, "Ada L.")
    join(classroom, grace, "Grace H.")
    now = utcnow()
    assignment = create_assignment(
        classroom, question_set, now - timedelta(days=1), now + timedelta(days=6)
    )
    attempt = quiz_attempts.start_attempt(grace, question_set, assignment=assignment)
    quiz_attempts.save_answer(attempt, attempt.responses[0], 1)
    quiz_attempts.submit(attempt)
    db.session.commit()
    return {"classroom": classroom.id, "assignment": assignment.id}


def test_every_main_page_in_light_and_dark(page, site, lesson, screenshot):
    base = site()
    shots: list[str] = []
    too_wide: dict[str, int] = {}

    def shoot(name):
        for scheme in SCHEMES:
            screenshot(page, name, color_scheme=scheme)
        shots.append(name)
        page.set_viewport_size({"width": 390, "height": 900})
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[name] = width
        page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(base + "/")
    shoot("home")
    page.goto(base + "/auth/login")
    shoot("login")
    page.goto(base + "/auth/register")
    shoot("register")
    page.goto(base + "/join")
    shoot("join")

    log_in(page, base, "ada")
    page.goto(base + "/dashboard")
    shoot("dashboard-empty")
    page.goto(base + "/review")
    shoot("review-empty")
    page.goto(base + "/quizzes")
    shoot("catalogue")
    page.locator("a[href$='/start']").first.click()  # the start page
    page.locator("form[action$='/start'] button").first.click()
    page.locator("#prompt").wait_for()
    question_url = page.url.rsplit("/", 1)[0]
    for number, question in enumerate(TYPES, start=1):
        page.goto(f"{question_url}/{number}")
        page.locator("#prompt").wait_for()
        shoot(f"question-{number}-{question['type']}")
        if number == 1:
            doc_image(page, "question-phone-light", 390, "light")
            doc_image(page, "question-phone-dark", 390, "dark")
        if question["type"] == "single":
            page.get_by_label("Microsoft").check()
        elif question["type"] == "true_false":
            page.get_by_label("True").check()
        elif question["type"] == "numeric":
            page.get_by_label("Your answer").fill("2015")
        else:
            continue
        page.locator(".actions button[value=next]").click()
        page.wait_for_load_state()
    page.goto(question_url.rsplit("/", 1)[0] + "/summary")
    shoot("summary")
    page.locator("form[action$='/submit'] button").click()
    page.locator("#score").wait_for()
    shoot("result")
    doc_image(page, "result-summary", 1280, "light", ".result-summary")
    page.goto(base + "/dashboard")
    shoot("dashboard")
    doc_image(page, "dashboard-top-dark", 1280, "dark", ".dashboard-top")
    page.goto(base + "/review")
    shoot("review")
    page.goto(base + "/assignments")
    shoot("assignments")
    page.goto(base + "/account/")
    shoot("account")
    log_out(page)

    log_in(page, base, "teach")
    classroom, assignment = lesson["classroom"], lesson["assignment"]
    page.goto(base + "/classes")
    shoot("classes")
    page.goto(f"{base}/classes/{classroom}")
    page.locator("#join-code").wait_for()
    shoot("class")
    page.goto(f"{base}/classes/{classroom}?projector=1")
    shoot("class-projector")
    doc_image(page, "projector-join", 960, "light", height=540)
    page.goto(f"{base}/classes/{classroom}/assignments/{assignment}")
    shoot("assignment-results")
    page.goto(f"{base}/classes/{classroom}/assignments/{assignment}/live")
    shoot("live")
    page.goto(f"{base}/classes/{classroom}/assignments/{assignment}/live?projector=1")
    shoot("live-projector")
    page.goto(f"{base}/classes/{classroom}/gradebook")
    shoot("gradebook")
    page.goto(base + "/teacher/bank")
    shoot("bank")
    page.goto(f"{base}/classes/{classroom}")
    page.locator("#names").fill("Alan T.\nKatherine J.\nMargaret H.")
    page.locator("form[action$='/roster'] [type=submit]").click()
    page.locator(".login-card").first.wait_for()
    shoot("roster-cards")
    assert len(shots) == 29
    assert too_wide == {}, "pages that scroll sideways on a 390 px phone"

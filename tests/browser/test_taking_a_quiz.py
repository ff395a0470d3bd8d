"""Taking a quiz, second version, in Chromium: the start page and a timed attempt handed in by
its countdown, skipping, flags and the map, ordering by drag and drop and by keyboard, and the
results' mistakes filter; in English and French, at a laptop's and a phone's width."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from helpers import wait_until
from sqlalchemy import select, update

from quizapp.models import Attempt, QuestionAttempt, utcnow

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
RUNS = [("en", 1280), ("fr", 1280), ("fr", 390)]
IDS = [f"{lang}-{width}" for lang, width in RUNS]
WORDS = {
    "en": {
        "start": "Start",
        "skip": "Skip",
        "check": "Check my answer",
        "flag": "Flag for later",
        "flagged": "flagged for later",
        "warn5": "Less than 5 minutes left.",
        "warn1": "Less than 1 minute left",
        "at_limit": "Submitted at the time limit",
        "mistakes": "Only mistakes (1)",
        "moved": "moved to position 1 of 3.",
        "move_up": "Move up",
        "move_down": "Move down",
    },
    "fr": {
        "start": "Commencer",
        "skip": "Passer",
        "check": "Vérifier ma réponse",
        "flag": "Marquer pour plus tard",
        "flagged": "marquée pour plus tard",
        "warn5": "Moins de 5 minutes restantes.",
        "warn1": "Moins d’une minute restante",
        "at_limit": "Rendu à la limite de temps",
        "mistakes": "Seulement les erreurs (1)",
        "moved": "déplacé en position 1 sur 3.",
        "move_up": "Monter",
        "move_down": "Descendre",
    },
}
SINGLE = [
    {
        "id": "founding",
        "type": "single",
        "prompt": "When was OpenAI founded?",
        "choices": ["2014", "2015", "2019"],
        "answer": "2015",
    },
    {
        "id": "investor",
        "type": "single",
        "prompt": "Who invested more than 10 billion dollars?",
        "choices": ["Microsoft", "Sequoia", "Google"],
        "answer": "Microsoft",
    },
    {"id": "tf", "type": "true_false", "prompt": "OpenAI was always for profit.", "answer": False},
]
ORDER = [
    {
        "id": "order",
        "type": "order",
        "prompt": "Put these in order, earliest first.",
        "items": [
            "OpenAI is founded as a non-profit research laboratory in San Francisco",
            "GPT-2",
            "ChatGPT",
        ],
    }
]


@pytest.fixture
def student(browser, site):
    """A page of a new student, registered, in a language and at a width."""
    contexts = []

    def open_page(lang: str, width: int):
        base = site()
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale="fr-FR" if lang == "fr" else "en-GB"
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{base}/auth/register?lang={lang}")
        page.fill("#username", "ada")
        page.fill("#password", PASSWORD)
        page.fill("#confirm", PASSWORD)
        page.click("form.stack [type=submit]")
        page.locator("a[href$='/start']").first.wait_for()
        return page, base

    yield open_page
    for context in contexts:
        context.close()


def shot(screenshot, page, name: str, lang: str, width: int) -> None:
    """One pair of screenshots per page and language (the phone run reuses the French ones)."""
    if width == 1280:
        screenshot(page, f"{name}-{lang}")


def begin(page, words) -> None:
    page.locator("a[href$='/start']").first.click()
    page.get_by_role("button", name=words["start"], exact=True).click()
    page.locator("#prompt").wait_for()


AXE_WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
# Best practices seen on the feedback and result pages before this version.
AXE_BEST = {
    "runOnly": {"type": "rule", "values": ["heading-order", "landmark-unique"]},
    "resultTypes": ["violations"],
}


def axe_clean(page, what: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    for options in (AXE_WCAG, AXE_BEST):
        results = axe.run(page, options=options)
        assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


def fits(page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize(("lang", "width"), RUNS, ids=IDS)
def test_start_page_warnings_and_submission_at_the_time_limit(
    student, make_set, db, screenshot, lang, width
):
    make_set(
        SINGLE, settings={"feedback": "after_submit", "time_limit": "10m", "shuffle_choices": False}
    )
    page, _base = student(lang, width)
    words = WORDS[lang]
    page.locator("a[href$='/start']").first.click()
    facts = page.locator("dl.start-facts").inner_text()
    assert "3" in facts and "10" in facts  # questions, minutes
    shot(screenshot, page, "quiz-start", lang, width)
    fits(page)
    axe_clean(page, "start page")
    page.get_by_role("button", name=words["start"], exact=True).click()
    page.locator("#prompt").wait_for()
    wait_until(page, "() => document.activeElement.id === 'prompt'")  # focus on the question

    def deadline_in(seconds: float) -> None:
        db.session.execute(update(Attempt).values(deadline=utcnow() + timedelta(seconds=seconds)))
        db.session.commit()
        page.reload()
        page.locator("#prompt").wait_for()

    deadline_in(4 * 60 + 30)
    page.locator("#timer-alert", has_text=words["warn5"]).wait_for()
    assert page.locator("#timer-alert").get_attribute("aria-live") == "assertive"
    deadline_in(50)
    page.locator("#timer-alert", has_text=words["warn1"]).wait_for()
    shot(screenshot, page, "quiz-timer-warning", lang, width)
    page.locator("input[type=radio]").nth(1).check()  # typed but never saved by a button
    deadline_in(3)
    page.locator("input[type=radio]").nth(1).check()
    page.locator("p.time-limit-note").wait_for(timeout=15_000)  # handed in by the countdown
    assert words["at_limit"] in page.locator("p.time-limit-note").inner_text()
    attempt = db.session.scalar(select(Attempt))
    db.session.refresh(attempt)
    assert attempt.state == "expired"
    answers = db.session.scalars(
        select(QuestionAttempt.answer)
        .where(QuestionAttempt.attempt_id == attempt.id)
        .order_by(QuestionAttempt.position)
    ).all()
    assert answers == [1, None, None]  # the answer on screen at 0:00 was saved and counted
    shot(screenshot, page, "quiz-result-time-limit", lang, width)
    fits(page)
    axe_clean(page, "result at the time limit")


@pytest.mark.parametrize(("lang", "width"), RUNS, ids=IDS)
def test_skipping_in_immediate_mode(student, make_set, screenshot, lang, width):
    make_set(SINGLE, settings={"feedback": "immediate", "shuffle_choices": False})
    page, _base = student(lang, width)
    words = WORDS[lang]
    begin(page, words)
    page.get_by_role("button", name=words["check"]).click()  # blank: a message, not a reload
    page.locator("p.error[role=alert]").wait_for()
    shot(screenshot, page, "quiz-blank-check", lang, width)
    axe_clean(page, "blank check")
    # By keyboard: from the question, the answer then the main action, then Skip.
    page.locator("#prompt").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "radio"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == "check"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.value") == "skip"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/questions/2$"))
    items = page.locator(".qmap__item")
    assert items.nth(0).get_attribute("class") == "qmap__item"  # skipped: not answered
    assert "is-current" in items.nth(1).get_attribute("class")
    fits(page)


@pytest.mark.parametrize(("lang", "width"), RUNS, ids=IDS)
def test_flagging_and_the_map(student, make_set, db, screenshot, lang, width):
    make_set(SINGLE, settings={"feedback": "immediate", "shuffle_choices": False})
    page, _base = student(lang, width)
    words = WORDS[lang]
    begin(page, words)
    page.locator("input[type=radio]").nth(1).check()
    page.get_by_role("button", name=words["check"]).click()  # right, and locked
    page.locator(".feedback").wait_for()
    page.locator(".qmap__item.is-right").wait_for()
    shot(screenshot, page, "quiz-feedback", lang, width)
    axe_clean(page, "immediate feedback")
    page.locator("button[value=goto-2]").click()
    page.wait_for_url(re.compile(r"/questions/2$"))
    flag = page.get_by_role("button", name=words["flag"])
    assert flag.get_attribute("aria-pressed") == "false"
    flag.click()
    page.wait_for_url(re.compile(r"/questions/2#flag$"))
    assert page.get_by_role("button", name=words["flag"]).get_attribute("aria-pressed") == "true"
    second = page.locator(".qmap__item").nth(1)
    assert "is-flagged" in second.get_attribute("class")
    assert words["flagged"] in second.inner_text()  # in words for screen readers
    shot(screenshot, page, "quiz-question-map", lang, width)
    fits(page)
    axe_clean(page, "question with a flag")
    flagged = db.session.scalars(select(QuestionAttempt.flagged).order_by(QuestionAttempt.position))
    assert list(flagged) == [False, True, False]  # saved on the server
    page.locator("button[value=review]").last.click()
    page.locator("#submit-form").wait_for()
    assert words["flagged"] in page.locator(".review-list").inner_text()
    wait_until(page, "() => document.activeElement.tagName === 'H1'")  # autofocus, after load
    page.keyboard.press("Tab")  # the main action within reach
    assert page.evaluate("document.activeElement.closest('form').id") == "submit-form"
    shot(screenshot, page, "quiz-review", lang, width)
    fits(page)
    axe_clean(page, "review")


def _order_on_screen(page) -> list[str]:
    return [t.strip() for t in page.locator(".order-item label").all_inner_texts()]


def _drag(page, source, target) -> None:
    a, b = source.bounding_box(), target.bounding_box()
    page.mouse.move(a["x"] + 20, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(b["x"] + 20, b["y"] + 4, steps=8)
    page.mouse.up()


@pytest.mark.parametrize(("lang", "width"), RUNS, ids=IDS)
def test_ordering_by_mouse_and_by_keyboard(student, make_set, db, screenshot, lang, width):
    make_set(ORDER, settings={"feedback": "after_submit"})
    page, _base = student(lang, width)
    words = WORDS[lang]
    begin(page, words)
    page.locator(".order-items.is-sortable").wait_for()
    assert page.locator(".order-item select").first.is_hidden()
    shot(screenshot, page, "quiz-order", lang, width)
    fits(page)
    axe_clean(page, "order question, enhanced")
    items = ORDER[0]["items"]
    # By mouse: drag the earliest to the top.
    _drag(page, page.locator(".order-item", has_text=items[0]), page.locator(".order-item").first)
    assert _order_on_screen(page)[0] == items[0]
    assert words["moved"] in page.locator(".order-status").inner_text()
    # By keyboard: the first item down one place and back up, the focus kept on the buttons.
    page.get_by_role("button", name=f"{words['move_down']}: {items[0]}").focus()
    page.keyboard.press("Enter")
    assert _order_on_screen(page).index(items[0]) == 1
    assert words["moved"].replace("1", "2") in page.locator(".order-status").inner_text()
    page.keyboard.press("Shift+Tab")  # its "Move up"
    page.keyboard.press("Enter")
    assert _order_on_screen(page)[0] == items[0]
    # at the top "Move up" is disabled: the focus went to "Move down", not to the page
    assert page.evaluate("document.activeElement.classList.contains('order-move--down')")
    while _order_on_screen(page).index(items[1]) > 1:
        page.get_by_role("button", name=f"{words['move_up']}: {items[1]}").focus()
        page.keyboard.press("Enter")
    assert _order_on_screen(page) == items
    page.locator(".actions button[value=review]").click()
    page.locator("#submit-form").wait_for()
    answer = db.session.scalar(select(QuestionAttempt.answer))
    assert answer == [0, 1, 2]  # the hidden selects followed the list


@pytest.mark.parametrize(("lang", "width"), RUNS, ids=IDS)
def test_the_mistakes_filter(student, make_set, screenshot, lang, width):
    make_set(SINGLE, settings={"feedback": "after_submit", "shuffle_choices": False})
    page, _base = student(lang, width)
    words = WORDS[lang]
    begin(page, words)
    page.locator("input[type=radio]").nth(1).check()  # 2015: right
    page.locator(".actions button[value=next]").click()
    page.locator("input[type=radio]").nth(0).check()  # Microsoft: right
    page.locator(".actions button[value=next]").click()
    page.locator("#prompt").wait_for()  # the third left blank
    page.locator(".actions button[value=review]").click()
    page.locator("#submit-form button").click()
    page.locator(".result-summary").wait_for()
    assert page.locator("details").count() == 3
    for item in page.locator("details").all():
        item.locator("summary").click()  # every question open: every feedback block checked
    shot(screenshot, page, "quiz-result", lang, width)
    fits(page)
    axe_clean(page, "result, all open")
    page.get_by_role("link", name=words["mistakes"]).click()
    page.wait_for_url(re.compile(r"show=mistakes"))
    assert page.locator("details").count() == 1
    page.locator("details summary").click()
    page.locator("details .feedback").wait_for()
    shot(screenshot, page, "quiz-result-mistakes", lang, width)
    fits(page)
    axe_clean(page, "result, mistakes only")


@pytest.mark.parametrize("width", [1280, 390])
def test_ordering_without_javascript_keeps_each_select_on_its_item_row(
    browser, site, make_set, screenshot, width
):
    make_set(ORDER, settings={"feedback": "after_submit"})
    base = site()
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": width, "height": 900}, locale="en-GB"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{base}/auth/register")
        page.fill("#username", "ada")
        page.fill("#password", PASSWORD)
        page.fill("#confirm", PASSWORD)
        page.click("form.stack [type=submit]")
        begin(page, WORDS["en"])
        for item in page.locator(".order-item").all():
            select, label = (
                item.locator("select").bounding_box(),
                item.locator("label").bounding_box(),
            )
            assert select["x"] + select["width"] <= label["x"]  # side by side
            assert label["y"] < select["y"] + select["height"]  # the label starts on its row
        if width == 1280:
            screenshot(page, "quiz-order-nojs")
        fits(page)
        for rank, item in enumerate(ORDER[0]["items"], start=1):
            page.get_by_label(item).select_option(str(rank))
        page.locator(".actions button[value=review]").click()
        page.locator("#submit-form").wait_for()
    finally:
        context.close()

"""Every question type in Chromium: by mouse, by keyboard alone, and without JavaScript."""

from __future__ import annotations

import re

import pytest
from helpers import wait_until

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
TYPES = [
    {
        "id": "s",
        "type": "single",
        "prompt": "Who invested in 2019?",
        "choices": ["Sequoia", "Microsoft", "Google"],
        "answer": "Microsoft",
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
        "pairs": [
            ["Sam Altman", "CEO"],
            ["Microsoft", "investor"],
            ["Tools for Humanity", "Worldcoin"],
        ],
    },
]


def register(page, base, username="ada"):
    page.goto(base + "/auth/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    page.get_by_role("heading", name="Quizzes", exact=True).wait_for()


def answer_by_mouse(page, question):
    kind = question["type"]
    # Deferred scripts (quiz-order.js turns the order selects into a sortable list) have run by
    # DOMContentLoaded: which controls the page shows is settled before choosing how to answer.
    page.wait_for_load_state("domcontentloaded")
    if kind == "single":
        page.get_by_label("Microsoft").check()
    elif kind == "multiple":
        page.get_by_label("Bing").check()
        page.get_by_label("Edge").check()
    elif kind == "true_false":
        page.get_by_label("False").check()
    elif kind == "numeric":
        page.get_by_label("Your answer").fill("2 015")
    elif kind == "text":
        page.get_by_label("Your answer").fill("sam altman")
    elif kind == "order" and page.locator(".order-items.is-sortable").count():
        # quiz-order.js: the items are a list to arrange; its Move up buttons by mouse
        for rank, item in enumerate(question["items"]):
            while on_screen(page).index(item) > rank:
                page.get_by_role("button", name=f"Move up: {item}").click()
    elif kind == "order":
        for rank, item in enumerate(question["items"], start=1):
            page.get_by_label(item, exact=True).select_option(str(rank))
    elif kind == "match":
        for left, right in question["pairs"]:
            page.get_by_label(left).select_option(label=right)


def on_screen(page) -> list[str]:
    """An order question's items as the page shows them, top first."""
    return [t.strip() for t in page.locator(".order-item label").all_inner_texts()]


def test_every_type_by_mouse_scores_full_marks(page, site, make_set):
    make_set(TYPES, settings={"feedback": "after_submit"})
    base = site()
    register(page, base)
    page.get_by_role("link", name="Start").click()
    page.get_by_role("button", name="Start").click()
    for number, question in enumerate(TYPES, start=1):
        page.get_by_text(f"Question {number} of {len(TYPES)}").wait_for()
        answer_by_mouse(page, question)
        last = number == len(TYPES)
        page.get_by_role("button", name="Review and submit" if last else "Save and next").click()
    page.get_by_text("7 of 7 questions answered").wait_for()
    page.get_by_role("button", name="Submit my answers").click()
    assert "7 of 7 points (100%)" in page.locator("#score").inner_text()


def focused(page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement;"
        " return (e.labels && e.labels[0] ? e.labels[0].innerText : e.innerText || e.value || '')"
        ".trim(); }"
    )


def tab_to(page, label: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == label:
            return
    raise AssertionError(f"{label!r} never received the focus by Tab")


def arrow_to(page, label: str) -> None:
    """In a radio group, arrow keys move the focus and select as they go."""
    for _ in range(10):
        if focused(page) == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"arrows never reached {label!r}")


def tab_to_radio_group(page) -> None:
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.type === 'radio'"):
            return
    raise AssertionError("no radio button received the focus by Tab")


def answer_by_keyboard(page, question):
    kind = question["type"]
    if kind == "single":
        tab_to_radio_group(page)
        page.keyboard.press("ArrowDown")
        arrow_to(page, "Microsoft")
    elif kind == "multiple":
        tab_to(page, "Bing")
        page.keyboard.press("Space")
        tab_to(page, "Edge")
        page.keyboard.press("Space")
    elif kind == "true_false":
        tab_to_radio_group(page)
        page.keyboard.press("ArrowDown")
        arrow_to(page, "False")
    elif kind in {"numeric", "text"}:
        tab_to(page, "Your answer")
        page.keyboard.type("2 015" if kind == "numeric" else "Sam Altman")
    elif kind == "order":
        # quiz-order.js: Tab to an item's Move up button, Enter until the item is in its place
        # (the focus stays on the buttons)
        for rank, item in enumerate(question["items"]):
            if on_screen(page).index(item) == rank:
                continue
            for _ in range(60):
                page.keyboard.press("Tab")
                name = page.evaluate("document.activeElement.getAttribute('aria-label')")
                if name == f"Move up: {item}":
                    break
            else:
                raise AssertionError(f"Move up: {item} never received the focus by Tab")
            while on_screen(page).index(item) > rank:
                page.keyboard.press("Enter")
    elif kind == "match":
        for left, right in question["pairs"]:
            tab_to(page, left)
            page.keyboard.type(right)


def test_a_whole_quiz_by_keyboard_alone(page, site, make_set):
    make_set(TYPES, settings={"feedback": "after_submit"})
    base = site()
    register(page, base)
    tab_to(page, "Start")  # the catalogue's link to the start page
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Start").wait_for()
    tab_to(page, "Start")  # the start page's button
    page.keyboard.press("Enter")
    for number, question in enumerate(TYPES, start=1):
        page.get_by_text(f"Question {number} of {len(TYPES)}").wait_for()
        answer_by_keyboard(page, question)
        if question["type"] in {"numeric", "text"}:
            page.keyboard.press("Enter")  # submits forward, not "Previous"
        else:
            tab_to(page, "Review and submit" if number == len(TYPES) else "Save and next")
            page.keyboard.press("Enter")
    page.get_by_text("7 of 7 questions answered").wait_for()
    tab_to(page, "Submit my answers")
    page.keyboard.press("Enter")
    page.locator("#score").wait_for()
    assert "7 of 7 points (100%)" in page.locator("#score").inner_text()


def test_a_timed_quiz_with_javascript_disabled(browser, site, make_set):
    make_set(TYPES, settings={"feedback": "immediate", "time_limit": "15m"})
    base = site()
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        register(page, base, "nojs")
        page.get_by_role("link", name="Start").click()
        page.get_by_role("button", name="Start").click()
        remaining = page.locator("#countdown").inner_text()
        assert re.fullmatch(r"1[45]:\d\d", remaining), remaining  # rendered by the server
        for number, question in enumerate(TYPES, start=1):
            page.get_by_text(f"Question {number} of {len(TYPES)}").wait_for()
            answer_by_mouse(page, question)
            page.get_by_role("button", name="Check my answer").click()
            page.get_by_role("heading", name=re.compile("^Right")).wait_for()
            if number < len(TYPES):
                page.get_by_role("button", name="Next question").click()
        page.get_by_role("button", name="Review and submit").click()
        page.get_by_role("button", name="Submit my answers").click()
        assert "7 of 7 points (100%)" in page.locator("#score").inner_text()
    finally:
        context.close()


def test_the_countdown_ticks_when_javascript_runs(page, site, make_set):
    make_set(TYPES[:1], settings={"time_limit": "90s"})
    base = site()
    register(page, base, "clock")
    page.get_by_role("link", name="Start").click()
    page.get_by_role("button", name="Start").click()
    first = page.locator("#countdown").inner_text()
    wait_until(
        page,
        "(first) => document.getElementById('countdown').textContent !== first",
        first,
    )
    minutes, seconds = page.locator("#countdown").inner_text().split(":")
    assert 60 <= int(minutes) * 60 + int(seconds) <= 90

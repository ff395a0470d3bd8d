"""On a 390px phone, no page of a quiz scrolls sideways."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

LONG = "a very long answer " * 6
QUESTIONS = [
    {
        "id": "p",
        "type": "match",
        "prompt": "Match?",
        "pairs": [["Sam Altman", LONG + "1"], ["Microsoft", LONG + "2"], ["US government", "x"]],
    },
    {"id": "o", "type": "order", "prompt": "Order?", "items": [LONG + "a", LONG + "b", "c"]},
    {"id": "s", "type": "single", "prompt": "One?", "choices": [LONG, "b", "c"], "answer": "b"},
]


def test_question_and_account_pages_fit_a_phone(browser, site, make_set):
    make_set(QUESTIONS)
    base = site()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(base + "/auth/register")
        page.fill("#username", "zoe")
        page.fill("#password", "correct horse battery")
        page.fill("#confirm", "correct horse battery")
        page.click("form.stack [type=submit]")
        page.locator("a[href$='/start']").first.click()
        page.locator("form[action$='/start'] button").click()
        base_url = page.url.rsplit("/", 1)[0]
        for number in (1, 2, 3):
            page.goto(f"{base_url}/{number}")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"question {number} is {width}px wide"
        page.goto(base + "/account/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()

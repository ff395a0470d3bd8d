"""On a phone, a French `?` never wraps onto a line of its own, whatever the width."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

PROMPT = "Pourquoi OpenAI a-t-elle dû changer de statut en ouvrant une branche à but lucratif ?"

# The top of the last character (the `?`) and of the last letter before it.
LINE_TOPS = """() => {
  const text = document.querySelector('h1.prompt').firstChild;
  const end = text.length;
  const top = (index) => {
    const range = document.createRange();
    range.setStart(text, index);
    range.setEnd(text, index + 1);
    return range.getBoundingClientRect().top;
  };
  return [top(end - 3), top(end - 1)];
}"""


def test_the_question_mark_stays_with_its_word(browser, site, make_set):
    make_set(
        [{"id": "q", "type": "true_false", "prompt": PROMPT, "answer": True}],
        language="fr",
    )
    base = site()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
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
        for width in range(280, 480, 4):
            page.set_viewport_size({"width": width, "height": 844})
            word, mark = page.evaluate(LINE_TOPS)
            assert word == mark, f"at {width}px the ? is on a line of its own"
        # The prompt wraps onto several lines at these widths, so the line breaks move past
        # the end: a plain space would have let the ? go at some width.
        page.set_viewport_size({"width": 280, "height": 844})
        lines = page.evaluate(
            "(() => { const h = document.querySelector('h1.prompt');"
            " return h.offsetHeight / parseFloat(getComputedStyle(h).lineHeight); })()"
        )
        assert lines >= 3
    finally:
        context.close()

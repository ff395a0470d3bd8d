"""The question page's first load, with an empty cache, stays under 150 kB transferred: the
HTML, the stylesheet, the scripts and the fonts it uses, as Chromium fetched them."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
BUDGET = 150 * 1024
PASSWORD = "correct horse battery"


def test_the_question_page_first_load_is_under_150_kb(browser, site, make_set, make_user):
    make_set(settings={"time_limit": "30m"})  # the timer's script too
    make_user("ada")
    base = site()
    first = browser.new_context(locale="en-GB")
    page = first.new_page()
    page.set_default_timeout(10_000)
    page.goto(base + "/auth/login")
    page.locator("#username").fill("ada")
    page.locator("#password").fill(PASSWORD)
    page.locator("form.stack [type=submit]").click()
    page.locator("a[href$='/start']").first.click()  # the start page
    page.locator("form[action$='/start'] button").click()
    page.locator("#prompt").wait_for()
    question_url = page.url
    state = first.storage_state()  # the session cookie only: a new context has no cache
    first.close()

    fresh = browser.new_context(locale="en-GB", storage_state=state)
    page = fresh.new_page()
    fetched: dict[str, int] = {}

    def count(request):
        sizes = request.sizes()
        fetched[request.url] = sizes["responseBodySize"] + sizes["responseHeadersSize"]

    page.on("requestfinished", count)
    try:
        page.goto(question_url, wait_until="networkidle")
        page.evaluate("document.fonts.ready.then(() => document.fonts.size)")
        page.wait_for_load_state("networkidle")
    finally:
        fresh.close()
    total = sum(fetched.values())
    print(f"question page, first load: {total / 1024:.1f} kB in {len(fetched)} requests")
    for url, size in sorted(fetched.items(), key=lambda item: -item[1]):
        print(f"  {size / 1024:6.1f} kB  {url}")
    assert any(url.endswith(".woff2") for url in fetched), "the page's font was not loaded"
    assert any(url.endswith("/app.css") for url in fetched)
    assert total <= BUDGET, f"{total / 1024:.1f} kB > {BUDGET / 1024:.0f} kB"

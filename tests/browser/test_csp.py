"""Chromium reports no Content-Security-Policy violation on the pages that load a script or
draw a chart (issue 10, defect 5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import PASSWORD, answer_attempt, wait_until

from quizapp.models import utcnow


@pytest.mark.browser
def test_chromium_reports_no_csp_violation_on_the_pages_with_charts_and_timer(
    page, site, db, make_user, make_set
):
    question_set = make_set(settings={"feedback": "after_submit", "time_limit": "10m"})
    student = make_user("ada")
    at = utcnow() - timedelta(days=1)
    answer_attempt(db, student, question_set, [0, 1], at, submit_at=at)
    base = site()
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.location.get('url')}: {m.text}")
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/auth/login")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(base + "/dashboard")
    # the chart drawn for this width (the phone's is hidden at 1280 px)
    page.locator("svg[role=img]:visible").first.wait_for()
    # pygal's stylesheet applied (its nonce let it through): the chart's background is the
    # page's surface colour, where an unstyled SVG rectangle would be black.
    assert (
        page.locator("svg[role=img]:visible").first.evaluate(
            "e => getComputedStyle(e.querySelector('.background')).fill"
        )
        == "rgb(255, 255, 255)"
    )
    page.goto(base + "/quizzes")
    page.get_by_role("link", name="Start").click()
    page.get_by_role("button", name="Start").click()
    page.locator("#countdown").wait_for()
    wait_until(page, "() => document.getElementById('countdown').textContent.includes(':')")
    page.goto(base + "/assignments")
    assert errors == []

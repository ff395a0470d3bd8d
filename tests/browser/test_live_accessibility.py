"""axe-core (WCAG 2.1 A and AA) on every live page in each state a game goes through, light
and dark, at a phone's and a laptop's width: the projector (lobby, question, results, podium),
a phone with JavaScript (join, lobby, question, answered, result, summary) and a phone without
it (the page that refreshes itself, the question). The game is moved by the services and the
open question given an hour, so that no countdown runs out while axe reads a page. Each state
is also photographed (`screenshot`), in dark as well for the projector."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select, update
from test_accessibility import SCHEMES, WCAG_21_AA

from quizapp.extensions import db
from quizapp.live import services
from quizapp.models import LiveSession, QuestionSet, User, utcnow

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture
def app_config():
    return {"LIVE_STREAM_SECONDS": 5}


def move(step, *args):
    live = db.session.scalar(select(LiveSession))
    step(live, *args)
    if live.deadline is not None and live.state == "question":
        # An hour to answer: axe and the screenshots take their time.
        db.session.execute(
            update(LiveSession)
            .where(LiveSession.id == live.id)
            .values(deadline=utcnow() + timedelta(hours=1), time_limit=3600)
        )
    db.session.commit()
    return live


def check(page, axe, what: str) -> None:
    """axe in the light and the dark scheme, at the page's own width (a phone's 390 px, the
    projector's 1280 px): test_accessibility.py's `check` without its second width, which
    these pages do not change."""
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
        results = axe.run(page, options=WCAG_21_AA)
        where = f"{what} ({scheme})"
        assert results.violations_count == 0, f"{where}:\n{results.generate_report()}"
    page.emulate_media(color_scheme="no-preference", reduced_motion="no-preference")


def as_without_javascript(browser, still):
    """axe runs as a script in the page, which a context without JavaScript never runs (its
    evaluation waits forever): the phone without JavaScript is read by a twin page, same
    cookies (the same player), whose live-game.js is not served, so that nothing but the
    server's markup is on it, as on the phone without JavaScript (bar the <noscript> refresh,
    inert text there)."""
    twin = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    twin.add_cookies(still.context.cookies())
    twin.route("**/live-game.js", lambda route: route.abort())
    page = twin.new_page()
    page.set_default_timeout(15_000)
    page.goto(still.url)
    return page


def test_live_pages_have_no_wcag_violations(browser, site, make_set, make_user, screenshot):
    question_set = make_set()
    teacher = make_user("teach", role="teacher", password=PASSWORD)
    live = services.create_session(
        db.session.get(User, teacher.id), db.session.get(QuestionSet, question_set.id)
    )
    db.session.commit()
    base = site()
    axe = Axe()

    host = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    host.goto(base + "/auth/login")
    host.get_by_label("Username").fill("teach")
    host.get_by_label("Password").fill(PASSWORD)
    host.get_by_role("button", name="Log in").click()
    phone = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}).new_page()
    still = browser.new_context(
        locale="en-GB", viewport={"width": 390, "height": 844}, java_script_enabled=False
    ).new_page()
    for page in (host, phone, still):
        page.set_default_timeout(15_000)

    phone.goto(f"{base}/live/join?pin={live.pin}")
    check(phone, axe, "live: join")
    screenshot(phone, "live-join")
    phone.get_by_label("Nickname").fill("Ada")
    phone.get_by_role("button", name="Join", exact=True).click()
    phone.get_by_role("heading", name="You are in!").wait_for()
    check(phone, axe, "live: phone lobby")
    still.goto(f"{base}/live/join?pin={live.pin}")
    still.get_by_label("Nickname").fill("Bob <b>")
    still.get_by_role("button", name="Join", exact=True).click()
    still.get_by_role("heading", name="You are in!").wait_for()
    refresh = still.locator('meta[http-equiv="refresh"]').get_attribute("content")
    assert refresh.startswith("2;"), refresh  # the page reloads itself every 2 seconds
    twin = as_without_javascript(browser, still)
    twin.get_by_text("Playing as Bob <b>").wait_for()
    check(twin, axe, "live: the page that refreshes itself (no JavaScript)")
    screenshot(twin, "live-phone-lobby-nojs")
    host.goto(f"{base}/live/{live.id}/host")
    host.get_by_text("2 players").wait_for()
    check(host, axe, "live: projector, lobby")
    screenshot(host, "live-host-lobby", color_scheme="dark")

    move(services.next_question)
    for page in (host, phone, still):
        page.reload()
    phone.locator(".live-button").first.wait_for()
    check(host, axe, "live: projector, question")
    check(phone, axe, "live: phone, question")
    twin.reload()
    twin.get_by_role("button", name="2015").wait_for()
    check(twin, axe, "live: phone without JavaScript, question")
    screenshot(phone, "live-phone-question", color_scheme="dark")
    screenshot(host, "live-host-question", color_scheme="dark")

    phone.locator(".live-button").first.click()
    phone.get_by_text("Answer received").wait_for()
    check(phone, axe, "live: phone, answered")
    screenshot(phone, "live-phone-answered")

    move(services.skip)
    for page in (host, phone):
        page.reload()
    host.get_by_text("Leaderboard").wait_for()
    check(host, axe, "live: projector, results")
    check(phone, axe, "live: phone, result")
    screenshot(host, "live-host-reveal", color_scheme="dark")
    screenshot(phone, "live-phone-reveal", color_scheme="dark")

    move(services.end_session)
    for page in (host, phone):
        page.reload()
    host.get_by_role("heading", name="Podium").wait_for()
    check(host, axe, "live: projector, podium")
    check(phone, axe, "live: phone, summary")
    screenshot(host, "live-host-podium", color_scheme="dark")
    for page in (host, phone, still, twin):
        page.context.close()

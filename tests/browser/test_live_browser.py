"""A whole live game in Chromium: the teacher's projector and three phones (a logged-in class
member and two nicknames, one without JavaScript), a phone reconnecting mid-question, the
scores against the formula, the podium and the gradebook entry."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join as join_class
from quizapp.enums import AssignmentKind
from quizapp.extensions import db
from quizapp.live import scoring
from quizapp.models import Assignment, Attempt, LiveAnswer, LivePlayer

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture
def app_config():
    return {"LIVE_STREAM_SECONDS": 10}


def log_in(page, base, username):
    page.goto(base + "/auth/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def phone(browser, javascript=True):
    context = browser.new_context(
        locale="en-GB", viewport={"width": 390, "height": 844}, java_script_enabled=javascript
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_a_whole_live_game(browser, site, make_set, make_user, screenshot):
    question_set = make_set()
    teacher_user = make_user("teach", role="teacher", password=PASSWORD)
    zoe = make_user("zoe", password=PASSWORD)
    classroom = create_classroom(teacher_user, "2nde B", "Europe/Paris")
    join_class(classroom, zoe, "Zoé")
    db.session.commit()
    base = site()

    host = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    host.set_default_timeout(15_000)
    log_in(host, base, "teach")
    host.goto(f"{base}/live/new?set={question_set.id}")
    host.get_by_label("Class (its scores go into the gradebook)").select_option(label="2nde B")
    host.get_by_role("button", name="Open the game").click()
    pin = host.locator(".live-pin").inner_text().strip()
    assert re.fullmatch(r"\d{6}", pin)
    assert host.locator(".live-qr svg").is_visible()

    member, bea, cy = phone(browser), phone(browser), phone(browser, javascript=False)
    log_in(member, base, "zoe")
    for page, nickname in ((member, ""), (bea, "Bea"), (cy, "<i>Cy</i>")):
        page.goto(f"{base}/live/join?pin={pin}")
        if nickname:
            page.get_by_label("Nickname").fill(nickname)
        page.get_by_role("button", name="Join", exact=True).click()
        page.get_by_role("heading", name="You are in!").wait_for()
    # The projector learns of the joins through its stream, without a reload.
    host.get_by_text("3 players").wait_for()
    assert host.get_by_text("<i>Cy</i>").count() >= 1  # escaped, shown as typed
    screenshot(host, "live-host-lobby")
    screenshot(bea, "live-phone-lobby")

    host.get_by_role("button", name="Start the game").click()
    for page in (member, bea, cy):  # streams (and the refreshing page without JavaScript)
        page.get_by_text("When was OpenAI founded?").wait_for()
    assert "In 2015, as a non-profit." not in bea.content()
    screenshot(host, "live-host-question")
    screenshot(member, "live-phone-question")

    # Bea's Wi-Fi drops and her phone reloads the game: she is back in the question.
    bea.context.set_offline(True)
    bea.wait_for_timeout(500)
    bea.context.set_offline(False)
    bea.close()
    bea = bea.context.new_page()
    bea.set_default_timeout(15_000)
    bea.goto(f"{base}/live/play/1")
    bea.get_by_text("When was OpenAI founded?").wait_for()

    member.get_by_role("button", name="2015").click()
    member.get_by_text("Answer received").wait_for()
    bea.get_by_role("button", name="2014").click()
    cy.get_by_role("button", name="2015").click()
    # Everyone answered: the question closes; phones with JavaScript learn it by their stream.
    member.get_by_text("Right!").wait_for()
    bea.get_by_text("Not this time.").wait_for()
    cy.get_by_text("Right!").wait_for()
    host.get_by_text("Leaderboard").wait_for()
    screenshot(host, "live-host-reveal")
    screenshot(member, "live-phone-reveal")

    answers = db.session.scalars(select(LiveAnswer)).all()
    assert len(answers) == 3
    for answer in answers:
        assert answer.points == scoring.speed_points(answer.score, answer.elapsed_ms, 20_000)
    assert sorted(a.score for a in answers) == [0.0, 1.0, 1.0]

    host.get_by_role("button", name="Next question").click()
    member.get_by_text("Who invested more than 10 billion dollars?").wait_for()
    member.get_by_role("button", name="Microsoft").click()
    host.get_by_role("button", name="Close the question").click()
    host.get_by_role("button", name="Show the podium").click()
    host.get_by_role("heading", name="Podium").wait_for()
    member.get_by_role("heading", name="Game over").wait_for()
    member.get_by_text("Rank 1").wait_for()
    screenshot(host, "live-host-podium")
    screenshot(member, "live-phone-summary")

    db.session.expire_all()
    assignment = db.session.scalar(select(Assignment))
    assert assignment.kind == AssignmentKind.live
    attempt = db.session.scalar(select(Attempt))
    zoe_player = db.session.scalar(select(LivePlayer).where(LivePlayer.user_id == zoe.id))
    assert attempt.user_id == zoe.id and attempt.score == 2.0 and zoe_player is not None

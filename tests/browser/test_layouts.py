"""The layouts in Chromium: the phone menu with and without JavaScript, the laptop header, the
colour scheme switch, reduced motion, and the result page on paper."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def test_phone_menu_is_a_disclosure_button_with_javascript(page, site):
    base = site()
    page.set_viewport_size(PHONE)
    page.goto(base + "/auth/login")
    menu = page.locator("#site-menu")
    button = page.get_by_role("button", name="Menu")
    assert not menu.is_visible()
    assert button.get_attribute("aria-expanded") == "false"
    assert button.get_attribute("aria-controls") == "site-menu"
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("link", name="Join a class").is_visible()
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false"
    assert not menu.is_visible()
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == "site-menu"


def test_phone_menu_opens_without_javascript(browser, site):
    base = site()
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(base + "/auth/login")
        assert not page.locator("#site-menu").is_visible()
        page.get_by_role("link", name="Menu").click()
        assert page.get_by_role("link", name="Join a class").is_visible()
        page.get_by_role("link", name="Close the menu").click()
        assert not page.locator("#site-menu").is_visible()
    finally:
        context.close()


def test_laptop_shows_the_menu_and_no_menu_button(page, site):
    base = site()
    page.set_viewport_size(LAPTOP)
    page.goto(base + "/auth/login")
    assert page.locator("#site-menu").is_visible()
    assert not page.locator(".menu-toggle").is_visible()
    header = page.locator(".site-header").bounding_box()
    assert header and header["height"] < 80  # one row, not three


def test_the_switch_turns_the_page_dark_and_remembers_it(page, site):
    base = site()
    page.emulate_media(color_scheme="light")
    page.goto(base + "/auth/login")
    light = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.get_by_role("button", name="Dark").click()
    page.wait_for_load_state()
    assert page.url.endswith("/auth/login")
    assert page.locator("html").get_attribute("data-theme") == "dark"
    dark = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert dark != light and dark == "rgb(19, 18, 25)"
    page.goto(base + "/join")
    assert page.locator("html").get_attribute("data-theme") == "dark"
    assert page.get_by_role("button", name="Dark").get_attribute("aria-pressed") == "true"


def take_a_quiz(page, base):
    page.goto(base + "/auth/login")
    page.locator("#username").fill("ada")
    page.locator("#password").fill(PASSWORD)
    page.locator("form.stack [type=submit]").click()
    page.locator("a[href$='/start']").first.click()  # the start page
    page.locator("form[action$='/start'] button").click()
    page.get_by_label("2015").check()
    page.get_by_role("button", name="Review and submit").click()
    page.get_by_role("button", name="Submit my answers").click()
    page.locator("#score").wait_for()


def test_reduced_motion_stills_the_score_ring(page, site, make_set, make_user):
    make_set(settings={"feedback": "after_submit", "shuffle_choices": False})
    make_user("ada")
    base = site()
    take_a_quiz(page, base)
    ring = "getComputedStyle(document.querySelector('.score-ring__value')).animationName"
    assert page.evaluate(ring) == "ring-in"
    page.emulate_media(reduced_motion="reduce")
    assert page.evaluate(ring) == "none"


def test_the_result_page_prints_without_the_site_chrome(page, site, make_set, make_user):
    make_set(settings={"feedback": "after_submit", "shuffle_choices": False})
    make_user("ada")
    base = site()
    page.emulate_media(color_scheme="dark")
    take_a_quiz(page, base)
    page.emulate_media(media="print", color_scheme="dark")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".site-footer").is_visible()
    assert page.locator(".score-ring").is_visible()
    assert page.locator("#score").is_visible()
    colours = page.evaluate(
        "[getComputedStyle(document.body).color, getComputedStyle(document.body).backgroundColor]"
    )
    assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]  # black on white, even in dark mode
    assert len(page.pdf()) > 1000


def test_login_cards_print_two_a_row_without_the_site(page, site, make_user, db):
    from quizapp.classes.classrooms import create_classroom

    teacher = make_user("teach", role="teacher")
    classroom = create_classroom(teacher, "2nde B", "Europe/Paris")
    db.session.commit()
    base = site()
    page.goto(base + "/auth/login")
    page.locator("#username").fill("teach")
    page.locator("#password").fill(PASSWORD)
    page.locator("form.stack [type=submit]").click()
    page.goto(f"{base}/classes/{classroom.id}")
    page.locator("#names").fill("Alan T.\nKatherine J.\nMargaret H.")
    page.locator("form[action$='/roster'] [type=submit]").click()
    cards = page.locator(".login-card")
    cards.first.wait_for()
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator("p.no-print").is_visible()
    tops = [cards.nth(i).bounding_box()["y"] for i in range(3)]
    assert tops[0] == tops[1] < tops[2]  # two a row
    assert "dashed" in cards.first.evaluate("e => getComputedStyle(e).borderTopStyle")

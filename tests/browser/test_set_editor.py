"""The set editor in Chromium: CodeMirror over the textarea with the server's errors marked,
links that move to their line, no CSP violation; images with alt text; an SVG's script never
runs; and the editor still works without JavaScript."""

from __future__ import annotations

import io

import pytest
import yaml
from helpers import PASSWORD, set_document, wait_until
from PIL import Image
from sqlalchemy import select

from quizapp.authoring import services
from quizapp.models import QuestionSet, SetSource

SVG_WITH_SCRIPT = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" onload="top.pwned=1">'
    b"<script>top.pwned = 1; document.title = 'pwned'</script>"
    b"<rect width='40' height='20' fill='navy'/></svg>"
)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "red").save(buffer, "PNG")
    return buffer.getvalue()


def document():
    return set_document(
        [
            {
                "id": "where",
                "type": "single",
                "prompt": "Which shape is shown?",
                "image": {"file": "shape.png", "alt": "A red rectangle"},
                "choices": [
                    {"text": "Rectangle", "image": {"file": "logo.svg", "alt": "A navy box"}},
                    "Circle",
                    "Star",
                ],
                "answer": "Rectangle",
                "explanation": "Four right angles.",
            }
        ],
        settings={"shuffle_choices": False, "feedback": "immediate"},
    )


def login(page, base, username):
    page.goto(base + "/auth/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def owned(db, make_user):
    teacher = make_user("teach", role="teacher")
    question_set = services.create_set(
        teacher,
        yaml.safe_dump(document(), allow_unicode=True, sort_keys=False).encode(),
        "shapes.yaml",
        {"shape.png": png(), "logo.svg": SVG_WITH_SCRIPT},
    )
    db.session.commit()
    return question_set


@pytest.mark.browser
def test_the_editor_marks_errors_on_their_lines_and_saves(page, site, db, owned, screenshot):
    base = site()
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, base, "teach")
    page.goto(f"{base}/teacher/sets/{owned.id}/edit")
    page.locator(".cm-editor").wait_for()
    assert page.locator("#text").is_hidden()  # the textarea under CodeMirror
    assert page.locator(".cm-content .tok-keyword, .cm-content span").count() > 0
    # Break the answer in the editor, save: the error comes back marked on its line.
    page.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n  - id: broken\n    type: single\n")
    page.get_by_role("button", name="Save").click()
    page.locator("#problems").wait_for()
    source = db.session.get(SetSource, owned.id)
    db.session.refresh(source)
    assert source.draft is not None and "broken" in source.draft
    page.locator(".cm-lint-marker-error").first.wait_for()
    link = page.locator("#problems a[data-line]").first
    line = int(link.get_attribute("data-line"))
    link.click()
    active = page.locator(".cm-activeLine").first.text_content()
    assert active == source.draft.splitlines()[line - 1]
    screenshot(page, "authoring-editor-errors")
    assert errors == []


@pytest.mark.browser
def test_without_javascript_the_textarea_has_line_numbers_and_anchors(
    browser, site, db, owned, screenshot
):
    base = site()
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    try:
        login(page, base, "teach")
        text = db.session.get(SetSource, owned.id).text.replace("answer: Rectangle", "answer: X")
        page.goto(f"{base}/teacher/sets/{owned.id}/edit")
        page.locator("#text").fill(text)
        page.get_by_role("button", name="Save").click()
        link = page.locator("#problems a[href^='#L']").first
        target = link.get_attribute("href")
        link.click()
        assert page.url.endswith(target)
        assert page.locator(f"{target}.is-error").is_visible()
        screenshot(page, "authoring-editor-no-js")
    finally:
        context.close()


@pytest.mark.browser
def test_images_show_with_alt_text_and_an_svg_script_never_runs(page, site, db, owned, screenshot):
    base = site()
    login(page, base, "teach")
    page.goto(f"{base}/teacher/sets/{owned.id}/preview")
    picture = page.get_by_role("img", name="A red rectangle")
    picture.wait_for()
    wait_until(page, "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    assert picture.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [60, 40]
    assert page.get_by_role("img", name="A navy box").is_visible()
    screenshot(page, "authoring-preview")
    # Try it as a student: the question page shows them too.
    page.get_by_role("button", name="Try it as a student").click()
    page.get_by_role("img", name="A red rectangle").wait_for()
    screenshot(page, "authoring-try-it")
    # The SVG opened on its own: its CSP stops the script.
    svg_url = page.get_by_role("img", name="A navy box").get_attribute("src")
    page.goto(base + svg_url)
    assert page.evaluate("() => window.pwned === undefined && document.title !== 'pwned'")
    assert db.session.scalar(select(QuestionSet.id)) == owned.id


@pytest.mark.browser
def test_the_editor_completes_keys_and_values_from_the_schema(page, site, db, owned):
    base = site()
    login(page, base, "teach")
    page.goto(f"{base}/teacher/sets/{owned.id}/edit")
    page.locator(".cm-editor").wait_for()
    wait_until(
        page,
        "() => performance.getEntriesByType('resource').some(e => e.name.endsWith('/schema.json'))",
    )
    page.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("explanation_im")
    page.keyboard.press("Control+Space")
    options = page.locator(".cm-tooltip-autocomplete li")
    options.first.wait_for()
    assert "explanation_image" in options.all_text_contents()
    page.keyboard.press("Escape")
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type("feedback: af")
    page.keyboard.press("Control+Space")
    options.first.wait_for()
    assert "after_submit" in " ".join(options.all_text_contents())

"""Security headers as served, and nothing inline that the CSP would refuse (issue 10, defect 5)."""

from __future__ import annotations

import re
from pathlib import Path

from quizapp import create_app
from quizapp.config import TestConfig, shipped_dir

PACKAGE = Path(__file__).resolve().parent.parent / "quizapp"


def test_every_page_carries_the_security_headers(client, make_user, auth):
    make_user("ada")
    auth.login("ada")
    for url in ("/", "/quizzes", "/account/", "/no-such-page", "/account/export.json"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert re.fullmatch(r"'self' 'nonce-[\w-]+'", directives["style-src"])
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'" and directives["base-uri"] == "'none'"
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        # plain HTTP (the test settings): no HSTS, which browsers would ignore anyway
        assert "Strict-Transport-Security" not in response.headers


def test_hsts_once_cookies_are_secure(database_url, questions_dir):
    config = type(
        "Config",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "QUESTIONS_DIR": str(questions_dir),
            "SESSION_COOKIE_SECURE": True,
        },
    )
    app = create_app(config)
    response = app.test_client().get("/auth/login", base_url="https://quiz.example")
    hsts = response.headers["Strict-Transport-Security"]
    assert re.fullmatch(r"max-age=(\d+)", hsts) and int(hsts[8:]) >= 365 * 24 * 3600
    plain = app.test_client().get("/auth/login")
    assert "Strict-Transport-Security" not in plain.headers


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "a script without src"),
    (re.compile(r"<style\b", re.I), "a <style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an event handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (re.compile(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I), "an asset from another host"),
]


def test_no_template_or_static_file_holds_what_the_csp_refuses():
    files = [*PACKAGE.joinpath("templates").rglob("*.html"), *shipped_dir("static").rglob("*")]
    found = []
    for path in files:
        if not path.is_file() or path.suffix in {".woff2", ".woff", ".png", ".ico"}:
            continue  # fonts and images: binary, nothing a browser would run
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                found.append(f"{path.name}: {what}: {match.group(0)!r}")
    # the static JavaScript builds no inline style or markup either; vendored libraries
    # (static/vendor/) set CSSOM properties, which the CSP allows, and run under the same CSP:
    # tests/browser/test_set_editor.py checks that Chromium reports no violation.
    vendor = shipped_dir("static") / "vendor"
    for path in shipped_dir("static").rglob("*.js"):
        if path.is_relative_to(vendor):
            continue
        text = path.read_text(encoding="utf-8")
        for banned in (".style", "innerHTML", "insertAdjacentHTML", "eval(", 'setAttribute("on'):
            if banned in text:
                found.append(f"{path.name}: {banned}")
    assert found == []


def test_charts_carry_the_request_nonce_and_no_style_attribute(
    client, db, make_user, make_set, auth
):
    from datetime import timedelta

    from helpers import answer_attempt

    from quizapp.models import utcnow

    question_set = make_set(settings={"feedback": "after_submit"})
    student = make_user("ada")
    at = utcnow() - timedelta(days=1)
    answer_attempt(db, student, question_set, [0, 1], at, submit_at=at)
    auth.login("ada")
    response = client.get("/dashboard")
    page = response.get_data(as_text=True)
    nonce = re.search(r"'nonce-([\w-]+)'", response.headers["Content-Security-Policy"])[1]
    styles = re.findall(r"<style[^>]*>", page)
    assert styles and all(f'nonce="{nonce}"' in s for s in styles)
    assert not re.search(r"\sstyle=", page)
    second = client.get("/dashboard")
    assert second.headers["Content-Security-Policy"] != response.headers["Content-Security-Policy"]

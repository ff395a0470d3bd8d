"""The look that follows a person: the colour scheme switch (account and cookie), the favicon,
projector mode, the score ring, empty states that say what to do next."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string
from sqlalchemy import select

from quizapp.appearance import THEME_COOKIE
from quizapp.models import User


def html_theme(page: str) -> str | None:
    found = re.search(r'<html lang="\w+"(?: data-theme="(\w+)")?>', page)
    assert found, "no <html> element"
    return found[1]


def test_the_device_decides_until_someone_chooses(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert html_theme(page) is None
    assert '<meta name="color-scheme" content="light dark">' in page
    assert 'value="auto" aria-pressed="true"' in page


def test_an_anonymous_choice_is_kept_in_a_cookie(client):
    response = client.post("/theme", data={"theme": "dark", "next": "/auth/login?lang=fr"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?lang=fr"
    cookie = client.get_cookie(THEME_COOKIE)
    assert cookie is not None and cookie.value == "dark"
    assert cookie.http_only and cookie.same_site == "Lax"
    page = client.get("/auth/login").get_data(as_text=True)
    assert html_theme(page) == "dark"
    assert 'value="dark" aria-pressed="true"' in page


def test_an_account_remembers_its_choice_on_another_browser(client, app, auth, db):
    auth.register()
    client.post("/theme", data={"theme": "light", "next": "/dashboard"})
    assert db.session.scalar(select(User.theme).where(User.username == "ada")) == "light"
    other = app.test_client()
    other.post("/auth/login", data={"username": "ada", "password": "correct horse battery"})
    assert other.get_cookie(THEME_COOKIE) is None
    assert html_theme(other.get("/dashboard").get_data(as_text=True)) == "light"


def test_the_account_wins_over_an_old_cookie(client, auth, db):
    client.set_cookie(THEME_COOKIE, "dark")
    auth.register()
    user = db.session.scalar(select(User).where(User.username == "ada"))
    user.theme = "light"
    db.session.commit()
    assert html_theme(client.get("/dashboard").get_data(as_text=True)) == "light"


@pytest.mark.parametrize(
    "form",
    [{"theme": "purple"}, {}, {"theme": "dark' OR 1=1"}],
)
def test_an_unknown_scheme_is_refused_and_nothing_is_kept(client, form):
    response = client.post("/theme", data=form)
    assert response.status_code == 400
    assert client.get_cookie(THEME_COOKIE) is None


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_the_switch_sends_back_only_to_this_site(client, target):
    response = client.post("/theme", data={"theme": "dark", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_forged_cookie_is_ignored(client):
    client.set_cookie(THEME_COOKIE, '"><script>')
    page = client.get("/auth/login").get_data(as_text=True)
    assert html_theme(page) is None
    assert "<script>" not in page.split("<body", 1)[0].replace(
        '<script src="/static/js/menu.js" defer></script>', ""
    )


def test_the_favicon_is_the_svg_mark_at_both_addresses(client):
    for path in ("/favicon.ico", "/static/img/favicon.svg"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype == "image/svg+xml"
        assert response.get_data(as_text=True).startswith("<svg")
        response.close()
    assert 'rel="icon" href="/static/img/favicon.svg"' in client.get("/").get_data(as_text=True)


def test_the_menu_works_without_javascript(client):
    page = client.get("/").get_data(as_text=True)
    assert '<a class="menu-toggle button button--secondary" href="#site-menu"' in page
    assert 'id="site-menu"' in page
    assert '<svg aria-hidden="true" focusable="false" class="icon lucide-menu"' in page


def test_projector_mode_shows_the_join_code_without_the_chrome(client, auth, make_user):
    from quizapp.classes.classrooms import create_classroom
    from quizapp.extensions import db

    teacher = make_user("teach", role="teacher")
    classroom = create_classroom(teacher, "2nde B", "Europe/Paris")
    db.session.commit()
    auth.login("teach")
    normal = client.get(f"/classes/{classroom.id}").get_data(as_text=True)
    assert '<body class="">' in normal
    assert f"/classes/{classroom.id}?projector=1" in normal
    shown = client.get(f"/classes/{classroom.id}?projector=1").get_data(as_text=True)
    assert '<body class="is-projector">' in shown
    assert 'class="projector-join"' in shown
    assert classroom.join_code in shown
    assert "Assign a question set" not in shown


@pytest.mark.parametrize(
    ("points", "max_points", "filled", "shown"),
    [(7, 10, "70.0", "70%"), (0, 5, "0.0", "0%"), (3, 3, "100.0", "100%"), (2, 0, "0", "0%")],
)
def test_the_score_ring(app, points, max_points, filled, shown):
    with app.test_request_context("/"):
        html = render_template_string(
            '{% from "_ui.html" import score_ring %}{{ score_ring(p, m, "latest score") }}',
            p=points,
            m=max_points,
        )
    assert f'stroke-dasharray="{filled} 100"' in html
    assert f'<span class="score-ring__pct">{shown}</span>' in html
    assert "latest score" in html
    assert 'aria-hidden="true"' in html  # the SVG is decoration: the text says it
    assert ("is-full" in html) == (points == max_points and max_points > 0)


def test_empty_dashboard_and_catalogue_say_what_to_do_next(client, auth):
    auth.register()
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert 'class="empty-state"' in dashboard
    assert 'href="/quizzes"' in dashboard
    catalogue = client.get("/quizzes?language=xx").get_data(as_text=True)
    assert "No quiz matches these filters." in catalogue
    assert "Show all quizzes" in catalogue


def test_french_spacing_skips_decorative_svg_and_spaces_what_follows():
    from quizapp.typography import french_spacing_html

    icon = '<svg aria-hidden="true" class="icon"><path d="M4 5h16"/><text>a:b</text></svg>'
    html = (
        f'<p lang="fr">{icon}Vraiment ?</p><p lang="fr"><svg role="img"><text>x ?</text></svg></p>'
    )
    spaced = french_spacing_html(html)
    assert icon in spaced  # left as it is, tags and all
    assert "Vraiment\u202f?" in spaced
    assert "x\u202f?" in spaced  # a chart with words is still spaced

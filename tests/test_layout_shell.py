"""The layout kept per kind of page (quizapp/layout_shell.py): whoever asked before, each page
is the page the layout gives when rendered afresh, and a person's name, CSRF token and path in
it are their own."""

from __future__ import annotations

import re

import pytest

from quizapp.layout_shell import EXTENSION

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def masked(page: str) -> str:
    """The page with its CSRF tokens (signed with the second they were made) masked."""
    return TOKEN.sub('name="csrf_token" value="TOKEN"', page)


@pytest.fixture
def people(app, db, make_user):
    """Three accounts of three roles (one with a name that must be escaped and a dark theme,
    one reading French), and an anonymous visitor: each a logged-in client."""
    clients = {}
    for username, role, name, theme, locale in (
        ("ada", "student", 'Ada <b>&amp;</b> "Lovelace"', "dark", None),
        ("bob", "teacher", "Bob Teacher", None, "fr"),
        ("root", "admin", "Root Admin", None, None),
    ):
        user = make_user(username, role=role)
        user.display_name = name
        user.theme = theme
        user.locale = locale
        db.session.commit()
        client = app.test_client()
        response = client.post(
            "/auth/login", data={"username": username, "password": "correct horse battery"}
        )
        assert response.status_code == 302
        clients[username] = client
    clients["anonymous"] = app.test_client()
    return clients


# No ?lang= here: it changes the language of the person's next pages too.
PATHS = [
    "/dashboard",
    "/quizzes",
    "/quizzes?projector=1",
    "/account/",
    "/classes/",
    "/no/such/page",
    "/auth/login",
    "/auth/login?x=%3Cscript%3E",
]


def test_every_page_is_the_layout_rendered_afresh_whoever_came_before(app, people):
    shells = app.extensions[EXTENSION]
    warm = {}
    # Every person asks for every page, one after another: each kind of page is kept by
    # whoever came first, and served to the others.
    for path in PATHS:
        for who, client in people.items():
            response = client.get(path)
            warm[who, path] = (response.status_code, masked(response.get_data(as_text=True)))
    assert shells, "the layout was kept"
    kept = len(shells)
    for (who, path), (status, page) in warm.items():
        shells.clear()
        response = people[who].get(path)
        assert response.status_code == status, (who, path)
        assert masked(response.get_data(as_text=True)) == page, (who, path)
    # Kinds of page, not pages: fewer kept layouts than pages asked for.
    assert kept < len(warm)


def test_a_persons_name_token_and_path_are_their_own(app, people):
    anonymous = people.pop("anonymous")
    pages = {
        who: client.get("/quizzes?lang=en").get_data(as_text=True) for who, client in people.items()
    }
    ada = pages["ada"]
    assert "Log out Ada &lt;b&gt;&amp;amp;&lt;/b&gt; &#34;Lovelace&#34;" in ada
    assert 'data-theme="dark"' in ada
    assert "Bob Teacher" not in ada and "Root Admin" not in ada
    assert "Bob Teacher" in pages["bob"] and "Ada" not in pages["bob"]
    assert "Log out" not in anonymous.get("/auth/login").get_data(as_text=True)
    # The theme switch comes back to this page; the same kind of page asked with another
    # query string comes back to that one.
    assert '<input type="hidden" name="next" value="/quizzes?lang=en">' in ada
    other = people["ada"].get("/quizzes?lang=en&x=%22%3E").get_data(as_text=True)
    assert 'name="next" value="/quizzes?lang=en&amp;x=%22%3E"' in other
    # Each session's own CSRF token (the tokens of two sessions differ), in the menu's logout
    # form and the footer's theme form.
    tokens = {who: set(TOKEN.findall(page)) for who, page in pages.items()}
    assert all(len(found) == 1 for found in tokens.values()), tokens
    assert len({next(iter(found)) for found in tokens.values()}) == len(tokens)


def test_a_post_answered_with_a_page_has_no_language_links(app, people):
    """The footer's switches need a GET (a POST cannot be fetched again with ?lang=): the same
    endpoint answering a POST gets a layout of its own."""
    client = people["anonymous"]
    assert "?lang=fr" in client.get("/auth/login").get_data(as_text=True)
    refused = client.post("/auth/login", data={"username": "ada", "password": "wrong"})
    assert refused.status_code == 422  # the form again, with its error
    assert "Log in" in refused.get_data(as_text=True)
    assert "?lang=fr" not in refused.get_data(as_text=True)

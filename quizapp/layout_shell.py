"""The layout around every page (head, site menu, footer), rendered once per kind of page.

`templates/_layout.html` depends on few things: the language, the colour scheme, the page's
endpoint (the menu marks it), projector mode, whether the request is a GET (the footer's
switches), whether registration is open, who is logged in (their role), and three values of
the person and the request: their name (in "Log out"), their CSRF token and the page's path
(the theme switch comes back to it). Rendering it was about a twelfth of a question page's
instructions (bench/compare.py). So it is rendered once per combination of the first ones,
with markers where the three values go, and cut where the page's blocks go (title, head,
content, scripts); each request only writes its own three values in. Nothing else of a
person's ever enters a kept piece.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import Flask, current_app, render_template, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from .templating import current_locale

# Markers: NUL never comes out of a template's text or an escaped value.
MARKS = {name: f"\x00{name}\x00" for name in ("title", "head", "content", "scripts")}
CSRF, NAME, NEXT = "\x00csrf\x00", "\x00name\x00", "\x00next\x00"


class Shell(NamedTuple):
    """The layout's pieces around the page's title, head, and content blocks."""

    head: Markup
    after_title: Markup
    body: Markup
    footer: Markup


# The kept pieces of an app (in its `extensions`), by the key of `layout_shell`: endpoints ×
# languages × schemes × roles, a few hundred at most; the bound (about 4 KB each, 4 MB in
# all) is a guard for a worker's memory, not a tuning.
EXTENSION = "quizapp.layout_shells"
SHELLS_MAX = 1024


def layout_shell(theme: str, projector: bool) -> Shell:
    """This request's layout pieces (the template passes its `theme` and `projector`)."""
    user = current_user._get_current_object()
    req = request._get_current_object()  # type: ignore[attr-defined]
    authenticated = user.is_authenticated
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    key = (
        current_locale(),
        str(theme),
        bool(projector),
        req.endpoint,
        req.method == "GET",
        req.script_root,
        authenticated,
        user.role if authenticated else None,
        bool(app.config.get("OPEN_REGISTRATION")),
    )
    shells = app.extensions[EXTENSION]
    pieces = shells.get(key)
    if pieces is None:
        pieces = _render(theme, projector)
        if len(shells) >= SHELLS_MAX:
            shells.clear()
        shells[key] = pieces
    head, after_title, body, footer = pieces
    return Shell(
        Markup(head), Markup(after_title), _fill(body, user, req), _fill(footer, user, req)
    )


def _render(theme: str, projector: bool) -> tuple[str, str, str, str]:
    marks = {**MARKS, "csrf": CSRF, "name": NAME, "next": NEXT}
    text = render_template("_layout.html", marks=marks, theme=theme, projector=projector)
    head, rest = text.split(MARKS["title"])
    after_title, rest = rest.split(MARKS["head"])
    body, rest = rest.split(MARKS["content"])
    footer, rest = rest.split(MARKS["scripts"])
    assert not rest, "the layout ends at its scripts block"
    return head, after_title, body, footer


def _fill(piece: str, user: Any, req: Any) -> Markup:
    """A kept piece with this request's values in place of its markers."""
    if CSRF in piece:
        piece = piece.replace(CSRF, escape(generate_csrf()))
    if NAME in piece:
        piece = piece.replace(NAME, escape(user.display_name))
    if NEXT in piece:
        piece = piece.replace(NEXT, escape(req.full_path if req.query_string else req.path))
    return Markup(piece)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = {}
    app.jinja_env.globals["layout_shell"] = layout_shell

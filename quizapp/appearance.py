"""The look that follows a person: their colour scheme (light, dark or the device's), remembered
on their account or, before they log in, in a cookie; the inline icons; projector mode.

Templates call `icon("check")` (a Lucide icon from static/vendor/lucide, written inline so no
page fetches an icon file), read `theme` (a `Theme`) and `projector` (True with `?projector=1`:
very large type and no site chrome, for the pages a teacher shows on a wall).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request
from flask_login import current_user
from markupsafe import Markup

from .enums import Theme

THEME_COOKIE = "quizapp_theme"
THEME_COOKIE_AGE = 365 * 24 * 3600
THEMES = frozenset(theme.value for theme in Theme)


def current_theme() -> Theme:
    """The account's choice, else the cookie's, else the device's (`auto`)."""
    if current_user.is_authenticated and current_user.theme in THEMES:
        return Theme(current_user.theme)
    chosen = request.cookies.get(THEME_COOKIE, "")
    return Theme(chosen) if chosen in THEMES else Theme.auto


@cache
def _icon_source(folder: str, name: str) -> str:
    path = Path(folder) / "vendor" / "lucide" / "icons" / f"{name}.svg"
    text = path.read_text(encoding="utf-8")
    svg = text[text.index("<svg") :]  # without the licence comment: the licence file says it
    svg = " ".join(svg.split()).replace("> <", "><")
    return svg.replace(
        '<svg class="lucide lucide-',
        '<svg aria-hidden="true" focusable="false" class="icon lucide-',
        1,
    )


def icon(name: str) -> Markup:
    """An icon, inline and hidden from screen readers: the text beside it says what it means."""
    folder = current_app.static_folder
    assert folder is not None
    return Markup(_icon_source(folder, name))


def template_context() -> dict[str, Any]:
    return {"theme": current_theme(), "projector": request.args.get("projector") == "1"}


def init_app(app: Flask) -> None:
    app.jinja_env.globals["icon"] = icon
    app.jinja_env.globals["Theme"] = Theme
    app.context_processor(template_context)

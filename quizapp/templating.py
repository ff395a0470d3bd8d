"""Jinja filters and globals: formatting in the reader's locale, Markdown, answer keys."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from flask import Flask
from flask_babel import (
    format_datetime,
    format_decimal,
    format_percent,
    format_timedelta,
    get_locale,
)
from flask_babel import gettext as _

from .markup import markdown, markdown_inline
from .models import QuestionSet, utcnow
from .quiz.display import correct_answer


def current_locale() -> str:
    return str(get_locale() or "en")


def language_name(code: str) -> str:
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(current_locale()) or code
    except (ValueError, UnknownLocaleError):
        return code


def percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value)


def points(value: float | None) -> str:
    return format_decimal(value or 0, "#,##0.##")


def duration(seconds: int) -> str:
    return format_timedelta(timedelta(seconds=seconds), threshold=2)


def remaining(deadline: datetime) -> str:
    seconds = max(0, int((deadline - utcnow()).total_seconds()))
    return f"{seconds // 60}:{seconds % 60:02d}"


def local_datetime(value: datetime | None, timezone: str | None = None) -> str:
    """A date and time in the reader's locale, in `timezone` (a class's) or the app's."""
    if value is None:
        return "—"
    if timezone is None:
        return format_datetime(value, "medium")
    return babel_dates.format_datetime(
        value, "medium", tzinfo=ZoneInfo(timezone), locale=current_locale()
    )


def status_label(status: str) -> str:
    return {
        "todo": _("to do"),
        "late": _("late"),
        "missed": _("missed"),
        "done": _("done"),
        "upcoming": _("coming up"),
    }.get(status, status)


def source_language(question_set: QuestionSet) -> str:
    return (question_set.source or {}).get("language") or question_set.language


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    filters: dict[str, Any] = {
        "markdown": markdown,
        "markdown_inline": markdown_inline,
        "language_name": language_name,
        "percent": percent,
        "points": points,
        "duration": duration,
        "remaining": remaining,
        "datetime": local_datetime,
    }
    app.jinja_env.filters.update(filters)
    app.jinja_env.globals.update(
        current_locale=current_locale,
        correct_answer=correct_answer,
        source_language=source_language,
        status_label=status_label,
        now_iso=lambda: utcnow().isoformat(),
    )

"""Jinja filters and globals: formatting in the reader's locale, Markdown, answer keys."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, cast
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, has_request_context, request
from flask_babel import (
    format_timedelta,
    get_locale,
    get_timezone,
    get_translations,
)
from flask_babel import gettext as _
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from . import qtypes
from .enums import AttemptState, FeedbackMode, LatePolicy, MarkState, Role, SetStatus
from .markup import markdown, markdown_inline, web_url
from .models import QuestionSet, utcnow


def current_locale() -> str:
    """The request's locale as text, looked up once per request (pages format many values)."""
    if not has_request_context():
        return str(get_locale() or "en")
    environ = request.environ  # per request (g can outlive one: a CLI or test app context)
    if "quizapp.locale" not in environ:
        environ["quizapp.locale"] = str(get_locale() or "en")
    return environ["quizapp.locale"]


def translations() -> Any:
    """The request's catalog, looked up once per request: Flask-Babel's own template callables
    look it up again for every string (a page has dozens)."""
    if not has_request_context():
        return get_translations()
    environ = request.environ
    if "quizapp.translations" not in environ:
        environ["quizapp.translations"] = get_translations()
    return environ["quizapp.translations"]


# (catalog, autoescape, message) -> the message as `_()` returns it without variables. Message
# ids come from templates, a bounded set; the bound is for a template passing in other text.
_TRANSLATED: dict[tuple[Any, bool, str], str] = {}
_TRANSLATED_MAX = 20_000


@pass_context
def template_gettext(context: Context, message: str, **variables: Any) -> str:
    """Jinja's newstyle `gettext` (the message translated, Markup when autoescaping, always
    %-formatted with `variables`), with the result of a message without variables kept."""
    autoescape = context.eval_ctx.autoescape
    catalog = translations()
    if variables:
        text: str = catalog.ugettext(message)
        return (Markup(text) if autoescape else text) % variables
    key = (catalog, autoescape, message)
    found = _TRANSLATED.get(key)
    if found is None:
        text = catalog.ugettext(message)
        found = (Markup(text) if autoescape else text) % {}
        if len(_TRANSLATED) >= _TRANSLATED_MAX:
            _TRANSLATED.clear()
        _TRANSLATED[key] = found
    return found


def image_row(set_id: int, name: str) -> Any:
    """A set's image by the name its YAML gives (sha256, width, height; not its bytes), read
    once per set and request: a page of twenty images costs one query."""
    from sqlalchemy import select
    from sqlalchemy.orm import load_only

    from .extensions import db
    from .models import SetImage

    if not has_request_context():
        return None
    cache = request.environ.setdefault("quizapp.images", {})
    if set_id not in cache:
        cache[set_id] = {
            row.name: row
            for row in db.session.scalars(
                select(SetImage)
                .options(load_only(SetImage.name, SetImage.sha256, SetImage.width, SetImage.height))
                .where(SetImage.set_id == set_id)
            )
        }
    return cache[set_id].get(name)


def language_name(code: str) -> str:
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(current_locale()) or code
    except (ValueError, UnknownLocaleError):
        return code


def percent(value: float | None) -> str:
    return "—" if value is None else _percent(round(value, 4), current_locale())


@lru_cache(maxsize=4096)
def _percent(value: float, locale: str) -> str:
    return babel_numbers.format_percent(value, locale=locale)


def points(value: float | None) -> str:
    return _points(round(value or 0, 4), current_locale())


@lru_cache(maxsize=4096)
def _points(value: float, locale: str) -> str:
    return babel_numbers.format_decimal(value, "#,##0.##", locale=locale)


def plural_count(value: float | None) -> int:
    """A whole number that picks the plural form of a count of points, which may be 1.5: a
    fraction is singular in French below 2 ("1,5 point"), plural in English ("1.5 points")."""
    value = value or 0
    if value == int(value):
        return int(value)
    return int(value) if current_locale().startswith("fr") else 2


def duration(seconds: int) -> str:
    return format_timedelta(timedelta(seconds=seconds), threshold=2)


def remaining(deadline: datetime) -> str:
    """Time left as the countdown shows it: 14:59, or 2:05:00 past an hour."""
    seconds = max(0, int((deadline - utcnow()).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    if hours:
        return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return f"{rest // 60}:{rest % 60:02d}"


def local_datetime(value: datetime | None, timezone: str | None = None) -> str:
    """A date and time in the reader's locale, in `timezone` (a class's) or the app's."""
    if value is None:
        return "—"
    return formatted(value, "medium", timezone or str(get_timezone()), current_locale())


def local_date(value: datetime, timezone: str | None = None) -> str:
    return formatted(value, "short-date", timezone or str(get_timezone()), current_locale())


def local_time(value: datetime, timezone: str | None = None) -> str:
    """The time of day in the reader's locale: "6:30 PM", "18:30"."""
    return formatted(value, "short-time", timezone or str(get_timezone()), current_locale())


@lru_cache(maxsize=8192)
def formatted(value: datetime, style: str, timezone: str, locale: str) -> str:
    """babel's formatting, memoized: it is pure, and dashboards show the same dates again."""
    if style == "short-time":
        return babel_dates.format_time(value.astimezone(ZoneInfo(timezone)), "short", locale=locale)
    if style == "short-date":
        return babel_dates.format_date(
            value.astimezone(ZoneInfo(timezone)).date(), "short", locale=locale
        )
    # The locale's medium date with its short time: "Dec 8, 2026, 6:30 PM", "8 déc. 2026, 18:30".
    zone = ZoneInfo(timezone)
    # babel types the style as a Literal and the result as a pattern; for "{1}, {0}" it is a str.
    pattern = cast(str, babel_dates.get_datetime_format(cast(Any, style), locale=locale))
    return pattern.replace(
        "{1}", babel_dates.format_date(value.astimezone(zone).date(), style, locale=locale)
    ).replace("{0}", babel_dates.format_time(value, "short", tzinfo=zone, locale=locale))


def year_month(value: str) -> str:
    """`2025-10` as the reader says it: "October 2025", "octobre 2025"."""
    return _year_month(str(value), current_locale())


@lru_cache(maxsize=256)
def _year_month(value: str, locale: str) -> str:
    try:
        year, month = (int(part) for part in value.split("-"))
        day = date(year, month, 1)
    except ValueError:
        return value
    return babel_dates.format_skeleton("yMMMM", day, locale=locale)


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
        "web_url": web_url,
        "language_name": language_name,
        "percent": percent,
        "points": points,
        "duration": duration,
        "plural_count": plural_count,
        "remaining": remaining,
        "datetime": local_datetime,
        "year_month": year_month,
    }
    app.jinja_env.filters.update(filters)
    # In place of those Flask-Babel installed (called after it), with the same behaviour.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # `_()` itself: Jinja's alias goes through two context calls, a Markup and a format for each
    # string (a page has dozens: a tenth of a page's rendering); a string without variables
    # comes out the same for a catalog every time, so it is kept.
    app.jinja_env.globals["_"] = template_gettext
    app.jinja_env.globals.update(
        # The enumerations, so that templates compare with them rather than with literals.
        AttemptState=AttemptState,
        FeedbackMode=FeedbackMode,
        LatePolicy=LatePolicy,
        MarkState=MarkState,
        Role=Role,
        SetStatus=SetStatus,
        current_locale=current_locale,
        image_row=image_row,
        qtype=qtypes.get,
        source_language=source_language,
        status_label=status_label,
        now_iso=lambda: utcnow().isoformat(),
    )

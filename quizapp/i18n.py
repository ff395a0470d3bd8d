"""Compiled message catalogs at run time, so that no build step is needed.

Only the `.po` sources are kept in the repository (`*.mo` is ignored). At start-up each
`translations/<lang>/LC_MESSAGES/messages.po` is compiled to a `.mo` under the instance folder
when it is missing or stale, and Flask-Babel is pointed at that folder.
"""

from __future__ import annotations

import io
import os
import tempfile
from functools import cache, cached_property
from gettext import NullTranslations
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask, Request
from flask_babel import get_locale
from wtforms.i18n import messages_path

from .typography import french_spacing

SOURCE_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"


def init_app(app: Flask) -> None:
    """Compile stale catalogs into `<instance>/translations` and tell Flask-Babel to read them.

    Flask-Babel reads BABEL_TRANSLATION_DIRECTORIES in its own `init_app`: call this first.
    """
    target = Path(app.instance_path) / "translations"
    compile_catalogs(SOURCE_DIR, target)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)
    app.request_class = QuizRequest


@cache
def wtforms_catalog(locale: str) -> NullTranslations:
    """WTForms' own messages ("This field is required.", "Not a valid choice.") in `locale`,
    read once per process and language."""
    return Translations.load(messages_path(), [locale], domain="wtforms")


class QuizRequest(Request):
    """Flask's request, with WTForms' catalog in the request's language kept per process.

    Flask-WTF looks for it as `request.wtforms_translations` and, when the request has none,
    reads and parses the catalog from disk: once per request that builds a form, since every
    field's label goes through it (about a fifth of a live answer's CPU, py-spy under
    bench/live.py). The attribute is computed on first use only: requests without a form never
    ask for the locale."""

    @cached_property
    def wtforms_translations(self) -> NullTranslations:
        return wtforms_catalog(str(get_locale()))


def compile_catalogs(source: Path, target: Path) -> list[Path]:
    """Compile each `<lang>/LC_MESSAGES/messages.po` of `source` into the same layout in `target`.

    A `.mo` is rewritten unless its modification time equals its `.po`'s (the `.mo` is given the
    `.po`'s time), so an edited `.po` is picked up, and so is an older one after a rollback.
    Returns the `.mo` files written.
    """
    written: list[Path] = []
    for po_path in sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        po_time = po_path.stat().st_mtime_ns
        if mo_path.exists() and mo_path.stat().st_mtime_ns == po_time:
            continue
        compile_catalog(po_path, mo_path, po_time)
        written.append(mo_path)
    return written


def compile_catalog(po_path: Path, mo_path: Path, mtime_ns: int) -> None:
    """Write `mo_path` from `po_path`, without fuzzy entries, atomically.

    French translations get French spacing here (translators type ordinary spaces), so that
    it holds wherever a string ends up, attributes and flashed messages included.
    Several workers may start at once: each writes a temporary file and renames it into place,
    so a reader sees either no `.mo` or a complete one.
    """
    language = po_path.parent.parent.name
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language, domain=DOMAIN)
    if language == "fr" or language.startswith("fr_"):
        for message in catalog:
            if message.id and isinstance(message.string, tuple):
                message.string = tuple(french_spacing(s) for s in message.string)
            elif message.id and isinstance(message.string, str) and message.string:
                message.string = french_spacing(message.string)
    mo_path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=mo_path.parent, prefix=f".{mo_path.name}.")
    try:
        with os.fdopen(fd, "wb") as mo_file:
            write_mo(mo_file, catalog)
        os.chmod(temp_name, 0o644)
        os.utime(temp_name, ns=(mtime_ns, mtime_ns))
        os.replace(temp_name, mo_path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


@cache
def translations(language: str) -> NullTranslations:
    """The catalogue of `language` compiled in memory, for code that runs without an app (the
    CLI); English, the language of the source, is the identity."""
    po_path = SOURCE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.is_file():
        return NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def environment_language(default: str = "en") -> str:
    """The language of the locale, read as gettext does, if the app is translated into it.

    Not `babel.default_locale`: it also reads `LC_CTYPE`, which Python itself sets to C.UTF-8
    when the locale named in `LANG` is not installed (PEP 538), hiding `LANG=fr_FR.UTF-8`.
    """
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").split(":")[0].split(".")[0].split("@")[0]
        if not value:
            continue
        if value in ("C", "POSIX"):
            return default
        try:
            language = Locale.parse(value).language
        except (ValueError, UnknownLocaleError):
            return default
        return language if language == "en" or (SOURCE_DIR / language).is_dir() else default
    return default

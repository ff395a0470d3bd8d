"""The French catalog covers every message in the source, keeps its placeholders, and compiles."""

from __future__ import annotations

import os
import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.support import Translations
from flask import Flask
from flask_babel import Babel, gettext

from quizapp import create_app, i18n
from quizapp.config import TestConfig

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ("fr",)
# The keywords of `pybabel extract -k _l` (README.md, "Translations").
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}
# %(name)s, %(n)d, %s ... as Python's %-formatting reads them; %% is a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")

MessageId = str | tuple[str, ...]


def extracted_messages() -> dict[MessageId, list[str]]:
    """Every message in the source now, with its `file:line` locations, as pybabel finds them."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    messages: dict[MessageId, list[str]] = defaultdict(list)
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        messages[message].append(f"{filename}:{lineno}")
    return messages


def load_catalog(locale: str) -> Catalog:
    with (i18n.SOURCE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        return read_po(po_file, locale=locale)


def placeholders(text: str) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER.finditer(text)} - {"%%"}


def test_extraction_finds_python_and_template_messages() -> None:
    messages = extracted_messages()
    assert "Please log in to see this page." in messages  # lazy_gettext as _l
    assert "Skip to content" in messages  # base.html
    assert any(isinstance(message, tuple) for message in messages)  # ngettext


@pytest.mark.parametrize("locale", LOCALES)
def test_catalog_is_complete(locale: str) -> None:
    catalog = load_catalog(locale)
    problems = []
    for message, locations in extracted_messages().items():
        msgid = message[0] if isinstance(message, tuple) else message
        where = ", ".join(locations)
        entry = catalog.get(msgid)
        if entry is None:
            problems.append(f"missing: {msgid!r} ({where})")
        elif isinstance(message, tuple) != entry.pluralizable:
            problems.append(f"plural form differs: {msgid!r} ({where})")
    for entry in list(catalog)[1:]:
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry.fuzzy or not all(strings):
            problems.append(f"{'fuzzy' if entry.fuzzy else 'empty'}: {entry.id!r}")
    assert not problems, (
        f"{locale} catalog out of date; run the steps in README.md, 'Translations':\n"
        + "\n".join(problems)
    )


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_placeholders(locale: str) -> None:
    catalog = load_catalog(locale)
    assert catalog.num_plurals == 2
    problems = [f"{entry.id!r}: {errors}" for entry, errors in catalog.check()]
    for entry in list(catalog)[1:]:
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = set().union(*(placeholders(msgid) for msgid in ids))
        for string in strings:
            if placeholders(string) != expected:
                problems.append(f"{entry.id!r}: {sorted(expected)} but {string!r}")
    assert not problems, "\n".join(problems)


@pytest.fixture
def sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped .po files, which the test may edit."""
    copy = tmp_path / "sources"
    shutil.copytree(i18n.SOURCE_DIR, copy, ignore=shutil.ignore_patterns("*.pot", "*.mo"))
    monkeypatch.setattr(i18n, "SOURCE_DIR", copy)
    return copy


def test_init_app_compiles_into_the_instance_folder(sources: Path, tmp_path: Path) -> None:
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    i18n.init_app(app)
    Babel(app, locale_selector=lambda: "fr")

    target = tmp_path / "instance" / "translations"
    assert app.config["BABEL_TRANSLATION_DIRECTORIES"] == str(target)
    assert (target / "fr" / "LC_MESSAGES" / "messages.mo").is_file()
    assert not list(target.rglob(".*"))  # no temporary file left behind
    with app.test_request_context():
        assert gettext("Log in") == "Se connecter"


def test_init_app_recompiles_only_a_changed_catalog(sources: Path, tmp_path: Path) -> None:
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    po_path = sources / "fr" / "LC_MESSAGES" / "messages.po"
    mo_path = tmp_path / "instance" / "translations" / "fr" / "LC_MESSAGES" / "messages.mo"

    i18n.init_app(app)
    first = mo_path.stat()
    i18n.init_app(app)
    assert (mo_path.stat().st_ino, mo_path.stat().st_mtime_ns) == (first.st_ino, first.st_mtime_ns)

    text = po_path.read_text(encoding="utf-8")
    po_path.write_text(text.replace('"Se connecter"', '"Connexion"'), encoding="utf-8")
    later = first.st_mtime_ns + 10**9
    os.utime(po_path, ns=(later, later))
    i18n.init_app(app)

    assert mo_path.stat().st_mtime_ns == later
    with mo_path.open("rb") as mo_file:
        assert Translations(mo_file).gettext("Log in") == "Connexion"


def test_pages_are_served_in_french(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Flask, "auto_find_instance_path", lambda self: str(tmp_path / "instance"))
    config = type(
        "Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    )
    app = create_app(config)
    assert (
        tmp_path / "instance" / "translations" / "fr" / "LC_MESSAGES" / "messages.mo"
    ).is_file(), (
        "no compiled catalog: create_app must call i18n.init_app(app) before babel.init_app"
    )

    page = app.test_client().get("/?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Se connecter" in page and "Créer un compte" in page
    english = app.test_client().get("/?lang=en").get_data(as_text=True)
    assert "Log in" in english and "Se connecter" not in english


def test_template_strings_follow_each_request_language_and_escape_their_variables() -> None:
    """`_()` keeps a string's translation per catalog: a French request after an English one
    (and the reverse) gets its own language; variables are still escaped, `%%` still read."""
    app = create_app(TestConfig)
    template = app.jinja_env.from_string(
        "{{ _('Your answer:') }}|{{ _('%(n)s left', n='<b>') }}|{{ _('100%%') }}"
    )
    seen = []
    for lang in ("en", "fr", "en", "fr"):
        with app.test_request_context(f"/?lang={lang}", headers={"Accept-Language": lang}):
            seen.append(template.render())
    english = "Your answer:|&lt;b&gt; left|100%"
    assert seen[0] == seen[2] == english
    assert seen[1] == seen[3] == "Votre réponse\u00a0:|&lt;b&gt; left|100%"


def test_wtforms_messages_follow_each_request_language_read_once_per_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """WTForms' own messages (a required field) are in the request's language, French after
    English and the reverse; its catalog is read from disk once per language and process, not
    once per request that builds a form (Flask-WTF's default)."""
    from flask_wtf import FlaskForm
    from wtforms import StringField
    from wtforms.validators import DataRequired

    class Needed(FlaskForm):
        class Meta:
            csrf = False

        name = StringField("Name", validators=[DataRequired()])

    i18n.wtforms_catalog.cache_clear()
    loads: list[object] = []
    load = Translations.load

    def counted(*args: object, **kwargs: object) -> object:
        loads.append(kwargs.get("domain"))
        return load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Translations, "load", counted)
    app = create_app(TestConfig)
    errors = []
    for lang in ("en", "fr", "en", "fr", "fr"):
        with app.test_request_context(f"/?lang={lang}", method="POST", data={"name": ""}):
            form = Needed()
            assert not form.validate()
            errors.append(form.name.errors[0])
    assert errors[0] == errors[2] == "This field is required."
    assert errors[1] == errors[3] == errors[4] == "Ce champ est requis."
    assert loads.count("wtforms") == 2  # English once, French once

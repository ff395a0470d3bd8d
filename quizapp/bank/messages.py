"""Diagnostics in the reader's language, from the interface's catalogue.

The bank stays free of Flask: its messages are plain English strings, built from templates that
are marked here with `N_` (so that pybabel extracts them into the same catalogue as the pages).
`localize` finds the template that a message was built from, translates it, and formats it again
with its arguments, which are translated in turn where they are words (`choices item 2`) and
re-quoted where they are quoted values ('Mercure' becomes « Mercure » in French). Messages are
therefore translated where they are shown: in the CLI from the locale, on a page from its
language, and from the text stored in a set's `load_error`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cache
from typing import Protocol

from .diagnostics import Diagnostic

_TEMPLATES: list[str] = []


def N_(msgid: str) -> str:  # `N_` is one of the names pybabel extracts by default
    """Register a message template; its text is the English message, with %(name)s arguments."""
    _TEMPLATES.append(msgid)
    return msgid


class Translator(Protocol):
    def gettext(self, message: str, /) -> str: ...


# Arguments that are themselves messages (`choices item 2`, `a number`), translated in turn.
_NESTED = {"label", "expected", "bound", "side", "expected_values"}
# Texts given as written (a passage of the source, a suggested line): never re-quoted.
_FREE = ("passage", "text", "fix", "problem", "reason", "error", "keys")
# What an argument may be: a number, free text, or words without the ": " that joins a message
# to its hint, so that a stored line splits where it was joined.
_NUMBER = r"-?[\d,.]+"
_WORDS = r"(?:(?!: ).)+?"
_ARGUMENT = {
    **dict.fromkeys(
        ("count", "line", "number", "position", "size", "limit", "min", "max"), _NUMBER
    ),
    **dict.fromkeys(_FREE, r".+?"),
    **dict.fromkeys(("options", "expected_values", "message", "hint"), r".+?"),
}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
NNBSP = "\u202f"  # narrow no-break space: before ? ! ; and inside « »
NBSP = "\u00a0"  # no-break space: before :

HINT_SEPARATOR = N_("%(message)s: %(hint)s")

# Written in bank/schema.py and bank/lint.py (and the models that move out of them): listed here
# so that they are translated too; tests/test_bank_messages.py checks each one still matches.
N_("the answer %(answer)s is not one of the choices")
N_("did you mean %(choice)s?")
N_("copy the text of the right choice")
N_("choice %(choice)s appears twice")
N_("%(text)s is listed twice")
N_("item %(item)s appears twice")
N_("%(side)s side %(text)s appears twice")
N_("left")
N_("%(options)s or %(last)s")  # pydantic's list of allowed values: 'a', 'b' or 'c'
N_("right")
N_("question id %(id)s is used twice")
N_("invalid regular expression: %(error)s")
N_("a numeric question needs `answer` (with an optional `tolerance`), or both `min` and `max`")
N_("give either `answer` (with `tolerance`) or `min`/`max`, not both")
N_("`tolerance` needs an `answer`")
N_("`max` (%(max)s) is below `min` (%(min)s)")
N_("expected true or false")
N_("expected a duration such as 90s, 15m or 1h")
N_("expected a percentage such as 60%%, found %(value)s: add the %% sign")
N_("expected a percentage such as 60%%")
N_("expected a percentage between 0%% and 100%%")
N_("question `%(id)s` has no explanation")
N_("students learn most from an `explanation:` of the right answer")
N_("the same prompt as question `%(id)s`")
N_("only %(count)s choices")
N_("%(count)s or more make guessing harder")
N_("the prompt contains its own answer")
N_("the right choice is always choice %(position)s")
N_("students notice: vary its position")
N_("`typos` forgives nothing here: every accepted answer is 4 characters or fewer")
N_("short answers forgive no slip, so that a slip cannot make a wrong answer right")
N_("the tag `%(tag)s` has no label in `topics`")
N_("students see it as written: add a label")
N_("expected an http:// or https:// address, found %(value)s")
N_("expected a year and month such as 2025-10, found %(value)s")
N_(
    "patterns run with RE2, which is safe against slow patterns but has no backreferences "
    "(\\1) and no lookarounds ((?=...), (?!...)); list the answers in `accept` instead"
)


def _patterns() -> list[tuple[re.Pattern[str], str]]:
    return _compiled(len(_TEMPLATES))  # a module imported later registers more templates


@cache
def _compiled(count: int) -> list[tuple[re.Pattern[str], str]]:
    """Each template as a regular expression; the most literal text first, to match precisely."""
    patterns = []
    for template in set(_TEMPLATES[:count]):
        parts = _PLACEHOLDER.split(template.replace("%%", "%"))
        regex = "".join(
            re.escape(part) if index % 2 == 0 else f"(?P<{part}>{_ARGUMENT.get(part, _WORDS)})"
            for index, part in enumerate(parts)
        )
        literal = len(_PLACEHOLDER.sub("", template))
        if not any(c.isalpha() for c in _PLACEHOLDER.sub("", template)):
            continue  # the message-and-hint joiner, not a message
        patterns.append((literal, re.compile(regex, re.S), template))
    patterns.sort(key=lambda item: -item[0])
    return [(pattern, template) for _, pattern, template in patterns]


def translate(text: str, translations: Translator, language: str) -> str:
    """`text`, built from one of the templates, in the language of `translations`."""
    if language == "en":
        return text
    for pattern, template in _patterns():
        match = pattern.fullmatch(text)
        if match is None:
            continue
        translated = translations.gettext(template)
        if translated == template:
            return text
        args = {
            name: translate(value, translations, language)
            if name in _NESTED
            else value
            if name in _FREE
            else requote(value, language)
            for name, value in match.groupdict().items()
        }
        return translated % args if args else translated.replace("%%", "%")
    return text


def requote(value: str, language: str) -> str:
    """Quoted values ('Mercure') in the quotation marks of `language`."""
    if language != "fr":
        return value
    return _QUOTED.sub(lambda m: f"«{NNBSP}{m.group(0)[1:-1]}{NNBSP}»", value)


def localize(diagnostic: Diagnostic, translations: Translator, language: str) -> Diagnostic:
    """`diagnostic` in `language`; its `path:line:column: severity:` prefix stays as it is."""
    if language == "en":
        return diagnostic
    separator = translations.gettext(HINT_SEPARATOR)
    return replace(
        diagnostic,
        message=translate(diagnostic.message, translations, language),
        hint=translate(diagnostic.hint, translations, language) if diagnostic.hint else None,
        separator=separator.split("%(message)s", 1)[-1].split("%(hint)s", 1)[0],
    )


_LINE = re.compile(r"(?P<path>.*?):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning): ")


def localize_line(line: str, translations: Translator, language: str) -> str:
    """A diagnostic stored as text (a set's `load_error`), in `language`."""
    head = _LINE.match(line)
    if head is None or language == "en":
        return line
    rest = line[head.end() :]
    # The message and its hint are joined by ": ", which messages may contain too: try each cut.
    cuts = [m.start() for m in re.finditer(": ", rest)]
    for cut in [len(rest), *cuts]:
        message, hint = rest[:cut], rest[cut + 2 :] or None
        translated = translate(message, translations, language)
        translated_hint = translate(hint, translations, language) if hint else None
        if translated != message and (hint is None or translated_hint != hint):
            diagnostic = Diagnostic(
                head["path"],
                int(head["line"]),
                int(head["column"]),
                head["severity"],
                message,
                hint,
            )
            return str(localize(diagnostic, translations, language))
    return line

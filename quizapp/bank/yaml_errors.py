"""PyYAML's syntax errors, in a teacher's words, at the line where the teacher must look."""

from __future__ import annotations

import re

import yaml

from .messages import N_
from .yaml_tree import QUOTE_HINT

INDENT_HINT = N_("check the indentation: items of a list start with `- ` at the same column")
TAB = N_("a tab character cannot be used for indentation")
TAB_HINT = N_("indent with spaces")
BLOCK = N_("a value starting with `>` or `|` is read as a block of text")
NOT_VALID = N_("not valid YAML: %(problem)s")
QUOTE_FIX = N_("put the text in quotes: %(fix)s")
STOPPED = N_("%(message)s (reading stopped at line %(line)s)")

_SYNTAX = [
    # (words of PyYAML's problem, our message, our hint)
    (
        "mapping values are not allowed",
        N_("a `: ` in unquoted text is read as the start of a key"),
        QUOTE_HINT,
    ),
    ("tab character", TAB, TAB_HINT),
    ("found character '\\t'", TAB, TAB_HINT),
    ("chomping or indentation", BLOCK, QUOTE_HINT),
    ("found undefined alias", N_("a value starting with `*` is read as an alias"), QUOTE_HINT),
    (
        "cannot start any token",
        N_("a value cannot start with this character (` @ %%)"),
        QUOTE_HINT,
    ),
    (
        "expected alphabetic or numeric character",
        N_("a value starting with `&` or `*` is read as an anchor or alias"),
        QUOTE_HINT,
    ),
    (
        "found unknown escape character",
        N_("inside double quotes, `\\` starts an escape sequence"),
        N_("use single quotes for text with backslashes, such as regular expressions: '\\d{4}'"),
    ),
    (
        "could not find expected ':'",
        N_("this line has no `key: value` form"),
        N_("write a colon after the key: `key: value`"),
    ),
    (
        "expected <block end>",
        N_("this line is not indented like the ones around it"),
        INDENT_HINT,
    ),
    (
        "did not find expected key",
        N_("a key was expected here"),
        N_("check the indentation, and quote text that starts with [ { \" or '"),
    ),
    (
        "did not find expected ',' or ']'",
        N_("a list in [brackets] is not closed as expected"),
        N_("quote the items that contain commas or brackets"),
    ),
    (
        "did not find expected ',' or '}'",
        N_("a mapping in {braces} is not closed as expected"),
        N_("quote the items that contain commas or braces"),
    ),
    (
        "found unexpected end of stream",
        N_("a quoted text is not closed"),
        N_("a text that starts with a quote must end with the same quote"),
    ),
]

# Constructs that PyYAML reports where reading stopped, often lines after where they start: a
# quoted text or a bracket left open, a key without its colon. The teacher must look at the start.
_OPENED_AT_CONTEXT = (
    "while scanning a quoted scalar",
    "while parsing a flow sequence",
    "while parsing a flow mapping",
    "while scanning a simple key",
)


def describe(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str, str | None]:
    """The 1-based line and column to show for a syntax error, its message and its hint."""
    problem = (exc.problem or exc.context or "not valid YAML").strip()
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    message, hint = _words(problem, exc, text)
    start = exc.context_mark
    if (
        start is not None
        and mark is not None
        and (exc.context or "").startswith(_OPENED_AT_CONTEXT)
        and start.line < mark.line
    ):
        if not (exc.context or "").endswith("simple key"):
            message = STOPPED % {"message": message, "line": line}
        line, column = start.line + 1, start.column + 1
    return line, column, message, hint


def _words(problem: str, exc: yaml.MarkedYAMLError, text: str) -> tuple[str, str | None]:
    if _block_scalar_line(exc, text):
        return BLOCK, _quote_hint(exc, text)
    for words, message, hint in _SYNTAX:
        if words in problem:
            return message.replace("%%", "%"), _quote_hint(
                exc, text
            ) if hint == QUOTE_HINT else hint
    return NOT_VALID % {"problem": problem}, None


_KEY_VALUE = re.compile(r"\s*(?:- )?(?P<key>[\w-]+)[ \t]*:[ \t]+(?P<value>.+?)\s*$")


def _quote_hint(exc: yaml.MarkedYAMLError, text: str) -> str:
    """How to quote the value of the error's line, its key and text as the teacher wrote them."""
    mark = exc.problem_mark
    lines = text.split("\n")
    line = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    match = _KEY_VALUE.match(line)
    if match is None:
        return QUOTE_HINT
    return QUOTE_FIX % {"fix": quoted(match["key"], match["value"])}


def quoted(key: str, value: str) -> str:
    """`key: "value"`, in single quotes when the value has double quotes or backslashes."""
    if '"' in value or "\\" in value:
        escaped = value.replace("'", "''")
        return f"{key}: '{escaped}'"
    return f'{key}: "{value}"'


def _block_scalar_line(exc: yaml.MarkedYAMLError, text: str) -> bool:
    """Whether the error's line is `key: > text` or `key: | text` (block indicators, no block)."""
    mark = exc.problem_mark
    if mark is None:
        return False
    lines = text.split("\n")
    line = lines[mark.line] if mark.line < len(lines) else ""
    return re.search(r":\s+[>|][-+0-9]*\s+\S", line) is not None

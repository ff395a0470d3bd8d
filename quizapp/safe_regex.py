"""Teachers' regular expressions (`accept_regex`), run by RE2: matching takes time linear in
the answer whatever the pattern, so no answer can hold a worker (`^(a+)+$` is harmless).

RE2 has no backreferences and no lookarounds: a pattern that needs them is refused when the
question file is validated, with its line, rather than run by a backtracking engine. `\\d` and
`\\w` mean ASCII digits and word characters; answers are also tried without accents.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2

MAX_PROGRAM_MEMORY = 1 << 20  # bytes for a compiled pattern: enough for any reasonable one


HINT = (
    "patterns run with RE2, which is safe against slow patterns but has no backreferences "
    r"(\1) and no lookarounds ((?=...), (?!...)); list the answers in `accept` instead"
)


# RE2's words for the features that only backtracking engines have.
_BACKTRACKING_ONLY = ("invalid perl operator", "invalid escape sequence")


class UnsafePattern(ValueError):
    """A pattern RE2 cannot run (a syntax error, or a feature only backtracking engines have)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def _options() -> Any:
    options = re2.Options()
    options.case_sensitive = False  # accepted answers are compared without case too
    options.log_errors = False  # the error comes back as an exception, not on stderr
    options.max_mem = MAX_PROGRAM_MEMORY
    return options


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Any:
    """The compiled pattern, or UnsafePattern if RE2 cannot run it."""
    try:
        return re2.compile(pattern, _options())
    except re2.error as error:
        reason = error.args[0] if error.args else error
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        hint = HINT if str(reason).startswith(_BACKTRACKING_ONLY) else None
        raise UnsafePattern(f"invalid regular expression: {reason}", hint) from None


def problem(pattern: str) -> UnsafePattern | None:
    """Why `pattern` is refused (message and hint), or None if it can be used."""
    try:
        compile_pattern(pattern)
    except UnsafePattern as error:
        return error
    return None


def fullmatch(pattern: str, text: str) -> bool:
    """Whether the whole of `text` matches `pattern`, ignoring case."""
    return compile_pattern(pattern).fullmatch(text) is not None

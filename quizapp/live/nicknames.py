"""Nicknames: a length limit, a blocklist the host can extend, one of each per session."""

from __future__ import annotations

from collections.abc import Iterable

from ..qtypes import normalize_text

MAX_LENGTH = 20
# A short built-in list (English and French); the host adds words per session.
BLOCKED = frozenset(
    {
        "fuck",
        "shit",
        "bitch",
        "cunt",
        "dick",
        "nigger",
        "fag",
        "whore",
        "putain",
        "merde",
        "connard",
        "connasse",
        "salope",
        "encule",
        "pute",
        "batard",
        "nazi",
        "hitler",
    }
)


def nickname_key(nickname: str) -> str:
    """Folded for comparison: "Zoé" and "zoe " are one nickname in a session."""
    return normalize_text(nickname)[:80]


def clean(nickname: str) -> str:
    return " ".join(nickname.split())


def blocked_word(nickname: str, extra: Iterable[str] = ()) -> str | None:
    """The blocked word a nickname contains (spaces and punctuation ignored), if any."""
    squashed = nickname_key(nickname).replace(" ", "")
    for word in (*BLOCKED, *extra):
        folded = nickname_key(word).replace(" ", "")
        if folded and folded in squashed:
            return word
    return None

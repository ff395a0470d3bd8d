"""Quotes against the source file: word for word, with `[…]` for words left out."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from .messages import N_
from .schema import Problem, QuestionBase

NOT_IN_SOURCE = N_("the quote is not in the source file")
PART_NOT_IN_SOURCE = N_("part %(number)s of the quote (cut at `[…]`) is not in the source")
OUT_OF_ORDER = N_("the parts of the quote around `[…]` are not in this order in the source")
CLOSEST = N_("the closest passage is: %(passage)s")
CLOSEST_DIFF = N_(
    "the closest passage is: %(passage)s (the quote has %(quote_word)s "
    "where the source has %(source_word)s)"
)
CANNOT_READ = N_("cannot read the source file %(file)s")
RELATIVE_HINT = N_("the path is relative to this YAML file")

_QUOTE_MARKS = str.maketrans(
    {"’": "'", "‘": "'", "ʼ": "'", "«": '"', "»": '"', "“": '"', "”": '"', "„": '"'}
)
# `[…]` or `[...]`: words of the source left out, as French citation practice writes it.
_CUT = re.compile(r"\s*\[(?:…|\.\.\.)\]\s*")


def normalize_quote(text: str) -> str:
    """Compare quotes as a teacher sees them: spacing and typographic quote marks do not count."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTE_MARKS)
    text = " ".join(text.split())
    return re.sub(r'\s*"\s*', '"', text)


@dataclass(frozen=True)
class _Source:
    normalized: str
    sentences: list[str]  # as written, for the "closest passage" hint


_PUNCTUATION = ".,;:!?«»“”\"'()\u00a0\u202f"
_SOURCE_CACHE: dict[tuple[Path, float], _Source] = {}
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*(?:[\s\u00a0\u202f]*[»”\"])?")


def _source_text(path: Path) -> _Source:
    key = (path, path.stat().st_mtime)
    if key not in _SOURCE_CACHE:
        text = path.read_text(encoding="utf-8")
        sentences = [" ".join(m.split()) for m in _SENTENCE.findall(text) if m.strip()]
        _SOURCE_CACHE[key] = _Source(normalize_quote(text), sentences)
    return _SOURCE_CACHE[key]


def closest_passage(quote: str, sentences: list[str]) -> str:
    """The sentence of the source most like the quote, as written there."""
    target = normalize_quote(quote)
    return max(
        sentences,
        key=lambda s: SequenceMatcher(None, target, normalize_quote(s)).ratio(),
        default="",
    )[:240]


def first_difference(quote: str, passage: str) -> tuple[str, str] | None:
    """The first word where `quote` and `passage` part: (the quote's word, the passage's)."""
    ours, theirs = quote.split(), passage.split()
    matcher = SequenceMatcher(
        None, [normalize_quote(w) for w in ours], [normalize_quote(w) for w in theirs]
    )
    # Where the quote starts in the passage: differences before that are the passage's context.
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    start = blocks[0] if blocks else None
    for tag, i1, _i2, j1, _j2 in matcher.get_opcodes():
        if tag == "equal" or (start and i1 == 0 and j1 < start.b and start.a == 0):
            continue
        if i1 >= len(ours) and start is not None:
            return None  # the quote is a shorter prefix of the passage: nothing differs
        word = ours[i1] if i1 < len(ours) else "…"
        other = theirs[j1] if j1 < len(theirs) else "…"
        return word.strip(_PUNCTUATION) or word, other.strip(_PUNCTUATION) or other
    return None


def _hint(part: str, sentences: list[str]) -> str | None:
    passage = closest_passage(part, sentences)
    if not passage:
        return None
    difference = first_difference(part, passage)
    if difference is None:
        return CLOSEST % {"passage": passage}
    return CLOSEST_DIFF % {
        "passage": passage,
        "quote_word": repr(difference[0]),
        "source_word": repr(difference[1]),
    }


def _check_one(quote: str, source: _Source) -> tuple[str, str | None] | None:
    """None when `quote` is in the source, else the message and hint to give."""
    parts = _CUT.split(quote)
    if len(parts) == 1:
        if normalize_quote(quote) in source.normalized:
            return None
        return NOT_IN_SOURCE, _hint(quote, source.sentences)
    position = 0
    for number, part in enumerate(parts, start=1):
        text = normalize_quote(part)
        if not text:
            continue  # a quote may start or end with `[…]`
        found = source.normalized.find(text, position)
        if found < 0:
            if text in source.normalized:
                return OUT_OF_ORDER, None
            return PART_NOT_IN_SOURCE % {"number": number}, _hint(part, source.sentences)
        position = found + len(text)
    return None


def check_quotes(
    source_file: str | None, questions: Iterable[tuple[int, QuestionBase]], base: Path
) -> Iterator[Problem]:
    if source_file is None:
        return
    try:
        source = _source_text((base / source_file).resolve())
    except (OSError, UnicodeDecodeError):
        yield Problem(("source", "file"), CANNOT_READ % {"file": repr(source_file)}, RELATIVE_HINT)
        return
    for index, question in questions:
        quote = question.quote_text
        if quote:
            found = _check_one(quote, source)
            if found is not None:
                # A plain `quote: "..."` has no `text` key: the reader points at the quote itself.
                yield Problem(("questions", index, "quote", "text"), *found)

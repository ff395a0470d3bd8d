"""Pure graders, one per question type, in a registry. Nothing here knows Flask or the database.

A question is its validated spec (`Question.spec`, the schema's JSON dump). Answers use the
original indexes of choices, items and pairs, whatever order the student saw them in:

    single      int                 index of the chosen choice
    multiple    list[int]           indexes of the chosen choices
    true_false  bool
    numeric     str                 what the student typed ("2 015", "10,5")
    text        str
    order       list[int]           item indexes in the order the student put them
    match       list[int | None]    for each left side, the index of the pair whose right side
                                    the student chose (None: left blank)

The rules are the ones docs/AUTHORING.md documents; tests/test_grading.py holds their table.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from rapidfuzz.distance import OSA

Spec = Mapping[str, Any]


class InvalidAnswer(ValueError):
    """An answer that cannot belong to the question (a forged form, a tampered order)."""


@dataclass(frozen=True, slots=True)
class Grade:
    score: float  # fraction of the question's points, 0 to 1

    @property
    def correct(self) -> bool:
        return self.score >= 1 - 1e-9

    def points(self, out_of: float) -> float:
        return round(self.score * out_of, 6)


Grader = Callable[[Spec, Any], Grade]
GRADERS: dict[str, Grader] = {}


def grader(question_type: str) -> Callable[[Grader], Grader]:
    def register(function: Grader) -> Grader:
        GRADERS[question_type] = function
        return function

    return register


def grade(spec: Spec, answer: Any) -> Grade:
    """Grade one answer; a missing answer (None) scores 0."""
    if answer is None:
        return Grade(0.0)
    return GRADERS[spec["type"]](spec, answer)


def _index(value: Any, size: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < size:
        raise InvalidAnswer(f"index out of range: {value!r}")
    return value


def choice_texts(spec: Spec) -> list[str]:
    return [c if isinstance(c, str) else c["text"] for c in spec["choices"]]


@grader("single")
def grade_single(spec: Spec, answer: Any) -> Grade:
    texts = choice_texts(spec)
    return Grade(1.0 if texts[_index(answer, len(texts))] == spec["answer"] else 0.0)


@grader("multiple")
def grade_multiple(spec: Spec, answer: Any) -> Grade:
    """Each right choice chosen +1/k, each wrong one -1/k (k right choices), floor 0."""
    texts = choice_texts(spec)
    if not isinstance(answer, list):
        raise InvalidAnswer("expected a list of choices")
    chosen = {_index(i, len(texts)) for i in answer}
    right = set(spec["answer"])
    k = len(right)
    total = sum(1 if texts[i] in right else -1 for i in chosen) / k
    return Grade(max(0.0, min(1.0, total)))


@grader("true_false")
def grade_true_false(spec: Spec, answer: Any) -> Grade:
    if not isinstance(answer, bool):
        raise InvalidAnswer("expected true or false")
    return Grade(1.0 if answer is spec["answer"] else 0.0)


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009_']+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def parse_number(text: str) -> float:
    """Read a number as students type it: `2 015`, `2015`, `10,5`, `1,000.5`, `-3`."""
    if not isinstance(text, str):
        raise InvalidAnswer("expected text")
    cleaned = _SPACES.sub("", text.strip()).replace("\u2212", "-")
    if "," in cleaned and "." in cleaned:
        # 1,000.5 or 1.000,5: the last mark is the decimal one, the other groups thousands.
        grouping = "," if cleaned.rfind(".") > cleaned.rfind(",") else "."
        cleaned = cleaned.replace(grouping, "").replace(",", ".")
    elif cleaned.count(",") == 1:
        cleaned = cleaned.replace(",", ".")  # 10,5: a decimal comma (2,015 reads 2.015)
    if not _NUMBER.fullmatch(cleaned) or len(cleaned) > 40:
        raise ValueError(f"not a number: {text!r}")
    return float(cleaned)


@grader("numeric")
def grade_numeric(spec: Spec, answer: Any) -> Grade:
    """Right when within `tolerance` of `answer`, or within [min, max] (both inclusive)."""
    try:
        value = parse_number(answer)
    except InvalidAnswer:
        raise
    except ValueError:
        return Grade(0.0)
    if spec.get("answer") is not None:
        expected = float(spec["answer"])
        tolerance = float(spec.get("tolerance") or 0)
        ok = abs(value - expected) <= tolerance + 1e-9 * max(1.0, abs(expected))
    else:
        ok = float(spec["min"]) <= value <= float(spec["max"])
    return Grade(1.0 if ok else 0.0)


def normalize_text(text: str) -> str:
    """Case, accents, punctuation and spacing do not count: `Élon-Musk !` reads `elon musk`."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    for char in decomposed:
        category = unicodedata.category(char)
        if category == "Mn":
            continue  # an accent
        kept.append(" " if category[0] in "PSZ" or char.isspace() else char)
    return " ".join("".join(kept).split())


_DIGITS = re.compile(r"\d+")


def typos_allowed(accepted: str, typos: int) -> int:
    """Edits forgiven against one normalized accepted answer: none below 5 characters (`TFH`
    must not accept `TF1`), then at most one per 4 characters, and never more than `typos`."""
    return max(0, min(typos, (len(accepted) - 1) // 4))


def within_typos(given: str, accepted: str, typos: int) -> bool:
    """Whether two normalized answers differ by at most the typos forgiven; numbers must match
    exactly (1789 is not a typo of 1798)."""
    allowed = typos_allowed(accepted, typos)
    if allowed == 0 or _DIGITS.findall(given) != _DIGITS.findall(accepted):
        return False
    # OSA counts two swapped neighbours as one edit, as a teacher counts a typo.
    return OSA.distance(given, accepted, score_cutoff=allowed) <= allowed


@grader("text")
def grade_text(spec: Spec, answer: Any) -> Grade:
    """Right when equal to an accepted answer after normalisation, or within `typos` edits
    of one, or matched by `accept_regex`."""
    if not isinstance(answer, str):
        raise InvalidAnswer("expected text")
    given = normalize_text(answer)
    if not given:
        return Grade(0.0)
    accepted = [normalize_text(a) for a in spec["accept"]]
    if given in accepted:
        return Grade(1.0)
    typos = int(spec.get("typos") or 0)
    if typos and any(within_typos(given, a, typos) for a in accepted):
        return Grade(1.0)
    pattern = spec.get("accept_regex")
    if pattern and any(
        re.fullmatch(pattern, candidate, re.IGNORECASE) for candidate in (answer.strip(), given)
    ):
        return Grade(1.0)
    return Grade(0.0)


def _permutation(answer: Any, size: int) -> list[int]:
    if not isinstance(answer, list) or sorted(_index(i, size) for i in answer) != list(range(size)):
        raise InvalidAnswer("expected every item exactly once")
    return answer


@grader("order")
def grade_order(spec: Spec, answer: Any) -> Grade:
    """The share of item pairs that the student put in the right relative order."""
    order = _permutation(answer, len(spec["items"]))
    pairs = list(combinations(order, 2))
    return Grade(sum(1 for a, b in pairs if a < b) / len(pairs))


@grader("match")
def grade_match(spec: Spec, answer: Any) -> Grade:
    """The share of left sides matched to their own right side."""
    size = len(spec["pairs"])
    if not isinstance(answer, list) or len(answer) != size:
        raise InvalidAnswer("expected one choice per left side")
    right = spec["pairs"]
    hits = sum(
        1
        for left, chosen in enumerate(answer)
        if chosen is not None and right[_index(chosen, size)][1] == right[left][1]
    )
    return Grade(hits / size)

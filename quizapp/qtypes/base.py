"""The protocol every question type follows, and what the types share: grades and helpers.

A question is its validated spec (`Question.spec`, the schema's JSON dump). Answers use the
original indexes of choices, items and pairs, whatever order the student saw them in; each
type's module says its answer's shape. A layout (`QuestionAttempt.layout`) is the order an attempt
shows them in: for each of its keys, the original indexes in display order.

Grading, layout, schema and translation are pure: this module and the pure methods import
nothing of Flask. The form and display methods, at the end of each type, import `.web`
(WTForms, Flask-Babel) where they need it.
"""

from __future__ import annotations

import random
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, get_args

from ..enums import MarkState
from .model import Path, Problem, QuestionBase

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField

    from .exchange import Exchange, QtiItem

Spec = Mapping[str, Any]
Layout = Mapping[str, list[int]]


class InvalidAnswer(ValueError):
    """An answer that cannot belong to the question (a forged form, a tampered order)."""


class AnswerError(ValueError):
    """A valid form that is not an answer yet; the message tells the student why."""


@dataclass(frozen=True, slots=True)
class Mark:
    """One line of an answer's feedback: a choice, pair or item, and how it fared.

    `state` None: a choice neither chosen nor right. `given` and `expected` are set for the
    types whose feedback is a table (`mark_headings`): what the student gave, what was right.
    """

    label: str
    state: MarkState | None
    given: str | None = None
    expected: str | None = None


@dataclass(frozen=True, slots=True)
class Grade:
    score: float  # fraction of the question's points, 0 to 1

    @property
    def correct(self) -> bool:
        return self.score >= 1 - 1e-9

    def points(self, out_of: float) -> float:
        return round(self.score * out_of, 6)


def index(value: Any, size: int) -> int:
    """`value` if it is an index into a list of `size` things, else InvalidAnswer."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < size:
        raise InvalidAnswer(f"index out of range: {value!r}")
    return value


def choice_texts(spec: Spec) -> list[str]:
    return [c if isinstance(c, str) else c["text"] for c in spec["choices"]]


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


def display_order(layout: Layout | None, key: str, size: int) -> list[int]:
    """Original indexes in the order this attempt shows them (`QuestionAttempt.layout`)."""
    return list((layout or {}).get(key, range(size)))


@dataclass(frozen=True)
class Sample:
    """One question of the type, as a teacher writes it, and answers to it: the contract test
    (tests/test_qtypes_contract.py) runs every registered type through these."""

    spec: dict[str, Any]
    # Changes to `spec` that the schema refuses, each with a word of the message expected.
    invalid: list[tuple[dict[str, Any], str]]
    right: Any
    wrong: Any
    partial: Any = None  # None: the type gives no partial credit
    # A change of the key that leaves the texts shown the same (in `rekeyed_layout`'s order,
    # when the key is the order itself): the page must not change with it.
    rekey: dict[str, Any] = field(default_factory=dict)
    rekeyed_layout: dict[str, list[int]] = field(default_factory=dict)
    # A teacher's edit, and `right` carried over to the edited version.
    edit: dict[str, Any] = field(default_factory=dict)
    carried: Any = None

    @property
    def rekeyed(self) -> dict[str, Any]:
        return {**self.spec, **self.rekey}

    @property
    def edited(self) -> dict[str, Any]:
        return {**self.spec, **self.edit}


class QuestionType(ABC):
    """One kind of question: its schema model, grading, layout, form, display and translation."""

    model: ClassVar[type[QuestionBase]]  # with `type: Literal["<name>"]`
    sample: ClassVar[Sample]

    @property
    def name(self) -> str:
        """The type's name, as question files and the database write it: the model's tag."""
        (name,) = get_args(self.model.model_fields["type"].annotation)
        return str(name)

    @property
    def template(self) -> str:
        """The template whose `fields` macro shows the answer controls."""
        return f"qtypes/{self.name}.html"

    # --- pure: no Flask -------------------------------------------------------------------

    @abstractmethod
    def grade(self, spec: Spec, answer: Any) -> Grade:
        """Grade a given answer (never None); InvalidAnswer if it cannot be one."""

    def layout(self, spec: Spec, rng: random.Random, shuffle_choices: bool) -> dict[str, list[int]]:
        """The shuffled order an attempt shows, drawn once when it starts."""
        return {}

    def translate(self, old: Spec, new: Spec, answer: Any) -> Any:
        """`answer` to `old` in `new`'s indexes (same type); may raise if it cannot be."""
        return answer

    def key_texts(self, question: Any) -> list[str]:
        """Texts that name the key, which the prompt should not contain (lint)."""
        return []

    def key_position(self, question: Any) -> int | None:
        """Where the one right choice stands in the file, if the type has one (lint)."""
        return None

    def advice(self, question: Any, path: Path) -> Iterator[Problem]:
        """Teaching advice on a valid question of this type: lint's warnings, never errors."""
        return iter(())

    # --- web: WTForms and Flask-Babel ------------------------------------------------------

    @abstractmethod
    def field(self, spec: Spec, layout: Layout | None, label: str) -> UnboundField:
        """The form's `answer` field, values in display positions."""

    def form_data(self, spec: Spec, layout: Layout | None, answer: Any) -> Any:
        """A saved answer (not None) in the field's terms, so a reload shows it."""
        return answer

    def answer_from(self, spec: Spec, layout: Layout | None, data: Any) -> Any:
        """The answer (original indexes) in a validated field's data; None if left blank."""
        text = (data or "").strip()
        return text or None

    @abstractmethod
    def correct_answer(self, spec: Spec) -> Any:
        """The key in the answer's shape, or a description where it has no one shape."""

    def describe(self, spec: Spec, answer: Any) -> str:
        """An answer (not None) in words, for feedback and results."""
        return str(answer)

    def choice_feedback(self, spec: Spec, answer: Any) -> list[str]:
        """The teacher's feedback on what this answer (not None) chose."""
        return []

    def marks(self, spec: Spec, answer: Any) -> list[Mark]:
        """Each choice, pair or item of an answer (not None) marked right, wrong or missed;
        empty for types whose answer is one value (their feedback says it in a sentence)."""
        return []

    def mark_headings(self) -> tuple[str, str, str] | None:
        """The column headings of a feedback table (label, given, expected); None: a list."""
        return None

    # --- interchange: GIFT, Moodle XML, QTI (quizapp/interop/ reads and writes the files) ----

    def to_exchange(self, spec: Spec) -> tuple[Exchange, list[str]]:
        """The question in Moodle's model (its kind, answers and fractions), and what is lost.

        The base question's fields (name, text, points, explanation, tags) are interop's job."""
        raise NotImplementedError(self.name)

    def from_exchange(self, question: Exchange) -> tuple[dict[str, Any], list[str]] | None:
        """This type's keys for a question in Moodle's model, and what is lost; None when the
        question is not of this type."""
        return None

    def to_qti(self, spec: Spec) -> QtiItem:
        """How a QTI 2.1 player shows and grades the question."""
        raise NotImplementedError(self.name)

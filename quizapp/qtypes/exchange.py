"""Questions in Moodle's terms, the meeting point of our types and the exchange formats.

GIFT and Moodle XML describe the same question model (Moodle's): a question kind, a text, answers
each worth a fraction of the points with their feedback, matching pairs, numerical tolerances.
Each question type says how it goes to that model and how it comes back (`to_exchange` and
`from_exchange`, in its own module); `quizapp/interop/` reads and writes the files. QTI items are
described here too (`QtiItem`), so that each type also says how a QTI player grades it.

Pure: no Flask, no XML. Losses are English messages (the `LOSS_*` templates below, translated where
they are shown through `interop/messages.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..enums import MoodleKind

# What a conversion could not carry over exactly (listed for translation in interop/messages.py).
LOSS_SINGLE_PARTIAL = (
    "partial credit on wrong choices is lost: a single-choice question scores 0 or 1"
)
LOSS_MULTIPLE_WEIGHTS = (
    "the answer weights are approximated: each right choice adds and each wrong choice takes "
    "away 1/%(count)s of the points"
)
LOSS_FEEDBACK_IN_EXPLANATION = "per-answer feedback is added to the explanation"
LOSS_PARTIAL_ANSWERS = "partially right answers are dropped: %(answers)s"
LOSS_WRONG_ANSWERS = "answers worth nothing are dropped, with their feedback: %(answers)s"
LOSS_CASE = "the answers are case-sensitive in the source; quizapp ignores case"
LOSS_NUMERIC_ANSWERS = "only the first fully right number is kept: %(answers)s dropped"
LOSS_UNITS = "other units are dropped: %(units)s"
LOSS_UNMATCHED = "right sides without a left side (distractors) are dropped: %(answers)s"
LOSS_GIFT_ORDER = (
    "GIFT has no ordering question: written as a matching question (each item to its position), "
    "which Moodle grades per position"
)
LOSS_GIFT_UNIT = "GIFT has no units: the unit %(unit)s is added to the prompt"
LOSS_TYPOS = "forgiven typing slips (typos: %(count)s) cannot be expressed"
LOSS_REGEX = "the accepted pattern (accept_regex) cannot be expressed"
LOSS_ORDER_GRADING = (
    "Moodle grades this ordering question by %(method)s; quizapp by the share of pairs of items "
    "put in the right order"
)
LOSS_ORDER_SUBSET = "Moodle shows only some of the items (%(method)s); quizapp shows them all"
LOSS_QTI_ORDER = "QTI's standard response processing grades the order all or nothing"
LOSS_QTI_TEXT = (
    "a QTI player compares the answer ignoring case only, not accents, punctuation or spacing"
)
LOSS_GRADES = "the weight %(percent)s%% is not one Moodle offers; Moodle may round it"


@dataclass
class Answer:
    """One answer of a Moodle question, worth `fraction` of the points (-1 to 1)."""

    text: str
    fraction: float = 0.0
    feedback: str | None = None
    tolerance: float | None = None  # numerical: ± tolerance around `text`
    low: float | None = None  # numerical: a range (GIFT's low..high)
    high: float | None = None


@dataclass
class Exchange:
    """One question in Moodle's model (common to GIFT and Moodle XML)."""

    kind: str  # a MoodleKind, or another Moodle type name that nothing here converts
    name: str = ""
    text: str = ""  # Markdown once read (HTML converted by the reader)
    general_feedback: str | None = None
    answers: list[Answer] = field(default_factory=list)
    single: bool = True  # multichoice: one answer or several
    pairs: list[tuple[str, str]] = field(default_factory=list)  # matching: (left, right)
    units: list[tuple[str, float]] = field(default_factory=list)  # numerical: (unit, multiplier)
    usecase: bool = False  # shortanswer: case matters
    shuffle: bool = True
    points: float = 1.0
    tags: list[str] = field(default_factory=list)
    prompt_note: str | None = None  # appended to the prompt on export (GIFT's lost unit)
    options: dict[str, str] = field(default_factory=dict)  # other settings (ordering's grading)


@dataclass
class QtiItem:
    """How a QTI 2.1 player shows and grades one question.

    `interaction` is choice, text, order or match; `correct` the identifiers (or texts) of the key;
    `mapping` what each response value is worth (mapResponse), None for match_correct."""

    interaction: str
    cardinality: str  # single, multiple, ordered
    base_type: str  # identifier, string, float, directedPair
    choices: list[tuple[str, str]] = field(default_factory=list)  # (identifier, text)
    targets: list[tuple[str, str]] = field(default_factory=list)  # match: right sides
    correct: list[str] = field(default_factory=list)
    mapping: dict[str, float] | None = None
    lower_bound: float | None = None
    upper_bound: float | None = None
    default_value: float = 0.0
    case_sensitive: bool = False
    numeric_range: tuple[float, float] | None = None  # float responses: right within [low, high]
    max_choices: int = 1
    shuffle: bool = True
    losses: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def is_close(a: float, b: float) -> bool:
    """Fractions as Moodle writes them (33.33333%) compared with ours (1/3)."""
    return abs(a - b) < 1e-4


# The grades Moodle's editing form offers (question/format.php's grade options), in %.
MOODLE_GRADES = (
    100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667,
    14.28571, 12.5, 11.11111, 10, 5, 0,
)  # fmt: skip


def moodle_grade(fraction: float) -> bool:
    """Whether `fraction` (-1 to 1) is a grade Moodle's forms offer."""
    return any(is_close(abs(fraction), g / 100) for g in MOODLE_GRADES)


def percent(fraction: float) -> str:
    """A fraction as Moodle writes percentages: 50, 33.33333, -100."""
    text = f"{fraction * 100:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


__all__ = ["Answer", "Exchange", "MoodleKind", "QtiItem", "is_close", "moodle_grade", "percent"]

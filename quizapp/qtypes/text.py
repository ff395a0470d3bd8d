"""A short text, compared after normalisation. Answer: what the student typed (str)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field
from rapidfuzz.distance import OSA

from .. import safe_regex
from .base import Grade, InvalidAnswer, Layout, QuestionType, Sample, Spec, normalize_text
from .model import Path, Problem, QuestionBase, ShortText

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField

    from .exchange import Exchange, QtiItem

MAX_TEXT = 500
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
    return bool(OSA.distance(given, accepted, score_cutoff=allowed) <= allowed)


class TextQuestion(QuestionBase):
    type: Literal["text"]
    accept: Annotated[list[ShortText], Field(min_length=1)] = Field(
        description="accepted answers, compared after normalisation"
    )
    accept_regex: ShortText | None = Field(
        default=None,
        description="a regular expression (RE2 syntax) matched against the whole answer",
    )

    typos: Annotated[int, Field(ge=0, le=3)] = Field(
        default=0,
        description="typing slips forgiven against `accept` (edits: a letter added, removed, "
        "replaced, or two swapped); 0, the default, forgives none",
    )

    def check(self, path: Path) -> Iterator[Problem]:
        if self.accept_regex is not None:
            refused = safe_regex.problem(self.accept_regex)
            if refused is not None:
                yield Problem((*path, "accept_regex"), str(refused), refused.hint)


class Text(QuestionType):
    model = TextQuestion
    sample = Sample(
        spec={
            "id": "ceo-name",
            "type": "text",
            "prompt": "Who is OpenAI's CEO?",
            "accept": ["Sam Altman", "Altman"],
        },
        invalid=[({"accept": []}, "accept"), ({"accept_regex": "(Sam"}, "regular expression")],
        right="  sam ALTMAN ",
        wrong="Elon Musk",
        rekey={"accept": ["Elon Musk"]},
        edit={"accept": ["Sam Altman", "S. Altman"]},
        carried="  sam ALTMAN ",
    )

    def grade(self, spec: Spec, answer: Any) -> Grade:
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
        # RE2, not `re`: a teacher's pattern cannot backtrack for minutes on a student's answer.
        if pattern and any(
            safe_regex.fullmatch(pattern, candidate) for candidate in (answer.strip(), given)
        ):
            return Grade(1.0)
        return Grade(0.0)

    def advice(self, question: Any, path: Path) -> Iterator[Problem]:
        if question.typos and not any(
            typos_allowed(normalize_text(accepted), question.typos) for accepted in question.accept
        ):
            yield Problem(
                (*path, "typos"),
                "`typos` forgives nothing here: every accepted answer is 4 characters or fewer",
                "short answers forgive no slip, so that a slip cannot make a wrong answer right",
            )

    def key_texts(self, question: Any) -> list[str]:
        return list(question.accept)

    def field(self, spec: Spec, layout: Layout | None, label: str) -> UnboundField:
        from .web import Length, Optional, StringField

        return StringField(
            label,
            validators=[Optional(), Length(max=MAX_TEXT)],
            render_kw={"autocomplete": "off", "maxlength": MAX_TEXT},
        )

    def correct_answer(self, spec: Spec) -> Any:
        return spec["accept"][0]

    # --- interchange: to and from Moodle's model, and QTI (quizapp/interop/) ------------------

    def to_exchange(self, spec: Spec) -> tuple[Exchange, list[str]]:
        from .exchange import LOSS_REGEX, LOSS_TYPOS, Answer, Exchange, MoodleKind

        losses = []
        if spec.get("typos"):
            losses.append(LOSS_TYPOS % {"count": spec["typos"]})
        if spec.get("accept_regex"):
            losses.append(LOSS_REGEX)
        answers = [Answer(text, 1.0) for text in spec["accept"]]
        return Exchange(MoodleKind.shortanswer, answers=answers, usecase=False), losses

    def from_exchange(self, question: Exchange) -> tuple[dict[str, Any], list[str]] | None:
        from .exchange import (
            LOSS_CASE,
            LOSS_FEEDBACK_IN_EXPLANATION,
            LOSS_PARTIAL_ANSWERS,
            LOSS_WRONG_ANSWERS,
            MoodleKind,
            is_close,
        )

        if question.kind != MoodleKind.shortanswer:
            return None
        right = [a for a in question.answers if is_close(a.fraction, 1)]
        if not right:
            return None
        keys: dict[str, Any] = {"accept": [a.text for a in right]}
        wildcards = [a.text for a in right if "*" in a.text]
        if wildcards:
            # Moodle's `*` stands for any characters: the same as a pattern, case aside.
            patterns = "|".join(
                ".*".join(re.escape(part) for part in text.split("*")) for text in wildcards
            )
            keys["accept_regex"] = f"(?i)(?:{patterns})"
            keys["accept"] = [a.text for a in right if "*" not in a.text] or [
                wildcards[0].replace("*", "").strip() or wildcards[0]
            ]
        losses = []
        partial = [a.text for a in question.answers if 1e-4 < a.fraction < 1 - 1e-4]
        if partial:
            losses.append(LOSS_PARTIAL_ANSWERS % {"answers": ", ".join(partial)})
        wrong = [a.text for a in question.answers if a.fraction <= 1e-4 and a.feedback]
        if wrong:
            losses.append(LOSS_WRONG_ANSWERS % {"answers": ", ".join(wrong)})
        if question.usecase:
            losses.append(LOSS_CASE)
        notes = [f"{a.text}: {a.feedback}" for a in right if a.feedback]
        if notes:
            keys["explanation"] = "\n\n".join(notes)
            losses.append(LOSS_FEEDBACK_IN_EXPLANATION)
        return keys, losses

    def to_qti(self, spec: Spec) -> QtiItem:
        from .exchange import LOSS_QTI_TEXT, LOSS_REGEX, LOSS_TYPOS, QtiItem

        losses = [LOSS_QTI_TEXT]
        if spec.get("typos"):
            losses.append(LOSS_TYPOS % {"count": spec["typos"]})
        if spec.get("accept_regex"):
            losses.append(LOSS_REGEX)
        return QtiItem(
            "text",
            "single",
            "string",
            correct=[spec["accept"][0]],
            mapping=dict.fromkeys(spec["accept"], 1.0),
            lower_bound=0.0,
            upper_bound=1.0,
            losses=losses,
        )

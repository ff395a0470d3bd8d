"""A number, within a tolerance or a range. Answer: what the student typed (str)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from .base import Grade, InvalidAnswer, Layout, QuestionType, Sample, Spec, parse_number
from .model import Path, Problem, QuestionBase, ShortText

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField

    from .exchange import Exchange, QtiItem


class NumericQuestion(QuestionBase):
    type: Literal["numeric"]
    answer: float | None = None
    tolerance: Annotated[float, Field(ge=0)] | None = None
    min: float | None = None
    max: float | None = None
    unit: ShortText | None = None

    def check(self, path: Path) -> Iterator[Problem]:
        if self.answer is None and (self.min is None or self.max is None):
            yield Problem(
                path,
                "a numeric question needs `answer` (with an optional `tolerance`), "
                "or both `min` and `max`",
                key=True,
            )
        if self.answer is not None and (self.min is not None or self.max is not None):
            yield Problem(
                (*path, "min" if self.min is not None else "max"),
                "give either `answer` (with `tolerance`) or `min`/`max`, not both",
                key=True,
            )
        if self.tolerance is not None and self.answer is None:
            yield Problem((*path, "tolerance"), "`tolerance` needs an `answer`", key=True)
        if self.min is not None and self.max is not None and self.min > self.max:
            yield Problem((*path, "max"), f"`max` ({self.max:g}) is below `min` ({self.min:g})")


class Numeric(QuestionType):
    model = NumericQuestion
    sample = Sample(
        spec={
            "id": "founded",
            "type": "numeric",
            "prompt": "In which year was OpenAI founded?",
            "answer": 2015,
            "unit": "year",
        },
        invalid=[
            ({"answer": None}, "needs `answer`"),
            ({"min": 2010, "max": 2020}, "not both"),
            ({"answer": "twenty"}, "number"),
        ],
        right="2 015",
        wrong="2019",
        rekey={"answer": 1999},
        edit={"tolerance": 1},
        carried="2 015",
    )

    def grade(self, spec: Spec, answer: Any) -> Grade:
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

    def key_texts(self, question: Any) -> list[str]:
        return [] if question.answer is None else [f"{question.answer:g}"]

    def field(self, spec: Spec, layout: Layout | None, label: str) -> UnboundField:
        from .web import Length, Optional, StringField, number

        return StringField(
            label,
            validators=[Optional(), Length(max=40), number],
            render_kw={"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"},
        )

    def correct_answer(self, spec: Spec) -> Any:
        """A description: the answer with its tolerance, or the range, and the unit."""
        from .web import _, format_number

        if spec.get("answer") is not None:
            text = format_number(spec["answer"])
            if spec.get("tolerance"):
                text += f" ± {format_number(spec['tolerance'])}"
        else:
            text = _(
                "between %(min)s and %(max)s",
                min=format_number(spec["min"]),
                max=format_number(spec["max"]),
            )
        return f"{text} {spec['unit']}" if spec.get("unit") else text

    # --- interchange: to and from Moodle's model, and QTI (quizapp/interop/) ------------------

    def to_exchange(self, spec: Spec) -> tuple[Exchange, list[str]]:
        from .exchange import Answer, Exchange, MoodleKind

        if spec.get("answer") is not None:
            answer = Answer(f"{spec['answer']:g}", 1.0, tolerance=spec.get("tolerance") or 0.0)
        else:
            low, high = float(spec["min"]), float(spec["max"])
            answer = Answer(
                f"{(low + high) / 2:g}", 1.0, tolerance=(high - low) / 2, low=low, high=high
            )
        units = [(spec["unit"], 1.0)] if spec.get("unit") else []
        return Exchange(MoodleKind.numerical, answers=[answer], units=units), []

    def from_exchange(self, question: Exchange) -> tuple[dict[str, Any], list[str]] | None:
        from .exchange import (
            LOSS_FEEDBACK_IN_EXPLANATION,
            LOSS_NUMERIC_ANSWERS,
            LOSS_PARTIAL_ANSWERS,
            LOSS_UNITS,
            MoodleKind,
            is_close,
        )

        if question.kind != MoodleKind.numerical:
            return None
        right = [a for a in question.answers if is_close(a.fraction, 1)]
        if not right:
            return None
        first, losses = right[0], []
        keys: dict[str, Any]
        if first.low is not None and first.high is not None:
            keys = {"min": first.low, "max": first.high}
        else:
            keys = {"answer": float(first.text)}
            if first.tolerance:
                keys["tolerance"] = abs(first.tolerance)
        if len(right) > 1:
            losses.append(LOSS_NUMERIC_ANSWERS % {"answers": ", ".join(a.text for a in right[1:])})
        partial = [a.text for a in question.answers if 0 < a.fraction < 1 - 1e-4]
        if partial:
            losses.append(LOSS_PARTIAL_ANSWERS % {"answers": ", ".join(partial)})
        base = [unit for unit, multiplier in question.units if is_close(multiplier, 1)]
        if base:
            keys["unit"] = base[0]
        others = [unit for unit, _ in question.units if not base or unit != base[0]]
        if others:
            losses.append(LOSS_UNITS % {"units": ", ".join(others)})
        notes = [f"{a.text}: {a.feedback}" for a in question.answers if a.feedback]
        if notes:
            keys["explanation"] = "\n\n".join(notes)
            losses.append(LOSS_FEEDBACK_IN_EXPLANATION)
        return keys, losses

    def to_qti(self, spec: Spec) -> QtiItem:
        from .exchange import QtiItem

        if spec.get("answer") is not None:
            value, tolerance = float(spec["answer"]), float(spec.get("tolerance") or 0)
            low, high = value - tolerance, value + tolerance
        else:
            low, high = float(spec["min"]), float(spec["max"])
            value = (low + high) / 2
        return QtiItem("text", "single", "float", correct=[f"{value:g}"], numeric_range=(low, high))

"""A number, within a tolerance or a range. Answer: what the student typed (str)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from .base import Grade, InvalidAnswer, Layout, QuestionType, Sample, Spec, parse_number
from .model import Path, Problem, QuestionBase, ShortText

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField


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

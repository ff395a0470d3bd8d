"""A statement, true or false. Answer: bool."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from .base import Grade, InvalidAnswer, Layout, Mark, QuestionType, Sample, Spec
from .model import Bool, QuestionBase

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField


class TrueFalseQuestion(QuestionBase):
    type: Literal["true_false"]
    answer: Bool


class TrueFalse(QuestionType):
    model = TrueFalseQuestion
    sample = Sample(
        spec={
            "id": "non-profit",
            "type": "true_false",
            "prompt": "OpenAI was founded as a non-profit.",
            "answer": True,
        },
        invalid=[
            ({"answer": "yes"}, "yes, no, on, off are text"),
            ({"choices": ["True", "False"]}, "unknown key `choices`"),
        ],
        right=True,
        wrong=False,
        rekey={"answer": False},
        edit={"prompt": "OpenAI was founded in 2015 as a non-profit."},
        carried=True,
    )

    def grade(self, spec: Spec, answer: Any) -> Grade:
        if not isinstance(answer, bool):
            raise InvalidAnswer("expected true or false")
        return Grade(1.0 if answer is spec["answer"] else 0.0)

    def field(self, spec: Spec, layout: Layout | None, label: str) -> UnboundField:
        from .web import Optional, OptionalRadioField, SelectChoice, _l

        return OptionalRadioField(
            label,
            choices=[SelectChoice("true", _l("True")), SelectChoice("false", _l("False"))],
            validators=[Optional()],
        )

    def form_data(self, spec: Spec, layout: Layout | None, answer: Any) -> Any:
        return "true" if answer else "false"

    def answer_from(self, spec: Spec, layout: Layout | None, data: Any) -> Any:
        return {"true": True, "false": False}.get(data or "")

    def correct_answer(self, spec: Spec) -> Any:
        return spec["answer"]

    def describe(self, spec: Spec, answer: Any) -> str:
        from .web import _

        return str(_("True") if answer else _("False"))

    def marks(self, spec: Spec, answer: Any) -> list[Mark]:
        from .choices import choice_mark

        return [
            choice_mark(self.describe(spec, value), answer is value, spec["answer"] is value)
            for value in (True, False)
        ]

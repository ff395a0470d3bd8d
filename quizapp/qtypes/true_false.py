"""A statement, true or false. Answer: bool."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from .base import Grade, InvalidAnswer, Layout, Mark, QuestionType, Sample, Spec
from .model import Bool, QuestionBase

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField

    from .exchange import Exchange, QtiItem


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

    # --- interchange: to and from Moodle's model, and QTI (quizapp/interop/) ------------------

    def to_exchange(self, spec: Spec) -> tuple[Exchange, list[str]]:
        from .exchange import Answer, Exchange, MoodleKind

        answers = [
            Answer("true", 1.0 if spec["answer"] else 0.0),
            Answer("false", 0.0 if spec["answer"] else 1.0),
        ]
        return Exchange(MoodleKind.truefalse, answers=answers), []

    def from_exchange(self, question: Exchange) -> tuple[dict[str, Any], list[str]] | None:
        from .exchange import LOSS_FEEDBACK_IN_EXPLANATION, MoodleKind

        if question.kind != MoodleKind.truefalse:
            return None
        right = max(question.answers, key=lambda a: a.fraction, default=None)
        if right is None or right.text.strip().lower() not in ("true", "false"):
            return None
        keys: dict[str, Any] = {"answer": right.text.strip().lower() == "true"}
        notes = [
            f"{a.text.strip().capitalize()}: {a.feedback}" for a in question.answers if a.feedback
        ]
        if notes:
            keys["explanation"] = "\n\n".join(notes)
        return keys, [LOSS_FEEDBACK_IN_EXPLANATION] if notes else []

    def to_qti(self, spec: Spec) -> QtiItem:
        from .exchange import QtiItem

        return QtiItem(
            "choice",
            "single",
            "identifier",
            choices=[("true", "True"), ("false", "False")],
            correct=["true" if spec["answer"] else "false"],
            shuffle=False,
        )

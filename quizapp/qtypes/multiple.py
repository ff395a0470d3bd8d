"""Every right choice among several. Answer: the indexes of the chosen choices (list[int])."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from .base import Grade, InvalidAnswer, Layout, Sample, Spec, choice_texts, display_order, index
from .choices import ChoiceQuestion, ChoiceType
from .model import Path, Problem, ShortText, duplicates

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField

    from .exchange import Exchange, QtiItem


class MultipleQuestion(ChoiceQuestion):
    type: Literal["multiple"]
    answer: Annotated[list[ShortText], Field(min_length=1)] = Field(
        description="the texts of every right choice"
    )

    def check(self, path: Path) -> Iterator[Problem]:
        yield from super().check(path)
        for i, text in enumerate(self.answer):
            yield from self._check_answer_text(text, (*path, "answer", i))
        for i in duplicates(list(self.answer)):
            yield Problem((*path, "answer", i), f"{self.answer[i]!r} is listed twice")


class Multiple(ChoiceType):
    model = MultipleQuestion
    sample = Sample(
        spec={
            "id": "proof-of-work",
            "type": "multiple",
            "prompt": "Which chains started with proof of work?",
            "choices": [
                "Bitcoin",
                {"text": "Solana", "feedback": "Proof of history."},
                "Monero",
                "Tezos",
            ],
            "answer": ["Bitcoin", "Monero"],
        },
        invalid=[
            ({"answer": ["Bitcoin", "Bitcoin"]}, "listed twice"),
            ({"answer": ["Dogecoin"]}, "not one of the choices"),
        ],
        right=[0, 2],
        partial=[0, 2, 3],
        wrong=[1],
        rekey={"answer": ["Solana"]},
        edit={"choices": ["Tezos", "Monero", "Ethereum", "Bitcoin", "Solana"]},
        carried=[1, 3],
    )

    def grade(self, spec: Spec, answer: Any) -> Grade:
        """Each right choice chosen +1/k, each wrong one -1/k (k right choices), floor 0."""
        texts = choice_texts(spec)
        if not isinstance(answer, list):
            raise InvalidAnswer("expected a list of choices")
        chosen = {index(i, len(texts)) for i in answer}
        right = set(spec["answer"])
        total = sum(1 if texts[i] in right else -1 for i in chosen) / len(right)
        return Grade(max(0.0, min(1.0, total)))

    def translate(self, old: Spec, new: Spec, answer: Any) -> Any:
        texts = choice_texts(new)
        return sorted(texts.index(choice_texts(old)[i]) for i in answer)

    def field(self, spec: Spec, layout: Layout | None, label: str) -> UnboundField:
        from .web import CheckboxesField, Optional

        return CheckboxesField(label, choices=self.options(spec, layout), validators=[Optional()])

    def form_data(self, spec: Spec, layout: Layout | None, answer: Any) -> Any:
        order = display_order(layout, "choices", len(spec["choices"]))
        return [str(order.index(i)) for i in answer]

    def answer_from(self, spec: Spec, layout: Layout | None, data: Any) -> Any:
        order = display_order(layout, "choices", len(spec["choices"]))
        return sorted(order[int(v)] for v in data) if data else None

    def correct_answer(self, spec: Spec) -> Any:
        texts = choice_texts(spec)
        return [texts.index(a) for a in spec["answer"]]

    def describe(self, spec: Spec, answer: Any) -> str:
        from .web import _

        texts = choice_texts(spec)
        return "; ".join(texts[i] for i in answer) or _("no answer")

    # --- interchange: to and from Moodle's model, and QTI (quizapp/interop/) ------------------

    def to_exchange(self, spec: Spec) -> tuple[Exchange, list[str]]:
        from .exchange import LOSS_GRADES, Answer, Exchange, MoodleKind, moodle_grade, percent

        right = set(spec["answer"])
        share = 1 / len(right)
        answers = [
            Answer(
                text,
                share if text in right else -share,
                choice.get("feedback") if isinstance(choice, dict) else None,
            )
            for text, choice in zip(choice_texts(spec), spec["choices"], strict=True)
        ]
        losses = [] if moodle_grade(share) else [LOSS_GRADES % {"percent": percent(share)}]
        return Exchange(MoodleKind.multichoice, answers=answers, single=False), losses

    def from_exchange(self, question: Exchange) -> tuple[dict[str, Any], list[str]] | None:
        from .exchange import LOSS_MULTIPLE_WEIGHTS, MoodleKind, is_close

        if question.kind != MoodleKind.multichoice or question.single:
            return None
        right = [a for a in question.answers if a.fraction > 0]
        if not right:
            return None
        share = 1 / len(right)
        exact = all(
            is_close(a.fraction, share if a.fraction > 0 else -share) for a in question.answers
        )
        choices = [
            {"text": a.text, "feedback": a.feedback} if a.feedback else a.text
            for a in question.answers
        ]
        losses = [] if exact else [LOSS_MULTIPLE_WEIGHTS % {"count": len(right)}]
        return {"choices": choices, "answer": [a.text for a in right]}, losses

    def to_qti(self, spec: Spec) -> QtiItem:
        from .exchange import QtiItem

        texts = choice_texts(spec)
        right = set(spec["answer"])
        share = 1 / len(right)
        return QtiItem(
            "choice",
            "multiple",
            "identifier",
            choices=[(f"C{i + 1}", text) for i, text in enumerate(texts)],
            correct=[f"C{i + 1}" for i, text in enumerate(texts) if text in right],
            mapping={f"C{i + 1}": share if t in right else -share for i, t in enumerate(texts)},
            lower_bound=0.0,
            upper_bound=1.0,
            max_choices=0,
        )

"""One right choice among several. Answer: the index of the chosen choice (int)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from .base import Grade, Layout, Sample, Spec, choice_texts, display_order, index
from .choices import ChoiceQuestion, ChoiceType
from .model import Path, Problem, ShortText

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField

    from .exchange import Exchange, QtiItem


class SingleQuestion(ChoiceQuestion):
    type: Literal["single"]
    answer: ShortText = Field(description="the text of the right choice")

    def check(self, path: Path) -> Iterator[Problem]:
        yield from super().check(path)
        yield from self._check_answer_text(self.answer, (*path, "answer"))


class Single(ChoiceType):
    model = SingleQuestion
    sample = Sample(
        spec={
            "id": "ceo",
            "type": "single",
            "prompt": "Who is OpenAI's CEO?",
            "choices": [
                "Elon Musk",
                {"text": "Sam Altman", "feedback": "Since 2019."},
                "Satya Nadella",
            ],
            "answer": "Sam Altman",
        },
        invalid=[
            ({"answer": "Sam Altmann"}, "not one of the choices"),
            ({"choices": ["Sam Altman", "Sam Altman"]}, "appears twice"),
        ],
        right=1,
        wrong=0,
        rekey={"answer": "Elon Musk"},
        edit={"choices": ["Greg Brockman", "Satya Nadella", "Elon Musk", "Sam Altman"]},
        carried=3,
    )

    def grade(self, spec: Spec, answer: Any) -> Grade:
        texts = choice_texts(spec)
        return Grade(1.0 if texts[index(answer, len(texts))] == spec["answer"] else 0.0)

    def translate(self, old: Spec, new: Spec, answer: Any) -> Any:
        return choice_texts(new).index(choice_texts(old)[answer])

    def key_texts(self, question: Any) -> list[str]:
        return [question.answer]

    def key_position(self, question: Any) -> int | None:
        return int(question.choice_texts.index(question.answer))

    def field(self, spec: Spec, layout: Layout | None, label: str) -> UnboundField:
        from .web import Optional, OptionalRadioField

        return OptionalRadioField(
            label, choices=self.options(spec, layout), validators=[Optional()]
        )

    def form_data(self, spec: Spec, layout: Layout | None, answer: Any) -> Any:
        return str(display_order(layout, "choices", len(spec["choices"])).index(answer))

    def answer_from(self, spec: Spec, layout: Layout | None, data: Any) -> Any:
        if data in (None, "", "None"):
            return None
        return display_order(layout, "choices", len(spec["choices"]))[int(data)]

    def correct_answer(self, spec: Spec) -> Any:
        return choice_texts(spec).index(spec["answer"])

    def describe(self, spec: Spec, answer: Any) -> str:
        return choice_texts(spec)[index(answer, len(spec["choices"]))]

    # --- interchange: to and from Moodle's model, and QTI (quizapp/interop/) ------------------

    def to_exchange(self, spec: Spec) -> tuple[Exchange, list[str]]:
        from .exchange import Answer, Exchange, MoodleKind

        answers = [
            Answer(
                text,
                1.0 if text == spec["answer"] else 0.0,
                choice.get("feedback") if isinstance(choice, dict) else None,
            )
            for text, choice in zip(choice_texts(spec), spec["choices"], strict=True)
        ]
        return Exchange(MoodleKind.multichoice, answers=answers, single=True), []

    def from_exchange(self, question: Exchange) -> tuple[dict[str, Any], list[str]] | None:
        from .exchange import LOSS_SINGLE_PARTIAL, MoodleKind, is_close

        if question.kind != MoodleKind.multichoice or not question.single:
            return None
        best = max(question.answers, key=lambda a: a.fraction, default=None)
        if best is None or best.fraction <= 0:
            return None
        exact = is_close(best.fraction, 1) and all(
            a is best or is_close(a.fraction, 0) for a in question.answers
        )
        choices = [
            {"text": a.text, "feedback": a.feedback} if a.feedback else a.text
            for a in question.answers
        ]
        return {"choices": choices, "answer": best.text}, [] if exact else [LOSS_SINGLE_PARTIAL]

    def to_qti(self, spec: Spec) -> QtiItem:
        from .exchange import QtiItem

        texts = choice_texts(spec)
        return QtiItem(
            "choice",
            "single",
            "identifier",
            choices=[(f"C{i + 1}", text) for i, text in enumerate(texts)],
            correct=[f"C{texts.index(spec['answer']) + 1}"],
        )

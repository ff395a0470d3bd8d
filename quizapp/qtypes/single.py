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

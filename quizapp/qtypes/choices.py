"""What the two choice types (single, multiple) share: the choices, their order, their feedback."""

from __future__ import annotations

import random
from collections.abc import Iterator
from difflib import get_close_matches
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BeforeValidator, Field

from ..enums import MarkState
from .base import Layout, Mark, QuestionType, Spec, choice_texts, display_order
from .model import (
    Model,
    OptionalImage,
    Path,
    Problem,
    QuestionBase,
    ShortText,
    Text,
    duplicates,
)

if TYPE_CHECKING:
    from wtforms.fields.choices import SelectChoice

MIN_CHOICES = 3  # fewer make guessing too easy (advice, not a rule)


class Choice(Model):
    text: ShortText
    feedback: Text | None = None
    image: OptionalImage = None


def _choice(value: Any) -> Any:
    return {"text": value} if isinstance(value, str) else value


def _choices_schema(schema: dict[str, Any]) -> None:
    schema["items"] = {"anyOf": [{"type": "string", "minLength": 1}, schema["items"]]}


class ChoiceQuestion(QuestionBase):
    choices: Annotated[
        list[Annotated[Choice, BeforeValidator(_choice)]],
        Field(
            min_length=2,
            max_length=26,
            description="texts, or {text, feedback} mappings",
            json_schema_extra=_choices_schema,
        ),
    ]

    @property
    def choice_texts(self) -> list[str]:
        return [c.text for c in self.choices]

    def _check_answer_text(self, answer: str, path: Path) -> Iterator[Problem]:
        if answer not in self.choice_texts:
            close = get_close_matches(answer, self.choice_texts, n=1, cutoff=0.6)
            yield Problem(
                path,
                f"the answer {answer!r} is not one of the choices",
                f"did you mean {close[0]!r}?" if close else "copy the text of the right choice",
            )

    def check(self, path: Path) -> Iterator[Problem]:
        texts = self.choice_texts
        for index in duplicates(texts):
            yield Problem((*path, "choices", index), f"choice {texts[index]!r} appears twice")


def choice_mark(text: str, chosen: bool, right: bool) -> Mark:
    """A choice's mark: right or wrong if chosen, missed if right and not chosen."""
    if chosen:
        return Mark(text, MarkState.right if right else MarkState.wrong)
    return Mark(text, MarkState.missed if right else None)


class ChoiceType(QuestionType):
    """Choices shown in a shuffled order (unless the set says not to); their feedback shown
    with the answer that chose them."""

    def layout(self, spec: Spec, rng: random.Random, shuffle_choices: bool) -> dict[str, list[int]]:
        order = list(range(len(spec["choices"])))
        if shuffle_choices:
            rng.shuffle(order)
        return {"choices": order}

    def advice(self, question: Any, path: Path) -> Iterator[Problem]:
        if len(question.choices) < MIN_CHOICES:
            yield Problem(
                (*path, "choices"),
                f"only {len(question.choices)} choices",
                f"{MIN_CHOICES} or more make guessing harder",
                key=True,
            )

    def options(self, spec: Spec, layout: Layout | None) -> list[SelectChoice]:
        """The choices in display order, each valued by its display position."""
        from .web import SelectChoice

        texts = choice_texts(spec)
        order = display_order(layout, "choices", len(texts))
        return [SelectChoice(str(pos), texts[i]) for pos, i in enumerate(order)]

    def marks(self, spec: Spec, answer: Any) -> list[Mark]:
        chosen = set(answer) if isinstance(answer, list) else {answer}
        key = self.correct_answer(spec)
        right = set(key) if isinstance(key, list) else {key}
        return [
            choice_mark(text, i in chosen, i in right) for i, text in enumerate(choice_texts(spec))
        ]

    def choice_feedback(self, spec: Spec, answer: Any) -> list[str]:
        chosen = set(answer) if isinstance(answer, list) else {answer}
        return [
            choice["feedback"]
            for i, choice in enumerate(spec["choices"])
            if i in chosen and isinstance(choice, dict) and choice.get("feedback")
        ]

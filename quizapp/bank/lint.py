"""Teaching advice: warnings that never block loading (errors live in the schema)."""

from __future__ import annotations

from collections.abc import Iterator

from ..grading import normalize_text, typos_allowed
from .schema import (
    ChoiceQuestion,
    NumericQuestion,
    Problem,
    QuestionSetFile,
    SingleQuestion,
    TextQuestion,
)

MIN_CHOICES = 3


def _contains(prompt: str, answer: str) -> bool:
    needle = normalize_text(answer)
    if len(needle) < 3:
        return False
    return f" {needle} " in f" {normalize_text(prompt)} "


def lint(model: QuestionSetFile) -> Iterator[Problem]:
    """Yield advice on a valid set, each with the path of what it is about."""
    positions: list[int] = []
    prompts: dict[str, int] = {}
    for index, question in enumerate(model.questions):
        path = ("questions", index)
        if not question.explanation:
            yield Problem(
                (*path, "id"),
                f"question `{question.id}` has no explanation",
                "students learn most from an `explanation:` of the right answer",
                key=True,
            )
        key = normalize_text(question.prompt)
        if key in prompts:
            yield Problem(
                (*path, "prompt"),
                f"the same prompt as question `{model.questions[prompts[key]].id}`",
            )
        prompts.setdefault(key, index)
        if isinstance(question, ChoiceQuestion) and len(question.choices) < MIN_CHOICES:
            yield Problem(
                (*path, "choices"),
                f"only {len(question.choices)} choices",
                f"{MIN_CHOICES} or more make guessing harder",
                key=True,
            )
        if isinstance(question, SingleQuestion):
            positions.append(question.choice_texts.index(question.answer))
        if _gives_away(question):
            yield Problem((*path, "prompt"), "the prompt contains its own answer")
        if (
            isinstance(question, TextQuestion)
            and question.typos
            and not any(
                typos_allowed(normalize_text(accepted), question.typos)
                for accepted in question.accept
            )
        ):
            yield Problem(
                (*path, "typos"),
                "`typos` forgives nothing here: every accepted answer is 4 characters or fewer",
                "short answers forgive no slip, so that a slip cannot make a wrong answer right",
            )
    if model.topics:
        used = [*model.tags, *(tag for question in model.questions for tag in question.tags)]
        for tag in dict.fromkeys(used):
            if tag not in model.topics:
                yield Problem(
                    ("topics",),
                    f"the tag `{tag}` has no label in `topics`",
                    "students see it as written: add a label",
                    key=True,
                )
    # Shuffled choices are shown in another order: where the key stands in the file is moot.
    if len(positions) >= 3 and len(set(positions)) == 1 and not model.settings.shuffle_choices:
        yield Problem(
            ("questions",),
            f"the right choice is always choice {positions[0] + 1}",
            "students notice: vary its position",
            key=True,
        )


def _gives_away(question: object) -> bool:
    if isinstance(question, SingleQuestion):
        return _contains(question.prompt, question.answer)
    if isinstance(question, TextQuestion):
        return any(_contains(question.prompt, accepted) for accepted in question.accept)
    if isinstance(question, NumericQuestion) and question.answer is not None:
        return _contains(question.prompt, f"{question.answer:g}")
    return False

"""Teaching advice: warnings that never block loading (errors live in the schema)."""

from __future__ import annotations

from collections.abc import Iterator

from .. import qtypes
from ..qtypes import normalize_text
from .schema import Problem, QuestionSetFile


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
        qtype = qtypes.get(question.type)
        yield from qtype.advice(question, path)
        position = qtype.key_position(question)
        if position is not None:
            positions.append(position)
        if any(_contains(question.prompt, text) for text in qtype.key_texts(question)):
            yield Problem((*path, "prompt"), "the prompt contains its own answer")
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

"""The question-set format: the single source of truth for validation, JSON Schema and docs.

Structural rules live in the pydantic models; rules that relate several fields (an answer that
must be one of the choices, ...) live in each model's `check()`, which yields `Problem`s with the
exact path of the offending value, so that the reader can point at its line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, Union

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints

from .. import qtypes
from ..enums import FeedbackMode
from ..qtypes.choices import Choice
from ..qtypes.model import (
    Bool,
    Context,
    Model,
    Path,
    Problem,
    QuestionBase,
    Quote,
    ShortText,
    Slug,
    Tags,
    Text,
    duplicates,
)

# The models every question type shares live with the types (`qtypes.model`), which `bank`
# imports and which never import `bank`; they are part of the schema, and found here too.
__all__ = [
    "Bool",
    "Choice",
    "Context",
    "Path",
    "Problem",
    "QuestionBase",
    "Quote",
    "ShortText",
    "Slug",
    "Text",
]

QUESTION_TYPES = qtypes.QUESTION_TYPES
FEEDBACK_MODES = tuple(FeedbackMode)


def _duration_seconds(value: Any) -> int:
    match = re.fullmatch(r"\s*(\d+)\s*(s|m|h)\s*", str(value))
    if not match or int(match[1]) == 0:
        raise ValueError("expected a duration such as 90s, 15m or 1h")
    return int(match[1]) * {"s": 1, "m": 60, "h": 3600}[match[2]]


def _percent(value: Any) -> float:
    text = str(value).strip()
    if not text.endswith("%"):
        # 0.6 could mean 60% or 0.6%: the sign says which.
        raise ValueError(f"expected a percentage such as 60%, found {text!r}: add the % sign")
    number = text[:-1].strip()
    try:
        result = float(number.replace(",", "."))
    except ValueError:
        raise ValueError("expected a percentage such as 60%") from None
    if not 0 <= result <= 100:
        raise ValueError("expected a percentage between 0% and 100%")
    return result


Language = Annotated[
    str,
    StringConstraints(pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$", max_length=35),
    Field(description="a BCP 47 language tag such as `fr`, `en` or `pt-BR`"),
]
Duration = Annotated[
    int,
    BeforeValidator(_duration_seconds),
    Field(
        description="90s, 15m or 1h (stored as seconds)",
        json_schema_extra={"type": "string", "pattern": r"^\s*\d+\s*[smh]\s*$"},
    ),
]
Percent = Annotated[
    float,
    BeforeValidator(_percent),
    Field(
        description="a percentage such as 60%",
        json_schema_extra={"type": "string", "pattern": r"^\s*\d+([.,]\d+)?\s*%\s*$"},
    ),
]


def _web_url(value: str) -> str:
    from ..markup import is_web_url

    if not is_web_url(value):
        raise ValueError(f"expected an http:// or https:// address, found {value!r}")
    return value


WebUrl = Annotated[
    ShortText,
    AfterValidator(_web_url),
    Field(
        description="an http:// or https:// address", json_schema_extra={"pattern": "^https?://"}
    ),
]


class Source(Model):
    """Where the facts come from; `file` lets the validator check every quote verbatim."""

    title: ShortText
    publisher: ShortText | None = None
    author: ShortText | None = None
    url: WebUrl | None = None
    language: Language | None = Field(
        default=None, description="the language of the source and its quotes, if not the set's"
    )
    file: ShortText | None = Field(
        default=None, description="a local copy, relative to the YAML file"
    )


class Settings(Model):
    shuffle_questions: Bool = False
    shuffle_choices: Bool = True
    time_limit: Duration | None = None
    max_attempts: Annotated[int, Field(ge=1, le=1000)] | None = Field(
        default=None, description="absent: unlimited"
    )
    feedback: Literal["immediate", "after_submit", "after_due", "never"] = "immediate"
    pass_mark: Percent | None = None
    visibility: Literal["public", "assigned"] = Field(
        default="public",
        description="public: in every student's catalogue; assigned: only through assignments",
    )


if TYPE_CHECKING:
    # Every branch is a QuestionBase; type checkers cannot follow the registry.
    Question: TypeAlias = QuestionBase
else:
    # One branch per registered type, in the registry's order (the JSON Schema keeps it).
    Question = Annotated[
        Union[tuple(qtype.model for qtype in qtypes.REGISTRY.values())],  # noqa: UP007
        Field(discriminator="type"),
    ]


class QuestionSetFile(Model):
    """A question set, as a teacher writes it in one YAML file."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        title="quizapp question set",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    id: Slug
    # As long as the column that keeps it (catalogue titles are short).
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    language: Language
    description: Text | None = None
    source: Source | None = None
    settings: Settings = Settings()
    tags: Tags = []  # noqa: RUF012  (pydantic copies defaults; ruff cannot see Model is one)
    topics: Annotated[dict[Slug, ShortText], Field(max_length=200)] = Field(
        default={},
        description="labels shown for tags, in the set's language: {funding: Financement}",
    )
    questions: Annotated[list[Question], Field(min_length=1, max_length=2000)]

    def check(self) -> Iterator[Problem]:
        yield from duplicate_ids([q.id for q in self.questions])
        for index, question in enumerate(self.questions):
            yield from question.check(("questions", index))


def duplicate_ids(ids: list[Any]) -> Iterator[Problem]:
    for index in duplicates(ids):
        yield Problem(("questions", index, "id"), f"question id {ids[index]!r} is used twice")


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema that editors use for autocompletion (questions/schema.json).

    Editors read YAML 1.2, where a plain `1.10` or `true` is a number or a boolean; the reader
    keeps every plain scalar as the text it is written as, and the schema turns it into what a
    field wants. So wherever the app takes text, the schema takes a number or a boolean too:
    a file the app loads is valid for an editor, and the other way round (tested with
    jsonschema in tests/test_schema_agreement.py).
    """
    schema = QuestionSetFile.model_json_schema()
    _plain_scalars_are_text(schema)
    return schema


def _plain_scalars_are_text(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and "format" not in node:
            pattern = node.get("pattern")
            # A number is written as digits, a dot, a sign: a text field without a pattern, or
            # whose pattern takes digits (ids such as `2015`), reads them as text.
            if pattern is None:
                node["type"] = ["string", "number", "boolean"]
            elif re.search(pattern, "2015"):
                node["type"] = ["string", "integer"]
        for value in node.values():
            _plain_scalars_are_text(value)
    elif isinstance(node, list):
        for value in node:
            _plain_scalars_are_text(value)

"""The question-set format: the single source of truth for validation, JSON Schema and docs.

Structural rules live in the pydantic models; rules that relate several fields (an answer that
must be one of the choices, ...) live in each model's `check()`, which yields `Problem`s with the
exact path of the offending value, so that the reader can point at its line and column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_serializer,
)

Path = tuple[str | int, ...]

QUESTION_TYPES = ("single", "multiple", "true_false", "numeric", "text", "order", "match")
FEEDBACK_MODES = ("immediate", "after_submit", "after_due", "never")

_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


def _yaml12_bool(value: Any) -> Any:
    """Accept only YAML 1.2 booleans: `yes`, `no`, `on` or `1` are not true or false."""
    if isinstance(value, str):
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ValueError("expected true or false")
    if isinstance(value, bool):
        return value
    raise ValueError("expected true or false")


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


Bool = Annotated[bool, BeforeValidator(_yaml12_bool)]
Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100),
    Field(description="lowercase letters, digits and hyphens, e.g. `founding-year`"),
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=1_000)]
Language = Annotated[
    str,
    StringConstraints(pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$"),
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
Tags = Annotated[list[Slug], Field(max_length=20)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


@dataclass(frozen=True, slots=True)
class Problem:
    """A rule broken by a value; `path` leads from the file's root to that value."""

    path: Path
    message: str
    hint: str | None = None
    key: bool = False  # point at the key rather than its value


class Source(Model):
    """Where the facts come from; `file` lets the validator check every quote verbatim."""

    title: ShortText
    publisher: ShortText | None = None
    author: ShortText | None = None
    url: ShortText | None = None
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


class Choice(Model):
    text: ShortText
    feedback: Text | None = None


class Quote(Model):
    """A quote with its translation, for readers of another language than the source's."""

    text: Text = Field(description="verbatim from the source file; checked when it is given")
    translation: Text | None = Field(
        default=None, description="in the set's language; shown with the original, marked so"
    )


def _year_month(value: Any) -> Any:
    """Accept `2025-10` (YAML reads it as text) and check that it is a real month."""
    text = str(value)
    match = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(f"expected a year and month such as 2025-10, found {text!r}")
    return text


YearMonth = Annotated[
    str,
    BeforeValidator(_year_month),
    Field(
        description="the year and month the note is true at, e.g. 2025-10",
        json_schema_extra={"pattern": r"^\d{4}-(0[1-9]|1[0-2])$"},
    ),
]


class Context(Model):
    """What changed since the source was written, dated: shown after the answer."""

    as_of: YearMonth
    text: Text


def _quote(value: Any) -> Any:
    return {"text": value} if isinstance(value, str) else value


def _quote_schema(schema: dict[str, Any]) -> None:
    schema["anyOf"] = [{"type": "string", "minLength": 1, "maxLength": 20_000}, *schema["anyOf"]]


class QuestionBase(Model):
    id: Slug
    prompt: Text
    points: Annotated[float, Field(ge=0, le=1000)] = 1
    explanation: Text | None = None
    quote: Annotated[Quote | None, BeforeValidator(_quote)] = Field(
        default=None,
        description="verbatim from the source file (checked when it is given), "
        "or {text, translation}",
        json_schema_extra=_quote_schema,
    )
    context: Context | None = Field(
        default=None, description="a dated note on what changed since the source: {as_of, text}"
    )
    tags: Tags = []

    @field_serializer("quote")
    def _dump_quote(self, quote: Quote | None) -> str | dict[str, Any] | None:
        """A quote without translation stays the plain text it was written as."""
        if quote is None or quote.translation is None:
            return quote.text if quote else None
        return {"text": quote.text, "translation": quote.translation}

    @property
    def quote_text(self) -> str | None:
        """The quote as written in the source, with or without a translation."""
        return self.quote.text if self.quote else None

    def check(self, path: Path) -> Iterator[Problem]:
        return iter(())


def _duplicates(texts: list[Any]) -> Iterator[int]:
    """Indexes of the texts seen before; anything but text (an invalid value) is skipped."""
    seen: set[str] = set()
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            continue
        if text in seen:
            yield index
        seen.add(text)


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
            from difflib import get_close_matches

            close = get_close_matches(answer, self.choice_texts, n=1, cutoff=0.6)
            yield Problem(
                path,
                f"the answer {answer!r} is not one of the choices",
                f"did you mean {close[0]!r}?" if close else "copy the text of the right choice",
            )

    def check(self, path: Path) -> Iterator[Problem]:
        texts = self.choice_texts
        for index in _duplicates(texts):
            yield Problem((*path, "choices", index), f"choice {texts[index]!r} appears twice")


class SingleQuestion(ChoiceQuestion):
    type: Literal["single"]
    answer: ShortText = Field(description="the text of the right choice")

    def check(self, path: Path) -> Iterator[Problem]:
        yield from super().check(path)
        yield from self._check_answer_text(self.answer, (*path, "answer"))


class MultipleQuestion(ChoiceQuestion):
    type: Literal["multiple"]
    answer: Annotated[list[ShortText], Field(min_length=1)] = Field(
        description="the texts of every right choice"
    )

    def check(self, path: Path) -> Iterator[Problem]:
        yield from super().check(path)
        for index, text in enumerate(self.answer):
            yield from self._check_answer_text(text, (*path, "answer", index))
        for index in _duplicates(list(self.answer)):
            yield Problem((*path, "answer", index), f"{self.answer[index]!r} is listed twice")


class TrueFalseQuestion(QuestionBase):
    type: Literal["true_false"]
    answer: Bool


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


class TextQuestion(QuestionBase):
    type: Literal["text"]
    accept: Annotated[list[ShortText], Field(min_length=1)] = Field(
        description="accepted answers, compared after normalisation"
    )
    accept_regex: ShortText | None = Field(
        default=None, description="a Python regular expression matched against the whole answer"
    )
    typos: Annotated[int, Field(ge=0, le=3)] = Field(
        default=0,
        description="typing slips forgiven against `accept` (edits: a letter added, removed, "
        "replaced, or two swapped); 0, the default, forgives none",
    )

    def check(self, path: Path) -> Iterator[Problem]:
        if self.accept_regex is not None:
            try:
                re.compile(self.accept_regex)
            except re.error as error:
                yield Problem((*path, "accept_regex"), f"invalid regular expression: {error}")


class OrderQuestion(QuestionBase):
    type: Literal["order"]
    # Two items would always be shown the other way round: a giveaway.
    items: Annotated[list[ShortText], Field(min_length=3, max_length=26)] = Field(
        description="3 or more, in the right order; students see them shuffled"
    )

    def check(self, path: Path) -> Iterator[Problem]:
        for index in _duplicates(list(self.items)):
            yield Problem((*path, "items", index), f"item {self.items[index]!r} appears twice")


class MatchQuestion(QuestionBase):
    type: Literal["match"]
    pairs: Annotated[
        list[Annotated[list[ShortText], Field(min_length=2, max_length=2)]],
        Field(min_length=2, max_length=26),
    ] = Field(description="[left, right] pairs; students pick the right side for each left one")

    def check(self, path: Path) -> Iterator[Problem]:
        for side, name in ((0, "left"), (1, "right")):
            texts = [pair[side] for pair in self.pairs]
            for index in _duplicates(texts):
                yield Problem(
                    (*path, "pairs", index, side), f"{name} side {texts[index]!r} appears twice"
                )


Question = Annotated[
    SingleQuestion
    | MultipleQuestion
    | TrueFalseQuestion
    | NumericQuestion
    | TextQuestion
    | OrderQuestion
    | MatchQuestion,
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
    title: ShortText
    language: Language
    description: Text | None = None
    source: Source | None = None
    settings: Settings = Settings()
    tags: Tags = []
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
    for index in _duplicates(ids):
        yield Problem(("questions", index, "id"), f"question id {ids[index]!r} is used twice")


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema that editors use for autocompletion (questions/schema.json)."""
    return QuestionSetFile.model_json_schema()

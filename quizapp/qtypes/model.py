"""The pydantic building blocks that every question type's model shares.

`bank/schema.py` re-exports them and builds the question-set file model on top; the question
types import them from here, so that `bank` imports `qtypes` and never the other way round.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

Path = tuple[str | int, ...]

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


Bool = Annotated[bool, BeforeValidator(_yaml12_bool)]
Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100),
    Field(description="lowercase letters, digits and hyphens, e.g. `founding-year`"),
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=1_000)]
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


class QuestionBase(Model):
    if TYPE_CHECKING:
        type: str  # each type's model declares it as its Literal name, after these fields

    id: Slug
    prompt: Text
    points: Annotated[float, Field(ge=0, le=1000)] = 1
    explanation: Text | None = None
    quote: Text | None = Field(
        default=None, description="verbatim from the source file; checked when it is given"
    )
    tags: Tags = []

    def check(self, path: Path) -> Iterator[Problem]:
        return iter(())


def duplicates(texts: list[Any]) -> Iterator[int]:
    """Indexes of the texts seen before; anything but text (an invalid value) is skipped."""
    seen: set[str] = set()
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            continue
        if text in seen:
            yield index
        seen.add(text)

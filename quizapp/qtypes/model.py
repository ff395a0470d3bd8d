"""The pydantic building blocks that every question type's model shares.

`bank/schema.py` re-exports them and builds the question-set file model on top; the question
types import them from here, so that `bank` imports `qtypes` and never the other way round.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_serializer,
    model_validator,
)

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


# Relative, each part not starting with a dot (no `..`, no hidden file), no backslash or colon.
IMAGE_FILE = r"^([^/\\:.][^/\\:]*/)*[^/\\:.][^/\\:]*\.(png|jpe?g|webp|svg|PNG|JPE?G|WEBP|SVG)$"


class Image(Model):
    """An image beside a text: a file next to the YAML (in the upload, for a teacher's set)."""

    model_config = ConfigDict(
        # What `_alt_or_decorative` checks, for editors that read the JSON Schema.
        json_schema_extra={
            "anyOf": [
                {"required": ["alt"]},
                {"required": ["decorative"], "properties": {"decorative": {"const": True}}},
            ]
        }
    )

    file: Annotated[
        str,
        StringConstraints(pattern=IMAGE_FILE, max_length=200),
        Field(description="a .png, .jpg, .webp or .svg file, relative to the YAML file"),
    ]
    alt: ShortText | None = Field(
        default=None, description="what the image shows, for those who cannot see it"
    )
    decorative: Bool = Field(
        default=False, description="true for an image that says nothing the text does not"
    )

    @model_validator(mode="after")
    def _alt_or_decorative(self) -> Image:
        if self.alt is None and not self.decorative:
            raise ValueError(
                "an image needs `alt:` (what it shows), or `decorative: true` if it adds nothing"
            )
        return self


def _absent(value: Any) -> bool:
    return value is None


# Left out of the stored spec when absent, so that adding images to the format changed no
# question's hash (a new hash is a new version).
OptionalImage = Annotated[Image | None, Field(default=None, exclude_if=_absent)]


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
    if TYPE_CHECKING:
        type: str  # each type's model declares it as its Literal name, after these fields

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
    image: OptionalImage = None
    explanation_image: OptionalImage = None

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


def duplicates(texts: list[Any]) -> Iterator[int]:
    """Indexes of the texts seen before; anything but text (an invalid value) is skipped."""
    seen: set[str] = set()
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            continue
        if text in seen:
            yield index
        seen.add(text)

"""What an import or export says about a file: located warnings, and the error that stops it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..bank.messages import Translator, translate
from ..qtypes.exchange import Exchange


@dataclass(frozen=True, slots=True)
class Note:
    """`FILE:LINE: warning: message`; `loss` when a question was skipped or approximated (the
    import exits 1), else advice on the converted set (what `validate --strict` will say)."""

    path: str
    line: int
    message: str
    loss: bool = True

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: warning: {self.message}"

    def localized(self, translations: Translator, language: str) -> str:
        return (
            f"{self.path}:{self.line}: warning: {translate(self.message, translations, language)}"
        )


class ConversionError(Exception):
    """Unreadable input: nothing is written. `FILE:LINE: error: message`."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: error: {message}")
        self.path, self.line, self.message = path, line, message

    def localized(self, translations: Translator, language: str) -> str:
        return f"{self.path}:{self.line}: error: {translate(self.message, translations, language)}"


@dataclass
class Read:
    """One question as a reader found it at `line`: in Moodle's model, or skipped (`skip` says
    why), with what reading it lost (HTML removed, ...)."""

    line: int
    question: Exchange | None = None
    skip: str | None = None
    losses: list[str] = field(default_factory=list)
    marks: dict[str, Any] = field(default_factory=dict)  # our own comments (`// quizapp: {...}`)


@dataclass
class Category:
    """A category seen in the file: the tag its questions get, and its label for `topics`."""

    tag: str
    label: str

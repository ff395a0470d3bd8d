"""What reading a file gives: located diagnostics and the validated set."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .schema import QuestionSetFile


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One message about a file, printed as `path:line:column: severity: message: hint`."""

    path: str
    line: int
    column: int
    severity: str  # "error" or "warning"; never translated, for editors and pre-commit
    message: str
    hint: str | None = None
    separator: str = ": "  # between message and hint; French typography wants "\u00a0: "

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"
        return f"{text}{self.separator}{self.hint}" if self.hint else text

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class FileReport:
    """What reading one file gave: the validated set (None on any error) and its diagnostics."""

    path: Path
    display: str
    content_hash: str = ""
    model: QuestionSetFile | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # The images the set names, checked (`bank.images.ImageInfo` by name): what sync stores.
    images: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def add(self, line: int, column: int, message: str, hint: str | None = None) -> None:
        """Record an error at `line`:`column` (1-based)."""
        self.diagnostics.append(Diagnostic(self.display, line, column, "error", message, hint))

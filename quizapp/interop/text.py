"""Text helpers shared by the readers: slugs, formats."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .html_text import html_to_markdown, looks_like_html
from .messages import HTML_DROPPED


def slug(text: str, fallback: str = "question", limit: int = 60) -> str:
    """`Grant's tomb (1897)` -> `grant-s-tomb-1897`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    result = ""
    for word in words:
        if len(result) + len(word) + 1 > limit:
            break
        result = f"{result}-{word}" if result else word
    return result or fallback


def to_markdown(text: str, fmt: str, losses: list[str]) -> str:
    """A text in a Moodle format (html, moodle, plain, markdown) as Markdown; HTML elements it
    removes are added to `losses`."""
    fmt = fmt.lower()
    if fmt in ("html", "moodle", "moodle_auto_format") and (fmt == "html" or looks_like_html(text)):
        converted, dropped = html_to_markdown(text)
        if dropped:
            message = HTML_DROPPED % {"tags": ", ".join(f"<{tag}>" for tag in dropped)}
            if message not in losses:
                losses.append(message)
        return converted
    return text.strip()


def general_feedback(question: Any) -> str | None:
    """The explanation, then the source quote and the dated note: Moodle has one general
    feedback for all three."""
    parts = []
    if question.explanation:
        parts.append(question.explanation)
    if question.quote is not None:
        parts.append(f"> {question.quote.text}")
        if question.quote.translation:
            parts.append(f"> {question.quote.translation}")
    if question.context is not None:
        parts.append(f"({question.context.as_of}) {question.context.text}")
    return "\n\n".join(parts) or None

"""Test data shared by the test modules (fixtures live in conftest.py)."""

from __future__ import annotations

from typing import Any

PASSWORD = "correct horse battery"


def set_document(questions: list[dict[str, Any]] | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid question-set document; tests change what they are about."""
    document: dict[str, Any] = {
        "id": "sample",
        "title": "Sample set",
        "language": "en",
        "settings": {"feedback": "after_submit", "shuffle_choices": False},
        "tags": ["history"],
        "questions": questions
        or [
            {
                "id": "founding-year",
                "type": "single",
                "prompt": "When was OpenAI founded?",
                "choices": ["2014", "2015", "2019"],
                "answer": "2015",
                "explanation": "In 2015, as a non-profit.",
                "tags": ["openai"],
            },
            {
                "id": "investor",
                "type": "single",
                "prompt": "Who invested more than 10 billion dollars?",
                "choices": ["Microsoft", "Sequoia", "Google"],
                "answer": "Microsoft",
                "explanation": "Microsoft, from 2019.",
                "tags": ["microsoft"],
            },
        ],
    }
    document.update(overrides)
    return document

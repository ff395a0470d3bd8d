"""Test data shared by the test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import text

PASSWORD = "correct horse battery"
CSRF_TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_token(client: Any, path: str) -> str:
    """The CSRF token of the page at `path`, read from its form as a browser has it."""
    page = client.get(path)
    assert page.status_code == 200, path
    found = CSRF_TOKEN.search(page.get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return found[1]


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


def answer_attempt(
    db: Any,
    user: Any,
    question_set: Any,
    answers: list[Any],
    at: datetime,
    *,
    submit_at: datetime | None = None,
    **start: Any,
) -> Any:
    """Start an attempt at `at`, save `answers` (None: left blank) and, given `submit_at`,
    submit it then; committed. `start` goes to start_attempt (assignment=, practice=)."""
    from quizapp.quiz import attempts as services

    attempt = services.start_attempt(user, question_set, now=at, **start)
    for response, answer in zip(attempt.responses, answers, strict=False):
        if answer is not None:
            services.save_answer(attempt, response, answer, now=at)
    if submit_at is not None:
        services.submit(attempt, now=submit_at)
    db.session.commit()
    return attempt


def assign(
    db: Any, classroom: Any, question_set: Any, opens: datetime, due: datetime, **extra: Any
) -> Any:
    """A committed assignment of `question_set` to `classroom`."""
    from quizapp.classes.assignments import create_assignment

    assignment = create_assignment(classroom, question_set, opens, due, **extra)
    db.session.commit()
    return assignment


REFUSE_SET = {
    "sqlite": [
        """CREATE TRIGGER refuse_set BEFORE INSERT ON question_set WHEN NEW.slug = :slug
           BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"""
    ],
    "postgresql": [
        """CREATE FUNCTION refuse_set() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER refuse_set BEFORE INSERT ON question_set FOR EACH ROW
           WHEN (NEW.slug = :slug) EXECUTE FUNCTION refuse_set()""",
    ],
}
DROP_REFUSE_SET = {
    "sqlite": ["DROP TRIGGER refuse_set"],
    "postgresql": ["DROP TRIGGER refuse_set ON question_set", "DROP FUNCTION refuse_set()"],
}


@contextmanager
def database_refuses_set(db: Any, slug: str) -> Iterator[None]:
    """The database itself refuses to store a set with this id (a trigger), on either kind."""
    dialect = db.engine.dialect.name
    for statement in REFUSE_SET[dialect]:
        db.session.execute(text(statement.replace(":slug", "'" + slug.replace("'", "''") + "'")))
    db.session.commit()
    try:
        yield
    finally:
        db.session.rollback()
        for statement in DROP_REFUSE_SET[dialect]:
            db.session.execute(text(statement))
        db.session.commit()


def wait_until(page: Any, function: str, arg: Any = None, timeout: float = 10.0) -> None:
    """Poll a JavaScript function in the page until it returns a truthy value.

    Playwright's own wait_for_function polls by compiling the predicate inside the page, which
    our CSP (no 'unsafe-eval') refuses whenever the first check is false; page.evaluate goes
    through the DevTools protocol instead, which the page's CSP does not govern.
    """
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(function, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {function}")
        page.wait_for_timeout(50)

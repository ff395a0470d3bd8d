"""Question files into the database: versioned, idempotent, never half-loaded.

A question is identified by (set id, question id). An edited question gets a new version row and
the old one stays for the responses that answered it; a question gone from its file is retired
(never deleted); a set whose file is gone is retired. A file with errors changes nothing but the
set's `load_error`, so the last good version stays live. The caller commits.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from ..enums import SetStatus
from ..extensions import db
from ..models import Question, QuestionAttempt, QuestionSet, utcnow
from .diagnostics import Diagnostic, FileReport
from .images import store_images
from .messages import N_
from .reader import read_file

log = logging.getLogger(__name__)
SUFFIXES = {".yaml", ".yml"}


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    retired_sets: list[str] = field(default_factory=list)
    failed: dict[str, list[str]] = field(default_factory=dict)
    never_loaded: set[str] = field(default_factory=set)  # failed files with no good version
    new_versions: int = 0
    retired_questions: int = 0

    def add(self, other: SyncReport) -> None:
        """Count what `other` (one file's sync) did in this report."""
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.new_versions += other.new_versions
        self.retired_questions += other.retired_questions

    def summary(self) -> str:
        def count(number: int, singular: str, plural: str) -> str:
            return f"{number} {singular if number == 1 else plural}"

        parts = [
            f"sets: {len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.failed)} failed",
            count(self.new_versions, "new question version", "new question versions"),
            count(self.retired_questions, "question retired", "questions retired"),
        ]
        if self.retired_sets:
            parts.append(count(len(self.retired_sets), "set retired", "sets retired"))
        return "; ".join(parts)


def question_files(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.rglob("*")
        if p.suffix in SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    )


def bank_signature(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """What changes when a question file is edited, added or removed (cheap: stat only)."""
    signature = []
    for path in question_files(directory):
        stat = path.stat()
        signature.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(signature)


def spec_hash(spec: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def sync_directory(directory: Path, *, log_failures: bool = True) -> SyncReport:
    """Bring the database in line with every question file under `directory`.

    With `log_failures` (the server), the log has one line per set: loaded, or not and why.

    Past answers keep their scores: `replaced_versions` says which questions an edit replaced,
    for `questions sync --regrade` to grade their answers again.
    """
    report = SyncReport()
    seen_paths: set[str] = set()
    claimed: dict[str, str] = {}  # set id -> the file that defines it
    for path in question_files(directory):
        relative = path.relative_to(directory).as_posix()
        seen_paths.add(relative)
        file_report = read_file(path, display=relative, lint=False)
        slug = file_report.model.id if file_report.model else None
        if slug is not None and slug in claimed:
            file_report.model = None
            file_report.diagnostics.append(_conflict(relative, slug, claimed[slug]))
        if file_report.model is None:
            _record_failure(relative, file_report, report, log_failures)
            continue
        claimed[file_report.model.id] = relative
        part = SyncReport()  # counted only once the database took the file
        try:
            with db.session.begin_nested():  # a refused file leaves the others loaded
                sync_file(file_report, relative, part)
        except DBAPIError as error:
            log.exception("question bank: %s refused by the database", relative)
            file_report.model = None
            kind = type(getattr(error, "orig", error)).__name__
            file_report.diagnostics.append(
                Diagnostic(relative, 1, 1, "error", DATABASE_REFUSED % {"error": kind})
            )
            _record_failure(relative, file_report, report, log_failures)
            continue
        report.add(part)
        if log_failures:
            count = len(file_report.model.questions)
            log.info("loaded %s: %d question%s", relative, count, "" if count == 1 else "s")
    loaded_paths = set(claimed.values())
    for question_set in db.session.scalars(
        # Teachers' sets live in the database, not in the folder: the folder never retires them.
        select(QuestionSet).where(
            QuestionSet.status == SetStatus.active, QuestionSet.owner_id.is_(None)
        )
    ):
        gone = question_set.path not in seen_paths
        # A file that now loads under another id no longer defines this set.
        renamed = question_set.path in loaded_paths and claimed.get(question_set.slug) is None
        if gone or renamed:
            question_set.status = SetStatus.retired.value
            report.retired_sets.append(question_set.slug)
    return report


SET_ID_TAKEN = N_("the set id `%(id)s` is already used by %(file)s")
SET_ID_HINT = N_("give each set its own `id`")
DATABASE_REFUSED = N_("the database refused this set (%(error)s): nothing of it was loaded")


def _conflict(relative: str, slug: str, other: str) -> Diagnostic:
    message = SET_ID_TAKEN % {"id": slug, "file": other}
    return Diagnostic(relative, 1, 1, "error", message, SET_ID_HINT)


def _record_failure(
    relative: str, file_report: FileReport, report: SyncReport, log_failures: bool
) -> None:
    messages = [str(d) for d in file_report.errors]
    report.failed[relative] = messages
    existing = db.session.scalar(
        select(QuestionSet).where(QuestionSet.path == relative, QuestionSet.owner_id.is_(None))
    )
    if existing is not None:
        existing.load_error = "\n".join(messages)
    else:
        report.never_loaded.add(relative)
    if log_failures:
        # One line: the details are on the teachers' bank page and in `questions validate`.
        log.warning(
            "question bank: %s not loaded (%s, the first: %s)%s",
            relative,
            f"{len(messages)} error" + ("" if len(messages) == 1 else "s"),
            messages[0] if messages else "?",
            "; its last good version stays live" if existing is not None else "",
        )


def sync_file(
    file_report: FileReport,
    relative: str,
    report: SyncReport,
    *,
    question_set: QuestionSet | None = None,
    slug: str | None = None,
) -> QuestionSet:
    """Load one valid file into its set (found by its id, or given: a teacher's set, whose
    `slug` is not the file's id), versioning its questions."""
    model = file_report.model
    assert model is not None
    slug = slug or model.id
    if question_set is None:
        question_set = db.session.scalar(select(QuestionSet).where(QuestionSet.slug == slug))
    if (
        question_set is not None
        and question_set.content_hash == file_report.content_hash
        and question_set.status == SetStatus.active
        and question_set.path == relative
    ):
        question_set.load_error = None
        report.unchanged.append(model.id)
        return question_set
    if question_set is None:
        question_set = QuestionSet(slug=slug)
        db.session.add(question_set)
        report.created.append(model.id)
    else:
        report.updated.append(model.id)
    question_set.slug = slug
    question_set.title = model.title
    question_set.language = model.language
    question_set.description = model.description
    question_set.source = model.source.model_dump(mode="json") if model.source else None
    question_set.settings = model.settings.model_dump(mode="json")
    question_set.tags = list(model.tags)
    question_set.topics = dict(model.topics)
    question_set.path = relative
    question_set.content_hash = file_report.content_hash
    question_set.status = SetStatus.active.value
    question_set.load_error = None
    question_set.loaded_at = utcnow()
    db.session.flush()
    _sync_questions(question_set, model.questions, report)
    store_images(question_set, file_report.images)
    return question_set


def _sync_questions(
    question_set: QuestionSet, questions: Iterable[Any], report: SyncReport
) -> None:
    rows = db.session.scalars(select(Question).where(Question.set_id == question_set.id)).all()
    current = {row.key: row for row in rows if row.is_current}
    latest_version: dict[str, int] = {}
    for row in rows:
        latest_version[row.key] = max(latest_version.get(row.key, 0), row.version)
    keys_in_file: set[str] = set()
    for position, question in enumerate(questions):
        keys_in_file.add(question.id)
        spec = question.model_dump(mode="json")
        digest = spec_hash(spec)
        existing = current.get(question.id)
        if existing is not None and existing.content_hash == digest:
            existing.position = position
            continue
        if existing is not None:
            existing.is_current = False
        new_row = Question(
            question_set=question_set,
            key=question.id,
            version=latest_version.get(question.id, 0) + 1,
            is_current=True,
            position=position,
            type=question.type,
            prompt=question.prompt,
            points=question.points,
            tags=list(question.tags),
            spec=spec,
            content_hash=digest,
        )
        db.session.add(new_row)
        report.new_versions += 1
    for key, row in current.items():
        if key not in keys_in_file:
            row.is_current = False
            row.retired_at = utcnow()
            report.retired_questions += 1


def replaced_versions() -> list[tuple[Question, Question]]:
    """Each answered earlier version of a live question, with its current version.

    What an edit changed, for `quiz.attempts.regrade` to grade again: the bank only loads
    questions, it never grades.
    """
    db.session.flush()
    current = {
        (q.set_id, q.key): q
        for q in db.session.scalars(select(Question).where(Question.is_current.is_(True)))
    }
    answered_old = db.session.scalars(
        select(Question)
        .where(
            Question.is_current.is_(False),
            Question.id.in_(
                select(QuestionAttempt.question_id).where(QuestionAttempt.answer.is_not(None))
            ),
        )
        .order_by(Question.id)
    ).all()
    return [
        (old, current[(old.set_id, old.key)])
        for old in answered_old
        if (old.set_id, old.key) in current
    ]

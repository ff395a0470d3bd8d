"""The catalogue: the sets a student sees with their standing, and which assignment of a set
still takes the student's answers (Start goes there rather than to self-study) or lets the
student practise it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import visibility
from ..enums import FeedbackMode, SetStatus
from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    AttemptState,
    Classroom,
    LatePolicy,
    Membership,
    Question,
    QuestionSet,
    User,
    utcnow,
)


@dataclass(frozen=True)
class CatalogueEntry:
    question_set: QuestionSet
    questions: int
    attempts_used: int
    best: float | None  # best score as a fraction, None before any graded attempt
    in_progress: int | None  # id of the attempt in progress
    # The assignment that Start takes the student to instead of self-study, if any.
    assignment: Assignment | None = None

    @property
    def max_attempts(self) -> int | None:
        return self.question_set.settings.get("max_attempts")

    @property
    def attempts_left(self) -> int | None:
        if self.max_attempts is None:
            return None
        return max(0, self.max_attempts - self.attempts_used)

    @property
    def time_limit(self) -> int | None:
        return self.question_set.settings.get("time_limit")


def catalogue(
    user: User, language: str | None = None, tag: str | None = None
) -> list[CatalogueEntry]:
    """Active sets with their size and the user's standing: three queries, whatever the size."""
    query = (
        select(QuestionSet)
        # The library only: a teacher's own sets reach students through assignments.
        .where(QuestionSet.status == SetStatus.active, QuestionSet.owner_id.is_(None))
        .order_by(QuestionSet.title)
    )
    if language:
        query = query.where(QuestionSet.language == language)
    sets = [s for s in db.session.scalars(query) if not tag or tag in (s.tags or [])]
    if not sets:
        return []
    ids = [s.id for s in sets]
    counts = dict(
        db.session.execute(
            select(Question.set_id, func.count())
            .where(Question.set_id.in_(ids), Question.is_current.is_(True))
            .group_by(Question.set_id)
        ).all()
    )
    standing: dict[int, tuple[int, float | None, int | None]] = {}
    rows = db.session.execute(
        select(Attempt.set_id, Attempt.state, Attempt.id, Attempt.score, Attempt.max_score).where(
            Attempt.user_id == user.id,
            Attempt.set_id.in_(ids),
            Attempt.assignment_id.is_(None),  # self-study only: assignments have their page
            Attempt.trial.is_(False),
        )
    ).all()
    # Sets one of the student's classes has assigned (usually none or a few): only those need
    # the finer look of open_assignment_for.
    assigned = set(
        db.session.scalars(
            select(Assignment.set_id)
            .join(Membership, Membership.classroom_id == Assignment.classroom_id)
            .where(Membership.user_id == user.id, Assignment.set_id.in_(ids))
        )
    )
    for set_id, state, attempt_id, score, max_score in rows:
        used, best, current = standing.get(set_id, (0, None, None))
        if state == AttemptState.in_progress:
            current = attempt_id
        else:
            used += 1
        if score is not None and max_score:
            best = max(best or 0.0, score / max_score)
        standing[set_id] = (used, best, current)
    now = utcnow()
    return [
        CatalogueEntry(
            s,
            counts.get(s.id, 0),
            *standing.get(s.id, (0, None, None)),
            assignment=open_assignment_for(user, s, now) if s.id in assigned else None,
        )
        for s in sets
    ]


@dataclass(frozen=True)
class StartFacts:
    """What a start page tells before the clock starts (one set, self-study or an assignment)."""

    question_set: QuestionSet
    assignment: Assignment | None
    questions: int
    attempts_used: int  # every attempt started, the one in progress included
    in_progress: Attempt | None
    settings: dict[str, Any]

    @property
    def title(self) -> str:
        return self.assignment.title if self.assignment else self.question_set.title

    @property
    def time_limit(self) -> int | None:
        return self.settings.get("time_limit")

    @property
    def max_attempts(self) -> int | None:
        return self.settings.get("max_attempts")

    @property
    def attempts_left(self) -> int | None:
        if self.max_attempts is None:
            return None
        return max(0, self.max_attempts - self.attempts_used)

    @property
    def feedback(self) -> FeedbackMode:
        return FeedbackMode(self.settings.get("feedback", FeedbackMode.immediate))

    @property
    def may_start(self) -> bool:
        return self.in_progress is not None or self.attempts_left != 0


def start_facts(
    user: User, question_set: QuestionSet, assignment: Assignment | None = None
) -> StartFacts:
    """The start page's facts: the set's size and the student's attempts (two queries)."""
    questions = db.session.scalar(
        select(func.count()).where(
            Question.set_id == question_set.id, Question.is_current.is_(True)
        )
    )
    rows = db.session.scalars(
        select(Attempt).where(
            Attempt.user_id == user.id,
            Attempt.set_id == question_set.id,
            Attempt.assignment_id == assignment.id
            if assignment
            else Attempt.assignment_id.is_(None),
        )
    ).all()
    current = next((a for a in rows if a.state == AttemptState.in_progress), None)
    settings = assignment.settings() if assignment else (question_set.settings or {})
    return StartFacts(question_set, assignment, questions or 0, len(rows), current, settings)


def open_assignment_for(user: User, question_set: QuestionSet, now: datetime) -> Assignment | None:
    """An assignment of this set in one of the student's classes that still takes answers."""
    candidates = db.session.scalars(
        select(Assignment)
        .join(Membership, Membership.classroom_id == Assignment.classroom_id)
        .join(Classroom, Classroom.id == Assignment.classroom_id)
        .where(
            Membership.user_id == user.id,
            Assignment.set_id == question_set.id,
            Classroom.archived_at.is_(None),
        )
        .order_by(Assignment.due_at)
    ).all()
    for assignment in candidates:
        if now <= assignment.due_at:
            return assignment  # upcoming (start_attempt will say so) or open
        if assignment.late_policy != LatePolicy.refuse and not has_finished(user, assignment):
            return assignment  # late work is still accepted and none was handed in
    return None


def has_finished(user: User, assignment: Assignment) -> bool:
    return (
        db.session.scalar(
            select(Attempt.id)
            .where(
                Attempt.user_id == user.id,
                Attempt.assignment_id == assignment.id,
                Attempt.state.in_([AttemptState.graded.value, AttemptState.expired.value]),
            )
            .limit(1)
        )
        is not None
    )


def practice_refusal(user: User, assignment: Assignment, now: datetime) -> LazyString | None:
    """Why this student may not practise the assignment's set yet; None: practice is open.

    Practice shows the key, so it opens once the assignment is closed (past due, and no late
    answer can still count: refused, or already handed in) and no other assignment of the
    set hides its key.
    """
    done = has_finished(user, assignment)
    closed = now > assignment.due_at and (assignment.late_policy == LatePolicy.refuse or done)
    if not closed:
        return _l("Practice opens once the assignment is closed.")
    if visibility.key_hidden(user.id, assignment.set_id, now):
        # Another assignment of the same set (this class's or another's) still hides its key.
        return _l("Practice opens once every assignment of this quiz is closed.")
    return None


def topic_labels(locale: str) -> dict[str, str]:
    """Tag id -> label from the active sets' `topics`; a set in the reader's language wins.

    Tags are shared across sets (mastery adds them up), their labels are per set: one query.
    """
    language = locale.split("_")[0].split("-")[0].lower()
    rows = db.session.execute(
        select(QuestionSet.language, QuestionSet.topics).where(
            QuestionSet.status == SetStatus.active
        )
    ).all()
    labels: dict[str, str] = {}
    # Sets in other languages first, so that the reader's own language overwrites them.
    for _language, topics in sorted(rows, key=lambda row: row[0].split("-")[0].lower() == language):
        labels.update(topics or {})
    return labels

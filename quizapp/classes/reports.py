"""What a teacher sees of a class's work: per student and per question of an assignment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    AttemptState,
    Classroom,
    Membership,
    Question,
    QuestionAttempt,
    utcnow,
)
from .assignments import assignment_status


@dataclass(frozen=True)
class ResultRow:
    membership: Membership
    status: str
    best: float | None
    attempts: int
    late: bool
    best_attempt: int | None = None  # the attempt the best score comes from


def assignment_results(assignment: Assignment, now: datetime | None = None) -> list[ResultRow]:
    """Each student of the class and where they stand on one assignment (two queries)."""
    now = now or utcnow()
    members = db.session.scalars(
        select(Membership)
        .where(Membership.classroom_id == assignment.classroom_id)
        .order_by(Membership.display_key)
    ).all()
    rows = db.session.execute(
        select(
            Attempt.user_id,
            Attempt.state,
            Attempt.score,
            Attempt.max_score,
            Attempt.late,
            Attempt.id,
        ).where(Attempt.assignment_id == assignment.id)
    ).all()
    by_user: dict[int, list[Any]] = {}
    for user_id, state, score, max_score, late, attempt_id in rows:
        entry = by_user.setdefault(user_id, [None, 0, False, None])
        if state in (AttemptState.graded, AttemptState.expired):
            entry[1] += 1
            entry[2] = entry[2] or late
            if max_score and (entry[0] is None or (score or 0) / max_score > entry[0]):
                entry[0], entry[3] = (score or 0) / max_score, attempt_id
    results = []
    for member in members:
        best, count, late, best_attempt = by_user.get(member.user_id, [None, 0, False, None])
        status = assignment_status(assignment, count > 0, now)
        results.append(ResultRow(member, status, best, count, late, best_attempt))
    return results


def done_counts(classroom: Classroom) -> dict[int, int]:
    """Per assignment of the class, how many students have a graded attempt (one query)."""
    return dict(
        db.session.execute(  # type: ignore[arg-type]  # the join leaves no null id
            select(Attempt.assignment_id, func.count(func.distinct(Attempt.user_id)))
            .join(Assignment, Assignment.id == Attempt.assignment_id)
            .where(
                Assignment.classroom_id == classroom.id,
                Attempt.state.in_([AttemptState.graded.value, AttemptState.expired.value]),
            )
            .group_by(Attempt.assignment_id)
        ).all()
    )


@dataclass(frozen=True)
class QuestionStat:
    """How a class did on one question of an assignment (every version of it)."""

    key: str
    prompt: str
    position: int
    answered: int  # students who answered it
    mean: float  # mean score of their best answer, as a fraction
    right: int  # students whose best answer was fully right


def question_stats(assignment: Assignment) -> list[QuestionStat]:
    """Per question, each student's best answer over their finished attempts: which questions
    the class found hard. One query, bounded by the class's attempts at this assignment."""
    rows = db.session.execute(
        select(
            Attempt.user_id, Question.key, Question.prompt, Question.position, QuestionAttempt.score
        )
        .join(QuestionAttempt, QuestionAttempt.attempt_id == Attempt.id)
        .join(Question, Question.id == QuestionAttempt.question_id)
        .where(
            Attempt.assignment_id == assignment.id,
            Attempt.state.in_([AttemptState.graded.value, AttemptState.expired.value]),
            QuestionAttempt.answered_at.is_not(None),
        )
    ).all()
    best: dict[tuple[str, int], float] = {}
    about: dict[str, tuple[str, int]] = {}
    for user_id, key, prompt, position, score in rows:
        best[(key, user_id)] = max(best.get((key, user_id), 0.0), score or 0.0)
        about[key] = (prompt, position)
    stats = []
    for key, (prompt, position) in about.items():
        scores = [score for (k, _user), score in best.items() if k == key]
        stats.append(
            QuestionStat(
                key,
                prompt,
                position,
                len(scores),
                sum(scores) / len(scores),
                sum(1 for s in scores if s >= 1 - 1e-9),
            )
        )
    return sorted(stats, key=lambda s: (s.mean, s.position))

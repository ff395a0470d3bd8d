"""Progress: results per question, mastery per tag, history, and FSRS review of misses.

`record_attempt` runs when an attempt is graded (on `quiz.attempts.attempt_graded`) and keeps
one `QuestionProgress` row per student and question (by set and question id, so it follows the
question across edits). The dashboard reads those rows and a bounded slice of attempts: its
cost does not grow with the student's history.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from fsrs import Card, Rating, Scheduler
from sqlalchemy import Select, Table, bindparam, func, insert, select, true, update
from sqlalchemy.orm import joinedload

from ..enums import SetStatus
from ..extensions import db
from ..models import (
    Attempt,
    AttemptState,
    Question,
    QuestionAttempt,
    QuestionProgress,
    QuestionSet,
    utcnow,
)
from ..qtypes import grade
from ..quiz.attempts import attempt_graded, layout_for
from ..visibility import answers_visible_from, hidden_set_ids

SCHEDULER = Scheduler(enable_fuzzing=False)  # deterministic intervals: testable, explainable
HISTORY_PAGE = 20
CHART_POINTS = 30


def new_card(now: datetime) -> dict[str, Any]:
    return dict(Card(due=now).to_dict())


def record_attempt(attempt: Attempt) -> None:
    """Fold a graded attempt's answers into the student's per-question progress: one read and
    at most two writes (the new rows, the changed ones), whatever the attempt's size."""
    answered = [r for r in attempt.responses if r.answered_at is not None]
    # A review shows the key: a missed question comes up for review only once this attempt's
    # own feedback rule lets its key be seen. Under `never` nothing of the attempt is folded
    # in: per-question scores (mastery, the data export) would tell what the pages never show.
    key_visible_from = answers_visible_from(attempt)
    if not answered or key_visible_from is None:
        return
    keys = {r.question.key for r in answered}
    existing = {
        p.question_key: p
        for p in db.session.scalars(
            select(QuestionProgress).where(
                QuestionProgress.user_id == attempt.user_id,
                QuestionProgress.set_id == attempt.set_id,
                QuestionProgress.question_key.in_(keys),
            )
        )
    }
    new_rows: list[dict[str, Any]] = []
    changed_rows: list[dict[str, Any]] = []
    for response in answered:
        question = response.question
        current = existing.get(question.key)
        values = _progress_values(
            current,
            question,
            response.score or 0.0,
            cast(datetime, response.answered_at),  # `answered` keeps answered questions only
            review=key_visible_from is not None,
            review_from=key_visible_from,
        )
        if current is None:
            new_rows.append(
                {
                    "user_id": attempt.user_id,
                    "set_id": question.set_id,
                    "question_key": question.key,
                    "reviews": 0,
                    "lapses": 0,
                    **values,
                }
            )
        else:
            changed_rows.append({"progress_id": current.id, **values})
    # Core executemany statements rather than one ORM object per row: each list is one
    # statement whatever its length (the ORM would insert row by row on SQLite, and split
    # rows into batches by which of their values are None).
    table = cast(Table, QuestionProgress.__table__)
    if new_rows:
        db.session.execute(insert(table), new_rows)
    if changed_rows:
        db.session.execute(
            update(table).where(table.c.id == bindparam("progress_id")), changed_rows
        )
        for progress in existing.values():
            db.session.expire(progress)


@attempt_graded.connect
def _on_graded(attempt: Attempt) -> None:
    if attempt.trial:
        return  # a teacher's "try it" is throwaway: no progress, no review cards
    record_attempt(attempt)  # looked up at each call, so that a test may wrap it


def _progress_values(
    current: QuestionProgress | None,
    question: Question,
    score: float,
    at: datetime,
    *,
    review: bool,
    review_from: datetime | None,
) -> dict[str, Any]:
    """A progress row's standing after an answer given `at` (an older one than the row's
    latest only opens a review card); the same columns every time."""
    latest = current is None or at >= current.last_answered_at
    card = current.card if current is not None else None
    due = current.due if current is not None else None
    if review and score < 1 and card is None:
        due = max(at, review_from) if review_from else at
        card = new_card(due)
    return {
        "last_score": score if latest or current is None else current.last_score,
        "last_answered_at": at if latest or current is None else current.last_answered_at,
        "tags": list(question.tags or []) if latest or current is None else current.tags,
        "card": card,
        "due": due,
    }


def record(
    user_id: int,
    question: Question,
    score: float,
    at: datetime,
    *,
    review: bool = True,
    review_from: datetime | None = None,
) -> QuestionProgress:
    """The latest result on a question. A miss puts the question in review (a new card), due
    once its key may be seen (`review_from`, else at once); `review=False`: no card."""
    progress = db.session.scalar(
        select(QuestionProgress).where(
            QuestionProgress.user_id == user_id,
            QuestionProgress.set_id == question.set_id,
            QuestionProgress.question_key == question.key,
        )
    )
    values = _progress_values(progress, question, score, at, review=review, review_from=review_from)
    if progress is None:
        progress = QuestionProgress(
            user_id=user_id, set_id=question.set_id, question_key=question.key, reviews=0, lapses=0
        )
        db.session.add(progress)
    for name, value in values.items():
        setattr(progress, name, value)
    return progress


# --- review -----------------------------------------------------------------------------------


def _not_hidden(user_id: int, now: datetime) -> Any:
    """Cards whose set no pending assignment hides: a review shows the key."""
    hidden = hidden_set_ids(user_id, now)
    return QuestionProgress.set_id.not_in(hidden) if hidden else true()


def due_count(user_id: int, now: datetime | None = None, hidden: set[int] | None = None) -> int:
    """Cards due now whose set no pending assignment hides (`hidden`: those sets when the
    caller has them already, the dashboard; else they are looked up)."""
    now = now or utcnow()
    if hidden is None:
        hidden = hidden_set_ids(user_id, now)
    params: dict[str, Any] = {"user_id": user_id, "now": now}
    if hidden:
        params["hidden"] = list(hidden)
    count: int = db.session.scalar(_due_count_statement(bool(hidden)), params)
    return count


@cache
def _due_count_statement(hiding: bool) -> Select[Any]:
    """Built once per kind (the dashboard asks on every visit)."""
    statement = select(func.count()).where(
        QuestionProgress.user_id == bindparam("user_id"), QuestionProgress.due <= bindparam("now")
    )
    if hiding:
        statement = statement.where(
            QuestionProgress.set_id.not_in(bindparam("hidden", expanding=True))
        )
    return statement


def next_due(user_id: int, now: datetime | None = None) -> tuple[QuestionProgress, Question] | None:
    """The most overdue card whose question is still live, with that question's current version."""
    now = now or utcnow()
    row = db.session.execute(
        select(QuestionProgress, Question)
        .join(
            Question,
            (Question.set_id == QuestionProgress.set_id)
            & (Question.key == QuestionProgress.question_key)
            & Question.is_current.is_(True),
        )
        .join(QuestionSet, QuestionSet.id == Question.set_id)
        .where(
            QuestionProgress.user_id == user_id,
            QuestionProgress.due <= now,
            QuestionSet.status == SetStatus.active,
            _not_hidden(user_id, now),
        )
        .order_by(QuestionProgress.due, QuestionProgress.id)
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def review_layout(progress: QuestionProgress, question: Question) -> dict[str, Any]:
    """A shuffle fixed for this review of this card (the page and its POST agree)."""
    seed = hash((progress.id, progress.reviews, question.version)) & 0x7FFFFFFF
    return layout_for(question, random.Random(seed), True)


def rating_for(score: float) -> Rating:
    if score >= 1 - 1e-9:
        return Rating.Good
    return Rating.Hard if score > 0 else Rating.Again


def review(progress: QuestionProgress, question: Question, answer: Any, now: datetime) -> float:
    """Grade a review answer, reschedule the card with FSRS; return the score."""
    score = grade(question.spec, answer).score
    card = Card.from_dict(cast(Any, progress.card)) if progress.card else Card(due=now)
    rating = rating_for(score)
    card, _log = SCHEDULER.review_card(card, rating, review_datetime=now)
    progress.card = dict(card.to_dict())
    progress.due = card.due
    progress.reviews += 1
    if rating == Rating.Again:
        progress.lapses += 1
    progress.last_score = score
    progress.last_answered_at = now
    progress.tags = list(question.tags or [])
    db.session.flush()
    return score


# --- dashboard --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mastery:
    tag: str
    score: float  # mean of the latest scores of the questions with this tag
    questions: int


def mastery(user_id: int) -> list[Mastery]:
    """Per tag, the mean latest score of the questions met: one query, one row per question."""
    return _by_tag(db.session.execute(_MASTERY, {"user_id": user_id}))


_MASTERY = select(QuestionProgress.tags, QuestionProgress.last_score).where(
    QuestionProgress.user_id == bindparam("user_id")
)


def _by_tag(rows: Any) -> list[Mastery]:
    totals: dict[str, list[float]] = defaultdict(list)
    for tags, score in rows:
        for tag in tags or ["untagged"]:
            totals[tag].append(score)
    return sorted(
        (Mastery(tag, sum(scores) / len(scores), len(scores)) for tag, scores in totals.items()),
        key=lambda m: (m.score, m.tag),
    )


FINISHED = (AttemptState.graded.value, AttemptState.expired.value)


def mastery_in(user_id: int, assignment_ids: list[int]) -> list[Mastery]:
    """Mastery from one class's assignments only (what its teacher may see): the latest
    answer to each question among those attempts. Bounded by the class's assignments."""
    rows = db.session.execute(
        select(
            Question.set_id,
            Question.key,
            Question.tags,
            QuestionAttempt.score,
            QuestionAttempt.answered_at,
        )
        .join(QuestionAttempt, QuestionAttempt.question_id == Question.id)
        .join(Attempt, Attempt.id == QuestionAttempt.attempt_id)
        .where(
            Attempt.user_id == user_id,
            Attempt.assignment_id.in_(assignment_ids),
            Attempt.state.in_(FINISHED),
            QuestionAttempt.answered_at.is_not(None),
        )
    ).all()
    latest: dict[tuple[int, str], tuple[datetime, list[str], float]] = {}
    for set_id, key, tags, score, answered_at in rows:
        if answered_at is None:
            continue  # not so: the query keeps answered questions only
        if (set_id, key) not in latest or answered_at > latest[(set_id, key)][0]:
            latest[(set_id, key)] = (answered_at, list(tags or []), score or 0.0)
    return _by_tag((tags, score) for _at, tags, score in latest.values())


def history(
    user_id: int, before: int | None = None, assignment_ids: list[int] | None = None
) -> tuple[list[Attempt], int | None]:
    """A page of finished attempts, newest first, and the cursor of the next (older) page.

    Keyset pagination (`before` = an attempt id) on (user_id, submitted_at): no count, no offset,
    so the thousandth page costs what the first does.
    """
    params: dict[str, Any] = {"user_id": user_id}
    if assignment_ids is not None:
        params["assignment_ids"] = assignment_ids
    if before is not None:
        anchor = db.session.get(Attempt, before)
        if anchor is not None and anchor.user_id == user_id and anchor.submitted_at:
            params["anchor_at"], params["anchor_id"] = anchor.submitted_at, anchor.id
    statement = _history_statement(assignment_ids is not None, "anchor_id" in params)
    rows = list(db.session.scalars(statement, params))
    next_cursor = rows[HISTORY_PAGE - 1].id if len(rows) > HISTORY_PAGE else None
    return rows[:HISTORY_PAGE], next_cursor


@cache
def _history_statement(scoped: bool, paged: bool) -> Select[Attempt]:
    """Built once per kind: one class's assignments only, and after a page's last attempt."""
    statement = (
        select(Attempt)
        .options(joinedload(Attempt.question_set))
        .where(
            Attempt.user_id == bindparam("user_id"),
            Attempt.state.in_(FINISHED),
            Attempt.trial.is_(False),  # "try it" runs are in no history
        )
        .order_by(Attempt.submitted_at.desc(), Attempt.id.desc())
        .limit(HISTORY_PAGE + 1)
    )
    if scoped:
        statement = statement.where(
            Attempt.assignment_id.in_(bindparam("assignment_ids", expanding=True))
        )
    if paged:
        at: Any = bindparam("anchor_at")
        anchor_id: Any = bindparam("anchor_id")
        statement = statement.where(
            (Attempt.submitted_at < at) | ((Attempt.submitted_at == at) & (Attempt.id < anchor_id))
        )
    return statement


def score_series(
    user_id: int, assignment_ids: list[int] | None = None
) -> list[tuple[datetime, float, str]]:
    """The latest finished attempts, oldest first: (when, score fraction, set title)."""
    params: dict[str, Any] = {"user_id": user_id}
    if assignment_ids is not None:
        params["assignment_ids"] = assignment_ids
    rows = db.session.execute(_series_statement(assignment_ids is not None), params).all()
    return [
        (when, (score or 0) / max_score if max_score else 0.0, title)
        for when, score, max_score, title in reversed(rows)
        if when is not None
    ]


@cache
def _series_statement(scoped: bool) -> Select[datetime | None, float | None, float, str]:
    """Built once per kind (every dashboard draws the chart)."""
    statement = (
        select(Attempt.submitted_at, Attempt.score, Attempt.max_score, QuestionSet.title)
        .join(QuestionSet, QuestionSet.id == Attempt.set_id)
        .where(
            Attempt.user_id == bindparam("user_id"),
            Attempt.state.in_(FINISHED),
            Attempt.trial.is_(False),  # "try it" runs are in no chart
        )
        .order_by(Attempt.submitted_at.desc())
        .limit(CHART_POINTS)
    )
    if scoped:
        statement = statement.where(
            Attempt.assignment_id.in_(bindparam("assignment_ids", expanding=True))
        )
    return statement

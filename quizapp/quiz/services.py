"""Attempts: start, save, submit and grade. Views own HTTP; these functions own the writes.

An attempt is a small state machine kept in the database:

    in_progress --submit--> submitted --grade--> graded
         \\--deadline + grace passed--> expired (graded on what was saved in time)

Starting an attempt freezes its questions, their order and the order of their choices; the
shuffles are drawn from a per-attempt seed and stored, so a reload or another device shows the
same quiz. Each function flushes; the view commits once per request.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from .. import qtypes
from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    AttemptState,
    LatePolicy,
    Question,
    QuestionSet,
    Response,
    ScoreOverride,
    User,
    utcnow,
)
from ..qtypes import grade


class QuizError(Exception):
    """A request that the rules refuse; the message is shown to the student."""


class NoAttemptsLeft(QuizError):
    pass


class AttemptClosed(QuizError):
    pass


class TooLate(QuizError):
    pass


class AnswerLocked(QuizError):
    pass


ANSWER_TOO_LATE = _l("This attempt was handed in before this answer arrived: it was not saved.")


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
    query = select(QuestionSet).where(QuestionSet.status == "active").order_by(QuestionSet.title)
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
        )
    ).all()
    from ..models import Membership

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


def settings_of(attempt: Attempt) -> dict[str, Any]:
    """The set's settings, with the assignment's overrides when it was taken for one."""
    if attempt.assignment_id is not None:
        return attempt.assignment.settings()
    return attempt.question_set.settings or {}


def layout_for(question: Question, rng: random.Random, shuffle_choices: bool) -> dict[str, Any]:
    return qtypes.get(question.type).layout(question.spec, rng, shuffle_choices)


def start_attempt(
    user: User,
    question_set: QuestionSet,
    now: datetime | None = None,
    assignment: Assignment | None = None,
    practice: bool = False,
) -> Attempt:
    """Resume the attempt in progress, or start a new one if the rules allow it.

    For an assignment: not before it opens; after its due date only if its late policy
    accepts late work (marked late, with its penalty); attempts are counted per assignment.
    """
    now = now or utcnow()
    _serialize_starts(user)
    current = in_progress_attempt(user, question_set, assignment)
    if current is not None:
        expire_if_due(current, now)
        if current.state == AttemptState.in_progress:
            return current
    settings = assignment.settings() if assignment else (question_set.settings or {})
    late = False
    if assignment is not None:
        if now < assignment.opens_at:
            raise QuizError(_l("This assignment is not open yet."))
        late = now > assignment.due_at
        if late and assignment.late_policy == LatePolicy.refuse:
            raise QuizError(_l("The due date has passed: this assignment is closed."))
    used = db.session.scalar(
        select(func.count()).where(
            Attempt.user_id == user.id,
            Attempt.set_id == question_set.id,
            Attempt.assignment_id == assignment.id
            if assignment
            else Attempt.assignment_id.is_(None),
        )
    )
    last = db.session.scalar(
        select(func.max(Attempt.number)).where(
            Attempt.user_id == user.id, Attempt.set_id == question_set.id
        )
    )
    if settings.get("max_attempts") is not None and used >= settings["max_attempts"]:
        raise NoAttemptsLeft(_l("You have used all your attempts at this quiz."))
    questions = list(
        db.session.scalars(
            select(Question)
            .where(Question.set_id == question_set.id, Question.is_current.is_(True))
            .order_by(Question.position)
        )
    )
    if not questions:
        raise QuizError(_l("This quiz has no questions yet."))
    seed = random.SystemRandom().randrange(2**31)
    rng = random.Random(seed)
    if settings.get("shuffle_questions"):
        rng.shuffle(questions)
    limit = settings.get("time_limit")
    deadline = now + timedelta(seconds=limit) if limit else None
    if assignment is not None and assignment.late_policy == LatePolicy.refuse:
        deadline = min(deadline, assignment.due_at) if deadline else assignment.due_at
    penalty = 0.0
    if late and assignment is not None and assignment.late_policy == LatePolicy.penalty:
        penalty = (assignment.late_penalty or 0) / 100
    attempt = Attempt(
        user_id=user.id,
        set_id=question_set.id,
        assignment_id=assignment.id if assignment else None,
        number=(last or 0) + 1,
        seed=seed,
        started_at=now,
        deadline=deadline,
        max_score=sum(q.points for q in questions),
        late=late,
        penalty=penalty,
        practice=practice,
    )
    attempt.responses = [
        Response(
            question_id=q.id,
            position=i,
            layout=layout_for(q, rng, settings.get("shuffle_choices", True)),
        )
        for i, q in enumerate(questions)
    ]
    db.session.add(attempt)
    db.session.flush()
    return attempt


def _serialize_starts(user: User) -> None:
    """Hold the student's row until the request commits, so that two starts of this student
    (two tabs, an assignment and a practice run of the same set) run one after the other: the
    second sees the first's attempt, and numbers its own after it.

    A write rather than SELECT ... FOR UPDATE because SQLite has no row locks: there the write
    takes the database's write lock, on PostgreSQL the row's lock.
    """
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(id=User.id)
        .execution_options(synchronize_session=False)
    )


def open_assignment_for(user: User, question_set: QuestionSet, now: datetime) -> Assignment | None:
    """An assignment of this set in one of the student's classes that still takes answers."""
    from ..models import Classroom, Membership

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


def in_progress_attempt(
    user: User, question_set: QuestionSet, assignment: Assignment | None = None
) -> Attempt | None:
    return db.session.scalar(
        select(Attempt).where(
            Attempt.user_id == user.id,
            Attempt.set_id == question_set.id,
            Attempt.state == AttemptState.in_progress,
            Attempt.assignment_id == assignment.id
            if assignment
            else Attempt.assignment_id.is_(None),
        )
    )


def grace() -> timedelta:
    return timedelta(seconds=current_app.config["GRACE_SECONDS"])


def is_late(attempt: Attempt, now: datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline + grace()


def expire_if_due(attempt: Attempt, now: datetime | None = None) -> bool:
    """Close an attempt whose time is up; it is graded on the answers saved in time."""
    now = now or utcnow()
    if attempt.state != AttemptState.in_progress or not is_late(attempt, now):
        return False
    _finish(attempt, AttemptState.expired, attempt.deadline)
    return True


def save_answer(
    attempt: Attempt, response: Response, answer: Any, now: datetime | None = None
) -> bool:
    """Store one answer; with immediate feedback it is graded and locked. False: not stored."""
    now = now or utcnow()
    if expire_if_due(attempt, now):
        raise TooLate(_l("Time is up: answers sent after the deadline are not counted."))
    if attempt.state != AttemptState.in_progress:
        raise AttemptClosed(ANSWER_TOO_LATE)
    if is_locked(attempt, response):
        raise AnswerLocked(_l("You have already answered this question."))
    immediate = settings_of(attempt).get("feedback") == "immediate"
    if answer is None and response.answer is None:
        return False
    _hold_in_progress(attempt)
    if immediate:
        # a concurrent save may have answered, and so locked, it meanwhile
        db.session.refresh(response, ["answer", "answered_at"])
        if response.answered_at is not None:
            raise AnswerLocked(_l("You have already answered this question."))
    response.answer = answer
    response.answered_at = now if answer is not None else None
    if immediate and answer is not None:
        _grade_response(response)
    db.session.flush()
    return True


def _hold_in_progress(attempt: Attempt) -> None:
    """Lock the attempt while it is still in progress, else refuse the answer.

    The state read at the start of the request may be stale: a submit may have graded the
    attempt since. This conditional UPDATE is atomic against `_finish`'s, which it waits for
    (and `_finish` for it): PostgreSQL locks the row, SQLite the database, until the request
    commits. An answer is either saved before the grading reads it, or refused.
    """
    held = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.state == AttemptState.in_progress)
        .values(state=AttemptState.in_progress.value)
        .execution_options(synchronize_session=False)
    ).rowcount
    if held != 1:
        raise AttemptClosed(ANSWER_TOO_LATE)


def is_locked(attempt: Attempt, response: Response) -> bool:
    """With immediate feedback, an answered question is shown its key and cannot change."""
    return settings_of(attempt).get("feedback") == "immediate" and response.answered_at is not None


def _grade_response(response: Response) -> None:
    result = grade(response.question.spec, response.answer)
    response.score = result.score
    response.points = result.points(response.question.points)


def submit(attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Submit and grade once: a replayed or concurrent submit finds the attempt closed."""
    now = now or utcnow()
    if expire_if_due(attempt, now) or attempt.state != AttemptState.in_progress:
        return attempt
    _finish(attempt, AttemptState.graded, now)
    return attempt


def _finish(attempt: Attempt, final_state: AttemptState, at: datetime | None) -> None:
    # Claim the attempt with a conditional UPDATE: of two concurrent submits, only one grades.
    claimed = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.state == AttemptState.in_progress)
        .values(state=AttemptState.submitted.value, submitted_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(attempt)
    if claimed != 1:
        return
    # Read after the claim, and afresh: every answer saved before it is graded. With their
    # questions in one more query, so that grading costs the same for 3 questions or 200.
    responses = db.session.scalars(
        select(Response)
        .options(selectinload(Response.question))
        .where(Response.attempt_id == attempt.id)
        .order_by(Response.position)
        .execution_options(populate_existing=True)
    ).all()
    set_committed_value(attempt, "responses", list(responses))
    for response in responses:
        if response.answer is None:
            response.score, response.points = 0.0, 0.0
        elif response.score is None:
            _grade_response(response)
    assignment = attempt.assignment
    if assignment is not None and at is not None and at > assignment.due_at + grace():
        # Started in time but handed in late: late all the same (refused work never gets
        # here: its deadline is the due date).
        attempt.late = True
        if assignment.late_policy == LatePolicy.penalty:
            attempt.penalty = (assignment.late_penalty or 0) / 100
    attempt.score = attempt_score(attempt)
    attempt.state = final_state.value
    from ..progress.services import record_attempt

    record_attempt(attempt)
    db.session.flush()


def attempt_score(attempt: Attempt) -> float:
    """The points of the attempt's responses, less its late penalty; a teacher's override
    (`ScoreOverride`) stands in for the graded score of its answer, through any regrading."""
    # Without autoflush: the grades pending in the session do not touch overrides, and are
    # written once, at the end of the request.
    with db.session.no_autoflush:
        overrides = dict(
            db.session.execute(
                select(ScoreOverride.response_id, ScoreOverride.score)
                .join(Response, Response.id == ScoreOverride.response_id)
                .where(Response.attempt_id == attempt.id)
            ).all()
        )
    total = sum(
        overrides[r.id] * r.question.points if r.id in overrides else (r.points or 0.0)
        for r in attempt.responses
    )
    return round(total * (1 - attempt.penalty), 6)


def passed(attempt: Attempt) -> bool | None:
    mark = settings_of(attempt).get("pass_mark")
    if mark is None or attempt.fraction is None:
        return None
    return attempt.fraction * 100 >= mark - 1e-9


def answers_visible_from(attempt: Attempt) -> datetime | None:
    """From when a finished attempt may show its key (result page, review cards); None: never.

    `after_due` opens at the due date only when late work is refused: while late answers can
    still count, the key stays hidden (and assignments refuse that combination anyway).
    """
    mode = settings_of(attempt).get("feedback", "immediate")
    if mode in {"immediate", "after_submit"}:
        return attempt.submitted_at or attempt.started_at
    assignment = attempt.assignment
    refused_late = assignment is not None and assignment.late_policy == LatePolicy.refuse
    if mode == "after_due" and refused_late:
        return assignment.due_at
    return None


def answers_visible(attempt: Attempt, now: datetime | None = None) -> bool:
    """Whether the result page may show right answers, explanations and quotes."""
    if attempt.state == AttemptState.in_progress:
        return False
    since = answers_visible_from(attempt)
    return since is not None and (now or utcnow()) >= since


def topic_labels(locale: str) -> dict[str, str]:
    """Tag id -> label from the active sets' `topics`; a set in the reader's language wins.

    Tags are shared across sets (mastery adds them up), their labels are per set: one query.
    """
    language = locale.split("_")[0].split("-")[0].lower()
    rows = db.session.execute(
        select(QuestionSet.language, QuestionSet.topics).where(QuestionSet.status == "active")
    ).all()
    labels: dict[str, str] = {}
    # Sets in other languages first, so that the reader's own language overwrites them.
    for _language, topics in sorted(rows, key=lambda row: row[0].split("-")[0].lower() == language):
        labels.update(topics or {})
    return labels

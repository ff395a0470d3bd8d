"""Attempts: start, save, submit, grade and regrade. Views own HTTP; these functions own the writes.

An attempt is a small state machine kept in the database:

    in_progress --submit--> submitted --grade--> graded
         \\--deadline + grace passed--> expired (graded on what was saved in time)

Starting an attempt freezes its questions, their order and the order of their choices; the
shuffles are drawn from a per-attempt seed and stored, so a reload or another device shows the
same quiz. Each function flushes; the view commits once per request.

Grading sends `attempt_graded`; the progress blueprint folds the attempt into the student's
per-question progress on it, in the same transaction. A signal rather than a call, so that
attempts do not depend on the blueprint that depends on them (practice, review forms).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from blinker import Namespace
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CursorResult,
    Executable,
    Select,
    Table,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.orm import aliased, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from .. import qtypes
from ..enums import FeedbackMode
from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    AttemptState,
    LatePolicy,
    Question,
    QuestionAttempt,
    QuestionSet,
    ScoreOverride,
    User,
    utcnow,
)
from ..qtypes import grade, translate_answer
from ..visibility import is_locked, settings_of
from . import navigation

# Sent with the attempt once it is graded (or expired), before the flush: receivers write in
# the same transaction.
signals = Namespace()
attempt_graded = signals.signal("attempt-graded")
# Sent by `regrade` with the ids of the attempts whose answers it is about to change, then
# again once they are rescored (flushed): the item statistics take them out and put them back.
attempts_rescoring = signals.signal("attempts-rescoring")
attempts_rescored = signals.signal("attempts-rescored")


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


@cache
def _question_page_statement(with_map: bool) -> Select[Any]:
    """Built once for each kind: composing a statement of this size costs about as much as
    running it. With the map (a page to show), or with the number of questions only (an
    answer to save, after which the browser is sent on)."""
    counted = aliased(QuestionAttempt)
    total = (
        select(func.count())
        .where(counted.attempt_id == Attempt.id)
        .correlate(Attempt)
        .scalar_subquery()
    )
    return (
        select(Attempt, QuestionAttempt, navigation.map_column() if with_map else total)
        .outerjoin(
            QuestionAttempt,
            (QuestionAttempt.attempt_id == Attempt.id)
            & (QuestionAttempt.position == bindparam("position")),
        )
        .options(
            joinedload(Attempt.question_set),
            joinedload(Attempt.assignment),
            joinedload(QuestionAttempt.question),
        )
        .where(Attempt.id == bindparam("attempt_id"), Attempt.user_id == bindparam("user_id"))
    )


def question_page(
    attempt_id: int, user_id: int, number: int, with_map: bool = True
) -> tuple[Attempt, QuestionAttempt | None, int, list[navigation.MapItem] | None] | None:
    """The user's attempt (with its set and assignment), its `number`th question (with its
    version; None past the end), its number of questions, and its map (every question's
    state, in order; None unless `with_map`).

    One statement for the question page, whatever the size of the quiz: the map, or the
    count, is a subquery on the attempt's own rows (its unique index), never a second round
    trip. None for another user's attempt, or one that does not exist.
    """
    row = db.session.execute(
        _question_page_statement(with_map),
        {"attempt_id": attempt_id, "user_id": user_id, "position": number - 1},
    ).first()
    if row is None:
        return None
    attempt, response, third = row
    if not with_map:
        return attempt, response, third, None
    qmap = navigation.parse_map(third)
    return attempt, response, len(qmap), qmap


def layout_for(question: Question, rng: random.Random, shuffle_choices: bool) -> dict[str, Any]:
    return qtypes.get(question.type).layout(question.spec, rng, shuffle_choices)


def start_attempt(
    user: User,
    question_set: QuestionSet,
    now: datetime | None = None,
    assignment: Assignment | None = None,
    practice: bool = False,
    trial: bool = False,
) -> Attempt:
    """Resume the attempt in progress, or start a new one if the rules allow it.

    A `trial` (a teacher's "try it" from a set's preview) is throwaway: no limit on attempts,
    and marked so that no grade or statistic counts it (`Attempt.trial`).

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
    if not trial and settings.get("max_attempts") is not None and used >= settings["max_attempts"]:
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
        trial=trial,
    )
    attempt.responses = [
        QuestionAttempt(
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
    attempt: Attempt, response: QuestionAttempt, answer: Any, now: datetime | None = None
) -> bool:
    """Store one answer; with immediate feedback it is graded and locked. False: not stored."""
    now = now or utcnow()
    if expire_if_due(attempt, now):
        raise TooLate(_l("Time is up: answers sent after the deadline are not counted."))
    if attempt.state != AttemptState.in_progress:
        raise AttemptClosed(ANSWER_TOO_LATE)
    if is_locked(attempt, response):
        raise AnswerLocked(_l("You have already answered this question."))
    immediate = settings_of(attempt).get("feedback") == FeedbackMode.immediate
    if answer is None and response.answer is None:
        return False
    _hold_in_progress(attempt)
    if immediate:
        # a concurrent save may have answered, and so locked, it meanwhile
        db.session.refresh(response, ["answer", "answered_at"])
        if response.answered_at is not None:
            raise AnswerLocked(_l("You have already answered this question."))
    values: dict[str, Any] = {
        "response_id": response.id,
        "new_answer": answer,
        "new_answered_at": now if answer is not None else None,
    }
    graded = immediate and answer is not None
    if graded:
        values["new_score"], values["new_points"] = _score_and_points(response.question, answer)
    # One prebuilt UPDATE, not the unit of work's flush of the changed row (a tenth of a save);
    # the loaded row is told the stored values, as a flush would have left it.
    db.session.execute(_SAVE_GRADED if graded else _SAVE, values)
    for column in ("answer", "answered_at", "score", "points"):
        if f"new_{column}" in values:
            set_committed_value(response, column, values[f"new_{column}"])
    return True


_RESPONSE = cast(Table, QuestionAttempt.__table__)
_SAVE = (
    update(_RESPONSE)
    .where(_RESPONSE.c.id == bindparam("response_id"))
    .values(
        answer=bindparam("new_answer", type_=_RESPONSE.c.answer.type),
        answered_at=bindparam("new_answered_at", type_=_RESPONSE.c.answered_at.type),
    )
)
_SAVE_GRADED = _SAVE.values(
    score=bindparam("new_score", type_=_RESPONSE.c.score.type),
    points=bindparam("new_points", type_=_RESPONSE.c.points.type),
)


def _hold_in_progress(attempt: Attempt) -> None:
    """Lock the attempt while it is still in progress, else refuse the answer.

    The state read at the start of the request may be stale: a submit may have graded the
    attempt since. This conditional UPDATE is atomic against `_finish`'s, which it waits for
    (and `_finish` for it): PostgreSQL locks the row, SQLite the database, until the request
    commits. An answer is either saved before the grading reads it, or refused.
    """
    held = _rowcount(_HOLD, {"attempt_id": attempt.id})
    if held != 1:
        raise AttemptClosed(ANSWER_TOO_LATE)


_ATTEMPT = cast(Table, Attempt.__table__)
_HOLD = (
    update(_ATTEMPT)
    .where(
        _ATTEMPT.c.id == bindparam("attempt_id"),
        _ATTEMPT.c.state == AttemptState.in_progress.value,
    )
    .values(state=AttemptState.in_progress.value)
)


def _rowcount(statement: Executable, params: dict[str, Any] | None = None) -> int:
    """Rows an UPDATE changed."""
    return cast(CursorResult[Any], db.session.execute(statement, params)).rowcount


def _grade_response(response: QuestionAttempt) -> None:
    response.score, response.points = _score_and_points(response.question, response.answer)


def _score_and_points(question: Question, answer: Any) -> tuple[float, float]:
    """The fraction of the question's points an answer earns, and those points."""
    result = grade(question.spec, answer)
    return result.score, result.points(question.points)


def submit(attempt: Attempt, now: datetime | None = None) -> Attempt:
    """Submit and grade once: a replayed or concurrent submit finds the attempt closed."""
    now = now or utcnow()
    if expire_if_due(attempt, now) or attempt.state != AttemptState.in_progress:
        return attempt
    _finish(attempt, AttemptState.graded, now)
    return attempt


# How early a page's own submission at 0:00 may arrive (the browser's clock, corrected by the
# server's time on the page, may still be a little ahead) and count as at the time limit.
TIME_LIMIT_TOLERANCE = timedelta(seconds=5)


def submit_at_time_limit(attempt: Attempt, now: datetime | None = None) -> bool:
    """Close the attempt at its time limit, as its countdown asked when it reached 0:00: graded
    on the answers saved in time (`expired`, submitted at its deadline). False: its deadline is
    not near, and nothing changed."""
    now = now or utcnow()
    if attempt.deadline is None or now < attempt.deadline - TIME_LIMIT_TOLERANCE:
        return False
    if expire_if_due(attempt, now) or attempt.state != AttemptState.in_progress:
        return True
    _finish(attempt, AttemptState.expired, attempt.deadline)
    return True


def toggle_flag(attempt: Attempt, response: QuestionAttempt) -> None:
    """Flag a question for later, or take the flag off (while the attempt is in progress)."""
    if attempt.state != AttemptState.in_progress:
        raise AttemptClosed(ANSWER_TOO_LATE)
    response.flagged = not response.flagged
    db.session.flush()


def _finish(attempt: Attempt, final_state: AttemptState, at: datetime | None) -> None:
    # Claim the attempt with a conditional UPDATE: of two concurrent submits, only one grades.
    claimed = _rowcount(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.state == AttemptState.in_progress)
        .values(state=AttemptState.submitted.value, submitted_at=at)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(attempt)
    if claimed != 1:
        return
    # Read after the claim, and afresh: every answer saved before it is graded. With their
    # questions in one more query, so that grading costs the same for 3 questions or 200.
    responses = db.session.scalars(
        select(QuestionAttempt)
        .options(selectinload(QuestionAttempt.question))
        .where(QuestionAttempt.attempt_id == attempt.id)
        .order_by(QuestionAttempt.position)
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
    attempt_graded.send(attempt)
    db.session.flush()


def overrides_of(attempt: Attempt) -> dict[int, ScoreOverride]:
    """The overrides of an attempt's answers, by response id (for the student's result)."""
    return {
        o.response_id: o
        for o in db.session.scalars(
            select(ScoreOverride)
            .join(QuestionAttempt, QuestionAttempt.id == ScoreOverride.response_id)
            .where(QuestionAttempt.attempt_id == attempt.id)
        )
    }


def attempt_score(attempt: Attempt) -> float:
    """The points of the attempt's responses, less its late penalty; a teacher's override
    (`ScoreOverride`) stands in for the graded score of its answer, through any regrading."""
    # Without autoflush: the grades pending in the session do not touch overrides, and are
    # written once, at the end of the request.
    with db.session.no_autoflush:
        overrides = dict(
            db.session.execute(
                select(ScoreOverride.response_id, ScoreOverride.score)
                .join(QuestionAttempt, QuestionAttempt.id == ScoreOverride.response_id)
                .where(QuestionAttempt.attempt_id == attempt.id)
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


def regrade(replaced: Iterable[tuple[Question, Question]]) -> int:
    """Grade again the answers given to each old version with its new version's key; rescore
    their attempts; return how many answers' scores changed.

    Answers are carried over by the text of their choices, items and pairs, so reordering or
    adding choices keeps them; an answer that cannot be carried over keeps its old score.
    """
    changed = 0
    attempts: set[int] = set()
    replaced = list(replaced)
    touched = tuple(
        db.session.scalars(
            select(QuestionAttempt.attempt_id)
            .where(
                QuestionAttempt.question_id.in_([old.id for old, _new in replaced]),
                QuestionAttempt.answer.is_not(None),
            )
            .distinct()
        )
    )
    if touched:
        attempts_rescoring.send(touched)
    for old, new in replaced:
        responses = db.session.scalars(
            select(QuestionAttempt).where(
                QuestionAttempt.question_id == old.id, QuestionAttempt.answer.is_not(None)
            )
        ).all()
        for response in responses:
            answer = translate_answer(old.spec, new.spec, response.answer)
            if answer is None:
                continue
            try:
                result = grade(new.spec, answer)
            except ValueError:
                continue
            points = result.points(new.points)
            if response.score != result.score or response.points != points:
                changed += 1
                attempts.add(response.attempt_id)
            response.question_id = new.id
            response.answer = answer
            response.score = result.score
            response.points = points
        db.session.flush()
    for attempt_id in sorted(attempts):
        attempt = db.session.get(Attempt, attempt_id)
        if attempt is not None and attempt.score is not None:
            attempt.score = attempt_score(attempt)
            attempt.max_score = sum(r.question.points for r in attempt.responses)
    if touched:
        db.session.flush()
        attempts_rescored.send(touched)
    return changed

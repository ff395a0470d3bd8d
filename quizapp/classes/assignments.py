"""Assignments: setting and deleting them, and where a student stands on each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, case, delete, func, select
from sqlalchemy.orm import contains_eager, joinedload

from ..enums import FeedbackMode, SetStatus
from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    AttemptState,
    Classroom,
    LatePolicy,
    Membership,
    QuestionSet,
    User,
    utcnow,
)
from .errors import ClassError


def local_to_utc(value: datetime, timezone: str) -> datetime:
    """A wall-clock time in the class's time zone (from a form) as an aware UTC datetime."""
    if not 2000 <= value.year <= 2200:
        raise ClassError(_l("Give a date between the years 2000 and 2200."), "due_at")
    return value.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def create_assignment(
    classroom: Classroom,
    question_set: QuestionSet,
    opens_at: datetime,
    due_at: datetime,
    *,
    late_policy: str = LatePolicy.refuse.value,
    late_penalty: float | None = None,
    max_attempts: int | None = None,
    time_limit: int | None = None,
    feedback: str | None = None,
    name: str | None = None,
) -> Assignment:
    if classroom.archived:
        raise ClassError(_l("This class is archived."))
    if due_at <= opens_at:
        raise ClassError(_l("The due date must come after the opening date."))
    if late_policy == LatePolicy.penalty and late_penalty is None:
        raise ClassError(_l("Give the penalty for late work, in percent."))
    effective_feedback = feedback or (question_set.settings or {}).get("feedback")
    if effective_feedback == FeedbackMode.after_due and late_policy != LatePolicy.refuse:
        # The key would show at the due date while late answers can still be graded.
        raise ClassError(
            _l(
                "Answers shown after the due date cannot go with late work accepted: refuse "
                "late work, or choose another feedback."
            )
        )
    assignment = Assignment(
        classroom_id=classroom.id,
        set_id=question_set.id,
        opens_at=opens_at,
        due_at=due_at,
        late_policy=late_policy,
        late_penalty=late_penalty if late_policy == LatePolicy.penalty else None,
        max_attempts=max_attempts,
        time_limit=time_limit,
        feedback=feedback,
        name=(name or "").strip() or None,
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def assignable_set(set_id: int, teacher: User) -> QuestionSet | None:
    """The question set `teacher` may give a class, or None: an active set of the library,
    or one of theirs or shared with them (`authoring.services.rights`)."""
    from ..authoring.services import rights

    question_set = db.session.get(QuestionSet, set_id)
    if question_set is None or question_set.status != SetStatus.active:
        return None
    if not rights(teacher, question_set).read:
        return None
    return question_set


def class_assignment(classroom: Classroom, assignment_id: int) -> Assignment | None:
    """An assignment of `classroom`, or None (another class's is not this one's)."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.classroom_id != classroom.id:
        return None
    return assignment


def member_assignment(user: User, assignment_id: int) -> Assignment | None:
    """An assignment `user` may work on: one of an active class they are in; else None."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        return None
    member = db.session.scalar(
        select(Membership.id).where(
            Membership.classroom_id == assignment.classroom_id,
            Membership.user_id == user.id,
        )
    )
    if not member or assignment.classroom.archived:
        return None
    return assignment


def delete_assignment(assignment: Assignment) -> None:
    """Delete an assignment nobody has handed in yet, with the attempts still in progress.

    Handed-in work (submitted, graded or expired attempts) is the class's record: the
    assignment is refused deletion rather than losing it or passing it off as self-study
    (the database refuses too, by RESTRICT).
    """
    handed_in = db.session.scalar(
        select(func.count())
        .select_from(Attempt)
        .where(
            Attempt.assignment_id == assignment.id,
            Attempt.state != AttemptState.in_progress.value,
        )
    )
    if handed_in:
        raise ClassError(
            _l(
                "Students have handed in work for this assignment: it cannot be deleted. "
                "Archive the class instead."
            )
        )
    # Their responses go with them (ON DELETE CASCADE).
    db.session.execute(
        delete(Attempt)
        .where(Attempt.assignment_id == assignment.id)
        .execution_options(synchronize_session=False)
    )
    db.session.delete(assignment)
    db.session.flush()


class Status:
    upcoming = "upcoming"
    todo = "todo"
    late = "late"  # past due, not done, late work still accepted
    missed = "missed"  # past due, not done, late work refused
    done = "done"


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    status: str
    best: float | None  # best graded score as a fraction
    attempts: int
    in_progress: int | None


def assignment_status(assignment: Assignment, graded: bool, now: datetime) -> str:
    if graded:
        return Status.done
    if now < assignment.opens_at:
        return Status.upcoming
    if now <= assignment.due_at:
        return Status.todo
    return Status.missed if assignment.late_policy == LatePolicy.refuse else Status.late


def student_assignments(user: User, now: datetime | None = None) -> list[AssignmentRow]:
    """Every assignment of the student's active classes (with its set and class), with its
    status (two queries, whatever the number of assignments and attempts)."""
    now = now or utcnow()
    assignments = db.session.scalars(_assignments_statement(), {"user_id": user.id}).all()
    standing = _standing(user.id, [a.id for a in assignments])
    return [
        AssignmentRow(a, assignment_status(a, standing[a.id][1] > 0, now), *standing[a.id])
        for a in assignments
    ]


@cache
def _assignments_statement() -> Select[Assignment]:
    """Built once (every dashboard and assignments page runs it)."""
    return (
        select(Assignment)
        .options(joinedload(Assignment.question_set), contains_eager(Assignment.classroom))
        .join(Membership, Membership.classroom_id == Assignment.classroom_id)
        .join(Classroom, Classroom.id == Assignment.classroom_id)
        .where(Membership.user_id == bindparam("user_id"), Classroom.archived_at.is_(None))
        .order_by(Assignment.due_at)
    )


@cache
def _standing_statement() -> Select[int | None, Any, int, Any]:
    in_progress = Attempt.state == AttemptState.in_progress.value
    return (
        select(
            Attempt.assignment_id,
            func.max(case((~in_progress, Attempt.score / func.nullif(Attempt.max_score, 0)))),
            func.count(case((~in_progress, 1))),
            func.max(case((in_progress, Attempt.id))),
        )
        .where(
            Attempt.user_id == bindparam("user_id"),
            Attempt.assignment_id.in_(bindparam("assignment_ids", expanding=True)),
        )
        .group_by(Attempt.assignment_id)
    )


def _standing(user_id: int, assignment_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """Per assignment: (best fraction, finished attempts, attempt in progress), summed up by
    the database: one row per assignment, however many attempts."""
    if not assignment_ids:
        return {}
    result: dict[int, tuple[Any, ...]] = dict.fromkeys(assignment_ids, (None, 0, None))
    rows = db.session.execute(
        _standing_statement(), {"user_id": user_id, "assignment_ids": assignment_ids}
    ).all()
    for assignment_id, best, finished, current in rows:
        if assignment_id is not None:  # always: the query keeps these assignments' attempts
            result[assignment_id] = (best, finished, current)
    return result

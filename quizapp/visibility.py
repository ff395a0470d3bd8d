"""One rule for answer keys: may the key of this set be shown to this student now?

A key (right answers, explanations, per-question scores) of a set stays hidden from a student
while an assignment of that set in one of the student's active classes is *pending* (not yet
due, or still taking the student's late work) and its own feedback mode has not yet shown the
key to that student. Every path that shows a key asks here: the question page's immediate
feedback, result pages, practice, spaced-repetition review and the data export. Otherwise a
student could practise a set, or review a card, and learn the key of the test the class is
about to take.

Here too, the feedback rule of one attempt (its set's `feedback` setting, or its assignment's):
from when its own key may be shown, and when an answered question locks.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .enums import FeedbackMode, SetVisibility
from .extensions import db
from .models import (
    Assignment,
    Attempt,
    AttemptState,
    Classroom,
    LatePolicy,
    Membership,
    QuestionAttempt,
    QuestionSet,
    Role,
    User,
    utcnow,
)

FINISHED = (AttemptState.graded.value, AttemptState.expired.value)


def pending(assignment: Assignment, finished: bool, now: datetime) -> bool:
    """Whether the assignment may still count an answer of this student (or will)."""
    if now <= assignment.due_at:
        return True
    return assignment.late_policy != LatePolicy.refuse and not finished


def hides(assignment: Assignment, finished: bool, now: datetime) -> bool:
    """Whether this assignment keeps the key of its set from this student now."""
    if not pending(assignment, finished, now):
        return False
    mode = assignment.settings().get("feedback", FeedbackMode.immediate)
    # `immediate` and `after_submit` show the key once the student has handed the work in;
    # `after_due` only once nothing can count any more, `never` never.
    return not (finished and mode in {FeedbackMode.immediate, FeedbackMode.after_submit})


def hiding_assignments(
    user_id: int, now: datetime | None = None, set_ids: Collection[int] | None = None
) -> dict[int, set[int]]:
    """Set id -> ids of the assignments that hide its key from this student (two queries)."""
    now = now or utcnow()
    query = (
        select(Assignment)
        .options(joinedload(Assignment.question_set))
        .join(Membership, Membership.classroom_id == Assignment.classroom_id)
        .join(Classroom, Classroom.id == Assignment.classroom_id)
        .where(Membership.user_id == user_id, Classroom.archived_at.is_(None))
    )
    if set_ids is not None:
        query = query.where(Assignment.set_id.in_(list(set_ids)))
    assignments = db.session.scalars(query).unique().all()
    if not assignments:
        return {}
    finished = set(
        db.session.scalars(
            select(Attempt.assignment_id).where(
                Attempt.user_id == user_id,
                Attempt.assignment_id.in_([a.id for a in assignments]),
                Attempt.state.in_(FINISHED),
            )
        )
    )
    hidden: dict[int, set[int]] = {}
    for assignment in assignments:
        if hides(assignment, assignment.id in finished, now):
            hidden.setdefault(assignment.set_id, set()).add(assignment.id)
    return hidden


def hidden_set_ids(user_id: int, now: datetime | None = None) -> set[int]:
    """The sets whose key this student may not see now."""
    return set(hiding_assignments(user_id, now))


def key_hidden(
    user_id: int,
    set_id: int,
    now: datetime | None = None,
    *,
    except_assignment: int | None = None,
) -> bool:
    """Whether an assignment (other than `except_assignment`) hides this set's key."""
    hiding = hiding_assignments(user_id, now, [set_id]).get(set_id, set())
    return bool(hiding - {except_assignment})


def settings_of(attempt: Attempt) -> dict[str, Any]:
    """The set's settings, with the assignment's overrides when it was taken for one."""
    assignment = attempt.assignment if attempt.assignment_id is not None else None
    if assignment is not None:
        return assignment.settings()
    return attempt.question_set.settings or {}


def answers_visible_from(attempt: Attempt) -> datetime | None:
    """From when a finished attempt may show its key (result page, review cards); None: never.

    `after_due` opens at the due date only when late work is refused: while late answers can
    still count, the key stays hidden (and assignments refuse that combination anyway).
    """
    mode = settings_of(attempt).get("feedback", FeedbackMode.immediate)
    if mode in {FeedbackMode.immediate, FeedbackMode.after_submit}:
        return attempt.submitted_at or attempt.started_at
    assignment = attempt.assignment
    if (
        mode == FeedbackMode.after_due
        and assignment is not None
        and assignment.late_policy == LatePolicy.refuse
    ):
        return assignment.due_at
    return None


def answers_visible(attempt: Attempt, now: datetime | None = None) -> bool:
    """Whether the result page may show right answers, explanations and quotes."""
    if attempt.state == AttemptState.in_progress:
        return False
    since = answers_visible_from(attempt)
    return since is not None and (now or utcnow()) >= since


def is_locked(attempt: Attempt, response: QuestionAttempt) -> bool:
    """With immediate feedback, an answered question is shown its key and cannot change."""
    return (
        settings_of(attempt).get("feedback") == FeedbackMode.immediate
        and response.answered_at is not None
    )


def attempt_key_visible(
    attempt: Attempt, now: datetime | None = None, hiding: dict[int, set[int]] | None = None
) -> bool:
    """Whether a finished attempt may show its key and per-question scores: its own feedback
    rule allows it, and no other pending assignment of the set hides it."""
    now = now or utcnow()
    if not answers_visible(attempt, now):
        return False
    if hiding is None:
        hiding = hiding_assignments(attempt.user_id, now, [attempt.set_id])
    return not (hiding.get(attempt.set_id, set()) - {attempt.assignment_id})


def feedback_visible(
    attempt: Attempt, response: QuestionAttempt, now: datetime | None = None
) -> bool:
    """Whether a question page shows the key of an answered question (immediate feedback)."""
    if not is_locked(attempt, response):
        return False
    return not key_hidden(
        attempt.user_id, attempt.set_id, now, except_assignment=attempt.assignment_id
    )


def listed(question_set: QuestionSet, user: User) -> bool:
    """Whether the set is in this user's catalogue and open to self-study.

    A set with `visibility: assigned` is taken only through assignments (and practised once
    they close); teachers and administrators still see it, to preview and assign it.
    A teacher's own set (`owner_id`) is never in a catalogue: it is taken through assignments,
    and its teachers try it from its preview.
    """
    if question_set.owner_id is not None:
        return False
    if (question_set.settings or {}).get(
        "visibility", SetVisibility.public
    ) == SetVisibility.public:
        return True
    return user.role in (Role.teacher, Role.admin)

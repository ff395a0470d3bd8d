"""A person's own account: password, their data as JSON, deleting it all."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from ..auth.services import end_sessions
from ..extensions import db
from ..gradebook import stats
from ..models import (
    Attempt,
    Classroom,
    Membership,
    QuestionAttempt,
    QuestionProgress,
    Role,
    User,
    utcnow,
)
from ..visibility import attempt_key_visible, hiding_assignments


class WrongPassword(ValueError):
    """The password given to confirm a change is not the account's."""


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Set a new password, given the current one, and end every other session (their cookies
    carry the old version)."""
    if not user.check_password(current_password):
        raise WrongPassword(_l("This is not your current password."))
    user.set_password(new_password)
    end_sessions(user)


def export(user: User) -> dict[str, Any]:
    """Everything quizapp keeps about `user`, for the data download (GDPR art. 15 and 20)."""
    memberships = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    attempts = db.session.scalars(
        select(Attempt).where(Attempt.user_id == user.id).order_by(Attempt.started_at)
    ).all()
    responses = db.session.scalars(
        select(QuestionAttempt)
        .join(Attempt)
        .where(Attempt.user_id == user.id)
        .order_by(QuestionAttempt.attempt_id, QuestionAttempt.position)
    ).all()
    by_attempt: dict[int, list[QuestionAttempt]] = {}
    for response in responses:
        by_attempt.setdefault(response.attempt_id, []).append(response)

    def when(value: Any) -> str | None:
        return value.isoformat() if value else None

    # Per-question scores follow the pages' rule: none that a feedback mode still hides.
    now = utcnow()
    hiding = hiding_assignments(user.id, now)
    shown = {a.id for a in attempts if attempt_key_visible(a, now, hiding)}

    progress = db.session.scalars(
        select(QuestionProgress).where(QuestionProgress.user_id == user.id)
    ).all()

    return {
        "exported_at": utcnow().isoformat(),
        "account": {
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            "locale": user.locale,
            "created_at": when(user.created_at),
        },
        "classes": [
            {
                "class": m.classroom.name,
                "display_name": m.display_name,
                "joined_at": when(m.joined_at),
            }
            for m in memberships
        ],
        "questions": [
            {
                "question_set": p.question_set.slug,
                "question": p.question_key,
                "tags": p.tags,
                "last_score": None if p.set_id in hiding else p.last_score,
                "last_answered_at": when(p.last_answered_at),
                "review_due": when(p.due),
                "reviews": p.reviews,
                "lapses": p.lapses,
            }
            for p in progress
        ],
        "attempts": [
            {
                "question_set": a.question_set.slug,
                "assignment_id": a.assignment_id,
                "number": a.number,
                "state": a.state,
                "started_at": when(a.started_at),
                "submitted_at": when(a.submitted_at),
                "score": a.score,
                "max_score": a.max_score,
                "late": a.late,
                "responses": [
                    {
                        "question": r.question.key,
                        "question_version": r.question.version,
                        "prompt": r.question.prompt,
                        "answer": r.answer,
                        "answered_at": when(r.answered_at),
                        "score": r.score if a.id in shown else None,
                        "points": r.points if a.id in shown else None,
                    }
                    for r in by_attempt.get(a.id, [])
                ],
            }
            for a in attempts
        ],
    }


class AccountInUse(ValueError):
    pass


def is_last_admin(user: User) -> bool:
    """Whether `user` is the only administrator left: quizapp needs one at all times."""
    return (
        user.role == Role.admin
        and (db.session.scalar(select(func.count()).where(User.role == Role.admin)) or 0) <= 1
    )


def change_role(user: User, role: Role) -> None:
    """Give `user` a new role; never the last administrator's away."""
    if role != Role.admin and is_last_admin(user):
        raise AccountInUse(_l("quizapp needs at least one administrator."))
    user.role = role.value
    if role != Role.student:
        # Classes are for students: a promoted account leaves them (its results stay).
        db.session.execute(delete(Membership).where(Membership.user_id == user.id))
    db.session.flush()


def delete_account(user: User) -> None:
    """Delete the account and everything it did; a teacher must first pass on their classes."""
    if db.session.scalar(select(Classroom.id).where(Classroom.teacher_id == user.id)):
        raise AccountInUse(
            _l(
                "An account that teaches classes cannot be deleted yet, even once they are "
                "archived."
            )
        )
    if is_last_admin(user):
        raise AccountInUse(
            _l("This is the last administrator account: make another administrator first.")
        )
    # The database deletes the rest with it (ON DELETE CASCADE): attempts and their responses,
    # memberships, progress. See "Deleting things" in docs/ARCHITECTURE.md. The item
    # statistics are sums, which no cascade reaches: the attempts leave them first.
    stats.retract(stats.user_attempts(user.id))
    db.session.delete(user)
    db.session.flush()


def delete_own_account(user: User, password: str) -> None:
    """Delete one's own account, given its password (a session left open is not enough)."""
    if not user.check_password(password):
        raise WrongPassword(_l("This is not your password."))
    delete_account(user)

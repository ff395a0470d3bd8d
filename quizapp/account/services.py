"""A person's own account: password, their data as JSON, deleting it all."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from ..extensions import db
from ..models import Attempt, Classroom, Membership, Response, User, utcnow


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every other session (their cookies carry the old version)."""
    user.set_password(new_password)
    user.session_version += 1


def export(user: User) -> dict[str, Any]:
    """Everything quizapp keeps about `user`, for the data download (GDPR art. 15 and 20)."""
    memberships = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    attempts = db.session.scalars(
        select(Attempt).where(Attempt.user_id == user.id).order_by(Attempt.started_at)
    ).all()
    responses = db.session.scalars(
        select(Response)
        .join(Attempt)
        .where(Attempt.user_id == user.id)
        .order_by(Response.attempt_id, Response.position)
    ).all()
    by_attempt: dict[int, list[Response]] = {}
    for response in responses:
        by_attempt.setdefault(response.attempt_id, []).append(response)

    def when(value: Any) -> str | None:
        return value.isoformat() if value else None

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
                        "score": r.score,
                        "points": r.points,
                    }
                    for r in by_attempt.get(a.id, [])
                ],
            }
            for a in attempts
        ],
    }


class AccountInUse(ValueError):
    pass


def delete_account(user: User) -> None:
    """Delete the account and everything it did; a teacher must first pass on their classes."""
    if db.session.scalar(select(Classroom.id).where(Classroom.teacher_id == user.id)):
        raise AccountInUse("teaches classes")
    attempt_ids = select(Attempt.id).where(Attempt.user_id == user.id)
    db.session.execute(delete(Response).where(Response.attempt_id.in_(attempt_ids)))
    db.session.execute(delete(Attempt).where(Attempt.user_id == user.id))
    db.session.execute(delete(Membership).where(Membership.user_id == user.id))
    db.session.delete(user)
    db.session.flush()

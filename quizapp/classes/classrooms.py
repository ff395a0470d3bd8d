"""A teacher's classes: creating, listing and archiving them, and their join codes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Classroom, Membership, Role, User, utcnow
from .accounts import random_string
from .errors import ClassError

# No 0/O, 1/I/L: a code read aloud or copied from a projector is typed right the first time.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def normalize_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def new_join_code() -> str:
    while True:
        code = random_string(CODE_ALPHABET, CODE_LENGTH)
        if db.session.scalar(select(Classroom.id).where(Classroom.join_code == code)) is None:
            return code


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def create_classroom(teacher: User, name: str, timezone: str) -> Classroom:
    if not valid_timezone(timezone):
        raise ClassError(_l("Unknown time zone: %(tz)s.", tz=timezone))
    classroom = Classroom(
        name=name.strip(), teacher_id=teacher.id, join_code=new_join_code(), timezone=timezone
    )
    db.session.add(classroom)
    db.session.flush()
    return classroom


def may_manage(user: User, classroom: Classroom) -> bool:
    """Whether `user` runs `classroom`: its teacher, or any administrator."""
    return user.role == Role.admin or classroom.teacher_id == user.id


def managed_classrooms(user: User) -> list[Classroom]:
    """The classes `user` runs (every class for an administrator), archived ones last."""
    query = select(Classroom).order_by(Classroom.archived_at.is_not(None), Classroom.name)
    if user.role != Role.admin:
        query = query.where(Classroom.teacher_id == user.id)
    return list(db.session.scalars(query))


def joined_classrooms(user: User) -> list[Classroom]:
    """The classes `user` is a student of, with their members (for the names they go by)."""
    return list(
        db.session.scalars(
            select(Classroom)
            .join(Membership)
            .where(Membership.user_id == user.id)
            .options(selectinload(Classroom.memberships))
            .order_by(Classroom.name)
        )
    )


def renew_join_code(classroom: Classroom, valid_for: timedelta | None = None) -> None:
    """A new code; the old one stops working. `valid_for` makes the new one expire."""
    classroom.join_code = new_join_code()
    classroom.join_code_expires_at = utcnow() + valid_for if valid_for else None


def archive(classroom: Classroom) -> None:
    classroom.archived_at = classroom.archived_at or utcnow()


def classroom_for_code(code: str, now: datetime | None = None) -> Classroom:
    now = now or utcnow()
    classroom = db.session.scalar(
        select(Classroom).where(Classroom.join_code == normalize_code(code))
    )
    if classroom is None or classroom.archived:
        raise ClassError(_l("No class has this code. Check it with your teacher."), "code")
    if classroom.join_code_expires_at is not None and classroom.join_code_expires_at < now:
        raise ClassError(_l("This code has expired. Ask your teacher for a new one."), "code")
    return classroom

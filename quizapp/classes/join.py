"""Joining a class with its code: with a student account, or creating one on the way."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..auth.services import MIN_PASSWORD, UsernameTaken, create_user
from ..extensions import db
from ..models import Classroom, Membership, Role, User
from .accounts import clean_display_name, display_key, username_for
from .classrooms import classroom_for_code
from .errors import ClassError


def may_join(user: User) -> bool:
    """Only student accounts join classes (teachers and administrators run them)."""
    return user.role == Role.student


def join(classroom: Classroom, user: User, display_name: str) -> Membership:
    if not may_join(user):
        raise ClassError(_l("Only student accounts join classes."))
    name = clean_display_name(display_name)
    existing = db.session.scalars(
        select(Membership).where(Membership.classroom_id == classroom.id)
    ).all()
    if any(m.user_id == user.id for m in existing):
        raise ClassError(_l("You are already in this class."), "code")
    if any(m.display_key == display_key(name) for m in existing):
        raise ClassError(
            _l("The name %(name)s is already taken in this class: add an initial.", name=name),
            "display_name",
        )
    membership = Membership(
        classroom_id=classroom.id, user_id=user.id, display_name=name, display_key=display_key(name)
    )
    db.session.add(membership)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise ClassError(
            _l("The name %(name)s is already taken in this class: add an initial.", name=name),
            "display_name",
        ) from None
    return membership


def register_and_join(
    code: str, display_name: str, password: str, username: str | None = None
) -> tuple[User, Membership]:
    """A new student account from a join code: no email; the username the student chose, or
    one made from the name."""
    classroom = classroom_for_code(code)
    name = clean_display_name(display_name)
    if len(password) < MIN_PASSWORD:
        raise ClassError(
            _l("The password needs at least %(n)d characters.", n=MIN_PASSWORD), "password"
        )
    chosen = (username or "").strip()
    try:
        user = create_user(
            chosen or username_for(name), password, role=Role.student, display_name=name
        )
    except UsernameTaken as error:
        raise ClassError(_l("This username is already taken."), "username") from error
    return user, join(classroom, user, name)

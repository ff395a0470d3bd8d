"""Student accounts a class creates and looks after: display names, usernames, generated
passwords and login cards, and what a teacher may do to a student's account."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..auth.services import end_sessions, find_user, set_generated_password
from ..extensions import db
from ..models import Classroom, Membership, Role, User
from ..qtypes import normalize_text
from .errors import ClassError

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def random_string(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def generate_password() -> str:
    """Easy to copy from a printed card: `kq7m-x3pa-r8tw-n2hc` (16 letters and digits out of
    31, about 79 bits): too many to guess, so that it can have a fast hash (auth.services)."""
    return "-".join(random_string(PASSWORD_ALPHABET, 4) for _ in range(4))


def display_key(name: str) -> str:
    return normalize_text(name)[:80]


def clean_display_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or not display_key(name):
        raise ClassError(_l("Enter the name your teacher knows you by."), "display_name")
    if len(name) > 80 or any(unicodedata.category(c) == "Cc" for c in name):
        raise ClassError(
            _l("This name is too long or has characters that cannot be shown."), "display_name"
        )
    return name


def username_candidate(display_name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", normalize_text(display_name)).strip("-")[:20] or "student"
    return f"{base}-{random_string(PASSWORD_ALPHABET, 4)}"


def username_for(display_name: str) -> str:
    while True:
        candidate = username_candidate(display_name)
        if find_user(candidate) is None:
            return candidate


@dataclass(frozen=True)
class LoginCard:
    display_name: str
    username: str
    password: str


def managed_student(classroom: Classroom, membership_id: int) -> Membership | None:
    """The membership of `classroom` whose password its teacher may reset or whose login lock
    they may lift; None for any other (teachers never reset a teacher's or an admin's)."""
    membership = db.session.get(Membership, membership_id)
    if (
        membership is None
        or membership.classroom_id != classroom.id
        or membership.user.role != Role.student
    ):
        return None
    return membership


def reset_password(user: User) -> str:
    """A new password, shown once; every session of the account ends."""
    password = generate_password()
    set_generated_password(user, password)
    end_sessions(user)
    return password


def reset_username(membership: Membership) -> str:
    """Give a student a new username made from their name; their password stays."""
    membership.user.username = username_for(membership.display_name)
    db.session.flush()
    return membership.user.username


def reset_card(membership: Membership) -> LoginCard:
    """A new password for a student of the class, on a login card."""
    password = reset_password(membership.user)
    return LoginCard(membership.display_name, membership.user.username, password)


def new_cards(classroom: Classroom) -> list[LoginCard]:
    """New passwords for every student of the class (not its other members), on login cards."""
    return [reset_card(m) for m in classroom.memberships if m.user.role == Role.student]

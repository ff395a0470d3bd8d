"""Accounts: creation and authentication. The caller commits."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ..extensions import db
from ..models import Role, User

MIN_PASSWORD = 8
MAX_USERNAME = 64  # the column's length, once case-folded

# Passwords the app draws itself (login cards) are long random secrets, about 79 bits (see
# classes.accounts.generate_password): guessing one takes some 2^78 tries whatever the hash,
# so a deliberately slow hash (scrypt, tens of milliseconds each) adds no protection to them
# and makes a 200-name roster take half a minute in one request. One salted round of
# PBKDF2-SHA256 is enough for them; passwords people choose keep the slow hash.
GENERATED_PASSWORD_HASH = "pbkdf2:sha256:1"


class UsernameTaken(ValueError):
    pass


def normalize_username(username: str) -> str:
    return username.strip().casefold()


def find_user(username: str) -> User | None:
    # Usernames are stored normalized: an equality on the column uses its unique index.
    return db.session.scalar(select(User).where(User.username == normalize_username(username)))


def create_user(
    username: str,
    password: str,
    *,
    role: str = Role.student.value,
    display_name: str | None = None,
) -> User:
    name = normalize_username(username)
    if find_user(name) is not None:
        raise UsernameTaken(f"the username {name!r} is already taken")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
    user = User(username=name, display_name=(display_name or username).strip(), role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def end_sessions(user: User) -> None:
    """End every session of `user`: their cookies carry the old session version."""
    user.session_version += 1


def set_generated_password(user: User, password: str) -> None:
    """Hash a password the app drew at random (never one a person chose): see above."""
    user.password_hash = generate_password_hash(password, method=GENERATED_PASSWORD_HASH)


def authenticate(username: str, password: str) -> User | None:
    user = find_user(username)
    if user is None or not user.check_password(password):
        return None
    return user

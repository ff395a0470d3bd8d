"""A class list at once: names pasted or from a CSV, an account per name, login cards."""

from __future__ import annotations

import csv
import io

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..auth.services import set_generated_password
from ..extensions import db
from ..models import Classroom, Membership, Role, User
from .accounts import (
    LoginCard,
    clean_display_name,
    display_key,
    generate_password,
    username_candidate,
)
from .errors import ClassError

MAX_ROSTER = 200


def parse_roster(text: str) -> list[str]:
    """Names from pasted lines or a CSV (first column, or a `name`/`nom` column).

    Every bad line is reported at once, with its number; nothing is created if any is bad.
    """
    try:
        rows = list(csv.reader(io.StringIO(text.replace("\r\n", "\n"))))
    except csv.Error as error:
        raise RosterError(
            [str(_l("The file is not a CSV list of names (%(error)s).", error=str(error)))]
        ) from None
    column = 0
    start = 0
    if rows and any(c.strip().casefold() in {"name", "nom", "display name"} for c in rows[0]):
        header = [c.strip().casefold() for c in rows[0]]
        column = next(i for i, c in enumerate(header) if c in {"name", "nom", "display name"})
        start = 1
    names: list[str] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in row):
            continue
        raw = row[column] if column < len(row) else ""
        try:
            name = clean_display_name(raw)
        except ClassError as error:
            errors.append(str(_l("line %(n)d: %(error)s", n=number, error=str(error))))
            continue
        key = display_key(name)
        if key in seen:
            errors.append(
                str(
                    _l(
                        "line %(n)d: %(name)s is already on line %(first)d",
                        n=number,
                        name=name,
                        first=seen[key],
                    )
                )
            )
            continue
        seen[key] = number
        names.append(name)
    if not names and not errors:
        errors.append(str(_l("The list is empty: write one name per line.")))
    if len(names) > MAX_ROSTER:
        errors.append(str(_l("At most %(n)d names at a time.", n=MAX_ROSTER)))
    if errors:
        raise RosterError(errors)
    return names


class RosterError(ClassError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors), "names")
        self.errors = errors


def add_roster(classroom: Classroom, names: list[str]) -> list[LoginCard]:
    """Create an account per name, in the class; all or nothing (the caller commits)."""
    taken = {
        m.display_key: m.display_name
        for m in db.session.scalars(
            select(Membership).where(Membership.classroom_id == classroom.id)
        )
    }
    clashes = [name for name in names if display_key(name) in taken]
    if clashes:
        raise RosterError(
            [str(_l("%(name)s is already in this class", name=name)) for name in clashes]
        )
    # A handful of statements for the whole list (not a few per name): usernames checked in
    # one query, accounts and memberships inserted together.
    usernames = _free_usernames(names)
    cards = [LoginCard(name, usernames[name], generate_password()) for name in names]
    users = [
        User(username=card.username, display_name=card.display_name, role=Role.student.value)
        for card in cards
    ]
    for user, card in zip(users, cards, strict=True):
        set_generated_password(user, card.password)
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(
        Membership(
            classroom_id=classroom.id,
            user_id=user.id,
            display_name=card.display_name,
            display_key=display_key(card.display_name),
        )
        for user, card in zip(users, cards, strict=True)
    )
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # a student joined under one of these names meanwhile
        raise RosterError(
            [str(_l("Someone joined the class meanwhile: send the list again."))]
        ) from None
    return cards


def _free_usernames(names: list[str]) -> dict[str, str]:
    """A new username for each display name (`ada-l-k3m9`), none taken: one query a round."""
    chosen: dict[str, str] = {}
    while len(chosen) < len(names):
        candidates = {name: username_candidate(name) for name in names if name not in chosen}
        taken = set(
            db.session.scalars(select(User.username).where(User.username.in_(candidates.values())))
        )
        used = set(chosen.values())
        for name, candidate in candidates.items():
            if candidate not in taken and candidate not in used:
                chosen[name] = candidate
                used.add(candidate)
    return chosen

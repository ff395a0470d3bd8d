"""Classes, join codes, rosters and assignments. The view commits once per request."""

from __future__ import annotations

import csv
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ..auth.services import (
    MIN_PASSWORD,
    create_user,
    end_sessions,
    find_user,
    set_generated_password,
)
from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    AttemptState,
    Classroom,
    LatePolicy,
    Membership,
    Question,
    QuestionSet,
    Response,
    Role,
    User,
    utcnow,
)
from ..qtypes import normalize_text

# No 0/O, 1/I/L: a code read aloud or copied from a projector is typed right the first time.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
MAX_ROSTER = 200


class ClassError(ValueError):
    """A refused request; the message is for the person who made it, about `field`."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(str(message))
        self.field = field


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def generate_password() -> str:
    """Easy to copy from a printed card: `kq7m-x3pa-r8tw-n2hc` (16 letters and digits out of
    31, about 79 bits): too many to guess, so that it can have a fast hash (auth.services)."""
    return "-".join(_random(PASSWORD_ALPHABET, 4) for _ in range(4))


def normalize_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def new_join_code() -> str:
    while True:
        code = _random(CODE_ALPHABET, CODE_LENGTH)
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


def join(classroom: Classroom, user: User, display_name: str) -> Membership:
    if user.role != Role.student:
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


def _username_candidate(display_name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", normalize_text(display_name)).strip("-")[:20] or "student"
    return f"{base}-{_random(PASSWORD_ALPHABET, 4)}"


def _username_for(display_name: str) -> str:
    while True:
        candidate = _username_candidate(display_name)
        if find_user(candidate) is None:
            return candidate


def register_and_join(code: str, display_name: str, password: str) -> tuple[User, Membership]:
    """A new student account from a join code: no email, a username made from the name."""
    classroom = classroom_for_code(code)
    name = clean_display_name(display_name)
    if len(password) < MIN_PASSWORD:
        raise ClassError(
            _l("The password needs at least %(n)d characters.", n=MIN_PASSWORD), "password"
        )
    user = create_user(_username_for(name), password, role=Role.student, display_name=name)
    return user, join(classroom, user, name)


@dataclass(frozen=True)
class LoginCard:
    display_name: str
    username: str
    password: str


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
        candidates = {name: _username_candidate(name) for name in names if name not in chosen}
        taken = set(
            db.session.scalars(select(User.username).where(User.username.in_(candidates.values())))
        )
        used = set(chosen.values())
        for name, candidate in candidates.items():
            if candidate not in taken and candidate not in used:
                chosen[name] = candidate
                used.add(candidate)
    return chosen


def reset_password(user: User) -> str:
    """A new password, shown once; every session of the account ends."""
    password = generate_password()
    set_generated_password(user, password)
    end_sessions(user)
    return password


# --- assignments ------------------------------------------------------------------------------


def local_to_utc(value: datetime, timezone: str) -> datetime:
    """A wall-clock time in the class's time zone (from a form) as an aware UTC datetime."""
    from datetime import UTC

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
) -> Assignment:
    if classroom.archived:
        raise ClassError(_l("This class is archived."))
    if due_at <= opens_at:
        raise ClassError(_l("The due date must come after the opening date."))
    if late_policy == LatePolicy.penalty and late_penalty is None:
        raise ClassError(_l("Give the penalty for late work, in percent."))
    effective_feedback = feedback or (question_set.settings or {}).get("feedback")
    if effective_feedback == "after_due" and late_policy != LatePolicy.refuse:
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
    )
    db.session.add(assignment)
    db.session.flush()
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
    """Every assignment of the student's active classes, with its status (two queries)."""
    now = now or utcnow()
    assignments = db.session.scalars(
        select(Assignment)
        .join(Membership, Membership.classroom_id == Assignment.classroom_id)
        .join(Classroom, Classroom.id == Assignment.classroom_id)
        .where(Membership.user_id == user.id, Classroom.archived_at.is_(None))
        .order_by(Assignment.due_at)
    ).all()
    standing = _standing(user.id, [a.id for a in assignments])
    return [
        AssignmentRow(a, assignment_status(a, standing[a.id][1] > 0, now), *standing[a.id])
        for a in assignments
    ]


def _standing(user_id: int, assignment_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """Per assignment: (best fraction, finished attempts, attempt in progress)."""
    result: dict[int, list[Any]] = {a: [0, None, None] for a in assignment_ids}
    if not assignment_ids:
        return {}
    rows = db.session.execute(
        select(
            Attempt.assignment_id, Attempt.id, Attempt.state, Attempt.score, Attempt.max_score
        ).where(Attempt.user_id == user_id, Attempt.assignment_id.in_(assignment_ids))
    ).all()
    for assignment_id, attempt_id, state, score, max_score in rows:
        entry = result[assignment_id]
        if state == AttemptState.in_progress:
            entry[2] = attempt_id
            continue
        entry[0] += 1
        if score is not None and max_score:
            entry[1] = max(entry[1] or 0.0, score / max_score)
    return {key: (best, count, current) for key, (count, best, current) in result.items()}


@dataclass(frozen=True)
class ResultRow:
    membership: Membership
    status: str
    best: float | None
    attempts: int
    late: bool
    best_attempt: int | None = None  # the attempt the best score comes from


def assignment_results(assignment: Assignment, now: datetime | None = None) -> list[ResultRow]:
    """Each student of the class and where they stand on one assignment (two queries)."""
    now = now or utcnow()
    members = db.session.scalars(
        select(Membership)
        .where(Membership.classroom_id == assignment.classroom_id)
        .order_by(Membership.display_key)
    ).all()
    rows = db.session.execute(
        select(
            Attempt.user_id,
            Attempt.state,
            Attempt.score,
            Attempt.max_score,
            Attempt.late,
            Attempt.id,
        ).where(Attempt.assignment_id == assignment.id)
    ).all()
    by_user: dict[int, list[Any]] = {}
    for user_id, state, score, max_score, late, attempt_id in rows:
        entry = by_user.setdefault(user_id, [None, 0, False, None])
        if state in (AttemptState.graded, AttemptState.expired):
            entry[1] += 1
            entry[2] = entry[2] or late
            if max_score and (entry[0] is None or (score or 0) / max_score > entry[0]):
                entry[0], entry[3] = (score or 0) / max_score, attempt_id
    results = []
    for member in members:
        best, count, late, best_attempt = by_user.get(member.user_id, [None, 0, False, None])
        status = assignment_status(assignment, count > 0, now)
        results.append(ResultRow(member, status, best, count, late, best_attempt))
    return results


def done_counts(classroom: Classroom) -> dict[int, int]:
    """Per assignment of the class, how many students have a graded attempt (one query)."""
    return dict(
        db.session.execute(
            select(Attempt.assignment_id, func.count(func.distinct(Attempt.user_id)))
            .join(Assignment, Assignment.id == Attempt.assignment_id)
            .where(
                Assignment.classroom_id == classroom.id,
                Attempt.state.in_([AttemptState.graded.value, AttemptState.expired.value]),
            )
            .group_by(Attempt.assignment_id)
        ).all()
    )


@dataclass(frozen=True)
class QuestionStat:
    """How a class did on one question of an assignment (every version of it)."""

    key: str
    prompt: str
    position: int
    answered: int  # students who answered it
    mean: float  # mean score of their best answer, as a fraction
    right: int  # students whose best answer was fully right


def question_stats(assignment: Assignment) -> list[QuestionStat]:
    """Per question, each student's best answer over their finished attempts: which questions
    the class found hard. One query, bounded by the class's attempts at this assignment."""
    rows = db.session.execute(
        select(Attempt.user_id, Question.key, Question.prompt, Question.position, Response.score)
        .join(Response, Response.attempt_id == Attempt.id)
        .join(Question, Question.id == Response.question_id)
        .where(
            Attempt.assignment_id == assignment.id,
            Attempt.state.in_([AttemptState.graded.value, AttemptState.expired.value]),
            Response.answered_at.is_not(None),
        )
    ).all()
    best: dict[tuple[str, int], float] = {}
    about: dict[str, tuple[str, int]] = {}
    for user_id, key, prompt, position, score in rows:
        best[(key, user_id)] = max(best.get((key, user_id), 0.0), score or 0.0)
        about[key] = (prompt, position)
    stats = []
    for key, (prompt, position) in about.items():
        scores = [score for (k, _user), score in best.items() if k == key]
        stats.append(
            QuestionStat(
                key,
                prompt,
                position,
                len(scores),
                sum(scores) / len(scores),
                sum(1 for s in scores if s >= 1 - 1e-9),
            )
        )
    return sorted(stats, key=lambda s: (s.mean, s.position))

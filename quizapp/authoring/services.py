"""Teachers' own question sets: created from an upload or a template, edited as YAML, shared.

A teacher's set is a `QuestionSet` with an `owner_id`, its YAML kept in `SetSource` (and its
images in `SetImage`). Saving reads the text with the same reader as the CLI and, if it is
valid, loads it with `bank.sync.sync_file`, so its questions are versioned exactly as the
folder's: an attempt keeps the versions it started with. A text with errors is kept as the
set's draft, beside the last valid text, which stays live. The caller commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select

from ..bank import images as image_service
from ..bank.diagnostics import Diagnostic, FileReport
from ..bank.reader import read_bytes
from ..bank.sync import SyncReport, sync_file
from ..enums import Role, SetStatus
from ..extensions import db
from ..models import QuestionSet, SetShare, SetSource, User, utcnow

# Not a character of a set id (`bank.schema.Slug`): a teacher's set never takes a library
# set's slug, nor another teacher's.
SLUG_SEPARATOR = "~"

TEMPLATE = """\
id: {id}
title: {title}
language: {language}
settings:
  visibility: assigned
questions:
  - id: first-question
    type: single
    prompt: Which planet is closest to the Sun?
    choices: [Mercury, Venus, Mars]
    answer: Mercury
    explanation: Mercury orbits at about 58 million km from the Sun.
"""


class AuthoringError(Exception):
    """A change refused, with the message a teacher reads (nothing was changed)."""

    def __init__(self, message: str, report: FileReport | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.report = report


def owned_slug(owner: User, set_id: str) -> str:
    return f"{set_id}{SLUG_SEPARATOR}{owner.id}"


def display_path(owner: User, set_id: str) -> str:
    """What a teacher's set shows where a folder set shows its file."""
    return f"{SLUG_SEPARATOR}{owner.id}/{set_id}.yaml"


@dataclass(frozen=True)
class Rights:
    read: bool
    edit: bool
    manage: bool  # share, delete: the owner (and administrators)


def rights(user: User, question_set: QuestionSet) -> Rights:
    """What `user` may do with `question_set`: the library is read-only to every teacher."""
    if not user.has_role(Role.teacher, Role.admin):
        return Rights(False, False, False)
    if question_set.owner_id is None:
        return Rights(True, False, False)
    if question_set.owner_id == user.id or user.has_role(Role.admin):
        return Rights(True, True, True)
    share = db.session.scalar(
        select(SetShare).where(SetShare.set_id == question_set.id, SetShare.user_id == user.id)
    )
    if share is None:
        return Rights(False, False, False)
    return Rights(True, share.can_edit, False)


def readable_sets_query(user: User) -> Select[QuestionSet]:
    """The sets `user` may preview and assign: the library, their own, those shared with them."""
    query = select(QuestionSet).where(QuestionSet.status == SetStatus.active)
    if user.has_role(Role.admin):
        return query
    shared = select(SetShare.set_id).where(SetShare.user_id == user.id)
    return query.where(
        or_(
            QuestionSet.owner_id.is_(None),
            QuestionSet.owner_id == user.id,
            QuestionSet.id.in_(shared),
        )
    )


def teacher_sets(user: User) -> list[tuple[QuestionSet, Rights]]:
    """The teacher's own sets and those shared with them, by title."""
    shared = select(SetShare.set_id).where(SetShare.user_id == user.id)
    sets = db.session.scalars(
        select(QuestionSet)
        .where(
            QuestionSet.owner_id.is_not(None),
            or_(QuestionSet.owner_id == user.id, QuestionSet.id.in_(shared)),
        )
        .order_by(QuestionSet.title)
    ).all()
    return [(s, rights(user, s)) for s in sets]


def _read(text: bytes, display: str) -> FileReport:
    return read_bytes(text, display)


def _locator(raw: bytes) -> Callable[[tuple[Any, ...]], tuple[int, int]]:
    """Where a value of the text is (line, column), for messages about its images."""
    from ..bank.yaml_tree import compose, locate

    root = compose(raw.decode("utf-8"))

    def at(path: tuple[Any, ...]) -> tuple[int, int]:
        mark = locate(root, path)
        return mark.line + 1, mark.column + 1

    return at


def _slug_taken(slug: str, question_set: QuestionSet | None) -> bool:
    other = db.session.scalar(select(QuestionSet.id).where(QuestionSet.slug == slug))
    return other is not None and (question_set is None or other != question_set.id)


SET_ID_TAKEN = _l("You already have a set with the id “%(id)s”: give this one another `id`.")


def create_set(
    owner: User, raw: bytes, display: str, images: dict[str, bytes] | None = None
) -> QuestionSet:
    """A new set of `owner` from a YAML text (and its images); AuthoringError if invalid."""
    report = _read(raw, display)
    if report.model is None:
        raise AuthoringError(str(_l("The file has errors: nothing was created.")), report)
    slug = owned_slug(owner, report.model.id)
    if _slug_taken(slug, None):
        raise AuthoringError(str(SET_ID_TAKEN % {"id": report.model.id}), report)
    image_service.check_images(report, report.model, (images or {}).get, _locator(raw))
    if report.errors:
        raise AuthoringError(str(_l("The file has errors: nothing was created.")), report)
    question_set = sync_file(report, display_path(owner, report.model.id), SyncReport(), slug=slug)
    question_set.owner_id = owner.id
    question_set.source_text = SetSource(text=raw.decode("utf-8"), updated_by_id=owner.id)
    db.session.flush()
    return question_set


def new_from_template(owner: User, language: str) -> QuestionSet:
    """A new set of `owner` from the starting template, under a free id."""
    number = 1
    while _slug_taken(owned_slug(owner, f"new-set-{number}"), None):
        number += 1
    text = TEMPLATE.format(id=f"new-set-{number}", title=f"New set {number}", language=language)
    return create_set(owner, text.encode(), f"new-set-{number}.yaml")


def save(question_set: QuestionSet, text: str, user: User) -> FileReport:
    """Save an edited text: loaded if valid, else kept as the draft (the live version stays).

    The report says which: `report.model` is None for a draft."""
    source = question_set.source_text
    assert source is not None and question_set.owner_id is not None
    owner = db.session.get(User, question_set.owner_id)
    assert owner is not None
    raw = text.encode("utf-8")
    report = _read(raw, "set.yaml")
    if report.model is not None:
        slug = owned_slug(owner, report.model.id)
        if _slug_taken(slug, question_set):
            report.add(1, 1, str(SET_ID_TAKEN % {"id": report.model.id}))
            report.model = None
    if report.model is not None:
        stored = image_service.images_of(question_set)
        image_service.check_images(report, report.model, stored.get, _locator(raw))
        if report.errors:
            report.model = None
    source.updated_at = utcnow()
    source.updated_by_id = user.id
    if report.model is None:
        source.draft = text
        source.draft_errors = [d.as_dict() for d in report.diagnostics]
        db.session.flush()
        return report
    sync_file(
        report,
        display_path(owner, report.model.id),
        SyncReport(),
        question_set=question_set,
        slug=slug,
    )
    source.text = text
    source.draft = None
    source.draft_errors = None
    db.session.flush()
    return report


def add_images(question_set: QuestionSet, files: list[tuple[str, bytes]]) -> list[str]:
    """Add or replace images of the set, under their file names; AuthoringError (nothing
    added) if a name or an image is refused. The names, to write in the YAML."""
    import posixpath
    import re

    from ..qtypes.model import IMAGE_FILE

    checked = {}
    for filename, data in files:
        name = posixpath.basename(filename.replace("\\", "/"))
        if not re.fullmatch(IMAGE_FILE, name):
            raise AuthoringError(
                str(_l("%(name)s is not a .png, .jpg, .webp or .svg file name.", name=name[:100]))
            )
        if len(data) > image_service.MAX_FILE_BYTES:
            raise AuthoringError(str(_l("%(name)s is larger than 2 MB.", name=name)))
        try:
            checked[name] = image_service.inspect(data)
        except image_service.ImageError as error:
            raise AuthoringError(f"{name}: {error}") from None
    image_service.store_images(question_set, checked)
    db.session.flush()
    return sorted(checked)


def discard_draft(question_set: QuestionSet) -> None:
    source = question_set.source_text
    if source is not None:
        source.draft = None
        source.draft_errors = None


def draft_diagnostics(source: SetSource) -> list[Diagnostic]:
    return [
        Diagnostic(d["path"], d["line"], d["column"], d["severity"], d["message"], d.get("hint"))
        for d in source.draft_errors or []
    ]


def share(question_set: QuestionSet, username: str, can_edit: bool) -> SetShare:
    """Share with a colleague by username (a teacher); AuthoringError if there is none."""
    from ..auth.services import normalize_username

    colleague = db.session.scalar(select(User).where(User.username == normalize_username(username)))
    if colleague is None or not colleague.has_role(Role.teacher, Role.admin):
        raise AuthoringError(str(_l("No teacher has this username.")))
    if colleague.id == question_set.owner_id:
        raise AuthoringError(str(_l("This set is already yours.")))
    existing = db.session.scalar(
        select(SetShare).where(SetShare.set_id == question_set.id, SetShare.user_id == colleague.id)
    )
    if existing is None:
        existing = SetShare(set_id=question_set.id, user_id=colleague.id)
        db.session.add(existing)
    existing.can_edit = can_edit
    db.session.flush()
    return existing


def shares_of(question_set: QuestionSet) -> list[SetShare]:
    return list(
        db.session.scalars(
            select(SetShare).where(SetShare.set_id == question_set.id).order_by(SetShare.id)
        )
    )


def unshare(question_set: QuestionSet, share_id: int) -> bool:
    """Stop a share of this set; False if the id is another set's share. A share already
    gone is no error (a second click)."""
    share = db.session.get(SetShare, share_id)
    if share is None:
        return True
    if share.set_id != question_set.id:
        return False
    db.session.delete(share)
    db.session.flush()
    return True

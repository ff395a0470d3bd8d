"""Typed SQLAlchemy 2.0 models: accounts, the versioned question bank, attempts and responses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .enums import (
    AssignmentKind,
    AttemptState,
    FeedbackMode,
    LatePolicy,
    LeaderboardNames,
    LiveState,
    Role,
    ScoreRule,
    SetStatus,
    TallyKind,
    Theme,
    sql_list,
)
from .extensions import db
from .qtypes import QUESTION_TYPES

__all__ = [  # the enumerations are the models' vocabulary: importable from here too
    "AttemptState",
    "FeedbackMode",
    "LatePolicy",
    "Role",
    "ScoreRule",
    "SetStatus",
    "TallyKind",
    "Theme",
]

if TYPE_CHECKING:
    # What Flask-SQLAlchemy builds `db.Model` from, as type checkers can see it.
    from .extensions import Base as Model
else:
    Model = db.Model

JSONType = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Store UTC, always give back an aware datetime (SQLite keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class User(UserMixin, Model):
    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint(f"role IN ({sql_list(Role)})", name="role_known"),
        CheckConstraint(f"theme IN ({sql_list(Theme)})", name="theme_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored folded (`auth.services.normalize_username`), so that its unique index is also the
    # login index. Up to three times the 64 characters a form accepts: Unicode case folding
    # turns one character into at most three ("ß" into "ss", "ﬃ" into "ffi").
    username: Mapped[str] = mapped_column(String(192), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default=Role.student.value)
    locale: Mapped[str | None] = mapped_column(String(8))
    # Light, dark or the device's choice (`Theme`); NULL: never chosen, the device's.
    theme: Mapped[str | None] = mapped_column(String(8))
    # Bumped on password change: every session cookie carries it, so old sessions stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    # The database deletes an account's attempts (and their responses) with it: see
    # "Deleting things" in docs/ARCHITECTURE.md.
    attempts: Mapped[list[Attempt]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    def set_password(self, password: str) -> None:
        from flask import current_app

        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


class QuestionSet(Model):
    """One YAML file of the bank; its questions are versioned rows of `Question`."""

    __tablename__ = "question_set"
    __table_args__ = (
        CheckConstraint(f"status IN ({sql_list(SetStatus)})", name="status_known"),
        Index("ix_question_set_status_language", "status", "language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(35))
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Labels for tag ids in the set's language ({"funding": "Financement"}), for charts and filters.
    topics: Mapped[dict[str, str] | None] = mapped_column(JSONType, default=dict)
    path: Mapped[str] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=SetStatus.active.value)
    # Errors of the last load that failed; the last good version stays live meanwhile.
    load_error: Mapped[str | None] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # None for the library (the questions folder); else the teacher whose set it is, kept in
    # the database (`SetSource`) and edited in the browser. RESTRICT: an account is not
    # deleted while it owns sets.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="RESTRICT"), index=True
    )

    questions: Mapped[list[Question]] = relationship(
        back_populates="question_set", order_by="Question.position"
    )
    owner: Mapped[User | None] = relationship()
    source_text: Mapped[SetSource | None] = relationship(
        back_populates="question_set", cascade="all, delete-orphan"
    )


class SetSource(Model):
    """A teacher-owned set's YAML: the last valid text (what its questions were synced from)
    and, beside it, a draft that failed validation, kept until it is fixed or dropped."""

    __tablename__ = "set_source"

    set_id: Mapped[int] = mapped_column(
        ForeignKey("question_set.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text)
    draft: Mapped[str | None] = mapped_column(Text)
    # The draft's diagnostics as `Diagnostic.as_dict()`, in English (localized when shown).
    draft_errors: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )

    question_set: Mapped[QuestionSet] = relationship(back_populates="source_text")


class SetShare(Model):
    """A teacher-owned set shared with a named colleague, to read (preview, assign) or edit."""

    __tablename__ = "set_share"
    __table_args__ = (UniqueConstraint("set_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # set_id needs no index of its own: it leads the unique (set_id, user_id).
    set_id: Mapped[int] = mapped_column(ForeignKey("question_set.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    can_edit: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()


class SetImage(Model):
    """An image of a teacher-owned set, under the name its YAML gives it; served by its
    content hash (`sha256`), never by that name, which could tell the key."""

    __tablename__ = "set_image"
    __table_args__ = (
        UniqueConstraint("set_id", "name"),
        Index("ix_set_image_sha256", "sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("question_set.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Question(Model):
    """One version of a question, identified by (set, key); `is_current` marks the live one."""

    __tablename__ = "question"
    __table_args__ = (
        UniqueConstraint("set_id", "key", "version"),
        CheckConstraint("points >= 0", name="points_not_negative"),
        CheckConstraint(f"type IN ({sql_list(QUESTION_TYPES)})", name="type_known"),
        Index("ix_question_set_id_is_current", "set_id", "is_current"),
        # One live version per question, whatever writes the rows (sync, a script, a race).
        Index(
            "uq_question_one_current",
            "set_id",
            "key",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # set_id needs no index of its own: it leads the unique (set_id, key, version).
    set_id: Mapped[int] = mapped_column(ForeignKey("question_set.id"))
    key: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_current: Mapped[bool] = mapped_column(default=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    position: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(16))
    prompt: Mapped[str] = mapped_column(Text)
    points: Mapped[float] = mapped_column(Float, default=1.0)
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # The whole validated question as the schema dumps it: what graders and templates read.
    spec: Mapped[dict[str, Any]] = mapped_column(JSONType)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    question_set: Mapped[QuestionSet] = relationship(back_populates="questions")


class Attempt(Model):
    __tablename__ = "attempt"
    __table_args__ = (
        UniqueConstraint("user_id", "set_id", "number"),
        CheckConstraint(f"state IN ({sql_list(AttemptState)})", name="state_known"),
        # At most one attempt in progress per student and set (self-study) or per student and
        # assignment, whatever the race: two tabs or a double click cannot start a second one.
        Index(
            "uq_attempt_one_in_progress",
            "user_id",
            "set_id",
            unique=True,
            sqlite_where=text("state = 'in_progress' AND assignment_id IS NULL"),
            postgresql_where=text("state = 'in_progress' AND assignment_id IS NULL"),
        ),
        Index(
            "uq_attempt_one_in_progress_per_assignment",
            "user_id",
            "assignment_id",
            unique=True,
            sqlite_where=text("state = 'in_progress' AND assignment_id IS NOT NULL"),
            postgresql_where=text("state = 'in_progress' AND assignment_id IS NOT NULL"),
        ),
        Index("ix_attempt_user_id_submitted_at", "user_id", "submitted_at"),
        CheckConstraint("penalty >= 0 AND penalty <= 1", name="penalty_fraction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # user_id (and user_id, set_id) needs no index of its own: it leads the unique
    # (user_id, set_id, number).
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    set_id: Mapped[int] = mapped_column(ForeignKey("question_set.id"), index=True)
    # None for self-study from the catalogue; else the assignment it was taken for.
    # RESTRICT: an assignment that has attempts is not deleted behind their back
    # (`classes.assignments.delete_assignment` says why to the teacher).
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default=AttemptState.in_progress.value)
    late: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # Retaken after its assignment closed: for learning, never for a grade.
    practice: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # A teacher's "try it" of a set from its preview: throwaway, never a grade, in no
    # statistics (gradebook, item analysis, progress and the catalogue leave it out).
    trial: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    # Share of the score taken off for lateness (assignment policy), already applied to `score`.
    penalty: Mapped[float] = mapped_column(Float, default=0.0, server_default=text("0"))
    seed: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float, default=0.0)

    user: Mapped[User] = relationship(back_populates="attempts")
    question_set: Mapped[QuestionSet] = relationship()
    assignment: Mapped[Assignment | None] = relationship(back_populates="attempts")
    responses: Mapped[list[QuestionAttempt]] = relationship(
        back_populates="attempt",
        order_by="QuestionAttempt.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def fraction(self) -> float | None:
        if self.score is None or not self.max_score:
            return None
        return self.score / self.max_score


class QuestionAttempt(Model):
    """A question frozen into an attempt (with its shuffled layout), and the student's answer.

    Moodle's name for it; the table keeps its first name, `response` (and `Attempt.responses`),
    while the class no longer shadows werkzeug's `Response` in the views.
    """

    __tablename__ = "response"
    __table_args__ = (
        UniqueConstraint("attempt_id", "position"),
        UniqueConstraint("attempt_id", "question_id"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 1)", name="score_fraction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # attempt_id needs no index of its own: it leads both unique constraints.
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # Presentation frozen at start: {"choices": [original indexes in display order], ...}.
    layout: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    answer: Mapped[Any | None] = mapped_column(JSONType)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None] = mapped_column(Float)  # fraction of the question's points
    points: Mapped[float | None] = mapped_column(Float)
    # "Flag for later": the student's own mark on the question map, kept across devices.
    flagged: Mapped[bool] = mapped_column(default=False, server_default=text("false"))

    attempt: Mapped[Attempt] = relationship(back_populates="responses")
    question: Mapped[Question] = relationship()


class Classroom(Model):
    """A teacher's class: students join it with its code and take its assignments."""

    __tablename__ = "classroom"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    # RESTRICT: a teacher's account is not deleted while they have classes.
    teacher_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"), index=True)
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    join_code_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    teacher: Mapped[User] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="classroom", cascade="all, delete-orphan", order_by="Membership.display_name"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="classroom", cascade="all, delete-orphan", order_by="Assignment.due_at"
    )

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


class Membership(Model):
    """A student in a class, under the name the teacher sees (unique in the class)."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("classroom_id", "user_id"),
        UniqueConstraint("classroom_id", "display_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classroom.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(80))
    # The display name folded for comparison: "Zoé" and "zoe " are the same pupil to a teacher.
    display_key: Mapped[str] = mapped_column(String(80))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    classroom: Mapped[Classroom] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()


class Assignment(Model):
    """A question set given to a class between two dates, with optional overrides."""

    __tablename__ = "assignment"
    __table_args__ = (
        CheckConstraint("due_at > opens_at", name="due_after_opening"),
        CheckConstraint(f"late_policy IN ({sql_list(LatePolicy)})", name="late_policy_known"),
        CheckConstraint(
            "late_penalty IS NULL OR (late_penalty >= 0 AND late_penalty <= 100)",
            name="late_penalty_percent",
        ),
        CheckConstraint(
            f"feedback IS NULL OR feedback IN ({sql_list(FeedbackMode)})",
            name="feedback_known",
        ),
        CheckConstraint(f"score_rule IN ({sql_list(ScoreRule)})", name="score_rule_known"),
        CheckConstraint(f"kind IN ({sql_list(AssignmentKind)})", name="kind_known"),
        Index("ix_assignment_classroom_id_due_at", "classroom_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classroom.id", ondelete="CASCADE"))
    set_id: Mapped[int] = mapped_column(ForeignKey("question_set.id"), index=True)
    # The teacher's name for it, so that two assignments of one set can be told apart;
    # None: it goes by its set's title (`title`).
    name: Mapped[str | None] = mapped_column(String(100))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    max_attempts: Mapped[int | None] = mapped_column(Integer)
    time_limit: Mapped[int | None] = mapped_column(Integer)  # seconds
    feedback: Mapped[str | None] = mapped_column(String(16))
    late_policy: Mapped[str] = mapped_column(String(16), default=LatePolicy.refuse.value)
    late_penalty: Mapped[float | None] = mapped_column(Float)  # percent of the score
    # Which of a student's attempts makes the grade: best, last, or the average of all.
    score_rule: Mapped[str] = mapped_column(
        String(8), default=ScoreRule.best.value, server_default=ScoreRule.best.value
    )
    # A live session's scores come in as a `live` assignment (quizapp/live/results.py).
    kind: Mapped[str] = mapped_column(
        String(8), default=AssignmentKind.regular.value, server_default=AssignmentKind.regular.value
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    classroom: Mapped[Classroom] = relationship(back_populates="assignments")
    question_set: Mapped[QuestionSet] = relationship()
    # "all": never detach attempts (null their assignment_id) on delete; the database refuses.
    attempts: Mapped[list[Attempt]] = relationship(
        back_populates="assignment", passive_deletes="all"
    )

    @property
    def title(self) -> str:
        """The assignment's name, or its set's title."""
        return self.name or self.question_set.title

    def settings(self) -> dict[str, Any]:
        """The set's settings with this assignment's overrides."""
        merged = dict(self.question_set.settings or {})
        for key in ("max_attempts", "time_limit", "feedback"):
            value = getattr(self, key)
            if value is not None:
                merged[key] = value
        return merged


class QuestionProgress(Model):
    """A student's standing on one question, whatever its version: the latest result (for
    mastery) and, once missed, a spaced-repetition card (FSRS) with its due date.

    Kept up to date as attempts are graded, so the dashboard reads one row per question the
    student has met, never their whole history.
    """

    __tablename__ = "question_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "set_id", "question_key"),
        Index("ix_question_progress_user_id_due", "user_id", "due"),
        CheckConstraint("last_score >= 0 AND last_score <= 1", name="last_score_fraction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    set_id: Mapped[int] = mapped_column(ForeignKey("question_set.id"), index=True)
    question_key: Mapped[str] = mapped_column(String(100))
    tags: Mapped[list[str]] = mapped_column(JSONType, default=list)
    last_score: Mapped[float] = mapped_column(Float)
    last_answered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # FSRS card (fsrs.Card.to_dict()) once the question was missed; None before.
    card: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)

    question_set: Mapped[QuestionSet] = relationship()


class ScoreOverride(Model):
    """A teacher's score for one answer, in place of the graded one.

    Kept beside the answer rather than written into it: regrading rewrites
    `QuestionAttempt.score`, the override stays and still wins (`quiz.attempts.attempt_score`
    reads it).
    """

    __tablename__ = "score_override"
    __table_args__ = (CheckConstraint("score >= 0 AND score <= 1", name="score_fraction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), unique=True
    )
    score: Mapped[float] = mapped_column(Float)  # fraction of the question's points
    comment: Mapped[str] = mapped_column(Text, default="")
    # SET NULL: the override outlives the account of the teacher who made it.
    by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    response: Mapped[QuestionAttempt] = relationship()
    by: Mapped[User | None] = relationship()


# ---- item statistics, kept up to date as attempts are graded (gradebook/stats.py) ----------


class AssignmentStat(Model):
    """How many of an assignment's attempts the item statistics count."""

    __tablename__ = "assignment_stat"

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class ItemStat(Model):
    """The sums an item's facility and point-biserial come from, per assignment and question
    key: x is the answer's score, y its attempt's total (fractions), both in millionths
    (`gradebook.stats.SCALE`) so that sums add and subtract exactly."""

    __tablename__ = "item_stat"

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True
    )
    question_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    n_right: Mapped[int] = mapped_column(Integer, default=0)
    sum_x: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_xx: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_y: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_yy: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_xy: Mapped[int] = mapped_column(BigInteger, default=0)


class ItemTally(Model):
    """How many answers to an item picked a choice, put an item at a place, gave a wrong typed
    answer, or took a time (a bucket): per assignment and question key."""

    __tablename__ = "item_tally"
    __table_args__ = (CheckConstraint(f"kind IN ({sql_list(TallyKind)})", name="kind_known"),)

    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True
    )
    question_key: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    # A wrong typed answer as a student wrote it (the first in sort order of those seen).
    label: Mapped[str] = mapped_column(String(200), default="")
    count: Mapped[int] = mapped_column(Integer, default=0)


class LiveSession(Model):
    """A teacher-paced game (quizapp/live/): the PIN, the current question and its clock.

    The database is the truth; every change bumps `version`, which the broker fans out.
    """

    __tablename__ = "live_session"
    __table_args__ = (
        CheckConstraint(f"state IN ({sql_list(LiveState)})", name="state_known"),
        CheckConstraint(f"names IN ({sql_list(LeaderboardNames)})", name="names_known"),
        # A PIN names one running session; an ended one frees it.
        Index(
            "uq_live_session_pin_running",
            "pin",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("question_set.id"), index=True)
    classroom_id: Mapped[int | None] = mapped_column(
        ForeignKey("classroom.id", ondelete="CASCADE"), index=True
    )
    # The `live` assignment its scores went into, once (unique: never entered twice).
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment.id", ondelete="SET NULL"), unique=True
    )
    pin: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16), default=LiveState.lobby.value)
    names: Mapped[str] = mapped_column(String(8), default=LeaderboardNames.shown.value)
    streak_bonus: Mapped[bool] = mapped_column(default=True)
    # Question ids frozen when the session is made, in play order.
    question_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)
    position: Mapped[int] = mapped_column(Integer, default=-1)  # -1 in the lobby
    question_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    time_limit: Mapped[int | None] = mapped_column(Integer)  # seconds, of the current question
    paused_remaining_ms: Mapped[int | None] = mapped_column(Integer)
    # Words the host added to the nickname blocklist.
    blocklist: Mapped[list[str]] = mapped_column(JSONType, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    host: Mapped[User] = relationship()
    question_set: Mapped[QuestionSet] = relationship()
    classroom: Mapped[Classroom | None] = relationship()


class LivePlayer(Model):
    """Someone playing a live session: a class member's account or a nickname."""

    __tablename__ = "live_player"
    __table_args__ = (
        UniqueConstraint("session_id", "nickname_key"),
        UniqueConstraint("session_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    nickname: Mapped[str] = mapped_column(String(80))
    nickname_key: Mapped[str] = mapped_column(String(80))
    # sha256 of the rejoin token (the token itself is in the player's cookie and rejoin link).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship()


class LiveAnswer(Model):
    """One acknowledged answer: written (and committed) before the player is told it counted."""

    __tablename__ = "live_answer"
    __table_args__ = (
        UniqueConstraint("player_id", "position"),
        Index("ix_live_answer_session_id_position", "session_id", "position"),
        CheckConstraint("score >= 0 AND score <= 1", name="score_fraction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_session.id", ondelete="CASCADE"))
    player_id: Mapped[int] = mapped_column(ForeignKey("live_player.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    answer: Mapped[Any] = mapped_column(JSONType)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    elapsed_ms: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)  # the type's grade, 0 to 1
    points: Mapped[int] = mapped_column(Integer)  # game points, speed and streak included

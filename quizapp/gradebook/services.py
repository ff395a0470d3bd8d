"""The gradebook and a student's attempt as the teacher sees it, in SQL aggregates.

A cell is one student's standing on one assignment. Its score follows the assignment's
`score_rule` (best, last or the average of the finished attempts, practice runs left out), and
links to the attempt it comes from (the last one for an average). Each query below is one
round trip whatever the size of the class: the page's cost grows with the rows it shows, and
the gradebook shows `PAGE_SIZE` students at a time.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, func, select, true
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    AttemptState,
    Classroom,
    Membership,
    Question,
    QuestionAttempt,
    ScoreOverride,
    ScoreRule,
    User,
    utcnow,
)
from . import stats

# A class is rarely above 40 students; a page of 100 keeps a year group on one screen while a
# whole school (thousands) costs the same per page: that is what keeps the bench's ratio flat.
PAGE_SIZE = 100
FINISHED = stats.FINISHED


class CellState(enum.StrEnum):
    scored = "scored"
    in_progress = "in_progress"
    not_started = "not_started"
    upcoming = "upcoming"
    missed = "missed"


@dataclass(frozen=True)
class Cell:
    state: str
    score: float | None = None  # fraction, by the assignment's rule
    attempt_id: int | None = None  # the attempt the score comes from
    attempts: int = 0
    late: bool = False
    penalty: float = 0.0  # share taken off the linked attempt for lateness


@dataclass(frozen=True)
class ColumnStats:
    average: float | None
    median: float | None
    scored: int


@dataclass(frozen=True)
class Gradebook:
    classroom: Classroom
    assignments: list[Assignment]
    members: list[Membership]
    cells: dict[tuple[int, int], Cell]  # (user_id, assignment_id)
    stats: dict[int, ColumnStats]
    page: int
    pages: int
    total: int

    def cell(self, user_id: int, assignment: Assignment) -> Cell:
        return self.cells.get((user_id, assignment.id)) or Cell(
            _unscored_state(assignment, self.now)
        )

    @property
    def now(self) -> datetime:
        return utcnow()


def _unscored_state(assignment: Assignment, now: datetime) -> str:
    if now < assignment.opens_at:
        return CellState.upcoming
    if now > assignment.due_at:
        return CellState.missed
    return CellState.not_started


def _ranked(one_assignment: bool) -> Any:
    """Every finished graded attempt of the class `:classroom_id` (or of its assignment
    `:assignment_id`), ranked best-first and last-first."""
    fraction = Attempt.score / func.nullif(Attempt.max_score, 0)
    window = (Attempt.user_id, Attempt.assignment_id)
    return (
        select(
            Attempt.id,
            Attempt.user_id,
            Attempt.assignment_id,
            fraction.label("fraction"),
            case((Attempt.late, 1), else_=0).label("late"),
            Attempt.penalty,
            Assignment.score_rule,
            func.row_number()
            .over(partition_by=window, order_by=(fraction.desc(), Attempt.number.desc()))
            .label("best_rank"),
            func.row_number()
            .over(partition_by=window, order_by=Attempt.number.desc())
            .label("last_rank"),
        )
        .join(Assignment, Assignment.id == Attempt.assignment_id)
        .where(
            Assignment.classroom_id == bindparam("classroom_id"),
            Attempt.state.in_(FINISHED),
            Attempt.practice.is_(False),
            Attempt.assignment_id == bindparam("assignment_id") if one_assignment else true(),
        )
        .subquery("ranked")
    )


@cache
def cells_query(one_assignment: bool = False) -> Select[Any]:
    """One row per student and assignment with a finished attempt: the cell, by its rule.

    Of the class `:classroom_id` (and only its assignment `:assignment_id` if `one_assignment`),
    parameters given when the statement runs: composed once per process (composing it was
    about 40 % of the gradebook's CPU), and SQLAlchemy's cache compiles it once.
    """
    r = _ranked(one_assignment)

    def of(rank: Any, column: Any) -> Any:
        return func.max(case((rank == 1, column)))

    best, last = r.c.best_rank, r.c.last_rank
    rule = r.c.score_rule
    score = case(
        (rule == ScoreRule.best.value, of(best, r.c.fraction)),
        (rule == ScoreRule.last.value, of(last, r.c.fraction)),
        else_=func.avg(r.c.fraction),
    )
    linked = case((rule == ScoreRule.best.value, of(best, r.c.id)), else_=of(last, r.c.id))
    late = case(
        (rule == ScoreRule.best.value, of(best, r.c.late)),
        (rule == ScoreRule.last.value, of(last, r.c.late)),
        else_=func.max(r.c.late),
    )
    penalty = case(
        (rule == ScoreRule.best.value, of(best, r.c.penalty)),
        (rule == ScoreRule.last.value, of(last, r.c.penalty)),
        else_=func.max(r.c.penalty),
    )
    return (
        select(
            r.c.user_id.label("user_id"),
            r.c.assignment_id.label("assignment_id"),
            score.label("score"),
            linked.label("attempt_id"),
            func.count().label("attempts"),
            late.label("late"),
            penalty.label("penalty"),
        )
        # The rule comes with the ranked attempts: joining the assignments again here made
        # SQLite scan every assignment of the school for each cell.
        .group_by(r.c.user_id, r.c.assignment_id, r.c.score_rule)
    )


def parse_sort(sort: str | None, assignment_ids: set[int]) -> tuple[str, int | None]:
    """`name` or `a<assignment id>`; anything else sorts by name."""
    if sort and sort.startswith("a") and sort[1:].isdigit() and int(sort[1:]) in assignment_ids:
        return "assignment", int(sort[1:])
    return "name", None


# The gradebook's cells as subqueries, composed once (parameters: classroom_id, and
# assignment_id for the sorted column; user_ids for a page's cells).
_CELLS = cells_query().subquery("cells")
_SORT_CELLS = cells_query(one_assignment=True).subquery("sort_cells")
_PAGE_CELLS = select(_CELLS).where(_CELLS.c.user_id.in_(bindparam("user_ids", expanding=True)))


def gradebook(
    classroom: Classroom,
    sort: str | None = None,
    descending: bool = False,
    page: int = 1,
    now: datetime | None = None,
    per_page: int | None = PAGE_SIZE,
) -> Gradebook:
    """One page of the class's gradebook (every student: `per_page` None, for exports): seven
    queries, whatever the number of students."""
    now = now or utcnow()
    assignments = list(
        db.session.scalars(
            select(Assignment)
            .options(joinedload(Assignment.question_set))
            .where(Assignment.classroom_id == classroom.id)
            .order_by(Assignment.due_at, Assignment.id)
        )
    )
    total = (
        db.session.scalar(select(func.count()).where(Membership.classroom_id == classroom.id)) or 0
    )
    pages = max(1, -(-total // per_page)) if per_page else 1
    page = min(max(page, 1), pages)
    kind, sort_id = parse_sort(sort, {a.id for a in assignments})
    params = {"classroom_id": classroom.id, "assignment_id": sort_id}
    members = select(Membership).where(Membership.classroom_id == classroom.id)
    name_order = Membership.display_key.desc() if descending else Membership.display_key
    if kind == "assignment":
        # Only the sorted assignment's cells: the sort reads one column, not the whole book.
        sort_cells = _SORT_CELLS
        members = members.outerjoin(sort_cells, sort_cells.c.user_id == Membership.user_id)
        # Students without a score last whichever the direction: they are what is missing.
        order = sort_cells.c.score.desc() if descending else sort_cells.c.score
        members = members.order_by(sort_cells.c.score.is_(None), order, Membership.display_key)
    else:
        members = members.order_by(name_order)
    page_members = list(
        db.session.scalars(members.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE), params)
    )
    user_ids = [m.user_id for m in page_members]
    by_cell: dict[tuple[int, int], Cell] = {}
    for row in db.session.execute(_PAGE_CELLS, {**params, "user_ids": user_ids}):
        by_cell[(row.user_id, row.assignment_id)] = Cell(
            CellState.scored,
            row.score,
            row.attempt_id,
            row.attempts,
            bool(row.late),
            row.penalty or 0.0,
        )
    working = db.session.execute(
        select(Attempt.user_id, Attempt.assignment_id, func.max(Attempt.id))
        .join(Assignment, Assignment.id == Attempt.assignment_id)
        .where(
            Assignment.classroom_id == classroom.id,
            Attempt.user_id.in_(user_ids),
            Attempt.state == AttemptState.in_progress.value,
        )
        .group_by(Attempt.user_id, Attempt.assignment_id)
    ).all()
    for user_id, assignment_id, attempt_id in working:
        if assignment_id is None:
            continue  # not so: the join keeps assignment attempts only
        by_cell.setdefault(
            (user_id, assignment_id), Cell(CellState.in_progress, attempt_id=attempt_id)
        )
    return Gradebook(
        classroom,
        assignments,
        page_members,
        by_cell,
        column_stats(classroom.id),
        page,
        pages,
        total,
    )


def column_stats(classroom_id: int) -> dict[int, ColumnStats]:
    """Average and median per assignment over the students with a score (one query)."""
    rows = db.session.execute(_column_stats_statement(), {"classroom_id": classroom_id}).all()
    return {a: ColumnStats(avg, median, count) for a, avg, median, count in rows}


@cache
def _column_stats_statement() -> Select[Any]:
    """The median is the mean of the middle one or two values, found by row numbers: SQLite has
    no percentile function, and both engines share this form."""
    cells = cells_query().subquery("cells")
    ordered = select(
        cells.c.assignment_id,
        cells.c.score,
        func.row_number()
        .over(partition_by=cells.c.assignment_id, order_by=cells.c.score)
        .label("n"),
        func.count().over(partition_by=cells.c.assignment_id).label("size"),
    ).subquery("ordered")
    middle = case(
        (
            ordered.c.n.in_([(ordered.c.size + 1) // 2, (ordered.c.size + 2) // 2]),
            ordered.c.score,
        )
    )
    return select(
        ordered.c.assignment_id,
        func.avg(ordered.c.score),
        func.avg(middle),
        func.count(),
    ).group_by(ordered.c.assignment_id)


# ---- one attempt, as the teacher sees it --------------------------------------------------


def class_attempt(classroom: Classroom, attempt_id: int) -> Attempt | None:
    """An attempt of a student of this class (for an assignment of it or self-study)."""
    return db.session.scalar(
        select(Attempt)
        .join(Membership, Membership.user_id == Attempt.user_id)
        .where(Attempt.id == attempt_id, Membership.classroom_id == classroom.id)
    )


@dataclass(frozen=True)
class ResponseView:
    response: QuestionAttempt
    seconds: float | None  # since the previous answer (or the start): time spent on it
    override: ScoreOverride | None


def attempt_responses(attempt: Attempt) -> list[ResponseView]:
    """The attempt's answers with their questions and overrides, and the time each took.

    Time spent is the gap between one answer and the answer saved before it (the start for
    the first): students may come back to a question, so it is the time to reach this answer.
    """
    rows = db.session.execute(
        select(QuestionAttempt, ScoreOverride)
        .options(
            joinedload(QuestionAttempt.question).joinedload(Question.question_set),
        )
        .outerjoin(ScoreOverride, ScoreOverride.response_id == QuestionAttempt.id)
        .where(QuestionAttempt.attempt_id == attempt.id)
        .order_by(QuestionAttempt.position)
    ).all()
    answered = sorted((r.answered_at, r.id) for r, _o in rows if r.answered_at is not None)
    seconds: dict[int, float] = {}
    previous = attempt.started_at
    for at, response_id in answered:
        seconds[response_id] = max(0.0, (at - previous).total_seconds())
        previous = at
    return [ResponseView(r, seconds.get(r.id), o) for r, o in rows]


class OverrideError(ValueError):
    """An override the rules refuse; the message is shown to the teacher."""


def override_score(
    response: QuestionAttempt,
    points: float,
    comment: str,
    teacher: User,
    now: datetime | None = None,
) -> ScoreOverride:
    """Set (or replace) a teacher's score for one answer and rescore its attempt."""
    from ..quiz.attempts import attempt_score

    attempt = response.attempt
    if attempt.state not in FINISHED:
        raise OverrideError("in progress")
    maximum = response.question.points
    if not 0 <= points <= maximum:
        raise OverrideError("range")
    stats.retract([attempt.id])  # as it stands, before the override changes it
    override = db.session.scalar(
        select(ScoreOverride).where(ScoreOverride.response_id == response.id)
    )
    if override is None:
        override = ScoreOverride(response_id=response.id)
        db.session.add(override)
    override.score = points / maximum if maximum else 0.0
    override.comment = comment.strip()
    override.by_id = teacher.id
    override.at = now or utcnow()
    db.session.flush()
    attempt.score = attempt_score(attempt)
    db.session.flush()
    stats.count([attempt.id])
    return override


def responses_query(assignment: Assignment) -> Select[Any]:
    """Every answer of the assignment's finished attempts, with its student and question."""
    return (
        select(
            Membership.display_name,
            Attempt.number,
            Question,
            QuestionAttempt.answer,
            QuestionAttempt.score,
            QuestionAttempt.points,
            ScoreOverride.score,
            Attempt.late,
        )
        .select_from(QuestionAttempt)
        .join(Attempt, Attempt.id == QuestionAttempt.attempt_id)
        .join(Question, Question.id == QuestionAttempt.question_id)
        .join(
            Membership,
            and_(
                Membership.user_id == Attempt.user_id,
                Membership.classroom_id == assignment.classroom_id,
            ),
        )
        .outerjoin(ScoreOverride, ScoreOverride.response_id == QuestionAttempt.id)
        .where(
            Attempt.assignment_id == assignment.id,
            Attempt.state.in_(FINISHED),
            Attempt.practice.is_(False),
        )
        .order_by(Membership.display_key, Attempt.number, QuestionAttempt.position)
    )


# ---- an assignment in progress --------------------------------------------------------------


@dataclass(frozen=True)
class LiveStudent:
    membership: Membership
    state: str  # not_started, working, submitted
    reached: int = 0  # questions answered so far, while working
    score: float | None = None  # by the assignment's rule, once submitted


@dataclass(frozen=True)
class LiveQuestion:
    position: int
    key: str
    answered: int
    share_right: float | None


@dataclass(frozen=True)
class Live:
    students: list[LiveStudent]
    questions: list[LiveQuestion]
    average: float | None
    total_questions: int

    def count(self, state: str) -> int:
        return sum(1 for s in self.students if s.state == state)


def live(assignment: Assignment) -> Live:
    """Who has not started, who is working (and how far), who handed in; the running average
    and each question's running share right (answers graded so far). Five queries."""
    members = db.session.scalars(
        select(Membership)
        .where(Membership.classroom_id == assignment.classroom_id)
        .order_by(Membership.display_key)
    ).all()
    scores = dict(
        db.session.execute(
            select(_CELLS.c.user_id, _CELLS.c.score).where(_CELLS.c.assignment_id == assignment.id),
            {"classroom_id": assignment.classroom_id},
        ).all()
    )
    reached = dict(
        db.session.execute(
            select(Attempt.user_id, func.count(QuestionAttempt.answered_at))
            .join(QuestionAttempt, QuestionAttempt.attempt_id == Attempt.id)
            .where(
                Attempt.assignment_id == assignment.id,
                Attempt.state == AttemptState.in_progress.value,
            )
            .group_by(Attempt.user_id)
        ).all()
    )
    students = []
    for m in members:
        if m.user_id in reached:  # working again after a first hand-in counts as working
            students.append(LiveStudent(m, "working", reached[m.user_id], scores.get(m.user_id)))
        elif m.user_id in scores:
            students.append(LiveStudent(m, "submitted", score=scores[m.user_id]))
        else:
            students.append(LiveStudent(m, "not_started"))
    questions = [
        LiveQuestion(position, key, answered, right)
        for position, key, answered, right in db.session.execute(
            select(
                func.min(Question.position),
                Question.key,
                func.count(QuestionAttempt.score),
                func.avg(
                    case(
                        (QuestionAttempt.score >= 1 - 1e-9, 1.0),
                        (QuestionAttempt.score.is_not(None), 0.0),
                    )
                ),
            )
            .join(QuestionAttempt, QuestionAttempt.question_id == Question.id)
            .join(Attempt, Attempt.id == QuestionAttempt.attempt_id)
            .where(
                Attempt.assignment_id == assignment.id,
                Attempt.practice.is_(False),
                QuestionAttempt.answered_at.is_not(None) | Attempt.state.in_(FINISHED),
            )
            .group_by(Question.key)
            .order_by(func.min(Question.position))
        )
    ]
    total = db.session.scalar(
        select(func.count()).where(
            Question.set_id == assignment.set_id, Question.is_current.is_(True)
        )
    )
    values = [s for s in scores.values() if s is not None]
    average = sum(values) / len(values) if values else None
    return Live(students, questions, average, total or 0)

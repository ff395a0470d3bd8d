"""Item statistics kept as sums, so that the item analysis reads a few rows per question,
whatever the number of attempts (`analysis.py` reads them).

Which attempts count: an assignment's finished attempts (graded or expired), practice runs
left out; self-study has no assignment and never counts. Each counted attempt adds, per
question key (every version of a question counts under its key):

- to `ItemStat`: n, the answers right (x >= 1), and Σx, Σx², Σy, Σy², Σxy, where x is the
  answer's score (a teacher's override wins; a blank is 0) and y the attempt's total (score
  over maximum, late penalty included), both as integers in millionths (`SCALE`): sums of
  integers add and subtract exactly, so that retracting an attempt leaves no residue;
- to `ItemTally`: one count per choice picked, per order item at its place or match pair, per
  wrong typed answer (normalised: case, accents, spacing and punctuation do not count; the
  label is one of the forms students wrote), and per time bucket of the time spent (from the
  answer saved before it, or the start): to the second under 2 minutes, then 5 s under 10
  minutes, 30 s under an hour, and one bucket for an hour or more (`bucket`);
- to `AssignmentStat`: one attempt.

Who writes, always in the caller's transaction: grading (`quiz.attempts.attempt_graded`) counts
the attempt from what is in memory; regrading (`attempts_rescoring`, then `attempts_rescored`)
and a teacher's override (`gradebook.services.override_score`) retract the attempts as stored,
change them, and count them again; deleting an account retracts its attempts. Rows are
upserted (INSERT ... ON CONFLICT DO UPDATE SET n = n + excluded.n) in key order, so two
gradings of one assignment at once wait for each other's rows, never lose an increment, and
never deadlock. `rebuild` recomputes everything from the responses (`flask gradebook
rebuild-stats`, after an upgrade).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from ..enums import AttemptState, TallyKind
from ..extensions import db
from ..models import (
    AssignmentStat,
    Attempt,
    ItemStat,
    ItemTally,
    Question,
    QuestionAttempt,
    ScoreOverride,
)
from ..qtypes.base import normalize_text
from ..quiz.attempts import attempt_graded, attempts_rescored, attempts_rescoring

FINISHED = (AttemptState.graded.value, AttemptState.expired.value)
SCALE = 1_000_000
RIGHT = 1 - 1e-9
TEXT_LIMIT = 200  # characters of a wrong typed answer kept
# (below, width): time buckets; beyond the last, one bucket starting at HOUR.
BUCKETS = ((120, 1), (600, 5), (3600, 30))
HOUR = 3600
SUMS = ("n", "n_right", "sum_x", "sum_xx", "sum_y", "sum_yy", "sum_xy")
# Plain strings, read once per answer: faster than the members' `.value`.
CHOICE, PLACE, WRONG, SECONDS = (
    TallyKind.choice.value,
    TallyKind.place.value,
    TallyKind.wrong.value,
    TallyKind.seconds.value,
)


def bucket(seconds: float) -> int:
    """The lower bound of the time bucket of `seconds`."""
    seconds = max(0.0, seconds)
    for below, width in BUCKETS:
        if seconds < below:
            return int(seconds // width) * width
    return HOUR


def median_of(histogram: dict[int, int]) -> float | None:
    """The median of the times a histogram counts (the lower bounds of the middle buckets)."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    wanted = [(total + 1) // 2, (total + 2) // 2]
    found: list[int] = []
    seen = 0
    for lower, count in sorted(histogram.items()):
        seen += count
        while wanted and wanted[0] <= seen:
            found.append(lower)
            wanted.pop(0)
    return sum(found) / len(found)


def counted(attempt: Attempt) -> bool:
    """An assignment's finished attempt; never practice nor a teacher's "try it"."""
    return (
        attempt.assignment_id is not None
        and not attempt.practice
        and not attempt.trial
        and attempt.state in FINISHED
    )


@dataclass(frozen=True)
class Answer:
    """One answer as the statistics see it."""

    key: str
    type: str
    position: int
    answer: Any
    score: float  # the override if any, else the graded score; a blank is 0
    answered_at: datetime | None


@dataclass
class Delta:
    """What some attempts add to (or, retracted, take from) the tables."""

    attempts: Counter[int] = field(default_factory=Counter)
    items: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    tallies: Counter[tuple[int, str, str, str]] = field(default_factory=Counter)
    labels: dict[tuple[int, str, str, str], str] = field(default_factory=dict)

    def add(
        self,
        assignment_id: int,
        total: float,
        started_at: datetime,
        answers: Sequence[Answer],
        sign: int = 1,
    ) -> None:
        self.attempts[assignment_id] += sign
        y = round(total * SCALE)
        for a in answers:
            x = round(a.score * SCALE)
            sums = self.items.setdefault((assignment_id, a.key), [0] * len(SUMS))
            sums[0] += sign
            sums[1] += sign if a.score >= RIGHT else 0
            sums[2] += sign * x
            sums[3] += sign * x * x
            sums[4] += sign * y
            sums[5] += sign * y * y
            sums[6] += sign * x * y
            for kind, value, label in _tallies(a):
                tally = (assignment_id, a.key, kind, value)
                self.tallies[tally] += sign
                self.labels[tally] = min(label, self.labels.get(tally, label))
        previous = started_at
        for a in sorted(
            (a for a in answers if a.answered_at is not None),
            key=lambda a: (a.answered_at, a.position),
        ):
            at = a.answered_at
            assert at is not None
            spent = (
                assignment_id,
                a.key,
                SECONDS,
                str(bucket((at - previous).total_seconds())),
            )
            self.tallies[spent] += sign
            self.labels.setdefault(spent, "")
            previous = at


def _tallies(a: Answer) -> Iterable[tuple[str, str, str]]:
    """(kind, value, label) of what one answer picked, placed or typed wrong."""
    answer = a.answer
    if answer is None:
        return
    if a.type in ("single", "true_false") and isinstance(answer, int):
        yield CHOICE, str(int(answer)), ""
    elif a.type == "multiple" and isinstance(answer, list):
        for chosen in answer:
            yield CHOICE, str(int(chosen)), ""
    elif isinstance(answer, list):  # order: the item at each place; match: each pair
        for place, value in enumerate(answer):
            yield PLACE, json.dumps([place, value]), ""
    elif isinstance(answer, dict):
        for left, right in sorted(answer.items()):
            yield PLACE, json.dumps([left, right]), ""
    if a.type in ("text", "numeric") and a.score < RIGHT:
        label = str(answer).strip()[:TEXT_LIMIT]
        yield WRONG, _normalised(a.type, answer)[:TEXT_LIMIT], label


def _normalised(kind: str, answer: Any) -> str:
    if kind == "numeric" and not isinstance(answer, bool):
        try:
            return repr(float(answer))
        except (TypeError, ValueError):
            pass
    return normalize_text(str(answer)) or str(answer).strip()


def place_of(value: str) -> tuple[Any, Any]:
    """The (place, item) or (left, right) pair a `place` tally stores."""
    left, right = json.loads(value)
    return left, tuple(right) if isinstance(right, list) else right


def _total(score: float | None, max_score: float | None) -> float:
    return score / max_score if score is not None and max_score else 0.0


# ---- writing ---------------------------------------------------------------------------------


def _insert(table: Any) -> Any:
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def apply(delta: Delta) -> None:
    """Add a delta to the tables: three upserts at most, rows in key order."""
    attempts = sorted((a, n) for a, n in delta.attempts.items() if n)
    if attempts:
        table = AssignmentStat.__table__
        statement = _insert(table)
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=["assignment_id"],
                set_={"attempts": table.c.attempts + statement.excluded.attempts},
            ),
            [{"assignment_id": a, "attempts": n} for a, n in attempts],
        )
    items = sorted((k, v) for k, v in delta.items.items() if any(v))
    if items:
        table = ItemStat.__table__
        statement = _insert(table)
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=["assignment_id", "question_key"],
                set_={name: table.c[name] + statement.excluded[name] for name in SUMS},
            ),
            [
                {"assignment_id": a, "question_key": key, **dict(zip(SUMS, sums, strict=True))}
                for (a, key), sums in items
            ],
        )
    tallies = sorted((k, n) for k, n in delta.tallies.items() if n)
    if tallies:
        table = ItemTally.__table__
        statement = _insert(table)
        excluded = statement.excluded
        # The label that sorts first by code point, as Python's min() in `Delta.add`:
        # PostgreSQL compares in the database's collation unless told "C".
        new_label: Any = excluded.label
        old_label: Any = table.c.label
        if db.session.get_bind().dialect.name == "postgresql":
            new_label, old_label = new_label.collate("C"), old_label.collate("C")
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=["assignment_id", "question_key", "kind", "value"],
                set_={
                    "count": table.c["count"] + excluded["count"],
                    "label": case((new_label < old_label, excluded.label), else_=table.c.label),
                },
            ),
            [
                {
                    "assignment_id": a,
                    "question_key": key,
                    "kind": kind,
                    "value": value,
                    "label": delta.labels.get((a, key, kind, value), ""),
                    "count": n,
                }
                for (a, key, kind, value), n in tallies
            ],
        )


def count_graded(attempt: Attempt) -> None:
    """Count a freshly graded attempt, from its responses in memory (no read)."""
    if not counted(attempt):
        return
    assert attempt.assignment_id is not None
    delta = Delta()
    delta.add(
        attempt.assignment_id,
        _total(attempt.score, attempt.max_score),
        attempt.started_at,
        [
            Answer(
                r.question.key, r.question.type, r.position, r.answer, r.score or 0.0, r.answered_at
            )
            for r in attempt.responses
        ],
    )
    apply(delta)


def _delta_of(
    attempt_ids: Iterable[int] | None, sign: int, assignment_id: int | None = None
) -> Delta:
    """The contribution of the counted attempts among `attempt_ids` (None: every one, or
    every one of `assignment_id`), as stored: one query."""
    query = (
        select(
            Attempt.id,
            Attempt.assignment_id,
            Attempt.score,
            Attempt.max_score,
            Attempt.started_at,
            Question.key,
            Question.type,
            QuestionAttempt.position,
            QuestionAttempt.answer,
            QuestionAttempt.score,
            ScoreOverride.score,
            QuestionAttempt.answered_at,
        )
        .select_from(QuestionAttempt)
        .join(Attempt, Attempt.id == QuestionAttempt.attempt_id)
        .join(Question, Question.id == QuestionAttempt.question_id)
        .outerjoin(ScoreOverride, ScoreOverride.response_id == QuestionAttempt.id)
        .where(
            Attempt.assignment_id.is_not(None),
            Attempt.practice.is_(False),
            Attempt.trial.is_(False),
            Attempt.state.in_(FINISHED),
        )
        .order_by(Attempt.id)
    )
    if attempt_ids is not None:
        query = query.where(Attempt.id.in_(list(attempt_ids)))
    if assignment_id is not None:
        query = query.where(Attempt.assignment_id == assignment_id)
    delta = Delta()
    current: int | None = None
    head: tuple[int, float, datetime] | None = None
    answers: list[Answer] = []

    def flush() -> None:
        if head is not None:
            delta.add(*head, answers, sign=sign)

    # Core rows, streamed: the ORM's row processing would double the time of a rebuild.
    rows = db.session.connection().execute(query, execution_options={"yield_per": 10_000})
    for row in rows:
        (
            attempt_id,
            assignment,
            score,
            max_score,
            started_at,
            key,
            kind,
            position,
            answer,
            graded,
            override,
            answered_at,
        ) = row
        if attempt_id != current:
            flush()
            current, answers = attempt_id, []
            head = (assignment, _total(score, max_score), started_at)
        given = override if override is not None else (graded or 0.0)
        answers.append(Answer(key, kind, position, answer, given, answered_at))
    flush()
    return delta


def retract(attempt_ids: Iterable[int]) -> None:
    """Take stored attempts out of the statistics, before they change."""
    ids = sorted(set(attempt_ids))
    if not ids:
        return
    delta = _delta_of(ids, sign=-1)
    apply(delta)
    touched = sorted(delta.attempts)
    if touched:
        db.session.execute(
            delete(ItemTally).where(ItemTally.assignment_id.in_(touched), ItemTally.count <= 0)
        )
        db.session.execute(
            delete(ItemStat).where(ItemStat.assignment_id.in_(touched), ItemStat.n <= 0)
        )


def count(attempt_ids: Iterable[int]) -> None:
    """Put stored attempts (back) into the statistics, after they changed."""
    ids = sorted(set(attempt_ids))
    if ids:
        apply(_delta_of(ids, sign=1))


def rebuild(assignment_id: int | None = None) -> int:
    """Recompute the tables (or one assignment's rows) from the responses; return how many
    attempts were counted."""
    for model in (ItemTally, ItemStat, AssignmentStat):
        statement = delete(model)
        if assignment_id is not None:
            statement = statement.where(model.assignment_id == assignment_id)
        db.session.execute(statement)
    delta = _delta_of(None, sign=1, assignment_id=assignment_id)
    apply(delta)
    db.session.flush()
    return sum(delta.attempts.values())


def user_attempts(user_id: int) -> list[int]:
    return list(db.session.scalars(select(Attempt.id).where(Attempt.user_id == user_id)))


@attempt_graded.connect
def _on_graded(attempt: Attempt) -> None:
    count_graded(attempt)


@attempts_rescoring.connect
def _on_rescoring(attempt_ids: tuple[int, ...]) -> None:
    retract(attempt_ids)


@attempts_rescored.connect
def _on_rescored(attempt_ids: tuple[int, ...]) -> None:
    count(attempt_ids)


# ---- reading ---------------------------------------------------------------------------------


@dataclass
class ItemSums:
    n: int = 0
    n_right: int = 0
    sum_x: int = 0
    sum_xx: int = 0
    sum_y: int = 0
    sum_yy: int = 0
    sum_xy: int = 0

    @property
    def mean(self) -> float:
        return self.sum_x / SCALE / self.n if self.n else 0.0

    @property
    def share_right(self) -> float:
        return self.n_right / self.n if self.n else 0.0

    def point_biserial(self) -> float | None:
        """Pearson's r between x and y from the sums (exact integers until the division)."""
        n = self.n
        spread = (n * self.sum_xx - self.sum_x**2) * (n * self.sum_yy - self.sum_y**2)
        if spread <= 0:
            return None
        return (n * self.sum_xy - self.sum_x * self.sum_y) / math.sqrt(spread)


def attempts_in(assignment_ids: Any) -> int:
    """Attempts counted over the assignments `assignment_ids` (a select) covers."""
    return sum(
        db.session.scalars(
            select(AssignmentStat.attempts).where(AssignmentStat.assignment_id.in_(assignment_ids))
        )
    )


def sums_in(assignment_ids: Any) -> dict[str, ItemSums]:
    """Per question key, the sums over the assignments (one query)."""
    rows = db.session.execute(
        select(ItemStat.question_key, *(db.func.sum(ItemStat.__table__.c[s]) for s in SUMS))
        .where(ItemStat.assignment_id.in_(assignment_ids))
        .group_by(ItemStat.question_key)
    )
    return {key: ItemSums(*(int(v or 0) for v in values)) for key, *values in rows}


def tallies_in(assignment_ids: Any) -> dict[str, list[tuple[str, str, str, int]]]:
    """Per question key, (kind, value, label, count) over the assignments (one query)."""
    found: dict[str, list[tuple[str, str, str, int]]] = {}
    for key, kind, value, label, total in db.session.execute(
        select(
            ItemTally.question_key,
            ItemTally.kind,
            ItemTally.value,
            db.func.min(ItemTally.label),
            db.func.sum(ItemTally.count),
        )
        .where(ItemTally.assignment_id.in_(assignment_ids))
        .group_by(ItemTally.question_key, ItemTally.kind, ItemTally.value)
    ):
        if total:
            found.setdefault(key, []).append((kind, value, label, int(total)))
    return found

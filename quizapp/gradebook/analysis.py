"""Item analysis: how each question of an assignment (or of a set, across a teacher's classes)
did, in the terms of Moodle's quiz statistics, with flags that point at the YAML line to fix.

Every figure comes from SQL aggregates over the finished, graded attempts (practice runs left
out); an unanswered question counts as wrong (score 0). Python only combines the sums each
query returns: per question, per distinct answer, never per response.

Discrimination: the point-biserial correlation between the question's score and the attempt's
total score from 30 attempts on; under 30, where a correlation is too unsteady, the
upper-lower index: mean score of the top 27 % of attempts minus that of the bottom 27 %.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, case, func, select

from ..bank.reader import question_lines
from ..extensions import db
from ..models import Assignment, Attempt, Classroom, Question, QuestionAttempt, QuestionSet
from .services import FINISHED

POINT_BISERIAL_FROM = 30
UPPER_LOWER_SHARE = 0.27
TOO_EASY, TOO_HARD = 0.9, 0.2
COMMON_WRONG_SHARE = 0.1  # a wrong typed answer given by this share of attempts, or more
COMMON_WRONG_LIST = 5


@dataclass
class ItemStats:
    key: str
    prompt: str
    type: str
    position: int
    spec: dict[str, Any]
    attempts: int = 0
    share_right: float = 0.0
    mean_score: float = 0.0
    discrimination: float | None = None
    median_seconds: float | None = None
    picks: dict[int, int] = field(default_factory=dict)  # choice index -> times chosen
    positions: dict[tuple[int, Any], int] = field(default_factory=dict)  # (item, place) -> n
    wrong_answers: list[tuple[str, int]] = field(default_factory=list)
    line: int | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def choices(self) -> list[str]:
        return [c["text"] if isinstance(c, dict) else str(c) for c in self.spec.get("choices", [])]


@dataclass
class Analysis:
    question_set: QuestionSet
    attempts: int
    method: str  # "point_biserial" or "upper_lower"
    items: list[ItemStats]

    @property
    def file(self) -> str:
        return self.question_set.path


def attempts_of_assignment(assignment: Assignment) -> Select[Any]:
    return select(Attempt.id).where(
        Attempt.assignment_id == assignment.id,
        Attempt.state.in_(FINISHED),
        Attempt.practice.is_(False),
        Attempt.trial.is_(False),  # a teacher's "try it" is in no statistic
    )


def attempts_of_set(question_set: QuestionSet, teacher_id: int | None) -> Select[Any]:
    """The set's assignment attempts in the teacher's classes (every class: None)."""
    query = (
        select(Attempt.id)
        .join(Assignment, Assignment.id == Attempt.assignment_id)
        .join(Classroom, Classroom.id == Assignment.classroom_id)
        .where(
            Attempt.set_id == question_set.id,
            Attempt.state.in_(FINISHED),
            Attempt.practice.is_(False),
            Attempt.trial.is_(False),  # a teacher's "try it" is in no statistic
        )
    )
    return query if teacher_id is None else query.where(Classroom.teacher_id == teacher_id)


def _seconds(later: Any, earlier: Any) -> Any:
    """Seconds between two timestamps, in the engine's own words."""
    if db.engine.dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return func.extract("epoch", later - earlier)


def analyse(question_set: QuestionSet, scope: Select[Any]) -> Analysis:
    """The analysis of `question_set` over the attempts whose ids `scope` selects (six queries)."""
    ids = scope.subquery("scope")
    score = func.coalesce(QuestionAttempt.score, 0.0)
    total = (Attempt.score / func.nullif(Attempt.max_score, 0)).label("total")
    n = db.session.scalar(select(func.count()).select_from(ids)) or 0
    method = "point_biserial" if n >= POINT_BISERIAL_FROM else "upper_lower"
    items = {
        q.key: ItemStats(q.key, q.prompt, q.type, q.position, q.spec)
        for q in db.session.scalars(
            select(Question)
            .where(Question.set_id == question_set.id, Question.is_current.is_(True))
            .order_by(Question.position)
        )
    }
    # Facility and the sums of the point-biserial correlation, per question key (all versions).
    base = (
        select(Question.key.label("key"), score.label("x"), total)
        .select_from(QuestionAttempt)
        .join(Attempt, Attempt.id == QuestionAttempt.attempt_id)
        .join(Question, Question.id == QuestionAttempt.question_id)
        .where(QuestionAttempt.attempt_id.in_(select(ids.c.id)))
        .subquery("base")
    )
    x, y = base.c.x, func.coalesce(base.c.total, 0.0)
    for key, count, sx, sy, sxy, sxx, syy, right in db.session.execute(
        select(
            base.c.key,
            func.count(),
            func.sum(x),
            func.sum(y),
            func.sum(x * y),
            func.sum(x * x),
            func.sum(y * y),
            func.sum(case((x >= 1 - 1e-9, 1), else_=0)),
        ).group_by(base.c.key)
    ):
        item = items.get(key)
        if item is None:
            continue  # a question since removed from the set
        item.attempts = count
        item.mean_score = sx / count
        item.share_right = right / count
        if method == "point_biserial":
            spread = (count * sxx - sx * sx) * (count * syy - sy * sy)
            item.discrimination = (
                (count * sxy - sx * sy) / math.sqrt(spread) if spread > 0 else None
            )
    if method == "upper_lower" and n:
        _upper_lower(items, ids, n, score)
    _answers(items, ids)
    _median_times(items, ids)
    lines = _lines(question_set)
    for item in items.values():
        item.line = lines.get(item.key)
        item.flags = flags(item, question_set.path)
    return Analysis(question_set, n, method, sorted(items.values(), key=lambda i: i.position))


def _upper_lower(items: dict[str, ItemStats], ids: Any, n: int, score: Any) -> None:
    group = max(1, round(n * UPPER_LOWER_SHARE))
    ranked = (
        select(
            Attempt.id.label("id"),
            func.row_number()
            .over(order_by=((Attempt.score / func.nullif(Attempt.max_score, 0)).desc(), Attempt.id))
            .label("rank"),
        )
        .where(Attempt.id.in_(select(ids.c.id)))
        .subquery("ranked")
    )
    upper = ranked.c.rank <= group
    lower = ranked.c.rank > n - group
    for key, high, low in db.session.execute(
        select(
            Question.key,
            func.avg(case((upper, score))),
            func.avg(case((lower, score))),
        )
        .select_from(QuestionAttempt)
        .join(ranked, ranked.c.id == QuestionAttempt.attempt_id)
        .join(Question, Question.id == QuestionAttempt.question_id)
        .group_by(Question.key)
    ):
        if key in items and high is not None and low is not None:
            items[key].discrimination = high - low


def _answers(items: dict[str, ItemStats], ids: Any) -> None:
    """Counts per distinct answer given: at most as many rows as answers differ."""
    rows = db.session.execute(
        select(Question.key, QuestionAttempt.answer, func.max(QuestionAttempt.score), func.count())
        .join(Question, Question.id == QuestionAttempt.question_id)
        .where(
            QuestionAttempt.attempt_id.in_(select(ids.c.id)), QuestionAttempt.answer.is_not(None)
        )
        .group_by(Question.key, QuestionAttempt.answer)
    ).all()
    wrong: dict[str, Counter[str]] = {}
    for key, answer, best, count in rows:
        item = items.get(key)
        if item is None:
            continue
        if item.type in ("single", "true_false") and isinstance(answer, int):
            item.picks[answer] = item.picks.get(answer, 0) + count
        elif item.type == "multiple" and isinstance(answer, list):
            for chosen in answer:
                item.picks[chosen] = item.picks.get(chosen, 0) + count
        elif isinstance(answer, list):  # order: item at each place; match: each pair
            for place, value in enumerate(answer):
                pair = (place, tuple(value) if isinstance(value, list) else value)
                item.positions[pair] = item.positions.get(pair, 0) + count
        elif isinstance(answer, dict):
            for left, right in answer.items():
                item.positions[(left, right)] = item.positions.get((left, right), 0) + count
        if item.type in ("text", "numeric") and (best or 0) < 1:
            wrong.setdefault(key, Counter())[str(answer)] += count
    for key, counter in wrong.items():
        items[key].wrong_answers = counter.most_common(COMMON_WRONG_LIST)


def _median_times(items: dict[str, ItemStats], ids: Any) -> None:
    """Median time to each answer: from the answer saved before it (or the start)."""
    previous = func.lag(QuestionAttempt.answered_at).over(
        partition_by=QuestionAttempt.attempt_id, order_by=QuestionAttempt.answered_at
    )
    spent = (
        select(
            Question.key.label("key"),
            _seconds(
                QuestionAttempt.answered_at, func.coalesce(previous, Attempt.started_at)
            ).label("seconds"),
        )
        .join(Attempt, Attempt.id == QuestionAttempt.attempt_id)
        .join(Question, Question.id == QuestionAttempt.question_id)
        .where(
            QuestionAttempt.attempt_id.in_(select(ids.c.id)),
            QuestionAttempt.answered_at.is_not(None),
        )
        .subquery("spent")
    )
    ordered = select(
        spent.c.key,
        spent.c.seconds,
        func.row_number().over(partition_by=spent.c.key, order_by=spent.c.seconds).label("n"),
        func.count().over(partition_by=spent.c.key).label("size"),
    ).subquery("ordered")
    middle = ordered.c.n.in_([(ordered.c.size + 1) // 2, (ordered.c.size + 2) // 2])
    for key, median in db.session.execute(
        select(ordered.c.key, func.avg(ordered.c.seconds)).where(middle).group_by(ordered.c.key)
    ):
        if key in items and median is not None:
            items[key].median_seconds = float(median)


def _lines(question_set: QuestionSet) -> dict[str, int]:
    folder = Path(current_app.config["QUESTIONS_DIR"])
    return question_lines(folder / question_set.path)


def flags(item: ItemStats, path: str) -> list[str]:
    """Plain-language warnings, each naming the file, the question id and its line."""
    if not item.attempts:
        return []
    where = _(
        "%(file)s, question “%(id)s”, line %(line)s", file=path, id=item.key, line=item.line or "?"
    )
    found = []
    if item.share_right > TOO_EASY:
        found.append(_("Too easy: more than 90 %% got it right (%(where)s).", where=where))
    if item.share_right < TOO_HARD:
        found.append(_("Too hard: fewer than 20 %% got it right (%(where)s).", where=where))
    if item.discrimination is not None and item.discrimination < 0:
        found.append(
            _(
                "Students who did well overall did worse on this question: "
                "check the key (%(where)s).",
                where=where,
            )
        )
    if item.type in ("single", "multiple"):
        key = _key_indexes(item)
        for index, text in enumerate(item.choices):
            if index not in key and not item.picks.get(index):
                found.append(
                    _(
                        "Nobody picked “%(choice)s”: replace it with a likelier wrong answer "
                        "(%(where)s).",
                        choice=text,
                        where=where,
                    )
                )
    for answer, count in item.wrong_answers:
        if count / item.attempts >= COMMON_WRONG_SHARE and count > 1:
            found.append(
                _(
                    "%(count)d students answered “%(answer)s”, which the key rejects: "
                    "add it to accept? (%(where)s)",
                    count=count,
                    answer=answer,
                    where=where,
                )
            )
    return found


def _key_indexes(item: ItemStats) -> set[int]:
    answer = item.spec.get("answer")
    answers = answer if isinstance(answer, list) else [answer]
    return {i for i, text in enumerate(item.choices) if text in answers}

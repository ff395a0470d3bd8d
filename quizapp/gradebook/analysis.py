"""Item analysis: how each question of an assignment (or of a set, across a teacher's classes)
did, in the terms of Moodle's quiz statistics, with flags that point at the YAML line to fix.

Every figure comes from the sums `stats.py` keeps per assignment and question as attempts are
graded, regraded and overridden (which attempts count is said there): the page reads a few
rows per question, never the responses. An unanswered question counts as wrong (score 0); a
teacher's override stands for the graded score.

Discrimination: the point-biserial correlation between the question's score and the attempt's
total score from 30 attempts on; under 30, where a correlation is too unsteady, the
upper-lower index: mean score of the top 27 % of attempts minus that of the bottom 27 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, case, func, select

from ..bank.reader import question_lines
from ..enums import TallyKind
from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    Classroom,
    Question,
    QuestionAttempt,
    QuestionSet,
    ScoreOverride,
)
from . import stats
from .stats import FINISHED

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
    def placements(self) -> list[tuple[str, str, int]]:
        """How often each item was put at each place (order) or each pair made (match), in
        the question's words: (place or left side, item or right side, times)."""

        def text(texts: list[str], index: Any) -> str:
            if index is None:
                return "—"
            if isinstance(index, int) and 0 <= index < len(texts):
                return texts[index]
            return str(index)

        def number(value: Any) -> int:
            return value if isinstance(value, int) else -1

        def order(entry: tuple[tuple[Any, Any], int]) -> tuple[Any, ...]:
            (place, value), _count = entry
            return (number(place), str(place), number(value), str(value))

        items = [str(i) for i in self.spec.get("items", [])]
        lefts = [str(p[0]) for p in self.spec.get("pairs", [])]
        rights = [str(p[1]) for p in self.spec.get("pairs", [])]
        found = []
        for (place, value), count in sorted(self.positions.items(), key=order):
            if self.type == "order":
                left = str(place + 1) if isinstance(place, int) else str(place)
                found.append((left, text(items, value), count))
            elif self.type == "match":
                found.append((text(lefts, place), text(rights, value), count))
            else:
                found.append((str(place), str(value), count))
        return found

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


@dataclass(frozen=True)
class Scope:
    """Whose attempts an analysis counts: the assignments whose statistics it adds up, and
    their counted attempts (read only for the upper-lower index, under 30 attempts)."""

    assignments: Select[Any]
    attempts: Select[Any]


def _counted(query: Select[Any]) -> Select[Any]:
    return query.where(
        Attempt.assignment_id.is_not(None),
        Attempt.state.in_(FINISHED),
        Attempt.practice.is_(False),
        Attempt.trial.is_(False),  # a teacher's "try it" is in no statistic
    )


def attempts_of_assignment(assignment: Assignment) -> Scope:
    return Scope(
        select(Assignment.id).where(Assignment.id == assignment.id),
        _counted(select(Attempt.id).where(Attempt.assignment_id == assignment.id)),
    )


def attempts_of_set(question_set: QuestionSet, teacher_id: int | None) -> Scope:
    """The set's assignments in the teacher's classes (every class: None)."""
    assignments = (
        select(Assignment.id)
        .join(Classroom, Classroom.id == Assignment.classroom_id)
        .where(Assignment.set_id == question_set.id)
    )
    if teacher_id is not None:
        assignments = assignments.where(Classroom.teacher_id == teacher_id)
    return Scope(
        assignments,
        _counted(select(Attempt.id).where(Attempt.assignment_id.in_(assignments))),
    )


def analyse(question_set: QuestionSet, scope: Scope) -> Analysis:
    """The analysis of `question_set` over `scope`, from the kept sums (`stats.py`): four
    queries whatever the number of attempts, a fifth under 30 attempts (upper-lower)."""
    n = stats.attempts_in(scope.assignments)
    method = "point_biserial" if n >= POINT_BISERIAL_FROM else "upper_lower"
    items = {
        q.key: ItemStats(q.key, q.prompt, q.type, q.position, q.spec)
        for q in db.session.scalars(
            select(Question)
            .where(Question.set_id == question_set.id, Question.is_current.is_(True))
            .order_by(Question.position)
        )
    }
    for key, sums in stats.sums_in(scope.assignments).items():
        item = items.get(key)
        if item is None or not sums.n:
            continue  # a question since removed from the set
        item.attempts = sums.n
        item.mean_score = sums.mean
        item.share_right = sums.share_right
        if method == "point_biserial":
            item.discrimination = sums.point_biserial()
    if method == "upper_lower" and n:
        _upper_lower(items, scope.attempts.subquery("scope"), n)
    _answers(items, stats.tallies_in(scope.assignments))
    lines = _lines(question_set)
    for item in items.values():
        item.line = lines.get(item.key)
        item.flags = flags(item, question_set.path)
    return Analysis(question_set, n, method, sorted(items.values(), key=lambda i: i.position))


def effective_score() -> Any:
    """An answer's score as the statistics count it: the override, else the graded score,
    a blank 0."""
    return func.coalesce(ScoreOverride.score, QuestionAttempt.score, 0.0)


def _upper_lower(items: dict[str, ItemStats], ids: Any, n: int) -> None:
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
    score = effective_score()
    for key, high, low in db.session.execute(
        select(
            Question.key,
            func.avg(case((upper, score))),
            func.avg(case((lower, score))),
        )
        .select_from(QuestionAttempt)
        .join(ranked, ranked.c.id == QuestionAttempt.attempt_id)
        .join(Question, Question.id == QuestionAttempt.question_id)
        .outerjoin(ScoreOverride, ScoreOverride.response_id == QuestionAttempt.id)
        .group_by(Question.key)
    ):
        if key in items and high is not None and low is not None:
            items[key].discrimination = high - low


def _answers(
    items: dict[str, ItemStats], tallies: dict[str, list[tuple[str, str, str, int]]]
) -> None:
    """Picks, places, wrong typed answers and the median time, from the tallies."""
    for key, rows in tallies.items():
        item = items.get(key)
        if item is None:
            continue
        times: dict[int, int] = {}
        wrong: list[tuple[int, str, str]] = []
        for kind, value, label, count in rows:
            if kind == TallyKind.choice:
                item.picks[int(value)] = item.picks.get(int(value), 0) + count
            elif kind == TallyKind.place:
                pair = stats.place_of(value)
                item.positions[pair] = item.positions.get(pair, 0) + count
            elif kind == TallyKind.wrong:
                wrong.append((count, value, label or value))
            elif kind == TallyKind.seconds:
                times[int(value)] = times.get(int(value), 0) + count
        wrong.sort(key=lambda w: (-w[0], w[1]))
        item.wrong_answers = [(label, count) for count, _value, label in wrong[:COMMON_WRONG_LIST]]
        item.median_seconds = stats.median_of(times)


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

"""The end of a game as players and the teacher see it: each player's summary, the file of
results (the gradebook entry is `gradebook_entry.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select

from ..enums import LiveState
from ..extensions import db
from ..models import (
    LiveAnswer,
    LivePlayer,
    LiveSession,
)
from . import fragments, services


@dataclass(frozen=True)
class Summary:
    rank: int
    points: int
    right: int
    answered: int
    questions: int


def standings(live: LiveSession) -> dict[int, tuple[int, int]]:
    """Rank and points per player id. Once the question is closed the answers are final
    (answers hold a shared lock on the session's row that the closing UPDATE waits for), so
    the standings at that version are built once per process for every phone."""

    def build() -> dict[int, tuple[int, int]]:
        return {row.player.id: (row.rank, row.points) for row in services.leaderboard(live)}

    if live.state in (LiveState.reveal, LiveState.finished):
        return fragments.shared(live, "standings", build)
    return build()


def summary_of(live: LiveSession, player: LivePlayer) -> Summary | None:
    place = standings(live).get(player.id)
    if place is None:
        return None
    answered, right = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((LiveAnswer.score >= 1 - 1e-9, 1), else_=0)), 0),
        ).where(LiveAnswer.player_id == player.id)
    ).one()
    return Summary(place[0], place[1], int(right or 0), int(answered or 0), len(live.question_ids))


def export_rows(live: LiveSession) -> list[list[Any]]:
    """One row per player: rank, name, points, right answers, then points per question."""
    per_question: dict[tuple[int, int], int] = {
        (pid, pos): pts
        for pid, pos, pts in db.session.execute(
            select(LiveAnswer.player_id, LiveAnswer.position, LiveAnswer.points).where(
                LiveAnswer.session_id == live.id
            )
        )
    }
    rows = []
    for row in services.leaderboard(live):
        rows.append(
            [
                row.rank,
                row.player.nickname,
                row.points,
                row.right,
                *(per_question.get((row.player.id, p), 0) for p in range(len(live.question_ids))),
            ]
        )
    return rows

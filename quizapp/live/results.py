"""The end of a game as players and the teacher see it: each player's summary, the file of
results (the gradebook entry is `gradebook_entry.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    LiveAnswer,
    LivePlayer,
    LiveSession,
)
from . import services


@dataclass(frozen=True)
class Summary:
    rank: int
    points: int
    right: int
    answered: int
    questions: int


def summary_of(live: LiveSession, player: LivePlayer) -> Summary | None:
    for row in services.leaderboard(live):
        if row.player.id == player.id:
            answered = db.session.scalar(
                select(func.count()).where(LiveAnswer.player_id == player.id)
            )
            right = db.session.scalar(
                select(func.count()).where(
                    LiveAnswer.player_id == player.id, LiveAnswer.score >= 1 - 1e-9
                )
            )
            return Summary(
                row.rank, row.points, int(right or 0), int(answered or 0), len(live.question_ids)
            )
    return None


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

"""Game points: pure arithmetic, no Flask, no database.

    points = round(MAX_POINTS × score × (1 − (elapsed / limit) / 2))

`score` is the question type's grade (0 to 1, partial credit as everywhere else), `elapsed`
the time from the question's opening to the answer (clamped to 0 … limit, pauses excluded),
by the server's clock. An instant right answer earns 1000, one at the last moment 500, a
wrong one 0; an answer after the deadline is refused (it counts for nothing). With the
streak bonus on, each right answer (score 1) after the first in a row adds STREAK_STEP per
answer of the streak, capped at STREAK_CAP. Ranks: points first, then the total time taken
(less is better): ties are broken by time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_POINTS = 1000
STREAK_STEP = 100
STREAK_CAP = 500

# Default seconds per question: the types that need reading or typing get longer.
DEFAULT_SECONDS = 20
LONG_SECONDS = 45
LONG_TYPES = frozenset({"order", "match", "text"})


def default_time_limit(question_type: str) -> int:
    return LONG_SECONDS if question_type in LONG_TYPES else DEFAULT_SECONDS


def speed_points(score: float, elapsed_ms: int, limit_ms: int) -> int:
    """The formula above, capped at MAX_POINTS; 0 for a wrong answer."""
    if score <= 0 or limit_ms <= 0:
        return 0
    fraction = min(max(elapsed_ms, 0), limit_ms) / limit_ms
    return min(MAX_POINTS, round(MAX_POINTS * min(score, 1.0) * (1 - fraction / 2)))


def streak_bonus(previous_right_in_a_row: int, score: float) -> int:
    """The bonus of a right answer that extends a streak of `previous_right_in_a_row`."""
    if score < 1 - 1e-9 or previous_right_in_a_row <= 0:
        return 0
    return min(STREAK_CAP, STREAK_STEP * previous_right_in_a_row)


def streak_before(scores_in_order: Iterable[float | None]) -> int:
    """Right answers in a row at the end of `scores_in_order` (None: not answered)."""
    run = 0
    for score in scores_in_order:
        run = run + 1 if score is not None and score >= 1 - 1e-9 else 0
    return run


@dataclass(frozen=True)
class Standing:
    player_id: int
    points: int
    elapsed_ms: int
    rank: int = 0


def rank(totals: Iterable[tuple[int, int, int]]) -> list[Standing]:
    """(player id, points, total elapsed ms) to standings: more points first, then faster.

    Equal points and equal time share a rank (1, 2, 2, 4).
    """
    ordered = sorted(totals, key=lambda t: (-t[1], t[2], t[0]))
    standings: list[Standing] = []
    for i, (player_id, points, elapsed) in enumerate(ordered):
        if standings and (standings[-1].points, standings[-1].elapsed_ms) == (points, elapsed):
            place = standings[-1].rank
        else:
            place = i + 1
        standings.append(Standing(player_id, points, elapsed, place))
    return standings

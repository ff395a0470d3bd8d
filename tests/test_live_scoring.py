"""Live mode's points: the documented formula, its cap, the streak bonus and ties by time."""

from __future__ import annotations

import pytest

from quizapp.live import scoring


@pytest.mark.parametrize(
    ("score", "elapsed", "limit", "points"),
    [
        (1.0, 0, 20_000, 1000),  # instant and right: the maximum
        (1.0, 20_000, 20_000, 500),  # right at the last moment: half
        (1.0, 10_000, 20_000, 750),
        (0.5, 0, 20_000, 500),  # partial credit scales the points
        (0.5, 10_000, 20_000, 375),
        (0.0, 0, 20_000, 0),  # wrong: nothing, however fast
        (1.0, 30_000, 20_000, 500),  # clamped to the limit (late answers never get here)
        (1.0, -5, 20_000, 1000),  # a clock hiccup never exceeds the cap
        (1.5, 0, 20_000, 1000),  # capped
    ],
)
def test_speed_points_follow_the_formula(score, elapsed, limit, points):
    assert scoring.speed_points(score, elapsed, limit) == points


def test_streak_bonus_grows_per_right_answer_in_a_row_and_is_capped():
    assert scoring.streak_bonus(0, 1.0) == 0
    assert scoring.streak_bonus(1, 1.0) == 100
    assert scoring.streak_bonus(3, 1.0) == 300
    assert scoring.streak_bonus(50, 1.0) == scoring.STREAK_CAP
    assert scoring.streak_bonus(3, 0.5) == 0  # only a fully right answer extends a streak
    assert scoring.streak_before([1.0, None, 1.0, 1.0]) == 2
    assert scoring.streak_before([1.0, 1.0, 0.5]) == 0
    assert scoring.streak_before([]) == 0


def test_ties_are_broken_by_time_and_exact_ties_share_a_rank():
    standings = scoring.rank([(1, 900, 5000), (2, 900, 3000), (3, 1200, 9000), (4, 900, 3000)])
    assert [(s.player_id, s.rank) for s in standings] == [(3, 1), (2, 2), (4, 2), (1, 4)]


def test_longer_default_time_for_order_match_and_text():
    assert scoring.default_time_limit("single") == scoring.DEFAULT_SECONDS
    for kind in ("order", "match", "text"):
        assert scoring.default_time_limit(kind) > scoring.DEFAULT_SECONDS

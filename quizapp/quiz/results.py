"""A finished attempt at a glance: how many answers were right, partly right, wrong or left
blank, and the time taken (the result page's summary, and its "only mistakes" filter)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from ..models import Attempt, AttemptState, QuestionAttempt, ScoreOverride

FULL = 1 - 1e-9


@dataclass(frozen=True)
class ResultSummary:
    right: int
    partly: int
    wrong: int
    unanswered: int
    time_taken: timedelta | None
    at_time_limit: bool  # closed by its time limit (its page's countdown, or the server's)

    @property
    def mistakes(self) -> int:
        return self.partly + self.wrong + self.unanswered


def score_of(response: QuestionAttempt, overrides: Mapping[int, ScoreOverride]) -> float:
    """The answer's score as it counts: a teacher's override, else its grade."""
    override = overrides.get(response.id)
    return override.score if override is not None else (response.score or 0.0)


def is_mistake(response: QuestionAttempt, overrides: Mapping[int, ScoreOverride]) -> bool:
    """Not fully right (a blank answer scores 0)."""
    return score_of(response, overrides) < FULL


def summarize(
    attempt: Attempt,
    responses: Sequence[QuestionAttempt],
    overrides: Mapping[int, ScoreOverride],
) -> ResultSummary:
    right = partly = wrong = unanswered = 0
    for response in responses:
        score = score_of(response, overrides)
        if response.answer is None and response.id not in overrides:
            unanswered += 1
        elif score >= FULL:
            right += 1
        elif score > 0:
            partly += 1
        else:
            wrong += 1
    taken = None
    if attempt.submitted_at is not None:
        taken = max(timedelta(0), attempt.submitted_at - attempt.started_at)
    return ResultSummary(
        right, partly, wrong, unanswered, taken, attempt.state == AttemptState.expired
    )

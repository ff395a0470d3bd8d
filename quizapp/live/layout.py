"""The order a live question shows its choices: one shuffle per question for the whole room,
so that the projector and every phone agree (shape 1 is the same choice everywhere)."""

from __future__ import annotations

import random

from .. import qtypes
from ..models import LiveSession, Question


def layout_of(live: LiveSession, position: int, question: Question) -> dict[str, list[int]]:
    rng = random.Random(f"{live.id}:{position}:{live.created_at.isoformat()}")
    return qtypes.get(question.type).layout(question.spec, rng, True)

"""The order a live question shows its choices: one shuffle per question for the whole room,
so that the projector and every phone agree (shape 1 is the same choice everywhere)."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any, Protocol

from .. import qtypes


class Game(Protocol):
    """A live session as read for an answer or a page (`LiveSession`, `services.Seat`)."""

    @property
    def id(self) -> int: ...

    @property
    def created_at(self) -> datetime: ...


class Asked(Protocol):
    """A question (`Question`, `services.AnswerQuestion`)."""

    @property
    def type(self) -> str: ...

    @property
    def spec(self) -> dict[str, Any]: ...


def layout_of(live: Game, position: int, question: Asked) -> dict[str, list[int]]:
    rng = random.Random(f"{live.id}:{position}:{live.created_at.isoformat()}")
    return qtypes.get(question.type).layout(question.spec, rng, True)

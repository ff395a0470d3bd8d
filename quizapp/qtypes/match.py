"""Left sides to match with right sides. Answer: for each left side, the index of the pair
whose right side the student chose (list[int | None], None: left blank)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from ..enums import MarkState
from .base import (
    Grade,
    InvalidAnswer,
    Layout,
    Mark,
    QuestionType,
    Sample,
    Spec,
    display_order,
    index,
)
from .model import Path, Problem, QuestionBase, ShortText, duplicates

if TYPE_CHECKING:
    from wtforms.fields.core import UnboundField

    from .exchange import Exchange, QtiItem


class MatchQuestion(QuestionBase):
    type: Literal["match"]
    pairs: Annotated[
        list[Annotated[list[ShortText], Field(min_length=2, max_length=2)]],
        Field(min_length=2, max_length=26),
    ] = Field(description="[left, right] pairs; students pick the right side for each left one")

    def check(self, path: Path) -> Iterator[Problem]:
        for side, name in ((0, "left"), (1, "right")):
            texts = [pair[side] for pair in self.pairs]
            for i in duplicates(texts):
                yield Problem((*path, "pairs", i, side), f"{name} side {texts[i]!r} appears twice")


class Match(QuestionType):
    model = MatchQuestion
    sample = Sample(
        spec={
            "id": "roles",
            "type": "match",
            "prompt": "Match each name with a role.",
            "pairs": [["Altman", "CEO"], ["Musk", "co-founder"], ["Microsoft", "investor"]],
        },
        invalid=[
            ({"pairs": [["Altman", "CEO"], ["Musk"]]}, "two sides"),
            ({"pairs": [["Altman", "CEO"], ["Musk", "CEO"]]}, "appears twice"),
        ],
        right=[0, 1, 2],
        partial=[0, None, 1],
        wrong=[1, 2, 0],
        # The key is which right side goes with which left: the same sides, paired otherwise,
        # with the right sides shown in the same order as `spec` with no layout.
        rekey={
            "pairs": [["Altman", "investor"], ["Musk", "CEO"], ["Microsoft", "co-founder"]],
        },
        rekeyed_layout={"rights": [1, 2, 0]},
        edit={
            "pairs": [["Microsoft", "investor"], ["OpenAI", "lab"], ["Altman", "CEO"]],
        },
        carried=[0, None, 2],
    )

    def grade(self, spec: Spec, answer: Any) -> Grade:
        """The share of left sides matched to their own right side."""
        size = len(spec["pairs"])
        if not isinstance(answer, list) or len(answer) != size:
            raise InvalidAnswer("expected one choice per left side")
        right = spec["pairs"]
        hits = sum(
            1
            for left, chosen in enumerate(answer)
            if chosen is not None and right[index(chosen, size)][1] == right[left][1]
        )
        return Grade(hits / size)

    def layout(self, spec: Spec, rng: random.Random, shuffle_choices: bool) -> dict[str, list[int]]:
        order = list(range(len(spec["pairs"])))
        rng.shuffle(order)
        return {"rights": order}

    def translate(self, old: Spec, new: Spec, answer: Any) -> Any:
        """By the texts of both sides; a left side gone or a right side gone is left blank."""
        lefts = [pair[0] for pair in new["pairs"]]
        rights = [pair[1] for pair in new["pairs"]]
        result: list[int | None] = [None] * len(lefts)
        for left_index, chosen in enumerate(answer):
            left = old["pairs"][left_index][0]
            if chosen is not None and left in lefts:
                result[lefts.index(left)] = rights.index(old["pairs"][chosen][1])
        return result

    def field(self, spec: Spec, layout: Layout | None, label: str) -> UnboundField:
        from .web import LABEL_BLANK, Form, FormField, Optional, SelectChoice, SelectField

        pairs = spec["pairs"]
        rights = display_order(layout, "rights", len(pairs))
        options = [SelectChoice("", LABEL_BLANK)] + [
            SelectChoice(str(pos), pairs[i][1]) for pos, i in enumerate(rights)
        ]
        sub = {
            f"left_{i}": SelectField(pairs[i][0], choices=options, validators=[Optional()])
            for i in range(len(pairs))
        }
        return FormField(type("MatchForm", (Form,), sub), label=label, separator="-")

    def form_data(self, spec: Spec, layout: Layout | None, answer: Any) -> Any:
        rights = display_order(layout, "rights", len(spec["pairs"]))
        return {
            f"left_{i}": "" if chosen is None else str(rights.index(chosen))
            for i, chosen in enumerate(answer)
        }

    def answer_from(self, spec: Spec, layout: Layout | None, data: Any) -> Any:
        rights = display_order(layout, "rights", len(spec["pairs"]))
        chosen = {int(k.removeprefix("left_")): v for k, v in data.items()}
        if not any(chosen.values()):
            return None
        return [rights[int(chosen[i])] if chosen.get(i) else None for i in range(len(chosen))]

    def correct_answer(self, spec: Spec) -> Any:
        return list(range(len(spec["pairs"])))

    def describe(self, spec: Spec, answer: Any) -> str:
        pairs = spec["pairs"]
        return "; ".join(
            f"{pairs[i][0]} → {pairs[c][1] if c is not None else '—'}" for i, c in enumerate(answer)
        )

    def marks(self, spec: Spec, answer: Any) -> list[Mark]:
        pairs = spec["pairs"]
        result = []
        for left, chosen in enumerate(answer):
            given = pairs[chosen][1] if chosen is not None else None
            if given is None:
                state = MarkState.missed
            else:
                state = MarkState.right if given == pairs[left][1] else MarkState.wrong
            result.append(Mark(pairs[left][0], state, given, pairs[left][1]))
        return result

    def mark_headings(self) -> tuple[str, str, str] | None:
        from .web import _

        return _("Item"), _("Your match"), _("Right match")

    # --- interchange: to and from Moodle's model, and QTI (quizapp/interop/) ------------------

    def to_exchange(self, spec: Spec) -> tuple[Exchange, list[str]]:
        from .exchange import Exchange, MoodleKind

        pairs = [(left, right) for left, right in spec["pairs"]]
        return Exchange(MoodleKind.matching, pairs=pairs), []

    def from_exchange(self, question: Exchange) -> tuple[dict[str, Any], list[str]] | None:
        from .exchange import LOSS_UNMATCHED, MoodleKind

        if question.kind != MoodleKind.matching:
            return None
        pairs = [[left, right] for left, right in question.pairs if left.strip()]
        spare = [right for left, right in question.pairs if not left.strip()]
        losses = [LOSS_UNMATCHED % {"answers": ", ".join(spare)}] if spare else []
        return {"pairs": pairs}, losses

    def to_qti(self, spec: Spec) -> QtiItem:
        from .exchange import QtiItem

        pairs = spec["pairs"]
        share = 1 / len(pairs)
        return QtiItem(
            "match",
            "multiple",
            "directedPair",
            choices=[(f"L{i + 1}", left) for i, (left, _) in enumerate(pairs)],
            targets=[(f"R{i + 1}", right) for i, (_, right) in enumerate(pairs)],
            correct=[f"L{i + 1} R{i + 1}" for i in range(len(pairs))],
            mapping={f"L{i + 1} R{i + 1}": share for i in range(len(pairs))},
            lower_bound=0.0,
            upper_bound=1.0,
            max_choices=len(pairs),
        )

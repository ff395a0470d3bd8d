"""Items to put in order. Answer: the item indexes in the order the student put them
(list[int])."""

from __future__ import annotations

import random
from collections.abc import Iterator
from itertools import combinations
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field

from ..enums import MarkState
from .base import (
    AnswerError,
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


class OrderQuestion(QuestionBase):
    type: Literal["order"]
    # Two items would always be shown the other way round: a giveaway.
    items: Annotated[list[ShortText], Field(min_length=3, max_length=26)] = Field(
        description="3 or more, in the right order; students see them shuffled"
    )

    def check(self, path: Path) -> Iterator[Problem]:
        for i in duplicates(list(self.items)):
            yield Problem((*path, "items", i), f"item {self.items[i]!r} appears twice")


class Order(QuestionType):
    model = OrderQuestion
    sample = Sample(
        spec={
            "id": "chronology",
            "type": "order",
            "prompt": "Put these in order, earliest first.",
            "items": ["OpenAI founded", "GPT-2", "ChatGPT", "GPT-4"],
        },
        invalid=[
            ({"items": ["GPT-2", "GPT-4"]}, "at least 3"),
            ({"items": ["GPT-2", "GPT-4", "GPT-2"]}, "appears twice"),
        ],
        right=[0, 1, 2, 3],
        partial=[1, 0, 2, 3],
        wrong=[3, 2, 1, 0],
        # The key is the order written: the same items, written in another order, shown in
        # the same order as `spec` with no layout.
        rekey={"items": ["ChatGPT", "OpenAI founded", "GPT-4", "GPT-2"]},
        rekeyed_layout={"items": [1, 3, 0, 2]},
        # The teacher corrects the key: the student's order is kept, its grade changes.
        edit={"items": ["OpenAI founded", "GPT-2", "GPT-4", "ChatGPT"]},
        carried=[0, 1, 3, 2],
    )

    def grade(self, spec: Spec, answer: Any) -> Grade:
        """The share of item pairs that the student put in the right relative order."""
        size = len(spec["items"])
        if not isinstance(answer, list) or sorted(index(i, size) for i in answer) != list(
            range(size)
        ):
            raise InvalidAnswer("expected every item exactly once")
        pairs = list(combinations(answer, 2))
        return Grade(sum(1 for a, b in pairs if a < b) / len(pairs))

    def layout(self, spec: Spec, rng: random.Random, shuffle_choices: bool) -> dict[str, list[int]]:
        order = list(range(len(spec["items"])))
        while order == sorted(order):  # never show the answer as the starting order
            rng.shuffle(order)  # (the schema asks for 3 items or more, so others remain)
        return {"items": order}

    def translate(self, old: Spec, new: Spec, answer: Any) -> Any:
        """By the items' texts; an item added or removed leaves no complete order to carry."""
        if len(new["items"]) != len(answer):
            raise ValueError("the items changed")
        return [new["items"].index(old["items"][i]) for i in answer]

    def field(self, spec: Spec, layout: Layout | None, label: str) -> UnboundField:
        from .web import LABEL_BLANK, Form, FormField, Optional, SelectChoice, SelectField

        items = spec["items"]
        order = display_order(layout, "items", len(items))
        positions = [SelectChoice("", LABEL_BLANK)] + [
            SelectChoice(str(p)) for p in range(1, len(items) + 1)
        ]
        sub = {
            f"item_{pos}": SelectField(items[i], choices=positions, validators=[Optional()])
            for pos, i in enumerate(order)
        }
        return FormField(type("OrderForm", (Form,), sub), label=label, separator="-")

    def form_data(self, spec: Spec, layout: Layout | None, answer: Any) -> Any:
        order = display_order(layout, "items", len(spec["items"]))
        return {f"item_{order.index(item)}": str(rank + 1) for rank, item in enumerate(answer)}

    def answer_from(self, spec: Spec, layout: Layout | None, data: Any) -> Any:
        from .web import _l

        order = display_order(layout, "items", len(spec["items"]))
        ranks = {order[int(k.removeprefix("item_"))]: v for k, v in data.items()}
        if not any(ranks.values()):
            return None
        if "" in ranks.values() or len(set(ranks.values())) != len(ranks):
            raise AnswerError(_l("Give each item a different position."))
        return [item for item, _ in sorted(ranks.items(), key=lambda kv: int(kv[1]))]

    def correct_answer(self, spec: Spec) -> Any:
        return list(range(len(spec["items"])))

    def describe(self, spec: Spec, answer: Any) -> str:
        return " → ".join(spec["items"][i] for i in answer)

    def marks(self, spec: Spec, answer: Any) -> list[Mark]:
        items = spec["items"]
        return [
            Mark(
                str(place + 1),
                MarkState.right if item == place else MarkState.wrong,
                items[item],
                items[place],
            )
            for place, item in enumerate(answer)
        ]

    def mark_headings(self) -> tuple[str, str, str] | None:
        from .web import _

        return _("Position"), _("Your order"), _("Right order")

    # --- interchange: to and from Moodle's model, and QTI (quizapp/interop/) ------------------

    def to_exchange(self, spec: Spec) -> tuple[Exchange, list[str]]:
        from .exchange import Answer, Exchange, MoodleKind

        answers = [Answer(item, float(rank + 1)) for rank, item in enumerate(spec["items"])]
        options = {"gradingtype": "RELATIVE_ALL_PREVIOUS_AND_NEXT", "selecttype": "ALL"}
        return Exchange(MoodleKind.ordering, answers=answers, options=options), []

    def from_exchange(self, question: Exchange) -> tuple[dict[str, Any], list[str]] | None:
        from .exchange import LOSS_ORDER_GRADING, LOSS_ORDER_SUBSET, MoodleKind

        if question.kind != MoodleKind.ordering:
            return None
        losses = []
        # Moodle's relative grading over all previous and next items counts each pair twice:
        # the share of pairs in the right order, as here.
        grading = question.options.get("gradingtype") or "RELATIVE_ALL_PREVIOUS_AND_NEXT"
        if grading.upper() not in ("RELATIVE_ALL_PREVIOUS_AND_NEXT", "4"):
            losses.append(LOSS_ORDER_GRADING % {"method": grading})
        select = question.options.get("selecttype") or "ALL"
        count = question.options.get("selectcount") or "0"
        if select.upper() not in ("ALL", "0") and count not in ("0", str(len(question.answers))):
            losses.append(LOSS_ORDER_SUBSET % {"method": select})
        return {"items": [a.text for a in question.answers]}, losses

    def to_qti(self, spec: Spec) -> QtiItem:
        from .exchange import LOSS_QTI_ORDER, QtiItem

        return QtiItem(
            "order",
            "ordered",
            "identifier",
            choices=[(f"I{i + 1}", item) for i, item in enumerate(spec["items"])],
            correct=[f"I{i + 1}" for i in range(len(spec["items"]))],
            losses=[LOSS_QTI_ORDER],
        )

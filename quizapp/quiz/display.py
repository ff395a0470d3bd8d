"""Answers in words, for feedback and result pages (the key only once it may be shown)."""

from __future__ import annotations

from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _

from ..grading import choice_texts


def correct_answer(spec: dict[str, Any]) -> Any:
    """The answer key in the shape grading reads (numeric and text: a description)."""
    kind = spec["type"]
    if kind == "single":
        return choice_texts(spec).index(spec["answer"])
    if kind == "multiple":
        texts = choice_texts(spec)
        return [texts.index(a) for a in spec["answer"]]
    if kind == "true_false":
        return spec["answer"]
    if kind == "numeric":
        if spec.get("answer") is not None:
            text = _number(spec["answer"])
            if spec.get("tolerance"):
                text += f" ± {_number(spec['tolerance'])}"
        else:
            text = _(
                "between %(min)s and %(max)s", min=_number(spec["min"]), max=_number(spec["max"])
            )
        return f"{text} {spec['unit']}" if spec.get("unit") else text
    if kind == "text":
        return spec["accept"][0]
    if kind in {"order", "match"}:
        return list(range(len(spec["items" if kind == "order" else "pairs"])))
    return None


def _number(value: float) -> str:
    # No grouping: most numbers here are years (2015, not 2 015); the decimal mark is the reader's.
    return format_decimal(float(value), format="0.##########")


def describe(spec: dict[str, Any], answer: Any) -> str:
    if answer is None:
        return _("no answer")
    kind = spec["type"]
    if kind == "single":
        return choice_texts(spec)[answer]
    if kind == "multiple":
        texts = choice_texts(spec)
        return "; ".join(texts[i] for i in answer) or _("no answer")
    if kind == "true_false":
        return _("True") if answer else _("False")
    if kind in {"numeric", "text"}:
        return str(answer)
    if kind == "order":
        return " → ".join(spec["items"][i] for i in answer)
    if kind == "match":
        pairs = spec["pairs"]
        return "; ".join(
            f"{pairs[i][0]} → {pairs[c][1] if c is not None else '—'}" for i, c in enumerate(answer)
        )
    return str(answer)

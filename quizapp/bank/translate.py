"""Carry an answer from one version of a question to the next, by the texts it chose."""

from __future__ import annotations

from typing import Any

from ..grading import choice_texts


def translate_answer(old: dict[str, Any], new: dict[str, Any], answer: Any) -> Any | None:
    """Return `answer` in `new`'s indexes, or None when it cannot be carried over."""
    if old["type"] != new["type"]:
        return None
    kind = new["type"]
    try:
        if kind in {"true_false", "numeric", "text"}:
            return answer
        if kind == "single":
            return choice_texts(new).index(choice_texts(old)[answer])
        if kind == "multiple":
            texts = choice_texts(new)
            return sorted(texts.index(choice_texts(old)[i]) for i in answer)
        if kind == "order":
            return [new["items"].index(old["items"][i]) for i in answer]
        if kind == "match":
            lefts = [pair[0] for pair in new["pairs"]]
            rights = [pair[1] for pair in new["pairs"]]
            result: list[int | None] = [None] * len(lefts)
            for left_index, chosen in enumerate(answer):
                left = old["pairs"][left_index][0]
                if chosen is not None and left in lefts:
                    result[lefts.index(left)] = rights.index(old["pairs"][chosen][1])
            return result
    except (ValueError, IndexError, TypeError):
        return None
    return None

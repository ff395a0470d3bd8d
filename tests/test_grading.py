"""The grading rules, as tables: one row per answer a student could give.

Specs are shaped like the schema's JSON dump (`Question.spec`); answers use the original
indexes of choices, items and pairs, as each module of `quizapp.qtypes` documents.
"""

from __future__ import annotations

from typing import Any

import pytest

from quizapp.qtypes import REGISTRY, Grade, InvalidAnswer, grade, normalize_text, parse_number

# --- spec builders, shaped like `question.model_dump(mode="json")` ---------------------------


def _base(kind: str) -> dict[str, Any]:
    return {
        "type": kind,
        "id": f"q-{kind}",
        "prompt": "A question?",
        "points": 1.0,
        "explanation": None,
        "quote": None,
        "tags": [],
    }


def choice_spec(kind: str, texts: list[str], answer: str | list[str]) -> dict[str, Any]:
    return {
        **_base(kind),
        "choices": [{"text": text, "feedback": None} for text in texts],
        "answer": answer,
    }


def true_false_spec(answer: bool) -> dict[str, Any]:
    return {**_base("true_false"), "answer": answer}


def numeric_spec(**fields: float | str | None) -> dict[str, Any]:
    """`answer` (with `tolerance`), or `min` and `max`; every key present, as in the dump."""
    empty = {"answer": None, "tolerance": None, "min": None, "max": None, "unit": None}
    assert set(fields) <= set(empty)
    return {**_base("numeric"), **empty, **fields}


def text_spec(accept: list[str], accept_regex: str | None = None, typos: int = 0) -> dict[str, Any]:
    return {**_base("text"), "accept": accept, "accept_regex": accept_regex, "typos": typos}


def order_spec(items: list[str]) -> dict[str, Any]:
    return {**_base("order"), "items": items}


def match_spec(pairs: list[list[str]]) -> dict[str, Any]:
    return {**_base("match"), "pairs": pairs}


PIONEERS = ["Alan Turing", "Claude Shannon", "John McCarthy", "Marvin Minsky"]
SINGLE = choice_spec("single", PIONEERS, "John McCarthy")  # right: index 2

CHAINS = ["Bitcoin", "Ethereum", "Solana", "Cardano", "Monero"]
MULTIPLE_2 = choice_spec("multiple", CHAINS[:4], ["Bitcoin", "Solana"])  # right: 0, 2 (k=2)
MULTIPLE_3 = choice_spec("multiple", CHAINS, ["Bitcoin", "Ethereum", "Monero"])  # right: 0, 1, 4

MILESTONES = ["Dartmouth workshop", "Perceptron", "Backpropagation paper", "AlphaGo"]
ORDER_4 = order_spec(MILESTONES)
ORDER_3 = order_spec(MILESTONES[:3])

MATCH = match_spec(
    [
        ["Bitcoin", "Satoshi Nakamoto"],
        ["Ethereum", "Vitalik Buterin"],
        ["ChatGPT", "OpenAI"],
        ["AlphaGo", "DeepMind"],
    ]
)

ALTMAN = text_spec(["Sam Altman"], accept_regex="(sam )?altman")

ONE_OF_EACH = {
    "single": SINGLE,
    "multiple": MULTIPLE_2,
    "true_false": true_false_spec(True),
    "numeric": numeric_spec(answer=2015),
    "text": ALTMAN,
    "order": ORDER_4,
    "match": MATCH,
}


# --- registry, missing answers, Grade -----------------------------------------------------


def test_registry_has_exactly_the_seven_types():
    assert set(REGISTRY) == {
        "single",
        "multiple",
        "true_false",
        "numeric",
        "text",
        "order",
        "match",
    }
    assert set(REGISTRY) == set(ONE_OF_EACH)


@pytest.mark.parametrize("spec", ONE_OF_EACH.values(), ids=ONE_OF_EACH.keys())
def test_missing_answer_scores_zero(spec):
    result = grade(spec, None)
    assert result == Grade(0.0)
    assert not result.correct


@pytest.mark.parametrize(
    ("score", "correct"),
    [
        pytest.param(1.0, True, id="one"),
        pytest.param(1 - 1e-12, True, id="one-minus-float-noise"),
        pytest.param(0.999, False, id="almost"),
        pytest.param(5 / 6, False, id="five-sixths"),
        pytest.param(0.0, False, id="zero"),
    ],
)
def test_grade_correct(score, correct):
    assert Grade(score).correct is correct


@pytest.mark.parametrize(
    ("score", "out_of", "points"),
    [
        pytest.param(1.0, 2.5, 2.5, id="full"),
        pytest.param(0.0, 3.0, 0.0, id="none"),
        pytest.param(0.5, 0.0, 0.0, id="worth-nothing"),
        pytest.param(1 / 3, 1.0, 0.333333, id="third-rounded-to-6-places"),
        pytest.param(5 / 6, 2.0, 1.666667, id="five-sixths-of-2-rounded-up"),
        pytest.param(2 / 3, 3.0, 2.0, id="two-thirds-of-3"),
        pytest.param(0.1 + 0.2, 10.0, 3.0, id="float-noise-rounded-away"),
    ],
)
def test_grade_points_rounds_to_six_places(score, out_of, points):
    assert Grade(score).points(out_of) == points


# --- single -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "score"),
    [
        pytest.param(0, 0.0, id="0-turing-wrong"),
        pytest.param(1, 0.0, id="1-shannon-wrong"),
        pytest.param(2, 1.0, id="2-mccarthy-right"),
        pytest.param(3, 0.0, id="3-minsky-wrong"),
    ],
)
def test_single(answer, score):
    assert grade(SINGLE, answer).score == score


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(4, id="past-the-end"),
        pytest.param(99, id="far-out-of-range"),
        pytest.param(-1, id="negative"),
        pytest.param(True, id="bool-true"),
        pytest.param(False, id="bool-false"),
        pytest.param("2", id="str"),
        pytest.param(2.0, id="float"),
        pytest.param([2], id="list"),
    ],
)
def test_single_invalid(answer):
    with pytest.raises(InvalidAnswer):
        grade(SINGLE, answer)


# --- multiple: +1/k per right choice, -1/k per wrong one, floor 0, cap 1 ---------------------


@pytest.mark.parametrize(
    ("spec", "answer", "score"),
    [
        pytest.param(MULTIPLE_2, [0, 2], 1.0, id="all-right"),
        pytest.param(MULTIPLE_2, [2, 0], 1.0, id="all-right-any-order"),
        pytest.param(MULTIPLE_2, [0], 0.5, id="half-right"),
        pytest.param(MULTIPLE_2, [2], 0.5, id="other-half-right"),
        pytest.param(MULTIPLE_2, [0, 1], 0.0, id="right-and-wrong-cancel"),
        pytest.param(MULTIPLE_2, [0, 2, 1], 0.5, id="all-right-plus-one-wrong"),
        pytest.param(MULTIPLE_2, [1], 0.0, id="only-wrong-floored"),
        pytest.param(MULTIPLE_2, [1, 3], 0.0, id="all-wrong-floored"),
        pytest.param(MULTIPLE_2, [0, 1, 2, 3], 0.0, id="everything-ticked"),
        pytest.param(MULTIPLE_2, [], 0.0, id="empty-list"),
        pytest.param(MULTIPLE_2, [0, 0], 0.5, id="duplicate-right-counts-once"),
        pytest.param(MULTIPLE_2, [0, 0, 2, 2], 1.0, id="duplicates-capped-at-1"),
        pytest.param(MULTIPLE_2, [0, 1, 1], 0.0, id="duplicate-wrong-counts-once"),
        pytest.param(MULTIPLE_3, [0, 1, 4], 1.0, id="k3-all-right"),
        pytest.param(MULTIPLE_3, [0, 4], 2 / 3, id="k3-two-right"),
        pytest.param(MULTIPLE_3, [1], 1 / 3, id="k3-one-right"),
        pytest.param(MULTIPLE_3, [0, 1, 2], 1 / 3, id="k3-two-right-one-wrong"),
        pytest.param(MULTIPLE_3, [0, 1, 4, 2], 2 / 3, id="k3-all-right-one-wrong"),
        pytest.param(MULTIPLE_3, [2, 3], 0.0, id="k3-only-wrong"),
    ],
)
def test_multiple(spec, answer, score):
    assert grade(spec, answer).score == pytest.approx(score)


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param([4], id="forged-index"),
        pytest.param([0, 2, 9], id="forged-index-among-right-ones"),
        pytest.param([-1], id="negative-index"),
        pytest.param([True], id="bool-index"),
        pytest.param(["0"], id="str-index"),
        pytest.param([0.0], id="float-index"),
        pytest.param(0, id="int-not-list"),
        pytest.param("0,2", id="str-not-list"),
        pytest.param((0, 2), id="tuple-not-list"),
        pytest.param({0, 2}, id="set-not-list"),
    ],
)
def test_multiple_invalid(answer):
    with pytest.raises(InvalidAnswer):
        grade(MULTIPLE_2, answer)


# --- true/false ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "answer", "score"),
    [
        pytest.param(True, True, 1.0, id="true-true"),
        pytest.param(True, False, 0.0, id="true-false"),
        pytest.param(False, False, 1.0, id="false-false"),
        pytest.param(False, True, 0.0, id="false-true"),
    ],
)
def test_true_false(key, answer, score):
    assert grade(true_false_spec(key), answer).score == score


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param("true", id="str-true"),
        pytest.param("false", id="str-false"),
        pytest.param(1, id="int-1"),
        pytest.param(0, id="int-0"),
    ],
)
def test_true_false_invalid(answer):
    with pytest.raises(InvalidAnswer):
        grade(true_false_spec(True), answer)


# --- numeric ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        pytest.param("2015", 2015.0, id="plain"),
        pytest.param("0", 0.0, id="zero"),
        pytest.param("  2015  ", 2015.0, id="surrounding-spaces"),
        pytest.param("2 015", 2015.0, id="space-groups"),
        pytest.param("2\u00a0015", 2015.0, id="nbsp-groups"),
        pytest.param("2\u202f015", 2015.0, id="narrow-nbsp-groups"),
        pytest.param("2\u2009015", 2015.0, id="thin-space-groups"),
        pytest.param("1 000 000", 1_000_000.0, id="several-groups"),
        pytest.param("1'000", 1000.0, id="apostrophe-groups"),
        pytest.param("1_000", 1000.0, id="underscore-groups"),
        pytest.param("10,5", 10.5, id="decimal-comma"),
        pytest.param("10.5", 10.5, id="decimal-point"),
        pytest.param("1,000.5", 1000.5, id="comma-thousands-point-decimal"),
        pytest.param("1.000,5", 1000.5, id="point-thousands-comma-decimal"),
        pytest.param("2,015", 2.015, id="lone-comma-is-decimal"),
        pytest.param("-3", -3.0, id="minus"),
        pytest.param("\u22123", -3.0, id="unicode-minus"),
        pytest.param("+3", 3.0, id="plus"),
        pytest.param(".5", 0.5, id="leading-point"),
        pytest.param("-,5", -0.5, id="minus-leading-comma"),
    ],
)
def test_parse_number(typed, value):
    assert parse_number(typed) == pytest.approx(value)


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
        pytest.param("abc", id="letters"),
        pytest.param("1e3", id="exponent"),
        pytest.param("1..2", id="double-point"),
        pytest.param("1.2.3", id="two-points"),
        pytest.param("12 apples", id="trailing-word"),
        pytest.param("--3", id="double-minus"),
        pytest.param("+-3", id="plus-minus"),
        pytest.param("3-", id="trailing-minus"),
        pytest.param("-", id="sign-only"),
        pytest.param(".", id="point-only"),
        pytest.param("inf", id="inf"),
        pytest.param("nan", id="nan"),
        pytest.param("0x10", id="hex"),
        pytest.param("1/2", id="fraction"),
        pytest.param("9" * 41, id="41-digits-too-long"),
    ],
)
def test_parse_number_rejects(typed):
    with pytest.raises(ValueError):
        parse_number(typed)


@pytest.mark.parametrize("typed", [pytest.param(2015, id="int"), pytest.param(None, id="none")])
def test_parse_number_needs_text(typed):
    with pytest.raises(InvalidAnswer):
        parse_number(typed)


@pytest.mark.parametrize(
    ("spec", "typed", "score"),
    [
        pytest.param(numeric_spec(answer=2015), "2015", 1.0, id="exact"),
        pytest.param(numeric_spec(answer=2015), "2015.0", 1.0, id="exact-with-decimals"),
        pytest.param(numeric_spec(answer=2015), "2016", 0.0, id="off-by-one"),
        pytest.param(numeric_spec(answer=2015), "2 015", 1.0, id="space"),
        pytest.param(numeric_spec(answer=2015), "2\u00a0015", 1.0, id="nbsp"),
        pytest.param(numeric_spec(answer=2015), "2\u202f015", 1.0, id="narrow-nbsp"),
        pytest.param(numeric_spec(answer=10.5), "10,5", 1.0, id="decimal-comma"),
        pytest.param(numeric_spec(answer=10.5), "10.5", 1.0, id="decimal-point"),
        pytest.param(numeric_spec(answer=1000.5), "1,000.5", 1.0, id="thousands-comma"),
        pytest.param(numeric_spec(answer=-3), "-3", 1.0, id="negative"),
        pytest.param(numeric_spec(answer=-3), "3", 0.0, id="sign-matters"),
        pytest.param(numeric_spec(answer=3), "+3", 1.0, id="plus-sign"),
        pytest.param(numeric_spec(answer=3), "-3", 0.0, id="wrong-sign"),
        pytest.param(numeric_spec(answer=0.5), ".5", 1.0, id="leading-point"),
        pytest.param(numeric_spec(answer=42, unit="km"), "42", 1.0, id="unit-not-typed"),
        pytest.param(numeric_spec(answer=10, tolerance=0), "10.01", 0.0, id="tolerance-0"),
        # Tolerance bounds are inclusive.
        pytest.param(numeric_spec(answer=10, tolerance=0.5), "10.5", 1.0, id="tol-upper-edge"),
        pytest.param(numeric_spec(answer=10, tolerance=0.5), "9.5", 1.0, id="tol-lower-edge"),
        pytest.param(numeric_spec(answer=10, tolerance=0.5), "10,25", 1.0, id="tol-inside"),
        pytest.param(numeric_spec(answer=10, tolerance=0.5), "10.51", 0.0, id="tol-just-above"),
        pytest.param(numeric_spec(answer=10, tolerance=0.5), "9.49", 0.0, id="tol-just-below"),
        # 0.4 - 0.3 is 0.10000000000000003 in floats: still on the edge.
        pytest.param(numeric_spec(answer=0.3, tolerance=0.1), "0.4", 1.0, id="tol-float-noise"),
        # min/max bounds are inclusive.
        pytest.param(numeric_spec(min=1955, max=1960), "1955", 1.0, id="range-min-edge"),
        pytest.param(numeric_spec(min=1955, max=1960), "1960", 1.0, id="range-max-edge"),
        pytest.param(numeric_spec(min=1955, max=1960), "1957,5", 1.0, id="range-inside"),
        pytest.param(numeric_spec(min=1955, max=1960), "1 958", 1.0, id="range-grouped"),
        pytest.param(numeric_spec(min=1955, max=1960), "1954.99", 0.0, id="range-below"),
        pytest.param(numeric_spec(min=1955, max=1960), "1960.01", 0.0, id="range-above"),
    ],
)
def test_numeric(spec, typed, score):
    assert grade(spec, typed).score == score


@pytest.mark.parametrize(
    ("key", "typed"),
    [
        # Each key is what the text would mean if it were misread, so 0 proves it was refused.
        pytest.param(0, "abc", id="letters"),
        pytest.param(0, "", id="empty"),
        pytest.param(0, "   ", id="blank"),
        pytest.param(1000, "1e3", id="exponent"),
        pytest.param(1.2, "1..2", id="double-point"),
        pytest.param(12, "12 apples", id="trailing-word"),
        pytest.param(2015, "0" * 1000 + "2015", id="very-long-zero-padded"),
        pytest.param(2015, "1" * 100_000, id="very-long-digits"),
        pytest.param(2015, "2 " * 50_000, id="very-long-spaced"),
        pytest.param(2015, "x" * 100_000, id="very-long-letters"),
    ],
)
def test_numeric_non_numbers_score_zero(key, typed):
    assert grade(numeric_spec(answer=key), typed).score == 0.0


# --- text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        pytest.param("elon musk", "elon musk", id="already-normal"),
        pytest.param("ELON MUSK", "elon musk", id="case"),
        pytest.param("Élon Musk", "elon musk", id="accent"),
        pytest.param("naïve café", "naive cafe", id="accents"),
        pytest.param("Élon-Musk !", "elon musk", id="docstring-example"),
        pytest.param("Sam-Altman!", "sam altman", id="punctuation"),
        pytest.param("  sam \t  altman \n", "sam altman", id="extra-whitespace"),
        pytest.param("O\u2019Reilly", "o reilly", id="typographic-apostrophe"),
        pytest.param("O'Reilly", "o reilly", id="ascii-apostrophe"),
        pytest.param("Straße", "strasse", id="casefold-sharp-s"),
        pytest.param("\uff21\uff4c\uff54\uff4d\uff41\uff4e", "altman", id="fullwidth"),
        pytest.param("", "", id="empty"),
        pytest.param(" \t\n ", "", id="whitespace-only"),
        pytest.param("?!", "", id="punctuation-only"),
    ],
)
def test_normalize_text(text, normal):
    assert normalize_text(text) == normal


@pytest.mark.parametrize(
    ("spec", "answer", "score"),
    [
        pytest.param(text_spec(["Elon Musk"]), "Elon Musk", 1.0, id="exact"),
        pytest.param(text_spec(["Elon Musk"]), "elon musk", 1.0, id="case"),
        pytest.param(text_spec(["Elon Musk"]), "Élon Musk", 1.0, id="accent-in-answer"),
        pytest.param(text_spec(["Élon Musk"]), "elon musk", 1.0, id="accent-in-key"),
        pytest.param(text_spec(["Elon Musk"]), "  Elon    Musk ", 1.0, id="extra-spaces"),
        pytest.param(text_spec(["Elon Musk"]), "Elon-Musk.", 1.0, id="punctuation"),
        pytest.param(text_spec(["Elon Musk"]), "Elon", 0.0, id="partial"),
        pytest.param(text_spec(["Elon Musk"]), "Elon Muskk", 0.0, id="misspelt"),
        pytest.param(text_spec(["Elon Musk"]), "ElonMusk", 0.0, id="words-run-together"),
        pytest.param(text_spec(["Sam-Altman!"]), "sam altman", 1.0, id="punctuation-in-key"),
        pytest.param(text_spec(["O'Reilly"]), "O\u2019Reilly", 1.0, id="typographic-apostrophe"),
        pytest.param(text_spec(["O\u2019Reilly"]), "o'reilly", 1.0, id="ascii-apostrophe"),
        pytest.param(
            text_spec(["Satoshi Nakamoto", "Nakamoto", "Satoshi"]),
            "nakamoto",
            1.0,
            id="accept-second-entry",
        ),
        pytest.param(
            text_spec(["Satoshi Nakamoto", "Nakamoto", "Satoshi"]),
            "SATOSHI",
            1.0,
            id="accept-third-entry",
        ),
        pytest.param(
            text_spec(["Satoshi Nakamoto", "Nakamoto", "Satoshi"]),
            "Hal Finney",
            0.0,
            id="accept-none-of-them",
        ),
        # accept_regex must match the whole normalised answer.
        pytest.param(ALTMAN, "Altman", 1.0, id="regex-short-form"),
        pytest.param(ALTMAN, "SAM ALTMAN", 1.0, id="regex-long-form-upper"),
        pytest.param(ALTMAN, "Sam-Altman!", 1.0, id="regex-after-normalisation"),
        pytest.param(ALTMAN, "altmanx", 0.0, id="regex-trailing-junk"),
        pytest.param(ALTMAN, "xaltman", 0.0, id="regex-leading-junk"),
        pytest.param(ALTMAN, "mr altman", 0.0, id="regex-other-prefix"),
        pytest.param(text_spec(["Sam Altman"]), "Altman", 0.0, id="no-regex-short-form"),
        # typos: edits forgiven against `accept`, never below 5 characters, never in numbers.
        pytest.param(text_spec(["Sam Altman"]), "Sam Altmann", 0.0, id="typos-off-by-default"),
        pytest.param(text_spec(["Sam Altman"], typos=1), "Sam Altmann", 1.0, id="typo-added"),
        pytest.param(text_spec(["Sam Altman"], typos=1), "Sam Atlman", 1.0, id="typo-swap"),
        pytest.param(text_spec(["Sam Altman"], typos=1), "Sam Oltmen", 0.0, id="two-typos-of-1"),
        pytest.param(text_spec(["Sam Altman"], typos=2), "Sam Oltmen", 1.0, id="two-typos-of-2"),
        pytest.param(text_spec(["Altman"], typos=3), "Altmn", 1.0, id="six-letters-one-typo"),
        pytest.param(text_spec(["Altman"], typos=3), "Aldmn", 0.0, id="six-letters-not-two"),
        pytest.param(text_spec(["TFH"], typos=2), "TF1", 0.0, id="short-answer-no-typos"),
        pytest.param(text_spec(["TFH"], typos=2), "TFA", 0.0, id="short-answer-no-typo"),
        pytest.param(text_spec(["Musk"], typos=1), "Mask", 0.0, id="four-letters-no-typo"),
        pytest.param(text_spec(["Worldcoin"], typos=1), "Wordlcoin", 1.0, id="name-swap"),
        pytest.param(text_spec(["Worldcoin"], typos=1), "Bitcoin", 0.0, id="other-coin"),
        pytest.param(text_spec(["Loi PACTE 2019"], typos=2), "loi pacte 2018", 0.0, id="year"),
        pytest.param(text_spec(["Loi PACTE 2019"], typos=2), "loi pacet 2019", 1.0, id="word"),
        pytest.param(text_spec(["Altman"], typos=1), "", 0.0, id="typos-blank"),
    ],
)
def test_text(spec, answer, score):
    assert grade(spec, answer).score == score


@pytest.mark.parametrize(
    ("spec", "answer"),
    [
        pytest.param(ALTMAN, "", id="empty"),
        pytest.param(ALTMAN, "   ", id="spaces"),
        pytest.param(ALTMAN, "\t\n", id="tab-newline"),
        pytest.param(ALTMAN, "?!", id="punctuation-only"),
        # An accepted entry that normalises to nothing does not accept a blank answer.
        pytest.param(text_spec(["Altman", "!!!"]), "?", id="punctuation-key-and-answer"),
        # A regex that can match the empty string does not accept a blank answer either.
        pytest.param(
            text_spec(["Sam Altman"], accept_regex="(sam )?(altman)?"),
            "",
            id="nullable-regex-empty",
        ),
        pytest.param(
            text_spec(["Sam Altman"], accept_regex="(sam )?(altman)?"),
            "  ",
            id="nullable-regex-blank",
        ),
    ],
)
def test_text_blank_scores_zero(spec, answer):
    assert grade(spec, answer).score == 0.0


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(42, id="int"),
        pytest.param(True, id="bool"),
        pytest.param(["Altman"], id="list"),
        pytest.param(b"Altman", id="bytes"),
    ],
)
def test_text_invalid(answer):
    with pytest.raises(InvalidAnswer):
        grade(ALTMAN, answer)


# --- order: the share of item pairs in the right relative order -----------------------------


@pytest.mark.parametrize(
    ("spec", "answer", "score"),
    [
        pytest.param(ORDER_4, [0, 1, 2, 3], 1.0, id="4-identity"),
        pytest.param(ORDER_4, [3, 2, 1, 0], 0.0, id="4-reversed"),
        pytest.param(ORDER_4, [1, 0, 2, 3], 5 / 6, id="4-swap-first-two"),
        pytest.param(ORDER_4, [0, 2, 1, 3], 5 / 6, id="4-swap-middle-two"),
        pytest.param(ORDER_4, [0, 1, 3, 2], 5 / 6, id="4-swap-last-two"),
        pytest.param(ORDER_4, [3, 0, 1, 2], 0.5, id="4-last-moved-first"),
        pytest.param(ORDER_3, [0, 1, 2], 1.0, id="3-identity"),
        pytest.param(ORDER_3, [2, 1, 0], 0.0, id="3-reversed"),
        pytest.param(ORDER_3, [1, 2, 0], 1 / 3, id="3-rotated-left"),
        pytest.param(ORDER_3, [2, 0, 1], 1 / 3, id="3-rotated-right"),
        pytest.param(ORDER_3, [0, 2, 1], 2 / 3, id="3-one-swap"),
    ],
)
def test_order(spec, answer, score):
    assert grade(spec, answer).score == pytest.approx(score)


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param([0, 1, 2, 2], id="duplicate"),
        pytest.param([0, 1, 2], id="missing"),
        pytest.param([0, 1, 2, 3, 0], id="extra"),
        pytest.param([], id="empty"),
        pytest.param([0, 1, 2, 4], id="out-of-range"),
        pytest.param([-1, 0, 1, 2], id="negative"),
        pytest.param([True, 0, 2, 3], id="bool"),
        pytest.param(["0", "1", "2", "3"], id="strings"),
        pytest.param((0, 1, 2, 3), id="tuple-not-list"),
        pytest.param("0123", id="str-not-list"),
        pytest.param(0, id="int-not-list"),
    ],
)
def test_order_invalid(answer):
    with pytest.raises(InvalidAnswer):
        grade(ORDER_4, answer)


# --- match: the share of left sides matched to their own right side --------------------------


@pytest.mark.parametrize(
    ("answer", "score"),
    [
        pytest.param([0, 1, 2, 3], 1.0, id="all-right"),
        pytest.param([0, 1, 3, 2], 0.5, id="two-of-four"),
        pytest.param([1, 0, 2, 3], 0.5, id="first-two-swapped"),
        pytest.param([1, 2, 3, 0], 0.0, id="all-shifted"),
        pytest.param([0, 1, None, None], 0.5, id="two-right-two-blank"),
        pytest.param([None, 1, 2, 3], 0.75, id="one-blank"),
        pytest.param([None, None, None, None], 0.0, id="all-blank"),
        pytest.param([0, 0, 0, 0], 0.25, id="same-right-side-everywhere"),
    ],
)
def test_match(answer, score):
    assert grade(MATCH, answer).score == pytest.approx(score)


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param([0, 1, 2], id="too-short"),
        pytest.param([0, 1, 2, 3, 0], id="too-long"),
        pytest.param([], id="empty"),
        pytest.param([0, 1, 2, 4], id="out-of-range"),
        pytest.param([0, 1, 2, -1], id="negative"),
        pytest.param([0, 1, 2, True], id="bool"),
        pytest.param([0, 1, 2, "3"], id="str-index"),
        pytest.param((0, 1, 2, 3), id="tuple-not-list"),
        pytest.param("0123", id="str-not-list"),
    ],
)
def test_match_invalid(answer):
    with pytest.raises(InvalidAnswer):
        grade(MATCH, answer)


@pytest.mark.parametrize(
    ("pattern", "answer", "score"),
    [
        pytest.param("(Sam )?Altman", "sam altman", 1.0, id="pattern-with-capitals"),
        pytest.param("élon( musk)?", "Élon Musk", 1.0, id="pattern-with-accents"),
        pytest.param("elon( musk)?", "Élon-Musk!", 1.0, id="normalised-answer"),
        pytest.param("élon( musk)?", "Elon Musk junior", 0.0, id="no-full-match"),
    ],
)
def test_accept_regex_matches_the_answer_as_typed_or_normalised(pattern, answer, score):
    assert grade(text_spec(["x"], accept_regex=pattern), answer).score == score


def test_numeric_answer_that_is_not_text_is_invalid():
    with pytest.raises(InvalidAnswer):
        grade(numeric_spec(answer=2015), 2015)

"""Nothing before answering gives the key away; the hot pages run a fixed number of queries."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from quizapp.models import Attempt, Question

KEYED = [
    {
        "id": "s",
        "type": "single",
        "prompt": "S?",
        "choices": ["a1", "b2", "c3"],
        "answer": "b2",
        "explanation": "EXPLAINED-S",
        "quote": "QUOTED-S",
    },
    {
        "id": "m",
        "type": "multiple",
        "prompt": "M?",
        "choices": ["a1", "b2", "c3"],
        "answer": ["a1", "c3"],
        "explanation": "EXPLAINED-M",
    },
    {"id": "t", "type": "true_false", "prompt": "T?", "answer": False, "explanation": "EXPL-T"},
    {"id": "n", "type": "numeric", "prompt": "N?", "answer": 2015, "explanation": "EXPL-N"},
    {"id": "x", "type": "text", "prompt": "X?", "accept": ["Sam Altman"], "explanation": "EX-X"},
    {"id": "o", "type": "order", "prompt": "O?", "items": ["first", "second", "third", "fourth"]},
    {
        "id": "p",
        "type": "match",
        "prompt": "P?",
        "pairs": [["Altman", "CEO"], ["Musk", "co-founder"], ["Microsoft", "investor"]],
    },
]
OTHER_KEY = {
    "s": ("answer", "c3"),
    "m": ("answer", ["b2"]),
    "t": ("answer", True),
    "n": ("answer", 1999),
    "x": ("accept", ["Elon Musk"]),
}


def _page(client, url):
    html = client.get(url).get_data(as_text=True)
    # CSRF tokens carry the time they were signed: whatever attribute order a form writes.
    html = re.sub(r'(name="csrf_token"[^>]*?value=")[^"]*"', r'\1"', html)
    return re.sub(r'<meta name="server-time" content="[^"]*">', "", html)


@pytest.fixture
def attempt_url(auth, client, make_set, db):
    make_set(KEYED, settings={"feedback": "immediate", "shuffle_choices": True})
    auth.register()
    client.get("/quizzes")  # shows, and so clears, the welcome message
    return client.post("/quizzes/sample/start").headers["Location"]


@pytest.mark.parametrize("number", range(1, 8))
def test_no_explanation_quote_or_key_attribute_before_answering(client, attempt_url, number):
    page = _page(client, attempt_url.replace("/questions/1", f"/questions/{number}"))
    for secret in ("EXPLAINED", "EXPL-", "EX-X", "QUOTED", "Sam Altman", "2015"):
        assert secret not in page
    assert not re.search(r"data-(answer|correct|key)", page)
    # Scripts only as static files (no inline script could carry a key).
    scripts = re.findall(r"<script[^>]*>", page)
    assert all(re.fullmatch(r'<script src="/static/js/[\w-]+\.js" defer>', s) for s in scripts)
    assert 'type="application/json"' not in page


@pytest.mark.parametrize("key", sorted(OTHER_KEY))
def test_the_page_is_the_same_whatever_the_key(client, attempt_url, db, key):
    question = db.session.scalar(select(Question).where(Question.key == key))
    number = question.position + 1
    url = attempt_url.replace("/questions/1", f"/questions/{number}")
    before = _page(client, url)
    field, value = OTHER_KEY[key]
    question.spec = {**question.spec, field: value}
    flag_modified(question, "spec")
    db.session.commit()
    assert _page(client, url) == before


def test_order_and_match_values_are_display_positions(client, attempt_url):
    order_page = _page(client, attempt_url.replace("/questions/1", "/questions/6"))
    names = re.findall(r'<select id="answer-(item_\d+)"', order_page)
    assert names == ["item_0", "item_1", "item_2", "item_3"]  # in document order, whatever the key
    match_page = _page(client, attempt_url.replace("/questions/1", "/questions/7"))
    for select_html in re.findall(r"<select.*?</select>", match_page, flags=re.S):
        values = re.findall(r'<option (?:selected )?value="(\d*)"', select_html)
        assert values == ["", "0", "1", "2"]


def test_choice_values_are_display_positions(client, attempt_url):
    page = _page(client, attempt_url)
    assert re.findall(r'type="radio" value="(\d+)"', page) == ["0", "1", "2"]


def _set_of(size: int) -> list[dict]:
    return [
        {**KEYED[i % len(KEYED)], "id": f"q{i}", "prompt": f"Question {i}?"} for i in range(size)
    ]


@pytest.mark.parametrize("size", [3, 40])
def test_question_page_and_answer_post_run_a_fixed_number_of_queries(
    auth, client, make_set, db, count_queries, size
):
    make_set(_set_of(size), settings={"feedback": "after_submit"})
    auth.register()
    url = client.post("/quizzes/sample/start").headers["Location"]
    with count_queries() as page:
        assert client.get(url).status_code == 200
    with count_queries() as post:
        assert client.post(url, data={"answer": "0", "action": "next"}).status_code == 302
    # user, attempt + set, response + question, progress (and the write)
    assert page.count <= 5, page.statements
    assert post.count <= 7, post.statements


def test_query_counts_do_not_grow_with_the_quiz(auth, client, make_set, db, count_queries):
    counts = []
    for slug, size in (("small", 3), ("large", 200)):
        make_set(_set_of(size), id=slug, settings={"feedback": "after_submit"})
    auth.register()
    for slug in ("small", "large"):
        url = client.post(f"/quizzes/{slug}/start").headers["Location"]
        with count_queries() as page:
            client.get(url)
        with count_queries() as post:
            client.post(url, data={"answer": "0", "action": "next"})
        counts.append((page.count, post.count))
    assert counts[0] == counts[1]
    assert db.session.scalar(select(db.func.count()).select_from(Attempt)) == 2

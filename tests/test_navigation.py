"""The question map's items: each item's markup follows its own state, whatever was kept from
earlier pages (navigation.map_items keeps an item's markup by its number and state)."""

from __future__ import annotations

import itertools
import re

from quizapp.quiz.navigation import MapItem, map_items

WORDS = {
    "right": "correct",
    "partial": "partly right",
    "wrong": "wrong",
    "answered": "answered",
    "unanswered": "not answered",
    "flagged": "flagged for later",
    "current": "current question",
}
ITEM = re.compile(
    r'<li class="([^"]*)"><button type="submit" form="f" name="action" value="goto-(\d+)" '
    r'class="qmap__link"( aria-current="step")?><span class="qmap__number">\d+</span>'
    r'<span class="qmap__icons" aria-hidden="true">([^<]*)</span>'
    r'<span class="visually-hidden">: ([^<]*)</span></button></li>'
)


def expected(item: MapItem, current: int, key_shown: bool) -> tuple[str, str, bool, str, str]:
    mark = item.mark(key_shown)
    state = mark or ("answered" if item.answered else "unanswered")
    classes = ["qmap__item"]
    classes += ["is-answered"] if item.answered else []
    classes += ["is-flagged"] if item.flagged else []
    classes += ["is-current"] if item.number == current else []
    classes += [f"is-{mark}"] if mark else []
    icons = {"right": "✓", "partial": "◐", "wrong": "✗", "answered": "●", "unanswered": "○"}
    words = [WORDS[state]]
    words += [WORDS["flagged"]] if item.flagged else []
    words += [WORDS["current"]] if item.number == current else []
    return (
        " ".join(classes),
        str(item.number),
        item.number == current,
        icons[state] + ("⚑" if item.flagged else ""),
        ", ".join(words),
    )


def test_every_item_shows_its_own_state_page_after_page():
    states = list(itertools.product([False, True], [False, True], [None, 0.0, 0.5, 1.0]))
    for shift, current, key_shown in itertools.product(range(3), (1, 2, 5), (False, True)):
        # The same numbers in another state on each page: nothing kept may leak across.
        qmap = [
            MapItem(number, *states[(number * 7 + shift) % len(states)])
            for number in range(1, len(states) + 1)
        ]
        html = str(map_items(qmap, current, key_shown, WORDS, form_id="f"))
        shown = [
            (classes, number, bool(aria), icons, words)
            for classes, number, aria, icons, words in ITEM.findall(html)
        ]
        assert shown == [expected(item, current, key_shown) for item in qmap]


def test_words_and_links_are_escaped():
    html = str(
        map_items(
            [MapItem(1, True, False, None)],
            None,
            False,
            {**WORDS, "answered": "<b>répondu</b>"},
            href="/attempts/1/questions",
        )
    )
    assert '<a class="qmap__link" href="/attempts/1/questions/1">' in html
    assert "&lt;b&gt;répondu&lt;/b&gt;" in html and "<b>" not in html

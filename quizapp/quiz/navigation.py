"""Moving about an attempt: the question map (a column of the question page's one statement,
whatever the number of questions) and where each button of a question page leads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from markupsafe import Markup, escape
from sqlalchemy import String, case, cast, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.selectable import ScalarSelect

from ..extensions import db
from ..models import Attempt, QuestionAttempt

# A map item's state, its icon (beside words, never alone) and its class.
_ICONS = {"right": "✓", "partial": "◐", "wrong": "✗", "answered": "●", "unanswered": "○"}


class MapItem(NamedTuple):  # a tuple: forty of them are made for every question page
    number: int  # 1-based, as the page's URL
    answered: bool
    flagged: bool
    score: float | None  # graded already (immediate feedback), else None

    def mark(self, key_shown: bool) -> str | None:
        """right, partial or wrong once graded and its key may be shown; else None."""
        if not key_shown or self.score is None or not self.answered:
            return None
        if self.score >= 1:
            return "right"
        return "partial" if self.score > 0 else "wrong"


@dataclass(frozen=True)
class MapRow:
    """What the map's template shows of one item: worked out here, once per item."""

    number: int
    state: str  # right, partial, wrong, answered or unanswered: the key of its words
    icons: str
    classes: str
    flagged: bool
    current: bool


def map_row(item: MapItem, current: int | None, mark: str | None) -> MapRow:
    state = mark or ("answered" if item.answered else "unanswered")
    classes = ["qmap__item"]
    if item.answered:
        classes.append("is-answered")
    if item.flagged:
        classes.append("is-flagged")
    if item.number == current:
        classes.append("is-current")
    if mark:
        classes.append(f"is-{mark}")
    icons = _ICONS[state] + ("⚑" if item.flagged else "")
    is_current = item.number == current
    return MapRow(item.number, state, icons, " ".join(classes), item.flagged, is_current)


# One map item; `{control}` opens a button of the question form or a link, `{end}` closes it.
_ITEM = (
    '<li class="{classes}">{control}<span class="qmap__number">{number}</span>'
    '<span class="qmap__icons" aria-hidden="true">{icons}</span>'
    '<span class="visually-hidden">: {words}</span>{end}</li>\n'
)
_BUTTON = (
    '<button type="submit" form="{form}" name="action" value="goto-{number}" class="qmap__link"'
    "{current}>"
)
_LINK = '<a class="qmap__link" href="{href}/{number}">'


def map_items(
    qmap: list[MapItem],
    current: int | None,
    key_shown: bool,
    words: Mapping[str, str],
    form_id: str | None = None,
    href: str | None = None,
) -> Markup:
    """The map's items as markup: buttons of the form `form_id`, or links to `href`/<number>.

    Written here rather than in a template loop: the map has an item per question and Jinja's
    per-expression cost made it a fifth of the question page's time. `words` are the states'
    words (and `flagged`, `current`), translated once by the template; they and the form id
    and link are escaped once, the rest is this module's own vocabulary and integers.
    """
    said = {key: str(escape(text)) for key, text in words.items()}
    form = str(escape(form_id or ""))
    base = str(escape(href or ""))
    # An item's markup depends on its number and state and on these, nothing else: kept, so
    # that a page of forty items costs forty lookups.
    config = (form, base, tuple(said.items()))
    items = []
    for item in qmap:
        mark = item.mark(key_shown)
        key = (config, item.number, item.answered, item.flagged, item.number == current, mark)
        markup = _ITEMS.get(key)
        if markup is None:
            markup = _item_markup(map_row(item, current, mark), said, form, base)
            if len(_ITEMS) >= _ITEMS_MAX:
                _ITEMS.clear()
            _ITEMS[key] = markup
        items.append(markup)
    return Markup("".join(items))


_ITEMS: dict[tuple[Any, ...], str] = {}
_ITEMS_MAX = 20_000  # a few languages, forms and states of a few hundred numbers


def _item_markup(row: MapRow, said: Mapping[str, str], form: str, base: str) -> str:
    spoken = said[row.state]
    if row.flagged:
        spoken += ", " + said["flagged"]
    if row.current:
        spoken += ", " + said["current"]
    if form:
        control = _BUTTON.format(
            form=form, number=row.number, current=' aria-current="step"' if row.current else ""
        )
        end = "</button>"
    else:
        control, end = _LINK.format(href=base, number=row.number), "</a>"
    return _ITEM.format(
        classes=row.classes,
        control=control,
        number=row.number,
        icons=row.icons,
        words=spoken,
        end=end,
    )


def map_column() -> ScalarSelect[Any]:
    """The attempt's map as one text column of the statement that loads the attempt (a
    subquery correlated to it): `position:answered:flagged:score` per question, joined by `;`
    (`func.aggregate_strings`: group_concat on SQLite, string_agg on PostgreSQL), so that the
    question page needs no statement of its own for it. Read back by `parse_map`."""
    row = aliased(QuestionAttempt)
    item = (
        cast(row.position, String)
        + ":"
        + case((row.answered_at.is_(None), "0"), else_="1")
        + ":"
        + case((row.flagged, "1"), else_="0")
        + ":"
        + func.coalesce(cast(row.score, String), "")
    )
    return (
        select(func.aggregate_strings(item, ";"))
        .where(row.attempt_id == Attempt.id)
        .correlate(Attempt)
        .scalar_subquery()
    )


def question_map(attempt_id: int) -> list[MapItem]:
    """The attempt's map on its own (a question page shown again after a refused answer)."""
    return parse_map(
        db.session.scalar(select(map_column()).select_from(Attempt).where(Attempt.id == attempt_id))
    )


def parse_map(text: str | None) -> list[MapItem]:
    """Every question of the attempt with its state, in order, from `map_column`'s text (its
    order is the database's: string_agg promises none, so the items are sorted here)."""
    items = []
    for part in text.split(";") if text else ():
        position, answered, flagged, score = part.split(":")
        items.append(
            MapItem(
                int(position) + 1, answered == "1", flagged == "1", float(score) if score else None
            )
        )
    items.sort(key=lambda item: item.number)
    return items


def target_of(action: str | None, number: int, total: int) -> int | None:
    """The question a navigation button leads to; None: the check before submitting.

    `check` and `flag` stay; `previous`, `next` and `skip` move by one; `goto-N` (the map's
    buttons) goes to N; `review`, and `next` or `skip` on the last question, go to the check.
    """
    if action in ("check", "flag"):
        return number
    if action == "previous":
        return max(1, number - 1)
    if action in ("next", "skip"):
        return number + 1 if number < total else None
    if action and action.startswith("goto-"):
        wanted = action.removeprefix("goto-")
        if wanted.isdigit() and 1 <= int(wanted) <= total:
            return int(wanted)
    return None

"""Moving about an attempt: the question map (one query, whatever the number of questions) and
where each button of a question page leads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import select

from ..extensions import db
from ..models import Attempt, QuestionAttempt

# A map item's state, its icon (beside words, never alone) and its class.
_ICONS = {"right": "✓", "partial": "◐", "wrong": "✗", "answered": "●", "unanswered": "○"}


@dataclass(frozen=True)
class MapItem:
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


def map_rows(qmap: list[MapItem], current: int | None, key_shown: bool) -> list[MapRow]:
    rows = []
    for item in qmap:
        mark = item.mark(key_shown)
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
        rows.append(MapRow(item.number, state, icons, " ".join(classes), item.flagged, is_current))
    return rows


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
    items = []
    for row in map_rows(qmap, current, key_shown):
        spoken = said[row.state]
        if row.flagged:
            spoken += ", " + said["flagged"]
        if row.current:
            spoken += ", " + said["current"]
        if form_id:
            control = _BUTTON.format(
                form=form,
                number=row.number,
                current=' aria-current="step"' if row.current else "",
            )
            end = "</button>"
        else:
            control, end = _LINK.format(href=base, number=row.number), "</a>"
        items.append(
            _ITEM.format(
                classes=row.classes,
                control=control,
                number=row.number,
                icons=row.icons,
                words=spoken,
                end=end,
            )
        )
    return Markup("".join(items))


def question_map(attempt: Attempt) -> list[MapItem]:
    """Every question of the attempt with its state, in order: one query for the whole map."""
    rows = db.session.execute(
        select(
            QuestionAttempt.position,
            QuestionAttempt.answered_at,
            QuestionAttempt.flagged,
            QuestionAttempt.score,
        )
        .where(QuestionAttempt.attempt_id == attempt.id)
        .order_by(QuestionAttempt.position)
    ).all()
    return [
        MapItem(position + 1, answered_at is not None, bool(flagged), score)
        for position, answered_at, flagged, score in rows
    ]


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

"""A student's missed questions as an Anki deck (.apkg, written by genanki).

Only questions from attempts whose key the student may see now (`visibility.attempt_key_visible`:
the attempt's feedback rule, and no pending assignment of the set hiding it): the deck shows the
right answer and the explanation, as the result page would.
"""

from __future__ import annotations

import hashlib
import html
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import genanki
from flask_babel import gettext as _
from sqlalchemy import select

from .. import markup, qtypes, visibility
from ..enums import AttemptState
from ..extensions import db
from ..models import Attempt, Question, QuestionSet, User
from ..models import QuestionAttempt as QuizResponse

MAX_NOTES = 2000  # the latest missed questions, far more than a term's worth
MODEL_ID = 1_607_392_319  # fixed: Anki recognises the note type across downloads
_CSS = ".card { font-family: sans-serif; font-size: 18px; text-align: left; }"


@dataclass(frozen=True)
class Missed:
    question_set: QuestionSet
    question: Question
    answer: Any


def missed_questions(user: User, now: datetime) -> list[Missed]:
    """The student's missed questions (latest answer first, each question once) whose key they
    may see now."""
    rows = db.session.execute(
        select(QuizResponse, Question, Attempt, QuestionSet)
        .join(Attempt, Attempt.id == QuizResponse.attempt_id)
        .join(Question, Question.id == QuizResponse.question_id)
        .join(QuestionSet, QuestionSet.id == Attempt.set_id)
        .where(
            Attempt.user_id == user.id,
            Attempt.state != AttemptState.in_progress,
            QuizResponse.score.is_not(None),
            QuizResponse.score < 1 - 1e-9,
        )
        .order_by(Attempt.started_at.desc(), QuizResponse.position)
        .limit(MAX_NOTES * 5)
    ).all()
    set_ids = list({attempt.set_id for _, _, attempt, _ in rows})
    hiding = visibility.hiding_assignments(user.id, now, set_ids) if set_ids else {}
    seen: set[tuple[int, str]] = set()
    found: list[Missed] = []
    visible: dict[int, bool] = {}
    for response, question, attempt, question_set in rows:
        if attempt.id not in visible:
            visible[attempt.id] = visibility.attempt_key_visible(attempt, now, hiding)
        key = (question.set_id, question.key)
        if not visible[attempt.id] or key in seen:
            continue
        seen.add(key)
        found.append(Missed(question_set, question, response.answer))
        if len(found) >= MAX_NOTES:
            break
    return found


def _front(spec: dict[str, Any]) -> str:
    parts = [str(markup.markdown(spec["prompt"]))]
    if spec.get("choices"):
        texts = qtypes.choice_texts(spec)
        parts.append("<ul>" + "".join(f"<li>{html.escape(t)}</li>" for t in texts) + "</ul>")
    elif spec.get("items"):
        items = sorted(spec["items"])  # not the key's order
        parts.append("<ul>" + "".join(f"<li>{html.escape(t)}</li>" for t in items) + "</ul>")
    elif spec.get("pairs"):
        lefts = "".join(f"<li>{html.escape(left)}</li>" for left, _ in spec["pairs"])
        rights = "".join(
            f"<li>{html.escape(right)}</li>"
            for _, right in sorted(spec["pairs"], key=lambda p: p[1])
        )
        parts.append(f"<ul>{lefts}</ul><p>→</p><ul>{rights}</ul>")
    return "".join(parts)


def _back(spec: dict[str, Any], answer: Any) -> str:
    qtype = qtypes.get(spec["type"])
    right = qtype.describe(spec, qtype.correct_answer(spec))
    parts = [f"<p><b>{html.escape(_('Right answer:'))}</b> {html.escape(str(right))}</p>"]
    if answer is not None:
        try:
            given = qtype.describe(spec, answer)
        except (ValueError, IndexError, TypeError, KeyError):
            given = None
        if given:
            parts.append(f"<p>{html.escape(_('Your answer:'))} {html.escape(str(given))}</p>")
    if spec.get("explanation"):
        parts.append(str(markup.markdown(spec["explanation"])))
    return "".join(parts)


def deck(user: User, missed: list[Missed]) -> bytes:
    """An .apkg with one note per missed question; a question keeps its note across downloads
    (its guid is the set and question), so that Anki updates rather than duplicates it."""
    model = genanki.Model(
        MODEL_ID,
        "quizapp question",
        fields=[{"name": "Question"}, {"name": "Answer"}],
        templates=[
            {
                "name": "Card 1",
                "qfmt": "{{Question}}",
                "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}',
            }
        ],
        css=_CSS,
    )
    digest = hashlib.sha256(f"quizapp-missed-{user.id}".encode()).hexdigest()
    deck_id = int(digest[:8], 16) >> 1
    anki_deck = genanki.Deck(deck_id, _("My missed questions (quizapp)"))
    for item in missed:
        spec = item.question.spec
        anki_deck.add_note(
            genanki.Note(
                model=model,
                fields=[_front(spec), _back(spec, item.answer)],
                guid=genanki.guid_for(item.question_set.slug, item.question.key),
                tags=[tag for tag in spec.get("tags", []) if " " not in tag],
            )
        )
    buffer = io.BytesIO()
    genanki.Package(anki_deck).write_to_file(buffer)
    return buffer.getvalue()

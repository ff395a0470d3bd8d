"""A class session's scores in the gradebook, entered once when the game ends.

One `live` assignment (unique on `LiveSession.assignment_id`, and written only by the request
whose conditional UPDATE finished the session): one graded `Attempt` per class member who
played, its responses graded by the question types as everywhere else. Grading sends
`attempt_graded`, so missed questions come up in the players' spaced review like any other
attempt's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..enums import AssignmentKind, AttemptState, FeedbackMode, LatePolicy, ScoreRule
from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    LiveAnswer,
    LivePlayer,
    LiveSession,
    Question,
    QuestionAttempt,
)
from ..quiz.attempts import attempt_graded, attempt_score
from .layout import layout_of


def record_in_gradebook(live: LiveSession, now: datetime) -> Assignment | None:
    """Enter a finished class session's scores as a `live` assignment; None without a class."""
    if live.classroom_id is None or live.assignment_id is not None:
        return None
    opens_at = live.created_at
    assignment = Assignment(
        classroom_id=live.classroom_id,
        set_id=live.set_id,
        opens_at=opens_at,
        due_at=max(now, opens_at + timedelta(seconds=1)),
        # Closed once the game ends: the assignment lists the scores, it is not taken again.
        late_policy=LatePolicy.refuse.value,
        max_attempts=1,
        feedback=FeedbackMode.after_submit.value,  # the key was on the projector
        score_rule=ScoreRule.best.value,
        kind=AssignmentKind.live.value,
    )
    db.session.add(assignment)
    db.session.flush()
    live.assignment_id = assignment.id
    questions = {
        q.id: q
        for q in db.session.scalars(select(Question).where(Question.id.in_(live.question_ids)))
    }
    players = db.session.scalars(
        select(LivePlayer).where(
            LivePlayer.session_id == live.id,
            LivePlayer.user_id.is_not(None),
            LivePlayer.removed_at.is_(None),
        )
    ).all()
    answers: dict[tuple[int, int], LiveAnswer] = {
        (a.player_id, a.position): a
        for a in db.session.scalars(select(LiveAnswer).where(LiveAnswer.session_id == live.id))
    }
    numbers = dict(
        db.session.execute(
            select(Attempt.user_id, func.max(Attempt.number))
            .where(
                Attempt.set_id == live.set_id,
                Attempt.user_id.in_([p.user_id for p in players]),
            )
            .group_by(Attempt.user_id)
        ).all()
    )
    for player in players:
        assert player.user_id is not None
        attempt = Attempt(
            user_id=player.user_id,
            set_id=live.set_id,
            assignment_id=assignment.id,
            number=(numbers.get(player.user_id) or 0) + 1,
            state=AttemptState.graded.value,
            seed=0,
            started_at=live.created_at,
            submitted_at=now,
            max_score=sum(questions[qid].points for qid in live.question_ids),
        )
        responses = []
        for position, qid in enumerate(live.question_ids):
            question = questions[qid]
            given = answers.get((player.id, position))
            responses.append(
                QuestionAttempt(
                    question_id=qid,
                    question=question,
                    position=position,
                    layout=layout_of(live, position, question),
                    answer=given.answer if given else None,
                    answered_at=given.answered_at if given else None,
                    score=given.score if given else 0.0,
                    points=round(given.score * question.points, 6) if given else 0.0,
                )
            )
        attempt.responses = responses
        attempt.assignment = assignment
        db.session.add(attempt)
        db.session.flush()
        attempt.score = attempt_score(attempt)
        attempt_graded.send(attempt)
    db.session.flush()
    return assignment

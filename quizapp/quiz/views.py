from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response as HTTPResponse

from .. import access, qtypes, visibility
from ..enums import FeedbackMode, SetStatus
from ..extensions import db
from ..models import (
    Assignment,
    Attempt,
    AttemptState,
    Question,
    QuestionAttempt,
    QuestionSet,
    utcnow,
)
from ..qtypes import InvalidAnswer
from ..templating import current_locale
from . import attempts, navigation, results
from .catalogue import catalogue as catalogue_entries
from .catalogue import open_assignment_for, start_facts, topic_labels
from .forms import AnswerError, answer_from, build_form

bp = Blueprint("quiz", __name__)
# The question map's rows, worked out in Python for templates/quiz/_map.html.
bp.add_app_template_global(navigation.map_items)


def _own_attempt(attempt_id: int) -> Attempt:
    """The current user's attempt, with its set; 404 for anyone else's."""
    attempt = db.session.scalar(
        select(Attempt)
        .options(joinedload(Attempt.question_set), joinedload(Attempt.assignment))
        .where(Attempt.id == attempt_id, Attempt.user_id == current_user.id)
    )
    if attempt is None:
        abort(404)
    return attempt


@bp.route("/quizzes")
@access.logged_in
def catalogue() -> str:
    language = request.args.get("language") or None
    tag = request.args.get("tag") or None
    entries = [
        e
        for e in catalogue_entries(current_user, language=language, tag=tag)
        if visibility.listed(e.question_set, current_user)
    ]
    all_sets = [
        s
        for s in db.session.scalars(
            select(QuestionSet).where(QuestionSet.status == SetStatus.active)
        )
        if visibility.listed(s, current_user)
    ]
    languages = sorted({s.language for s in all_sets})
    labels = topic_labels(current_locale())
    tags = sorted(
        ((t, labels.get(t, t)) for t in {t for s in all_sets for t in (s.tags or [])}),
        key=lambda pair: pair[1].casefold(),
    )
    return render_template(
        "quiz/catalogue.html",
        entries=entries,
        languages=languages,
        tags=tags,
        language=language,
        tag=tag,
    )


def _set_to_start(slug: str) -> tuple[QuestionSet, Assignment | None]:
    """The active set, and the assignment it is taken for if the student's class assigned it."""
    question_set = db.session.scalar(
        select(QuestionSet).where(QuestionSet.slug == slug, QuestionSet.status == SetStatus.active)
    )
    if question_set is None:
        abort(404)
    # A set the student's class has assigned is taken as that assignment, not as self-study:
    # otherwise a practice run could show the answers before the due date.
    assignment = open_assignment_for(current_user, question_set, utcnow())
    if assignment is None and not visibility.listed(question_set, current_user):
        abort(404)  # a set taken only through assignments has no self-study
    return question_set, assignment


@bp.route("/quizzes/<slug>/start", methods=["GET"])
@access.logged_in
def start_page(slug: str) -> str:
    """What the attempt will be (size, time limit, attempts, feedback), before the clock starts."""
    question_set, assignment = _set_to_start(slug)
    return render_template(
        "quiz/start.html",
        facts=start_facts(current_user, question_set, assignment),
        action=url_for("quiz.start", slug=slug),
        now=utcnow(),
    )


@bp.route("/quizzes/<slug>/start", methods=["POST"])
@access.logged_in
def start(slug: str) -> HTTPResponse:
    question_set, assignment = _set_to_start(slug)
    try:
        attempt = attempts.start_attempt(current_user, question_set, assignment=assignment)
    except attempts.QuizError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("quiz.catalogue"))
    db.session.commit()
    return redirect(url_for("quiz.question", attempt_id=attempt.id, number=1))


@bp.route("/attempts/<int:attempt_id>/questions/<int:number>", methods=["GET", "POST"])
@access.logged_in
def question(attempt_id: int, number: int) -> str | HTTPResponse | tuple[str, int]:
    # The attempt, this question and the progress counts in one statement (the hot path).
    # The map only for a page to show: a POST that saves is answered by a redirect.
    loaded = attempts.question_page(
        attempt_id, current_user.id, number, with_map=request.method == "GET"
    )
    if loaded is None:
        abort(404)
    attempt, response, total, qmap = loaded
    if attempts.expire_if_due(attempt):
        db.session.commit()
        flash(_("Time is up: your attempt was graded on the answers saved in time."), "warning")
    elif attempt.state != AttemptState.in_progress and request.method == "POST":
        return _answer_refused(attempt)
    if attempt.state != AttemptState.in_progress:
        return redirect(url_for("quiz.result", attempt_id=attempt.id))
    if response is None:
        abort(404)
    form = build_form(response, request.form if request.method == "POST" else None)
    status = 200
    answer_error: str | None = None
    immediate = visibility.settings_of(attempt).get("feedback") == FeedbackMode.immediate
    if request.method == "POST":
        action = request.form.get("action")
        valid = form.validate()
        # Skipping, and moving about an immediate-feedback quiz, leave the answer as it was:
        # there, saving an answer checks and locks it.
        keep = action == "skip" or (
            immediate and (action in ("flag", "previous") or (action or "").startswith("goto-"))
        )
        if action == "timeout" and not valid:
            keep = True  # time is up: what was saved counts
        if keep:
            return _after_post(attempt, response, number, total, action)
        if not valid:
            status = 422
        else:
            try:
                answer = answer_from(form, response)
                # A question locked by immediate feedback only navigates: whatever it
                # sends (its fields are disabled) is never stored.
                if visibility.is_locked(attempt, response):
                    pass
                elif answer is None and action == "check":
                    raise AnswerError(
                        _("You have not answered this question. Answer it, or skip it.")
                    )
                else:
                    attempts.save_answer(attempt, response, answer)
            except AnswerError as error:
                answer_error = str(error)
                status = 422
            except InvalidAnswer:
                abort(400)
            except attempts.TooLate as error:
                db.session.commit()
                flash(str(error), "warning")
                return redirect(url_for("quiz.result", attempt_id=attempt.id))
            except attempts.AttemptClosed:
                db.session.rollback()
                return _answer_refused(attempt)
            except attempts.AnswerLocked as error:
                flash(str(error), "info")
                return redirect(request.path)
            else:
                return _after_post(attempt, response, number, total, action)
    if qmap is None:  # a POST shown again (an answer refused): its map, read now
        qmap = navigation.question_map(attempt.id)
    answered = sum(1 for item in qmap if item.answered)
    locked = visibility.is_locked(attempt, response)
    # Answers checked under immediate feedback show their key (here and on the map) only if
    # no pending assignment of the set hides it: one query for the page, not one per question.
    key_shown = (
        immediate
        and any(item.score is not None for item in qmap)
        and not visibility.key_hidden(
            attempt.user_id, attempt.set_id, except_assignment=attempt.assignment_id
        )
    )
    settings = visibility.settings_of(attempt)  # the set's, with the assignment's overrides
    return render_template(
        "quiz/question.html",
        attempt=attempt,
        response=response,
        question=response.question,
        form=form,
        number=number,
        total=total,
        answered=answered,
        qmap=qmap,
        key_shown=key_shown,
        show_feedback=locked and key_shown,
        locked=locked,
        # the assignment's override, not only the set's setting
        immediate=immediate,
        # A countdown for a time limit, or for a due date less than a day away; not "10019:41".
        show_timer=attempt.deadline is not None
        and (
            settings.get("time_limit") is not None
            or attempt.deadline - utcnow() < timedelta(days=1)
        ),
        answer_error=answer_error,
    ), status


def _after_post(
    attempt: Attempt, response: QuestionAttempt, number: int, total: int, action: str | None
) -> HTTPResponse | tuple[str, int]:
    """After a question page's POST (its answer saved, or kept as it was): flag, submit at the
    time limit, or go where the button leads."""
    try:
        if action == "flag":
            attempts.toggle_flag(attempt, response)
        if action == "timeout" and attempts.submit_at_time_limit(attempt):
            db.session.commit()
            return redirect(url_for("quiz.result", attempt_id=attempt.id))
    except attempts.AttemptClosed:
        db.session.rollback()
        return _answer_refused(attempt)
    # Worked out before the commit, which expires the attempt: reading it after would cost
    # the statements of loading it again.
    target = navigation.target_of(action, number, total)
    if target is None:
        url = url_for("quiz.summary", attempt_id=attempt.id)
    else:
        anchor = "#flag" if action == "flag" else ""
        url = url_for("quiz.question", attempt_id=attempt.id, number=target) + anchor
    db.session.commit()
    return redirect(url)


def _answer_refused(attempt: Attempt) -> tuple[str, int]:
    """409: the attempt was handed in (perhaps a moment ago, by another tab): nothing saved."""
    return render_template(
        "errors/error.html",
        code=409,
        message=attempts.ANSWER_TOO_LATE,
        next_url=url_for("quiz.result", attempt_id=attempt.id),
        next_label=_("See the result"),
    ), 409


@bp.route("/attempts/<int:attempt_id>/summary")
@access.logged_in
def summary(attempt_id: int) -> str | HTTPResponse:
    """The check before submitting: every question answered or not (spaced-repetition review is
    `progress.review`)."""
    attempt = _own_attempt(attempt_id)
    if attempts.expire_if_due(attempt):
        db.session.commit()
    if attempt.state != AttemptState.in_progress:
        return redirect(url_for("quiz.result", attempt_id=attempt.id))
    responses = db.session.scalars(
        select(QuestionAttempt)
        .options(joinedload(QuestionAttempt.question))
        .where(QuestionAttempt.attempt_id == attempt.id)
        .order_by(QuestionAttempt.position)
    ).all()
    qmap = [
        navigation.MapItem(r.position + 1, r.answered_at is not None, r.flagged, r.score)
        for r in responses
    ]
    settings = visibility.settings_of(attempt)
    return render_template(
        "quiz/summary.html",
        attempt=attempt,
        responses=responses,
        qmap=qmap,
        show_timer=attempt.deadline is not None
        and (
            settings.get("time_limit") is not None
            or attempt.deadline - utcnow() < timedelta(days=1)
        ),
    )


@bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@access.logged_in
def submit(attempt_id: int) -> HTTPResponse:
    attempt = _own_attempt(attempt_id)
    # The countdown's own submission at 0:00 closes the attempt at its time limit.
    if request.form.get("action") != "timeout" or not attempts.submit_at_time_limit(attempt):
        attempts.submit(attempt)
    db.session.commit()
    return redirect(url_for("quiz.result", attempt_id=attempt_id))  # not attempt.id: expired


@bp.route("/attempts/<int:attempt_id>")
@access.logged_in
def result(attempt_id: int) -> str | HTTPResponse:
    attempt = _own_attempt(attempt_id)
    if attempts.expire_if_due(attempt):
        db.session.commit()
    if attempt.state == AttemptState.in_progress:
        return redirect(url_for("quiz.question", attempt_id=attempt.id, number=1))
    responses = db.session.scalars(
        select(QuestionAttempt)
        .options(joinedload(QuestionAttempt.question).joinedload(Question.question_set))
        .where(QuestionAttempt.attempt_id == attempt.id)
        .order_by(QuestionAttempt.position)
    ).all()
    overrides = attempts.overrides_of(attempt)
    only_mistakes = request.args.get("show") == "mistakes"
    return render_template(
        "quiz/result.html",
        attempt=attempt,
        responses=responses,
        shown=[r for r in responses if results.is_mistake(r, overrides)]
        if only_mistakes
        else responses,
        only_mistakes=only_mistakes,
        summary=results.summarize(attempt, responses, overrides),
        passed=attempts.passed(attempt),
        pass_mark=visibility.settings_of(attempt).get("pass_mark"),
        show_answers=visibility.attempt_key_visible(attempt),
        overrides=overrides,
        score_of=results.score_of,
    )


@bp.app_template_global()
def describe_answer(question: Question, answer: Any) -> str:
    """A student's answer (or the key) in words, for feedback and results."""
    if answer is None:
        return _("no answer")
    return qtypes.get(question.type).describe(question.spec, answer)

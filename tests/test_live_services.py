"""Live sessions as services: PINs, joining, the question clock, answers, the end of a game
and its one gradebook entry feeding spaced review."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join as join_class
from quizapp.enums import AssignmentKind, LiveState
from quizapp.live import scoring, services
from quizapp.live.services import LiveError
from quizapp.models import (
    Assignment,
    Attempt,
    LiveAnswer,
    QuestionAttempt,
    QuestionProgress,
    utcnow,
)


class Anonymous:
    is_authenticated = False


@pytest.fixture
def game(db, make_user, make_set):
    teacher = make_user("teacher", role="teacher")
    question_set = make_set()
    classroom = create_classroom(teacher, "5e B", "Europe/Paris")
    zoe = make_user("zoe")
    join_class(classroom, zoe, "Zoé")
    db.session.commit()
    live = services.create_session(teacher, question_set, classroom)
    db.session.commit()
    return {
        "teacher": teacher,
        "set": question_set,
        "classroom": classroom,
        "zoe": zoe,
        "live": live,
    }


def test_a_session_gets_a_six_digit_pin_found_while_it_runs_only(db, game):
    live = game["live"]
    assert len(live.pin) == 6 and live.pin.isdigit()
    assert services.running_session(live.pin) == live
    assert services.running_session(live.pin[:5]) is None
    services.end_session(live)
    db.session.commit()
    assert services.running_session(live.pin) is None  # the PIN expires with the session


def test_an_idle_session_ends_by_itself(db, game, app):
    live = game["live"]
    later = utcnow() + timedelta(minutes=app.config["LIVE_IDLE_MINUTES"] + 1)
    assert services.running_session(live.pin, now=later) is None
    db.session.commit()
    assert live.state == LiveState.finished and live.ended_at is not None


def test_nicknames_are_checked(db, game):
    live = game["live"]
    player, token = services.join(live, Anonymous(), "  Ada   L ")
    assert player.nickname == "Ada L" and services.player_for(live, token) == player
    with pytest.raises(LiveError, match="taken"):
        services.join(live, Anonymous(), "ada l")
    with pytest.raises(LiveError, match="at most"):
        services.join(live, Anonymous(), "x" * 21)
    with pytest.raises(LiveError, match="another nickname"):
        services.join(live, Anonymous(), "Mer De")  # spaces do not hide a blocked word
    services.add_blocked_words(live, ["Banane"])
    with pytest.raises(LiveError, match="another nickname"):
        services.join(live, Anonymous(), "banane42")
    db.session.commit()


def test_a_class_member_plays_under_their_account_and_rejoins_with_a_new_token(db, game):
    live, zoe = game["live"], game["zoe"]
    player, first = services.join(live, zoe, "whatever")
    assert player.nickname == "Zoé" and player.user_id == zoe.id
    again, second = services.join(live, zoe, "")
    assert again.id == player.id and second != first
    assert services.player_for(live, first) is None  # the other phone's token stops working
    assert services.player_for(live, second) == player


def test_answers_score_by_the_formula_and_late_or_repeated_answers_are_refused(db, game):
    live = game["live"]
    ada, _ = services.join(live, Anonymous(), "Ada")
    bob, _ = services.join(live, Anonymous(), "Bob")
    t0 = utcnow()
    services.next_question(live, t0)
    assert live.state == LiveState.question and live.time_limit == scoring.DEFAULT_SECONDS
    row = services.submit_answer(live, ada, 0, 1, t0 + timedelta(seconds=5))  # "2015": right
    assert row.score == 1.0 and row.elapsed_ms == 5000
    assert row.points == scoring.speed_points(1.0, 5000, 20_000) == 875
    with pytest.raises(LiveError, match="already answered"):
        services.submit_answer(live, ada, 0, 0, t0 + timedelta(seconds=6))
    late = t0 + timedelta(seconds=scoring.DEFAULT_SECONDS, milliseconds=1)
    with pytest.raises(LiveError, match="Time was up"):
        services.submit_answer(live, bob, 0, 1, late)
    with pytest.raises(LiveError, match="closed"):
        services.submit_answer(live, bob, 1, 0, t0)  # not the open question
    assert services.close_if_due(live, late)
    assert live.state == LiveState.reveal
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(LiveAnswer)) == 1


def test_a_removed_player_cannot_answer_and_the_question_closes_when_all_answered(db, game):
    live = game["live"]
    ada, _ = services.join(live, Anonymous(), "Ada")
    bob, _ = services.join(live, Anonymous(), "Bob")
    t0 = utcnow()
    services.next_question(live, t0)
    services.remove_player(live, bob, t0)
    with pytest.raises(LiveError, match="not playing"):
        services.submit_answer(live, bob, 0, 1, t0)
    services.submit_answer(live, ada, 0, 0, t0 + timedelta(seconds=1))
    assert services.close_if_all_answered(live, t0 + timedelta(seconds=1))
    assert live.state == LiveState.reveal
    bars = services.distribution(live, services.question_at(live, 0))
    assert {b.label: (b.count, b.right) for b in bars} == {
        "2014": (1, False),
        "2015": (0, True),
        "2019": (0, False),
    }
    assert sorted(b.shape for b in bars) == [0, 1, 2]  # the room's places, shapes on phones


def test_pause_keeps_the_time_left_and_refuses_answers_meanwhile(db, game):
    live = game["live"]
    ada, _ = services.join(live, Anonymous(), "Ada")
    t0 = utcnow()
    services.next_question(live, t0)
    assert services.pause(live, t0 + timedelta(seconds=5))
    with pytest.raises(LiveError, match="paused"):
        services.submit_answer(live, ada, 0, 1, t0 + timedelta(seconds=6))
    assert not services.is_closed(live, t0 + timedelta(minutes=5))  # paused: never closes
    resumed = t0 + timedelta(minutes=5)
    assert services.resume(live, resumed)
    assert live.deadline == resumed + timedelta(seconds=15)
    row = services.submit_answer(live, ada, 0, 1, resumed + timedelta(seconds=1))
    assert row.elapsed_ms == 6000  # paused time does not count


def test_a_stale_second_tab_moves_the_game_once(db, game):
    live = game["live"]
    stale_version = live.version
    assert services.next_question(live)
    with db.session.no_autoflush:
        live.version = stale_version  # what another tab read before the first click
        assert not services._move(live, utcnow(), position=5)
    assert live.position == 0


def test_streak_bonus_and_ties_broken_by_time(db, game):
    live = game["live"]
    ada, _ = services.join(live, Anonymous(), "Ada")
    bob, _ = services.join(live, Anonymous(), "Bob")
    t0 = utcnow()
    services.next_question(live, t0)
    services.submit_answer(live, ada, 0, 1, t0 + timedelta(seconds=2))
    services.submit_answer(live, bob, 0, 1, t0 + timedelta(seconds=2))
    services.skip(live, t0 + timedelta(seconds=3))
    t1 = t0 + timedelta(seconds=10)
    services.next_question(live, t1)
    second = services.submit_answer(live, ada, 1, 0, t1 + timedelta(seconds=4))  # Microsoft
    assert second.points == scoring.speed_points(1.0, 4000, 20_000) + scoring.STREAK_STEP
    services.submit_answer(live, bob, 1, 0, t1 + timedelta(seconds=4))
    board = services.leaderboard(live)
    assert [r.rank for r in board] == [1, 1]  # same points, same time: a shared rank
    db.session.commit()


def test_the_end_enters_the_gradebook_once_and_feeds_spaced_review(db, game):
    live, zoe = game["live"], game["zoe"]
    player, _ = services.join(live, zoe, "")
    services.join(live, Anonymous(), "Guest")
    t0 = utcnow()
    services.next_question(live, t0)
    services.submit_answer(live, player, 0, 0, t0 + timedelta(seconds=1))  # wrong
    services.skip(live, t0 + timedelta(seconds=2))
    services.next_question(live, t0 + timedelta(seconds=3))
    services.submit_answer(live, player, 1, 0, t0 + timedelta(seconds=4))  # right
    assert services.end_session(live, t0 + timedelta(seconds=5))
    assert not services.end_session(live, t0 + timedelta(seconds=6))  # never twice
    db.session.commit()
    assignment = db.session.get(Assignment, live.assignment_id)
    assert assignment.kind == AssignmentKind.live and assignment.classroom_id == live.classroom_id
    attempts = db.session.scalars(
        select(Attempt).where(Attempt.assignment_id == assignment.id)
    ).all()
    assert [(a.user_id, a.state, a.score, a.max_score) for a in attempts] == [
        (zoe.id, "graded", 1.0, 2.0)  # the guest has no account: not in the gradebook
    ]
    scores = db.session.scalars(
        select(QuestionAttempt.score)
        .where(QuestionAttempt.attempt_id == attempts[0].id)
        .order_by(QuestionAttempt.position)
    ).all()
    assert scores == [0.0, 1.0]
    missed = db.session.scalars(
        select(QuestionProgress).where(QuestionProgress.user_id == zoe.id)
    ).all()
    assert {p.question_key: p.card is not None for p in missed} == {
        "founding-year": True,  # missed: a review card
        "investor": False,
    }


def test_a_game_nobody_opens_again_ends_from_the_teachers_list_or_the_command(db, game, app):
    """Idle past QUIZAPP_LIVE_IDLE_MINUTES with nobody on its pages: the teacher's list of
    games ends it (its class's scores go to the gradebook); `flask live end-idle` ends the
    others' (a timer); a game still in use is left alone."""
    from quizapp.live.services import end_idle_sessions

    live, zoe = game["live"], game["zoe"]
    services.join(live, zoe, "")
    services.next_question(live)
    busy = services.create_session(game["teacher"], game["set"])
    db.session.commit()
    later = utcnow() + timedelta(minutes=app.config["LIVE_IDLE_MINUTES"] + 1)
    assert end_idle_sessions(game["teacher"], utcnow()) == []  # not idle yet
    busy.last_activity_at = later - timedelta(minutes=1)
    db.session.commit()
    assert end_idle_sessions(game["teacher"], later) == [live]
    db.session.commit()
    assert live.state == LiveState.finished and busy.ended_at is None
    assert db.session.scalar(select(Assignment)).kind == AssignmentKind.live

    busy.last_activity_at = utcnow() - timedelta(minutes=app.config["LIVE_IDLE_MINUTES"] + 1)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["live", "end-idle"])
    assert result.exit_code == 0 and "ended 1 idle live game" in result.output
    db.session.refresh(busy)
    assert busy.ended_at is not None

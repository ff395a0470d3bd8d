"""Taking a quiz, second version: the start page, the time limit's own submission, skipping,
flags and the question map, marked feedback and the results summary (server side)."""

from __future__ import annotations

import re
from datetime import timedelta

from helpers import assign
from sqlalchemy import select

from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join
from quizapp.models import Attempt, QuestionAttempt, User, utcnow

IMMEDIATE = {"feedback": "immediate", "shuffle_choices": False}


def start(client, slug="sample"):
    response = client.post(f"/quizzes/{slug}/start")
    assert response.status_code == 302
    return response.headers["Location"]


def attempt_of(db):
    return db.session.scalar(select(Attempt).order_by(Attempt.id.desc()))


def responses_of(db, attempt):
    db.session.expire_all()
    return db.session.scalars(
        select(QuestionAttempt)
        .where(QuestionAttempt.attempt_id == attempt.id)
        .order_by(QuestionAttempt.position)
    ).all()


# --- the start page ------------------------------------------------------------------------


def test_the_start_page_tells_the_rules_before_any_clock_starts(auth, client, make_set, db):
    make_set(
        settings={
            "feedback": "after_submit",
            "time_limit": "20m",
            "max_attempts": 3,
            "shuffle_choices": False,
        }
    )
    auth.register()
    page = client.get("/quizzes/sample/start").get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Attempt)) == 0  # no clock yet
    facts = dict(
        zip(
            re.findall(r"<dt>(.*?)</dt>", page),
            [re.sub(r"\s+", " ", d).strip() for d in re.findall(r"<dd>(.*?)</dd>", page, re.S)],
            strict=True,
        )
    )
    assert facts["Questions"] == "2"
    assert facts["Time limit"] == "20 minutes"
    assert facts["Attempts used"] == "0" and facts["Attempts left"] == "3"
    assert facts["Feedback"] == "when you submit"
    assert 'action="/quizzes/sample/start"' in page and ">Start</button>" in page
    catalogue = client.get("/quizzes").get_data(as_text=True)
    assert 'href="/quizzes/sample/start"' in catalogue  # Start leads to the start page
    start(client)
    again = client.get("/quizzes/sample/start").get_data(as_text=True)
    assert ">Resume</button>" in again and "You have an attempt in progress." in again
    assert "Time left: 19:5" in again or "Time left: 20:00" in again
    french = client.get("/quizzes/sample/start?lang=fr").get_data(as_text=True)
    assert "Tentatives utilisées" in french and "quand vous rendez" in french


def test_an_assignment_start_page_shows_its_name_due_date_and_late_policy(
    auth, client, make_set, make_user, db
):
    question_set = make_set()
    teacher = make_user("teach", role="teacher")
    room = create_classroom(teacher, "2nde B", "Europe/Paris")
    auth.register()
    student = db.session.scalar(select(User).where(User.username == "ada"))
    join(room, student, "Ada L.")
    db.session.commit()
    now = utcnow()
    assignment = assign(
        db,
        room,
        question_set,
        now - timedelta(days=1),
        now + timedelta(days=2),
        late_policy="penalty",
        late_penalty=20,
        name="Quiz 1: the founding",
    )
    page = client.get(f"/assignments/{assignment.id}/start").get_data(as_text=True)
    assert "<h1" in page and "Quiz 1: the founding</h1>" in page
    assert "Sample set" in page and "2nde B" in page
    assert "accepted, with 20% taken off the score" in page
    assert "<dt>Due</dt>" in page
    assert f'action="/assignments/{assignment.id}/start"' in page
    listing = client.get("/assignments").get_data(as_text=True)
    assert "Quiz 1: the founding" in listing
    assert f'href="/assignments/{assignment.id}/start"' in listing


def test_no_start_button_without_attempts_left(auth, client, make_set, db):
    make_set(settings={"feedback": "after_submit", "max_attempts": 1, "shuffle_choices": False})
    auth.register()
    first = start(client)
    client.post(first, data={"answer": "1", "action": "next"})
    client.post(f"/attempts/{attempt_of(db).id}/submit")
    page = client.get("/quizzes/sample/start").get_data(as_text=True)
    assert "No attempts left." in page and 'id="start-button"' not in page


# --- skipping and the blank check ----------------------------------------------------------


def test_skip_moves_on_without_saving_in_immediate_mode(auth, client, make_set, db):
    make_set(settings=IMMEDIATE)
    auth.register()
    first = start(client)
    page = client.get(first).get_data(as_text=True)
    assert 'value="skip"' in page and ">Skip</button>" in page
    response = client.post(first, data={"answer": "1", "action": "skip"})
    assert response.headers["Location"].endswith("/questions/2")
    attempt = attempt_of(db)
    assert [r.answer for r in responses_of(db, attempt)] == [None, None]  # nothing locked
    last = first.replace("/questions/1", "/questions/2")
    assert "Skip and review" in client.get(last).get_data(as_text=True)
    assert client.post(last, data={"action": "skip"}).headers["Location"].endswith("/summary")


def test_checking_a_blank_answer_says_nothing_was_answered(auth, client, make_set, db):
    make_set(settings=IMMEDIATE)
    auth.register()
    first = start(client)
    response = client.post(first, data={"action": "check"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "You have not answered this question. Answer it, or skip it." in page
    assert 'role="alert"' in page
    french = client.post(first + "?lang=fr", data={"action": "check"}).get_data(as_text=True)
    assert "Vous n’avez pas répondu à cette question" in french


# --- flags and the map ---------------------------------------------------------------------


def test_a_flag_is_saved_on_the_server_and_shown_on_the_map(auth, client, make_set, db):
    make_set()  # after_submit: the flag saves the answer on the way, as Next does
    auth.register()
    first = start(client)
    response = client.post(first, data={"answer": "1", "action": "flag"})
    assert response.headers["Location"].endswith("/questions/1#flag")
    attempt = attempt_of(db)
    flagged = responses_of(db, attempt)
    assert [r.flagged for r in flagged] == [True, False] and flagged[0].answer == 1
    page = client.get(first).get_data(as_text=True)
    assert 'aria-pressed="true"' in page
    items = re.findall(r'<li class="(qmap__item[^"]*)">', page)
    assert items == ["qmap__item is-answered is-flagged is-current", "qmap__item"]
    assert ": answered, flagged for later, current question" in page
    summary = client.get(f"/attempts/{attempt.id}/summary").get_data(as_text=True)
    assert "1 question is flagged for later." in summary
    client.post(first, data={"answer": "1", "action": "flag"})
    assert [r.flagged for r in responses_of(db, attempt)] == [False, False]


def test_flagging_under_immediate_feedback_does_not_check_the_answer(auth, client, make_set, db):
    make_set(settings=IMMEDIATE)
    auth.register()
    first = start(client)
    client.post(first, data={"answer": "1", "action": "flag"})
    (one, _two) = responses_of(db, attempt_of(db))
    assert one.flagged and one.answer is None  # not locked by a check nobody asked for


def test_the_map_marks_checked_answers_right_or_wrong_in_words(auth, client, make_set, db):
    make_set(settings=IMMEDIATE)
    auth.register()
    first = start(client)
    client.post(first, data={"answer": "1", "action": "check"})  # 2015: right
    second = first.replace("/questions/1", "/questions/2")
    client.post(second, data={"answer": "2", "action": "check"})  # Google: wrong
    page = client.get(second).get_data(as_text=True)
    items = re.findall(r'<li class="(qmap__item[^"]*)">', page)
    assert items == [
        "qmap__item is-answered is-right",
        "qmap__item is-answered is-current is-wrong",
    ]
    assert '<span class="visually-hidden">: correct</span>' in page


def test_the_map_buttons_save_the_answer_and_go_to_the_question(auth, client, make_set, db):
    make_set()
    auth.register()
    first = start(client)
    response = client.post(first, data={"answer": "2", "action": "goto-2"})
    assert response.headers["Location"].endswith("/questions/2")
    assert [r.answer for r in responses_of(db, attempt_of(db))] == [2, None]
    # a number outside the quiz goes to the check before submitting, never to a 404
    response = client.post(first, data={"answer": "2", "action": "goto-9"})
    assert response.headers["Location"].endswith("/summary")


def test_the_map_costs_no_query_per_question(auth, client, make_set, db, count_queries):
    questions = [
        {
            "id": f"q{i}",
            "type": "single",
            "prompt": f"Question {i}?",
            "choices": ["a", "b", "c"],
            "answer": "a",
        }
        for i in range(30)
    ]
    make_set(questions, settings={"feedback": "immediate"})
    auth.register()
    first = start(client)
    for number in (1, 2, 3):
        url = first.replace("/questions/1", f"/questions/{number}")
        client.post(url, data={"answer": "0", "action": "check"})
    with count_queries() as page:
        html = client.get(first.replace("/questions/1", "/questions/4")).get_data(as_text=True)
    assert html.count('class="qmap__item') == 30
    # user, attempt + set, response + question, the map, the key rule (one query for the map)
    assert page.count <= 7, page.statements


# --- the time limit ------------------------------------------------------------------------


def test_the_countdown_submission_at_zero_saves_the_answer_and_closes_at_the_limit(
    auth, client, make_set, db
):
    make_set(settings={"feedback": "after_submit", "time_limit": "10m", "shuffle_choices": False})
    auth.register()
    first = start(client)
    attempt = attempt_of(db)
    page = client.get(first).get_data(as_text=True)
    assert 'id="timer-alert"' in page and 'aria-live="assertive"' in page
    assert 'data-form="question-form"' in page and "quiz-timer.js" in page
    # Too early: a forged "timeout" is only a way to the check before submitting.
    early = client.post(first, data={"answer": "1", "action": "timeout"})
    assert early.headers["Location"].endswith("/summary")
    assert attempt_of(db).state == "in_progress"
    deadline = utcnow() - timedelta(seconds=1)  # the countdown reached 0 a second ago
    attempt.deadline = deadline
    db.session.commit()
    second = first.replace("/questions/1", "/questions/2")
    response = client.post(second, data={"answer": "0", "action": "timeout"})
    assert response.headers["Location"].endswith(f"/attempts/{attempt.id}")
    db.session.expire_all()
    attempt = attempt_of(db)
    assert attempt.state == "expired" and attempt.submitted_at == deadline
    assert [r.answer for r in responses_of(db, attempt)] == [1, 0]  # saved within the grace
    result = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "Submitted at the time limit: the answers saved in time were counted." in result
    french = client.get(f"/attempts/{attempt.id}?lang=fr").get_data(as_text=True)
    assert "Rendu à la limite de temps" in french


def test_the_countdown_submission_from_the_review_page(auth, client, make_set, db):
    make_set(settings={"feedback": "after_submit", "time_limit": "10m", "shuffle_choices": False})
    auth.register()
    start(client)
    attempt = attempt_of(db)
    summary = client.get(f"/attempts/{attempt.id}/summary").get_data(as_text=True)
    assert 'data-form="submit-form"' in summary and 'id="submit-form"' in summary
    attempt.deadline = utcnow() - timedelta(seconds=1)
    db.session.commit()
    client.post(f"/attempts/{attempt.id}/submit", data={"action": "timeout"})
    assert attempt_of(db).state == "expired"


def test_a_timed_attempt_submitted_early_is_not_labelled_at_the_limit(auth, client, make_set, db):
    make_set(settings={"feedback": "after_submit", "time_limit": "10m", "shuffle_choices": False})
    auth.register()
    start(client)
    attempt = attempt_of(db)
    client.post(f"/attempts/{attempt.id}/submit")
    assert attempt_of(db).state == "graded"
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "Submitted at the time limit" not in page


# --- feedback and results ------------------------------------------------------------------


def test_feedback_says_points_in_the_singular_and_marks_each_choice(auth, client, make_set, db):
    make_set(settings=IMMEDIATE)
    auth.register()
    first = start(client)
    client.post(first, data={"answer": "0", "action": "check"})  # 2014: wrong
    page = client.get(first).get_data(as_text=True)
    assert "(0 of 1 point)" in page and "1 points" not in page
    wrong = '<span class="mark is-wrong"><span class="mark__icon" aria-hidden="true">✗</span>'
    assert wrong in page
    assert "right answer, not chosen" in page
    assert re.search(r"<h2 [^>]*class=\"feedback__title\"", page)  # under the page's h1


def test_match_and_order_feedback_are_tables(auth, client, make_set, db):
    make_set(
        [
            {
                "id": "o",
                "type": "order",
                "prompt": "Order?",
                "items": ["first", "second", "third"],
            },
            {
                "id": "p",
                "type": "match",
                "prompt": "Match?",
                "pairs": [["Altman", "CEO"], ["Musk", "co-founder"], ["Microsoft", "investor"]],
            },
        ],
        settings=IMMEDIATE,
    )
    auth.register()
    first = start(client)
    attempt = attempt_of(db)
    order, match = responses_of(db, attempt)
    layout = order.layout["items"]  # display position -> item; give the reverse order
    ranks = {f"answer-item_{pos}": str(3 - item) for pos, item in enumerate(layout)}
    client.post(first, data={**ranks, "action": "check"})
    page = client.get(first).get_data(as_text=True)
    assert '<table class="feedback-table">' in page
    assert '<th scope="col">Your order</th>' in page
    assert re.search(r'<th scope="row" lang="en">1</th>\s*<td lang="en">third</td>', page)
    rights = match.layout["rights"]
    second = first.replace("/questions/1", "/questions/2")
    client.post(
        second,
        data={"answer-left_0": str(rights.index(0)), "answer-left_1": "", "action": "check"},
    )
    page = client.get(second).get_data(as_text=True)
    assert '<th scope="col">Right match</th>' in page
    assert page.count('class="mark is-right"') == 1 and page.count('class="mark is-missed"') == 2


def test_the_result_summary_and_the_mistakes_filter(auth, client, make_set, db):
    make_set(settings={"feedback": "after_submit", "pass_mark": "50%", "shuffle_choices": False})
    auth.register()
    first = start(client)
    client.post(first, data={"answer": "1", "action": "next"})  # right; the second left blank
    attempt = attempt_of(db)
    client.post(f"/attempts/{attempt.id}/submit")
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    counts = dict(re.findall(r"</span> ([A-Za-z ]+)</dt><dd>(\d+)</dd>", page))
    assert counts == {"Right": "1", "Partly right": "0", "Wrong": "0", "Not answered": "1"}
    assert "<dt>Time taken</dt>" in page
    assert "Pass mark met (50%)" in page
    assert "Score: 1 of 2 points (50%)" in page
    assert page.count("<details>") == 2
    assert "Only mistakes (1)" in page and 'href="/review"' in page
    mistakes = client.get(f"/attempts/{attempt.id}?show=mistakes").get_data(as_text=True)
    assert mistakes.count("<details>") == 1 and 'value="2"' in mistakes
    assert "Who invested" in mistakes and "When was OpenAI founded" not in mistakes


def test_no_counts_while_the_key_is_hidden(auth, client, make_set, db):
    make_set(settings={"feedback": "never", "shuffle_choices": False})
    auth.register()
    start(client)
    attempt = attempt_of(db)
    client.post(f"/attempts/{attempt.id}/submit")
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "Partly right" not in page and "Only mistakes" not in page
    assert "Your teacher will share the answers later." in page


def test_moving_back_under_immediate_feedback_does_not_check_the_answer(auth, client, make_set, db):
    make_set(settings=IMMEDIATE)
    auth.register()
    first = start(client)
    second = first.replace("/questions/1", "/questions/2")
    response = client.post(second, data={"answer": "0", "action": "previous"})
    assert response.headers["Location"].endswith("/questions/1")
    assert [r.answer for r in responses_of(db, attempt_of(db))] == [None, None]

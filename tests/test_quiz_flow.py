"""The walking skeleton through the test client: catalogue, attempt, answers, score."""

from __future__ import annotations

from quizapp.models import Attempt, QuestionAttempt


def _start(client, slug="sample"):
    response = client.post(f"/quizzes/{slug}/start")
    assert response.status_code == 302
    return response.headers["Location"]


def test_student_takes_a_single_choice_quiz_and_sees_the_score(auth, client, make_set, db):
    make_set()
    auth.register()
    catalogue = client.get("/quizzes").get_data(as_text=True)
    assert "Sample set" in catalogue
    first = _start(client)
    assert first.endswith("/questions/1")
    page = client.get(first).get_data(as_text=True)
    assert "When was OpenAI founded?" in page and "Question 1 of 2" in page
    # Choices are not shuffled in this set: value 1 is "2015" (right), value 0 is "Microsoft".
    assert client.post(first, data={"answer": "1", "action": "next"}).status_code == 302
    second = first.replace("/questions/1", "/questions/2")
    assert client.post(second, data={"answer": "1", "action": "review"}).status_code == 302
    attempt = db.session.scalar(db.select(Attempt))
    review = client.get(f"/attempts/{attempt.id}/summary").get_data(as_text=True)
    assert "2 of 2 questions answered" in review
    result = client.post(f"/attempts/{attempt.id}/submit", follow_redirects=True)
    page = result.get_data(as_text=True)
    assert "Score: 1 of 2 points (50%)" in page
    db.session.refresh(attempt)
    assert attempt.state == "graded" and attempt.score == 1.0


def test_a_saved_answer_is_shown_again_on_reload(auth, client, make_set, db):
    make_set()
    auth.register()
    first = _start(client)
    client.post(first, data={"answer": "2", "action": "next"})
    page = client.get(first).get_data(as_text=True)
    assert '<input checked id="answer-2"' in page
    assert (
        db.session.scalar(db.select(QuestionAttempt.answer).where(QuestionAttempt.position == 0))
        == 2
    )


def test_a_forged_choice_is_refused_and_nothing_is_stored(auth, client, make_set, db):
    make_set()
    auth.register()
    first = _start(client)
    response = client.post(first, data={"answer": "7", "action": "next"})
    assert response.status_code == 422
    assert (
        db.session.scalar(db.select(QuestionAttempt.answer).where(QuestionAttempt.position == 0))
        is None
    )


def test_another_students_attempt_is_not_found(auth, client, make_set):
    make_set()
    auth.register("ada")
    first = _start(client)
    auth.logout()
    auth.register("bob")
    assert client.get(first).status_code == 404


def test_the_catalogue_filters_by_language_and_tag(auth, client, make_set):
    make_set()
    make_set(id="ensemble", title="Ensemble français", language="fr", tags=["crypto"])
    auth.register()

    def titles(query: str) -> set[str]:
        page = client.get(f"/quizzes{query}").get_data(as_text=True)
        return {t for t in ("Sample set", "Ensemble français") if t in page}

    assert titles("") == {"Sample set", "Ensemble français"}
    assert titles("?language=fr") == {"Ensemble français"}
    assert titles("?tag=history") == {"Sample set"}
    assert titles("?language=fr&tag=history") == set()

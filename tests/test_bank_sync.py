"""Files into the database: versions, retirement, regrading, bad files, reloading."""

from __future__ import annotations

import yaml
from helpers import database_refuses_set, set_document
from sqlalchemy import select

from quizapp.bank.sync import replaced_versions, sync_directory
from quizapp.models import Attempt, Question, QuestionAttempt, QuestionSet
from quizapp.quiz import attempts


def write(questions_dir, document, name="sample.yaml"):
    (questions_dir / name).write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))


def versions(db, key):
    return db.session.execute(
        select(Question.version, Question.is_current, Question.retired_at.is_not(None))
        .where(Question.key == key)
        .order_by(Question.version)
    ).all()


def test_sync_is_idempotent(db, questions_dir):
    write(questions_dir, set_document())
    first = sync_directory(questions_dir)
    db.session.commit()
    assert first.created == ["sample"] and first.new_versions == 2
    second = sync_directory(questions_dir)
    db.session.commit()
    assert second.unchanged == ["sample"] and second.new_versions == 0
    assert db.session.scalar(select(db.func.count()).select_from(Question)) == 2


def test_an_edited_question_becomes_a_new_version(db, questions_dir):
    document = set_document()
    write(questions_dir, document)
    sync_directory(questions_dir)
    db.session.commit()
    document["questions"][0]["prompt"] = "In which year was OpenAI founded?"
    write(questions_dir, document)
    report = sync_directory(questions_dir)
    db.session.commit()
    assert report.updated == ["sample"] and report.new_versions == 1
    assert versions(db, "founding-year") == [(1, False, False), (2, True, False)]
    assert versions(db, "investor") == [(1, True, False)]


def test_a_removed_question_is_retired_not_deleted(db, questions_dir):
    document = set_document()
    write(questions_dir, document)
    sync_directory(questions_dir)
    db.session.commit()
    document["questions"] = document["questions"][:1]
    write(questions_dir, document)
    report = sync_directory(questions_dir)
    db.session.commit()
    assert report.retired_questions == 1
    assert versions(db, "investor") == [(1, False, True)]


def test_a_set_whose_file_is_gone_is_retired(db, questions_dir):
    write(questions_dir, set_document())
    sync_directory(questions_dir)
    (questions_dir / "sample.yaml").unlink()
    report = sync_directory(questions_dir)
    db.session.commit()
    assert report.retired_sets == ["sample"]
    assert db.session.scalar(select(QuestionSet.status)) == "retired"


def test_a_broken_file_keeps_the_last_good_version_live(db, questions_dir):
    document = set_document()
    write(questions_dir, document)
    sync_directory(questions_dir)
    db.session.commit()
    (questions_dir / "sample.yaml").write_text(
        (questions_dir / "sample.yaml").read_text().replace("answer: '2015'", "answer: '2016'")
    )
    report = sync_directory(questions_dir)
    db.session.commit()
    assert list(report.failed) == ["sample.yaml"]
    assert "is not one of the choices" in report.failed["sample.yaml"][0]
    question_set = db.session.scalar(select(QuestionSet))
    assert question_set.status == "active" and "sample.yaml:" in question_set.load_error
    current = db.session.scalar(select(Question).where(Question.key == "founding-year"))
    assert current.spec["answer"] == "2015" and current.version == 1


def test_two_files_with_one_id_load_only_the_first(db, questions_dir):
    write(questions_dir, set_document(), name="a.yaml")
    write(questions_dir, set_document(title="Copy"), name="b.yaml")
    report = sync_directory(questions_dir)
    assert report.created == ["sample"]
    assert "already used by a.yaml" in report.failed["b.yaml"][0]


def _graded_attempt(db, make_user, question_set, answer_index):
    user = make_user()
    attempt = attempts.start_attempt(user, question_set)
    first = attempt.responses[0]
    attempts.save_answer(attempt, first, answer_index)
    attempts.submit(attempt)
    db.session.commit()
    return attempt


def test_a_changed_key_never_silently_regrades(db, questions_dir, make_user, make_set):
    question_set = make_set()
    # Choice 0 is "2014": wrong under the shipped key.
    attempt = _graded_attempt(db, make_user, question_set, 0)
    assert attempt.score == 0
    document = set_document()
    document["questions"][0]["answer"] = "2014"
    write(questions_dir, document)
    sync_directory(questions_dir)
    db.session.commit()
    db.session.refresh(attempt)
    assert attempt.score == 0  # never silently regraded
    old = db.session.get(QuestionAttempt, attempt.responses[0].id)
    assert old.question.version == 1 and old.score == 0


def test_regrade_flag_regrades_answers_of_the_replaced_version(
    db, questions_dir, make_user, make_set
):
    question_set = make_set()
    attempt = _graded_attempt(db, make_user, question_set, 0)
    document = set_document()
    document["questions"][0]["answer"] = "2014"
    document["questions"][0]["choices"] = ["2019", "2014", "2015"]  # reordered too
    write(questions_dir, document)
    sync_directory(questions_dir)
    regraded = attempts.regrade(replaced_versions())
    db.session.commit()
    assert regraded == 1
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.score == 1.0
    response = attempt.responses[0]
    assert response.question.version == 2 and response.answer == 1  # "2014", carried by text


def test_debug_mode_picks_up_edited_files_without_restart(app, client, db, questions_dir):
    app.debug = True
    from quizapp import register_bank_reload

    register_bank_reload(app)
    write(questions_dir, set_document())
    client.get("/")
    assert db.session.scalar(select(QuestionSet.title)) == "Sample set"
    write(questions_dir, set_document(title="Edited title"))
    client.get("/")
    db.session.expire_all()
    assert db.session.scalar(select(QuestionSet.title)) == "Edited title"


def test_regrade_reaches_answers_to_versions_edited_by_an_earlier_sync(
    db, questions_dir, make_user, make_set
):
    question_set = make_set()
    attempt = _graded_attempt(db, make_user, question_set, 0)  # "2014": wrong
    document = set_document()
    document["questions"][0]["answer"] = "2014"
    write(questions_dir, document)
    sync_directory(questions_dir)  # as the app does at start: no regrade
    document["questions"][0]["explanation"] = "Corrected."
    write(questions_dir, document)
    sync_directory(questions_dir)  # a later edit: version 3
    sync_directory(questions_dir)
    regraded = attempts.regrade(replaced_versions())
    db.session.commit()
    assert regraded == 1
    attempt = db.session.get(Attempt, attempt.id)
    assert attempt.score == 1.0 and attempt.responses[0].question.version == 3


def test_a_file_that_changes_its_set_id_retires_the_old_set(db, questions_dir):
    write(questions_dir, set_document())
    sync_directory(questions_dir)
    write(questions_dir, set_document(id="renamed"))
    report = sync_directory(questions_dir)
    db.session.commit()
    assert report.created == ["renamed"] and report.retired_sets == ["sample"]
    statuses = dict(db.session.execute(select(QuestionSet.slug, QuestionSet.status)).all())
    assert statuses == {"sample": "retired", "renamed": "active"}


def test_the_sync_command_regrades_only_when_asked(app, db, questions_dir, make_user, make_set):
    question_set = make_set()
    attempt_id = _graded_attempt(db, make_user, question_set, 0).id  # "2014": wrong
    document = set_document()
    document["questions"][0]["answer"] = "2014"
    write(questions_dir, document)
    runner = app.test_cli_runner()
    plain = runner.invoke(args=["questions", "sync"])
    assert plain.exit_code == 0, plain.output
    assert "regraded" not in plain.output
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).score == 0
    regraded = runner.invoke(args=["questions", "sync", "--regrade"])
    assert regraded.exit_code == 0, regraded.output
    assert "regraded: 1 score changed" in regraded.output
    db.session.expire_all()
    assert db.session.get(Attempt, attempt_id).score == 1.0


def test_a_title_or_language_longer_than_its_column_is_an_error_at_its_line(db, questions_dir):
    write(questions_dir, set_document(title="T" * 201, language="en-" + "-".join(["abcdefgh"] * 4)))
    write(questions_dir, set_document(id="other", title="Other"), name="other.yaml")
    report = sync_directory(questions_dir)
    db.session.commit()
    errors = report.failed["sample.yaml"]
    assert any(e.startswith("sample.yaml:2:") and "200" in e for e in errors), errors
    assert any(e.startswith("sample.yaml:3:") and "35" in e for e in errors), errors
    assert report.created == ["other"]
    assert db.session.scalars(select(QuestionSet.slug)).all() == ["other"]


def test_a_file_the_database_refuses_is_reported_and_the_others_load(db, questions_dir):
    with database_refuses_set(db, "refused"):
        write(questions_dir, set_document(id="a-first", title="First"), name="a.yaml")
        write(questions_dir, set_document(id="refused", title="Refused"), name="b.yaml")
        write(questions_dir, set_document(id="c-last", title="Last"), name="c.yaml")
        report = sync_directory(questions_dir, log_failures=False)
        db.session.commit()
        assert report.created == ["a-first", "c-last"] and report.new_versions == 4
        assert list(report.failed) == ["b.yaml"]
        assert "the database refused this set" in report.failed["b.yaml"][0]
        assert report.failed["b.yaml"][0].startswith("b.yaml:1:1:")
        slugs = db.session.scalars(select(QuestionSet.slug).order_by(QuestionSet.slug)).all()
        assert slugs == ["a-first", "c-last"]
        assert db.session.scalar(select(db.func.count()).select_from(Question)) == 4

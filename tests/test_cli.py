"""The commands teachers and deployers run."""

from __future__ import annotations

import json

import yaml
from helpers import set_document
from sqlalchemy import select

from quizapp.bank.schema import json_schema
from quizapp.config import shipped_dir
from quizapp.models import QuestionSet, User

SHIPPED = str(shipped_dir("questions"))


def test_validate_passes_on_the_shipped_sets_strictly(app):
    result = app.test_cli_runner().invoke(args=["questions", "validate", "--strict", SHIPPED])
    assert result.exit_code == 0, result.output
    assert "2 files, 78 questions: 0 errors, 0 warnings (strict)" in result.output


def test_validate_exits_1_on_errors_and_prints_file_line_column(app, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: T\nlanguage: en\nquestions:\n  - id: q\n    type: singel\n")
    result = app.test_cli_runner().invoke(args=["questions", "validate", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:6:11: error: unknown question type 'singel'" in result.output


def test_strict_turns_warnings_into_failure(app, tmp_path):
    document = set_document()
    del document["questions"][0]["explanation"]
    path = tmp_path / "warn.yaml"
    path.write_text(yaml.safe_dump(document))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["questions", "validate", str(path)]).exit_code == 0
    strict = runner.invoke(args=["questions", "validate", "--strict", str(path)])
    assert strict.exit_code == 1 and "warning: question `founding-year` has no explanation" in (
        strict.output
    )


def test_validate_json_output(app, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\ntitle: T\nlanguage: en\nquestions: []\n")
    result = app.test_cli_runner().invoke(
        args=["questions", "validate", "--format", "json", str(path)]
    )
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False
    [diagnostic] = report["files"][0]["diagnostics"]
    assert diagnostic == {
        "path": str(path),
        "line": 4,
        "column": 12,
        "severity": "error",
        "message": "`questions` needs at least 1 question",
        "hint": None,
    }


def test_validate_refuses_a_missing_path(app):
    result = app.test_cli_runner().invoke(args=["questions", "validate", "/no/such/dir"])
    assert result.exit_code == 2 and "no such file or folder" in result.output


def test_schema_prints_the_json_schema(app):
    result = app.test_cli_runner().invoke(args=["questions", "schema"])
    assert json.loads(result.output) == json_schema()


def test_sync_loads_and_reports_failures(app, db, questions_dir):
    (questions_dir / "good.yaml").write_text(yaml.safe_dump(set_document()))
    (questions_dir / "bad.yaml").write_text("id: [\n")
    result = app.test_cli_runner().invoke(args=["questions", "sync"])
    assert result.exit_code == 1
    assert "bad.yaml: not loaded\n" in result.output  # new: there is no good version yet
    assert "1 created" in result.output
    assert db.session.scalar(select(QuestionSet.slug)) == "sample"


def test_users_create(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "Marie", "--role", "teacher", "--password", "long enough pw"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert (user.username, user.role) == ("marie", "teacher")
    again = runner.invoke(args=["users", "create", "marie", "--password", "long enough pw"])
    assert again.exit_code == 1 and "already taken" in again.output
    short = runner.invoke(args=["users", "create", "paul", "--password", "short"])
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 1


def test_teachers_see_load_errors_on_the_bank_page(auth, client, db, make_user, questions_dir):
    (questions_dir / "sample.yaml").write_text(yaml.safe_dump(set_document()))
    from quizapp.bank.sync import sync_directory

    sync_directory(questions_dir)
    (questions_dir / "sample.yaml").write_text(
        yaml.safe_dump(set_document()).replace("type: single", "type: singel", 1)
    )
    sync_directory(questions_dir)
    db.session.commit()
    make_user("teach", role="teacher")
    make_user("stud")
    auth.login("stud")
    assert client.get("/teacher/bank").status_code == 403
    auth.logout()
    auth.login("teach")
    page = client.get("/teacher/bank").get_data(as_text=True)
    assert "errors in the file" in page
    assert "sample.yaml:" in page and "unknown question type &#39;singel&#39;" in page


def test_the_standalone_validator_needs_no_app(tmp_path):
    from click.testing import CliRunner

    from quizapp.cli import validate_command

    good = tmp_path / "good.yaml"
    good.write_text(yaml.safe_dump(set_document()))
    runner = CliRunner()
    assert runner.invoke(validate_command, ["--strict", str(good)]).exit_code == 0
    good.write_text(good.read_text().replace("language: en", "language: '!!'"))
    result = runner.invoke(validate_command, [str(good)])
    assert result.exit_code == 1 and "'!!' is not a language tag" in result.output


def test_the_bank_page_lists_new_files_that_failed(auth, client, make_user, questions_dir):
    (questions_dir / "draft.yaml").write_text("id: draft\ntitle: Draft\nlanguage: en\n")
    make_user("teach", role="teacher")
    auth.login("teach")
    page = client.get("/teacher/bank").get_data(as_text=True)
    assert "Files not loaded" in page
    assert "draft.yaml:1:1: error: missing required key `questions`" in page

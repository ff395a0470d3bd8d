"""The factory, configuration, error pages and start-up behaviour."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from quizapp import create_app
from quizapp.config import TestConfig, instance_secret_key


def test_sqlite_connections_enforce_foreign_keys_wal_and_busy_timeout(app, db):
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_secret_key_is_generated_once_and_kept(tmp_path: Path):
    first = instance_secret_key(tmp_path)
    assert len(first) == 64
    assert instance_secret_key(tmp_path) == first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_testing_config_is_applied(app):
    assert app.testing
    assert app.config["SECRET_KEY"] == TestConfig.SECRET_KEY


def test_unknown_url_gets_a_styled_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page
    assert 'href="/static/css/app.css"' in page


def test_pages_are_served_in_french_on_request(client):
    page = client.get("/?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in page


def _run_flask(
    args: list[str], env_overrides: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZAPP_")}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "quizapp", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_unreachable_database_gives_one_line_and_nonzero_exit(tmp_path: Path):
    result = _run_flask(
        ["routes"],
        {"QUIZAPP_DATABASE_URL": "postgresql+psycopg://teacher:s3cret@127.0.0.1:1/quiz"},
        tmp_path,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "postgresql+psycopg://teacher:***@127.0.0.1:1/quiz" in lines[0]
    assert "s3cret" not in result.stderr


def test_embedded_default_migrates_and_loads_the_shipped_sets(tmp_path: Path):
    """What the README's run command does: a new SQLite file, at head, with the sets loaded."""
    db_file = tmp_path / "embedded.sqlite3"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}", "AUTO_SETUP": True, "SECRET_KEY": "x"}
    )
    from quizapp.extensions import db
    from quizapp.models import Question, QuestionSet

    with app.app_context():
        slugs = set(db.session.scalars(db.select(QuestionSet.slug)))
        assert {"openai-crypto-fr", "openai-crypto-en"} <= slugs
        assert db.session.scalar(db.select(db.func.count()).select_from(Question)) >= 50
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert revision is not None
        db.engine.dispose()


def test_one_bad_file_never_stops_the_app_from_starting(tmp_path: Path):
    questions = tmp_path / "questions"
    questions.mkdir()
    (questions / "good.yaml").write_text(
        "id: good\ntitle: Good\nlanguage: en\nquestions:\n  - id: q\n    type: true_false\n"
        "    prompt: OpenAI was founded in 2015.\n    answer: true\n"
    )
    (questions / "broken.yaml").write_text("id: [unclosed\n")
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "AUTO_SETUP": True,
            "SECRET_KEY": "x",
            "QUESTIONS_DIR": str(questions),
        }
    )
    from quizapp.extensions import db
    from quizapp.models import QuestionSet

    with app.app_context():
        assert list(db.session.scalars(db.select(QuestionSet.slug))) == ["good"]
        db.engine.dispose()


def test_the_chosen_language_is_remembered(client):
    assert '<html lang="fr">' in client.get("/?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/auth/login").get_data(as_text=True)


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["/venv/bin/flask", "--app", "quizapp", "run"], "run"),
        (["/venv/bin/flask", "-A", "quizapp", "--debug", "questions", "validate"], "questions"),
        (["/usr/lib/python3/site-packages/flask/__main__.py", "--app", "quizapp", "db"], "db"),
        (["/venv/bin/gunicorn", "quizapp:create_app()"], None),
        (["/venv/bin/flask"], None),
    ],
)
def test_flask_command_names_the_cli_subcommand(argv, command):
    from quizapp import flask_command

    assert flask_command(argv) == command


def test_validate_on_the_embedded_default_does_not_publish_the_draft(tmp_path: Path):
    questions = tmp_path / "questions"
    questions.mkdir()
    (questions / "draft.yaml").write_text(
        "id: draft\ntitle: Draft\nlanguage: en\nquestions:\n  - id: q\n    type: true_false\n"
        "    prompt: Not finished.\n    answer: true\n"
    )
    db_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    result = _run_flask(
        ["questions", "validate", str(questions / "draft.yaml")],
        {
            "QUIZAPP_DATABASE_URL": db_url,
            "QUIZAPP_AUTO_SETUP": "1",
            "QUIZAPP_QUESTIONS_DIR": str(questions),
            "QUIZAPP_SECRET_KEY": "x",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    # Nothing published, and no database made for a command that only reads files (issue 20).
    assert not (tmp_path / "db.sqlite3").exists()

"""`/healthz`, `/readyz`, and the refusal to start against a schema this code cannot serve."""

from __future__ import annotations

import os

import pytest
from flask_migrate import stamp, upgrade
from sqlalchemy import MetaData, text

from quizapp import create_app
from quizapp.config import TestConfig, shipped_dir
from quizapp.extensions import db as _db
from quizapp.health import UPGRADE_COMMAND, code_head, migration_scripts

MIGRATIONS = str(shipped_dir("migrations"))
REDIS_URL = os.environ.get("QUIZAPP_TEST_REDIS_URL")


def first_revision() -> str:
    return migration_scripts().get_base()


def test_healthz_answers_without_a_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok\n"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_readyz_is_503_until_the_database_is_at_the_newest_migration(client, db):
    db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))  # as create_all leaves it
    db.session.commit()
    behind = client.get("/readyz")
    assert behind.status_code == 503
    assert behind.json["status"] == "not ready"
    assert behind.json["database"] == f"schema empty is behind this code ({code_head()})"
    assert behind.json["redis"] == "not used"
    stamp(directory=MIGRATIONS, revision=first_revision())
    if first_revision() != code_head():
        assert client.get("/readyz").json["database"].startswith(f"schema {first_revision()} ")
    stamp(directory=MIGRATIONS)
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json == {"status": "ready", "database": "ok", "redis": "not used"}
    db.session.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    db.session.commit()
    ahead = client.get("/readyz")
    assert ahead.status_code == 503
    assert ahead.json["database"] == f"schema 9999_future is newer than this code ({code_head()})"
    db.session.execute(text("DROP TABLE alembic_version"))
    db.session.commit()


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    config = type(
        "Config",
        (TestConfig,),
        {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://quiz:s3cret@127.0.0.1:1/quiz"},
    )
    response = create_app(config).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"
    assert "s3cret" not in response.get_data(as_text=True)


@pytest.mark.parametrize("reachable", [True, False])
def test_readyz_checks_redis_when_rate_limits_are_counted_there(reachable, tmp_path):
    if reachable and not REDIS_URL:
        pytest.skip("QUIZAPP_TEST_REDIS_URL is not set")
    config = type(
        "Config",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'r.sqlite3'}",
            "RATELIMIT_STORAGE_URI": REDIS_URL if reachable else "redis://127.0.0.1:1/0",
        },
    )
    app = create_app(config)
    with app.app_context():
        stamp(directory=MIGRATIONS)
    response = app.test_client().get("/readyz")
    assert response.json["database"] == "ok"
    assert response.json["redis"] == ("ok" if reachable else "unreachable")
    assert response.status_code == (200 if reachable else 503)
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def migrated(database_url):
    """The test database migrated by Alembic (not create_all), emptied afterwards."""
    app = create_app(type("Config", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url}))
    with app.app_context():
        drop_everything()
        yield app
        drop_everything()
        _db.engine.dispose()


def drop_everything() -> None:
    """Every table, Alembic's too, whatever an earlier test left."""
    everything = MetaData()
    everything.reflect(_db.engine)
    everything.drop_all(_db.engine)


def start(database_url: str, auto_setup: bool = False) -> None:
    """Build the app as a server does (not in testing mode)."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "AUTO_SETUP": auto_setup, "SECRET_KEY": "x"}
    )
    with app.app_context():
        _db.engine.dispose()


def test_the_app_refuses_an_older_schema_and_names_the_command(migrated, database_url):
    upgrade(directory=MIGRATIONS, revision=first_revision())
    if first_revision() != code_head():
        with pytest.raises(SystemExit) as refused:
            start(database_url)
        message = str(refused.value)
        assert f"schema revision {first_revision()}, older than this quizapp" in message
        assert f"`{UPGRADE_COMMAND}`" in message
    upgrade(directory=MIGRATIONS)
    start(database_url)  # at the newest: it starts


def test_the_app_refuses_an_empty_database_outside_the_embedded_default(migrated, database_url):
    with pytest.raises(SystemExit) as refused:
        start(database_url)
    assert "schema revision empty" in str(refused.value)
    assert UPGRADE_COMMAND in str(refused.value)


def test_the_app_refuses_a_newer_schema_even_when_it_migrates_by_itself(migrated, database_url):
    upgrade(directory=MIGRATIONS)
    with _db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    for auto_setup in (False, True):
        with pytest.raises(SystemExit) as refused:
            start(database_url, auto_setup=auto_setup)
        message = str(refused.value)
        assert "schema revision 9999_future, newer than this quizapp" in message
        assert f"flask --app quizapp db downgrade {code_head()}" in message

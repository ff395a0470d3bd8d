"""The committed migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from harness import postgres_database
from sqlalchemy import text

from quizapp.config import shipped_dir


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path):
    """A database of its own: the test drops the schema and migrates from nothing."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    else:
        with postgres_database() as url:
            yield url


def test_migrations_reach_the_models_schema(app, db):
    db.drop_all()
    with db.engine.begin() as connection:  # the harness's stamp too: migrate from nothing
        connection.execute(text("DROP TABLE alembic_version"))
    upgrade(directory=str(shipped_dir("migrations")))
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
    downgrade(directory=str(shipped_dir("migrations")), revision="base")
    with db.engine.connect() as connection:
        assert not db.inspect(connection).has_table("question")
    db.create_all()

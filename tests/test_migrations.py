"""The committed migrations build exactly the schema the models describe, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from quizapp.config import shipped_dir


def test_migrations_reach_the_models_schema(app, db):
    db.drop_all()
    upgrade(directory=str(shipped_dir("migrations")))
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
    downgrade(directory=str(shipped_dir("migrations")), revision="base")
    with db.engine.connect() as connection:
        assert not db.inspect(connection).has_table("question")
    db.create_all()

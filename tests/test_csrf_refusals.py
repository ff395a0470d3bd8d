"""Every state-changing route refuses a POST without its CSRF token, whoever sends it, and the
refused request changes nothing."""

from __future__ import annotations

import pytest
from fuzzing import PASSWORD, build_world, fill, targets
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User


def every_row() -> dict[str, list[tuple]]:
    with db.engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }


@pytest.mark.parametrize("visitor", ["anonymous", "student", "teacher", "admin"])
def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(
    app, client, questions_dir, visitor
):
    world = build_world(questions_dir)
    if visitor != "anonymous":
        username = db.session.get(User, world["users"][visitor][0]).username
        response = client.post("/auth/login", data={"username": username, "password": PASSWORD})
        assert response.status_code == 302
    app.config["WTF_CSRF_ENABLED"] = True  # TestConfig turns it off for the other tests
    posts = [t for t in targets(app) if t.method == "POST"]
    assert len(posts) > 15
    before = every_row()
    for target in posts:
        path = fill(target.rule, {**world, "number": 1})
        response = client.post(path, data={"confirm": "y", "password": PASSWORD, "name": "x"})
        assert response.status_code == 400, f"POST {path} as {visitor}: {response.status_code}"
    assert every_row() == before

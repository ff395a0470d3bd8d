"""Failed logins are rate-limited per address and username, across servers through Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from harness import running_app
from helpers import PASSWORD

from quizapp.extensions import db

REDIS_URL = os.environ.get("QUIZAPP_TEST_REDIS_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"


def fail_login(client, username="ada"):
    return client.post("/auth/login", data={"username": username, "password": "wrong"})


def test_the_eleventh_failed_login_in_a_minute_is_refused(client, make_user):
    make_user("ada")
    make_user("bob")
    assert [fail_login(client).status_code for _ in range(10)] == [422] * 10
    refused = fail_login(client)
    assert refused.status_code == 429 and "Too many requests" in refused.get_data(as_text=True)
    # the right password is refused too, for this username only; classmates log in
    assert (
        client.post("/auth/login", data={"username": "ada", "password": PASSWORD}).status_code
        == 429
    )
    assert (
        client.post("/auth/login", data={"username": "bob", "password": PASSWORD}).status_code
        == 302
    )


def test_successful_logins_are_not_counted(app, make_user):
    make_user("ada")
    for _ in range(15):
        fresh = app.test_client()
        assert (
            fresh.post("/auth/login", data={"username": "ada", "password": PASSWORD}).status_code
            == 302
        )


@pytest.fixture
def redis_url():
    if not REDIS_URL:
        if IN_CI:
            pytest.fail("CI=true: QUIZAPP_TEST_REDIS_URL must point at a Redis server")
        pytest.skip("QUIZAPP_TEST_REDIS_URL is not set: the Redis test is skipped")
    return REDIS_URL


SECOND_SERVER = """
import sys
from quizapp import create_app
app = create_app()
app.config["WTF_CSRF_ENABLED"] = False  # a test client, not a browser with a form
client = app.test_client()
statuses = [
    client.post("/auth/login", data={"username": sys.argv[1], "password": "wrong"}).status_code
    for _ in range(4)
]
print(" ".join(map(str, statuses)))
"""


def test_two_servers_share_the_count_through_redis(redis_url, database_url, tmp_path):
    """Another process (another server) on the same database and Redis counts with this one."""
    username = f"ada-{uuid.uuid4().hex[:8]}"  # Redis outlives the test: a fresh key
    with running_app(database_url, tmp_path, {"RATELIMIT_STORAGE_URI": redis_url}) as app:
        from quizapp.auth.services import create_user

        create_user(username, PASSWORD)
        db.session.commit()
        client = app.test_client()
        assert [fail_login(client, username).status_code for _ in range(6)] == [422] * 6
        env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZAPP_")}
        env.update(
            QUIZAPP_DATABASE_URL=database_url,
            QUIZAPP_RATELIMIT_STORAGE_URI=redis_url,
            QUIZAPP_SECRET_KEY="another server, same secret",
            QUIZAPP_AUTO_SETUP="0",
        )
        other = subprocess.run(
            [sys.executable, "-c", SECOND_SERVER, username],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert other.stdout.split() == ["422"] * 4
        assert fail_login(client, username).status_code == 429  # 6 here + 4 there = 10

"""Failed logins are counted before the password is checked, atomically, per address and
username and per address; a teacher lifts a student's lock (issue 10, defect 7)."""

from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from helpers import PASSWORD
from werkzeug.serving import make_server

from quizapp.auth import throttle
from quizapp.classes.classrooms import create_classroom
from quizapp.classes.join import join
from quizapp.models import User


@pytest.fixture
def server(app):
    """The app on a free loopback port, served by threads: requests truly run in parallel."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    http.server_close()


def post_login(base: str, username: str, password: str) -> int:
    body = urllib.parse.urlencode({"username": username, "password": password}).encode()
    request = urllib.request.Request(base + "/auth/login", data=body, method="POST")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def checked(monkeypatch):
    """Count the passwords checked; each check is slow, as scrypt is, to widen any race."""
    calls: list[str] = []
    original = User.check_password

    def check_password(user, password):
        calls.append(user.username)
        time.sleep(0.2)
        return original(user, password)

    monkeypatch.setattr(User, "check_password", check_password)
    return calls


def test_forty_parallel_failed_logins_check_exactly_the_limit(server, make_user, checked):
    make_user("ada")
    barrier = threading.Barrier(40)

    def attempt(_):
        barrier.wait()
        return post_login(server, "ada", "wrong password")

    with ThreadPoolExecutor(40) as pool:
        statuses = list(pool.map(attempt, range(40)))
    assert sorted(statuses).count(422) == 10 and statuses.count(429) == 30
    assert len(checked) == 10


def test_one_address_cannot_try_a_whole_class_of_usernames(app, client, make_user, checked):
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "5 per minute"
    for n in range(8):
        make_user(f"pupil{n}")
    statuses = [
        client.post("/auth/login", data={"username": f"pupil{n}", "password": "x"}).status_code
        for n in range(8)
    ]
    assert statuses == [422] * 5 + [429] * 3
    assert len(checked) == 5


def test_a_class_behind_one_address_logs_in_with_a_typo_each(app, make_user):
    for n in range(30):
        make_user(f"pupil{n}")
    for n in range(30):  # the default limits, 30 pupils, one address
        pupil = app.test_client()
        wrong = pupil.post("/auth/login", data={"username": f"pupil{n}", "password": "typo"})
        right = pupil.post("/auth/login", data={"username": f"pupil{n}", "password": PASSWORD})
        assert (wrong.status_code, right.status_code) == (422, 302)


def test_a_teacher_lifts_a_students_lock(app, auth, client, db, make_user):
    teacher = make_user("tess", role="teacher")
    student = make_user("ada")
    classroom = create_classroom(teacher, "5B", "UTC")
    membership = join(classroom, student, "Ada")
    db.session.commit()
    pupil = app.test_client()
    for _ in range(10):
        pupil.post("/auth/login", data={"username": "ada", "password": "wrong"})
    locked = pupil.post("/auth/login", data={"username": "ada", "password": PASSWORD})
    assert locked.status_code == 429
    auth.login("tess")
    page = client.get(f"/classes/{classroom.id}").get_data(as_text=True)
    url = f"/classes/{classroom.id}/members/{membership.id}/unlock"
    assert f'action="{url}"' in page
    assert client.post(url).status_code == 302
    again = pupil.post("/auth/login", data={"username": "ada", "password": PASSWORD})
    assert again.status_code == 302


def test_only_the_students_own_teacher_lifts_the_lock(auth, client, db, make_user):
    teacher = make_user("tess", role="teacher")
    make_user("other", role="teacher")
    classroom = create_classroom(teacher, "5B", "UTC")
    membership = join(classroom, make_user("ada"), "Ada")
    db.session.commit()
    auth.login("other")
    url = f"/classes/{classroom.id}/members/{membership.id}/unlock"
    assert client.post(url).status_code == 404


@pytest.mark.parametrize(
    ("argv", "environ", "workers"),
    [
        (["/usr/bin/gunicorn", "-w", "4", "quizapp:create_app()"], {}, 4),
        (["gunicorn", "--workers=3", "app"], {}, 3),
        (["gunicorn", "-w2", "app"], {}, 2),
        (["gunicorn", "app"], {"WEB_CONCURRENCY": "5"}, 5),
        (["gunicorn", "app"], {"GUNICORN_CMD_ARGS": "--workers 6"}, 6),
        (["gunicorn", "app"], {}, 1),
        (["flask", "run"], {"WEB_CONCURRENCY": "5"}, 1),
    ],
)
def test_the_worker_count_is_read_as_gunicorn_reads_it(argv, environ, workers):
    assert throttle.worker_count(argv, environ) == workers


def test_several_workers_counting_in_memory_are_warned_about(app, caplog):
    argv = ["gunicorn", "-w", "4", "quizapp:create_app()"]
    with caplog.at_level(logging.WARNING, logger="quizapp.auth.throttle"):
        assert throttle.warn_if_counts_are_per_process(app, argv)
    assert "4 workers each count in their own memory" in caplog.text
    assert "up to 40 attempts" in caplog.text
    app.config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379/0"
    assert not throttle.warn_if_counts_are_per_process(app, argv)


def test_parallel_failed_logins_counted_in_redis_check_exactly_the_limit(database_url, checked):
    """As gunicorn's workers would share them: the count lives in Redis (INCR is atomic)."""
    import os
    import uuid

    from quizapp import create_app
    from quizapp.auth.services import create_user
    from quizapp.config import TestConfig
    from quizapp.extensions import db

    redis_url = os.environ.get("QUIZAPP_TEST_REDIS_URL")
    if not redis_url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true: QUIZAPP_TEST_REDIS_URL must point at a Redis server")
        pytest.skip("QUIZAPP_TEST_REDIS_URL is not set")
    config = type(
        "Config",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_STORAGE_URI": redis_url,
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",  # Redis outlives the test
        },
    )
    app = create_app(config)
    with app.app_context():
        db.create_all()
        create_user("ada", PASSWORD)
        db.session.commit()
    http = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{http.server_port}"
    try:
        barrier = threading.Barrier(40)

        def attempt(_):
            barrier.wait()
            return post_login(base, "ada", "wrong password")

        with ThreadPoolExecutor(40) as pool:
            statuses = list(pool.map(attempt, range(40)))
        assert statuses.count(422) == 10 and statuses.count(429) == 30
        assert len(checked) == 10
    finally:
        http.shutdown()
        http.server_close()
        with app.app_context():
            db.drop_all()
            db.engine.dispose()

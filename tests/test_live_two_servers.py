"""A live game across two app servers (gunicorn as deployed: gthread workers) sharing
PostgreSQL and Redis: the host drives the game on A, a player joins, listens and answers on B;
the player's stream on B hears the host's step on A through Redis pub/sub, and the projector
on A shows the answer given on B."""

from __future__ import annotations

import re
import threading
import time
import uuid
from pathlib import Path
from urllib.request import Request

import redis
import yaml
from helpers import set_document
from test_two_servers import (  # noqa: F401  (fixtures: services, database)
    TEACHER_PASSWORD,
    Browser,
    Server,
    database,
    flask,
    server_env,
    services,
)

from quizapp import create_app
from quizapp.config import TestConfig
from quizapp.extensions import db as _db
from quizapp.live.broker import channel_prefix, decode


def populate(database_url: str, questions_dir: Path) -> None:
    from quizapp.auth.services import create_user
    from quizapp.bank.sync import sync_directory

    config = {"SQLALCHEMY_DATABASE_URI": database_url, "QUESTIONS_DIR": str(questions_dir)}
    app = create_app(type("Config", (TestConfig,), config))
    with app.app_context():
        sync_directory(questions_dir)
        create_user("teacher", TEACHER_PASSWORD, role="teacher")
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()


class Stream:
    """Read a Server-Sent Events stream in a thread, keeping the event names it hears."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.events: list[str] = []
        self.heard = threading.Event()
        self.response = browser.opener.open(Request(url), timeout=30)
        threading.Thread(target=self.read, daemon=True).start()

    def read(self) -> None:
        for raw in self.response:
            line = raw.decode().strip()
            if line.startswith("event: ") and line != "event: version":
                self.events.append(line.removeprefix("event: "))
                self.heard.set()


def test_a_live_game_across_two_servers_through_redis(
    database: str,  # noqa: F811
    services: tuple[str, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    _, redis_url = services
    questions = tmp_path / "questions"
    questions.mkdir()
    (questions / "sample.yaml").write_text(yaml.safe_dump(set_document(), sort_keys=False))
    env = server_env(database, redis_url)
    env["QUIZAPP_LIVE_BROKER_URL"] = redis_url
    migrated = flask(["db", "upgrade"], env, tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    populate(database, questions)

    client = redis.Redis.from_url(redis_url)
    channels = channel_prefix(client)
    published = client.pubsub(ignore_subscribe_messages=True)
    published.psubscribe(f"{channels}*")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    servers = [
        Server(env, tmp_path / "a" / "gunicorn.log"),
        Server(env, tmp_path / "b" / "gunicorn.log"),
    ]
    a, b = servers
    try:
        for server in servers:
            server.wait_until_up()
        teacher = Browser()
        login = f"{a.url}/auth/login"
        assert (
            teacher.submit(login, login, {"username": "teacher", "password": TEACHER_PASSWORD})[0]
            == 302
        )
        status, host = teacher.submit(
            f"{a.url}/live/new",
            f"{a.url}/live/new",
            {"set_id": "1", "classroom_id": "0", "names": "shown", "streak_bonus": "y"},
        )
        assert status == 302
        host = a.url + host if host.startswith("/") else host
        status, page = teacher.get(host)
        pin = re.search(r'<p class="live-pin">(\d{6})</p>', page).group(1)
        session_id = re.search(r"/live/(\d+)/host", host).group(1)

        player = Browser()
        nickname = f"Zoé {uuid.uuid4().hex[:4]}"
        join = f"{b.url}/live/join"
        status, play = player.submit(f"{join}?pin={pin}", join, {"pin": pin, "nickname": nickname})
        assert status == 302 and play.endswith(f"/live/play/{session_id}")
        stream = Stream(player, f"{b.url}/live/play/{session_id}/events")
        time.sleep(0.5)  # the stream has read the session's version before the host moves

        start = f"{a.url}/live/{session_id}/control/start"
        assert teacher.submit(host, start, {})[0] == 302
        assert stream.heard.wait(timeout=15), "the step on A reached the stream on B"
        assert stream.events[0] == "phase"
        kinds = []
        deadline = time.monotonic() + 5
        while "phase" not in kinds and time.monotonic() < deadline:
            message = published.get_message(timeout=1)
            if message and message["channel"].decode() == f"{channels}{session_id}":
                kinds.append(decode(message["data"].decode())[0])
        assert "count" in kinds and "phase" in kinds  # the join, then the start, through Redis

        # The player answers on B; the projector on A shows it (one player: the question closes).
        status, question = player.get(f"{b.url}/live/play/{session_id}")
        buttons = re.findall(
            r'name="answer" value="(\d+)"[^>]*>.*?<span lang="en">(.*?)</span>', question, re.S
        )
        right = next(value for value, label in buttons if label.strip() == "2015")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', question).group(1)
        status, _headers, _ = player.open(
            f"{b.url}/live/play/{session_id}/answer",
            {"csrf_token": token, "position": "0", "answer": right},
        )
        assert status == 302
        status, page = teacher.get(host)
        assert "Leaderboard" in page and nickname in page
        status, mine = player.get(f"{b.url}/live/play/{session_id}")
        assert "Right!" in mine
    finally:
        for server in servers:
            server.stop()
        published.close()

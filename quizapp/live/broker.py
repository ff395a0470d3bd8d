"""Fan-out of live events to the streams a process holds open.

The database is the truth (`LiveSession.version`); a message only says "look again now".
Two kinds: `phase` (the question changed, opened, closed or paused: every page refetches) and
`count` (a join or an answer: only the projector refetches).

- `LocalBroker`: threads of one process wait on a condition. The embedded SQLite default
  (one laptop, one process) needs nothing more.
- `RedisBroker` (`QUIZAPP_LIVE_BROKER_URL=redis://...`): a publish goes to Redis pub/sub; one
  listener thread per process subscribes to every session's channel and wakes that process's
  waiting streams through its own `LocalBroker`. Several workers and several servers share it.

Streams also re-read the database every `STREAM_RECHECK_SECONDS`, so a lost message (Redis
restarting, a process without the broker) delays an update, never loses it.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)

PHASE = "phase"
COUNT = "count"
CHANNEL_PREFIX = "quizapp:live:"


@dataclass
class _Slot:
    condition: threading.Condition = field(default_factory=threading.Condition)
    serial: int = 0  # bumped on every message
    last_kind: str = COUNT


class LocalBroker:
    """In-process fan-out: `notify` wakes every `wait` on the same session."""

    def __init__(self) -> None:
        self._slots: dict[int, _Slot] = {}
        self._lock = threading.Lock()

    def _slot(self, session_id: int) -> _Slot:
        with self._lock:
            return self._slots.setdefault(session_id, _Slot())

    def publish(self, session_id: int, kind: str) -> None:
        self.notify(session_id, kind)

    def notify(self, session_id: int, kind: str) -> None:
        slot = self._slot(session_id)
        with slot.condition:
            slot.serial += 1
            slot.last_kind = kind
            slot.condition.notify_all()

    def serial(self, session_id: int) -> int:
        return self._slot(session_id).serial

    def wait(self, session_id: int, seen: int, timeout: float) -> int:
        """Block until a message after serial `seen`, or `timeout` seconds; the new serial."""
        slot = self._slot(session_id)
        with slot.condition:
            slot.condition.wait_for(lambda: slot.serial != seen, timeout=timeout)
            return slot.serial


class RedisBroker(LocalBroker):
    """Redis pub/sub between processes, a `LocalBroker` inside each."""

    def __init__(self, url: str) -> None:
        super().__init__()
        import redis

        self._redis = redis.Redis.from_url(url)
        self._listener_pid: int | None = None
        self._listener_lock = threading.Lock()

    def publish(self, session_id: int, kind: str) -> None:
        try:
            self._redis.publish(f"{CHANNEL_PREFIX}{session_id}", kind)
        except Exception:  # the database still has it: streams re-read it shortly
            log.warning("live: could not publish to Redis", exc_info=True)
            self.notify(session_id, kind)

    def wait(self, session_id: int, seen: int, timeout: float) -> int:
        self._ensure_listener()
        return super().wait(session_id, seen, timeout)

    def _ensure_listener(self) -> None:
        # One listener per process (a forked worker starts its own).
        if self._listener_pid == os.getpid():
            return
        with self._listener_lock:
            if self._listener_pid == os.getpid():
                return
            self._listener_pid = os.getpid()
            threading.Thread(target=self._listen, name="live-broker", daemon=True).start()

    def _listen(self) -> None:
        while True:
            try:
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(f"{CHANNEL_PREFIX}*")
                for message in pubsub.listen():
                    channel = message.get("channel", b"").decode()
                    ident = channel.removeprefix(CHANNEL_PREFIX)
                    if ident.isdigit():
                        data = message.get("data", b"")
                        kind = data.decode() if isinstance(data, bytes) else str(data)
                        self.notify(int(ident), kind)
            except Exception:
                log.warning("live: Redis listener lost; retrying in 1 s", exc_info=True)
                time.sleep(1)


def init_app(app: Flask) -> None:
    url = app.config.get("LIVE_BROKER_URL") or ""
    broker: LocalBroker = (
        RedisBroker(url) if url.startswith(("redis://", "rediss://")) else LocalBroker()
    )
    app.extensions["live_broker"] = broker


def broker() -> Any:
    return current_app.extensions["live_broker"]

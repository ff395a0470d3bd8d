"""Fan-out of live events to the streams a process holds open.

The database is the truth (`LiveSession.version`); a message says "the game is now at version
N" (`phase`: the question changed, opened, closed or paused) or "something was counted"
(`count`: a join or an answer, which only the projector shows). A message carries the
session's version, so a stream that hears it needs no database read to know the game moved.

- `LocalBroker`: threads of one process wait on a condition per session. The embedded SQLite
  default (one laptop, one process) needs nothing more.
- `RedisBroker` (`QUIZAPP_LIVE_BROKER_URL=redis://...`): a publish goes to Redis pub/sub; one
  listener thread per process subscribes to every session's channel (one subscription per
  process, not per stream) and wakes that process's waiting streams through its own
  `LocalBroker`. Several workers and several servers share it.

The database is still re-read, but once per session and process every `RECHECK_SECONDS` (and
at the open question's deadline), not once per stream: of the streams of a session waiting in
a process, the first whose wait times out claims the check (`claim_check`), reads the session,
closes a question whose time is up, and tells the others the version it found (`learn`). So a
lost message (Redis restarting, a process without the broker) delays an update by at most
that, never loses it, and 300 phones cost one query per process every 2 seconds.
"""

from __future__ import annotations

import logging
import math
import os
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)

PHASE = "phase"
COUNT = "count"
CHANNEL_PREFIX = "quizapp:live:"  # then the Redis database's number: see `channel_prefix`
RECHECK_SECONDS = 2.0  # each process re-reads a watched session at least this often
ANSWERS_PREFIX = "quizapp:live-answers:"  # a question's answer counter (`RedisBroker.answered`)
ANSWERS_TTL_SECONDS = 3600
_GOLDEN = (math.sqrt(5) - 1) / 2  # consecutive ids times this, modulo 1, fall far apart


def stream_end(now: float, seconds: float, key: int | None = None) -> float:
    """When a stream opened at `now` (wall-clock seconds) ends: at its phone's own moment of
    a cycle `seconds` long, and at least half a cycle from now (so after a half to one and a
    half cycles; the same on every server). The moment comes from `key` (the player's id;
    None, as for the projector: at random). A room whose phones join in the same second then
    reconnects spread evenly over the cycle, where streams of one length drawn at random
    ended within seconds of each other and the question open then slowed down
    (docs/PERFORMANCE.md, "Live mode")."""
    if seconds <= 0:
        return now
    moment = ((key * _GOLDEN) % 1.0 if key is not None else random.random()) * seconds
    earliest = now + seconds / 2
    return earliest + (moment - earliest) % seconds


@dataclass
class _Slot:
    lock: threading.Lock = field(default_factory=threading.Lock)
    serial: int = 0  # bumped on every message
    version: int = -1  # the newest version heard or read (-1: none yet)
    next_check: float = 0.0  # time.monotonic() of the next database read
    checking: bool = False  # a stream of this process is reading the database now

    def __post_init__(self) -> None:
        # Two queues on one lock: the phones' streams wait for a new version only, so that
        # 300 answers (`count`) do not wake 300 phone streams 300 times each; the projector's
        # stream waits for every message.
        self.condition = threading.Condition(self.lock)  # phase: a new version
        self.every = threading.Condition(self.lock)  # any message (the projector)

    def wake(self, phase: bool) -> None:
        if phase:
            self.condition.notify_all()
        self.every.notify_all()


def encode(kind: str, version: int) -> str:
    return f"{kind}:{version}"


def decode(data: str) -> tuple[str, int]:
    """`phase:12` → ("phase", 12); an older message without a version → (kind, -1)."""
    kind, _, version = data.partition(":")
    return kind, int(version) if version.isdigit() else -1


class LocalBroker:
    """In-process fan-out: `notify` wakes every `wait` on the same session."""

    def __init__(self) -> None:
        self._slots: dict[int, _Slot] = {}
        self._lock = threading.Lock()

    def _slot(self, session_id: int) -> _Slot:
        with self._lock:
            return self._slots.setdefault(session_id, _Slot())

    def publish(self, session_id: int, kind: str, version: int) -> None:
        self.notify(session_id, kind, version)

    def notify(self, session_id: int, kind: str, version: int = -1) -> None:
        slot = self._slot(session_id)
        with slot.lock:
            slot.serial += 1
            newer = version > slot.version
            slot.version = max(slot.version, version)
            slot.wake(phase=newer)

    def answered(self, session_id: int, key: str, version: int) -> int | None:
        """An answer was committed (`key`: the game's question): tell the projector (`count`)
        and count it. None here: one process cannot count the answers others took, so the
        caller asks the database each time."""
        self.notify(session_id, COUNT, version)
        return None

    def learn(self, session_id: int, version: int) -> None:
        """A version read from the database: wakes the streams only if it is news."""
        slot = self._slot(session_id)
        with slot.lock:
            if version > slot.version:
                slot.version = version
                slot.wake(phase=True)

    def serial(self, session_id: int) -> int:
        return self._slot(session_id).serial

    def wait(
        self, session_id: int, seen_serial: int, seen_version: int, timeout: float, every: bool
    ) -> tuple[int, int]:
        """Block until the session is past `seen_version` (or, with `every`, any message after
        `seen_serial`), until this process's next database check is due, or `timeout`
        seconds; (serial, version) then."""
        slot = self._slot(session_id)
        end = time.monotonic() + timeout
        queue = slot.every if every else slot.condition
        with slot.lock:
            while True:
                if slot.version > seen_version or (every and slot.serial != seen_serial):
                    break
                now = time.monotonic()
                due = slot.next_check if not slot.checking else now + RECHECK_SECONDS
                left = min(end, due) - now
                if left <= 0:
                    break
                queue.wait(left)
            return slot.serial, slot.version

    def claim_check(self, session_id: int) -> bool:
        """True for the one stream of this process that should read the database now."""
        slot = self._slot(session_id)
        with slot.lock:
            if slot.checking or time.monotonic() < slot.next_check:
                return False
            slot.checking = True
            return True

    def checked(self, session_id: int, version: int | None, next_in: float) -> None:
        """The claimed check is done: the version it read, and when the next one is due."""
        slot = self._slot(session_id)
        with slot.lock:
            slot.checking = False
            slot.next_check = time.monotonic() + max(0.05, min(next_in, RECHECK_SECONDS))
            if version is not None:
                slot.version = max(slot.version, version)
            slot.wake(phase=True)


def channel_prefix(client: Any) -> str:
    """The channels of the apps using this Redis database. Keys belong to a database, but
    pub/sub channels are shared by the whole server: two apps on one Redis with their own
    database numbers (a school's test copy beside the real one) would otherwise wake each
    other's games with their events."""
    return f"{CHANNEL_PREFIX}{client.connection_pool.connection_kwargs.get('db', 0)}:"


class RedisBroker(LocalBroker):
    """Redis pub/sub between processes, a `LocalBroker` inside each."""

    def __init__(self, url: str) -> None:
        super().__init__()
        import redis

        self._redis = redis.Redis.from_url(url)
        self._channels = channel_prefix(self._redis)
        self._listener_pid: int | None = None
        self._listener_lock = threading.Lock()

    def publish(self, session_id: int, kind: str, version: int) -> None:
        try:
            self._redis.publish(f"{self._channels}{session_id}", encode(kind, version))
        except Exception:  # the database still has it: streams re-read it shortly
            log.warning("live: could not publish to Redis", exc_info=True)
            self.notify(session_id, kind, version)

    def answered(self, session_id: int, key: str, version: int) -> int | None:
        """Publish `count` and count the answer in Redis, in one round trip: the answers
        committed so far to this question, by every process of every server (the database
        decides once this reaches the players; a count lost with Redis only leaves the question
        open until its deadline). None if Redis is out of reach."""
        try:
            pipe = self._redis.pipeline(transaction=False)
            pipe.publish(f"{self._channels}{session_id}", encode(COUNT, version))
            pipe.incr(f"{ANSWERS_PREFIX}{session_id}:{key}")
            pipe.expire(f"{ANSWERS_PREFIX}{session_id}:{key}", ANSWERS_TTL_SECONDS)
            return int(pipe.execute()[1])
        except Exception:
            log.warning("live: could not count an answer in Redis", exc_info=True)
            self.notify(session_id, COUNT, version)
            return None

    def wait(
        self, session_id: int, seen_serial: int, seen_version: int, timeout: float, every: bool
    ) -> tuple[int, int]:
        self._ensure_listener()
        return super().wait(session_id, seen_serial, seen_version, timeout, every)

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
                pubsub.psubscribe(f"{self._channels}*")
                for message in pubsub.listen():
                    channel = message.get("channel", b"").decode()
                    ident = channel.removeprefix(self._channels)
                    if ident.isdigit():
                        data = message.get("data", b"")
                        text = data.decode() if isinstance(data, bytes) else str(data)
                        kind, version = decode(text)
                        self.notify(int(ident), kind, version)
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

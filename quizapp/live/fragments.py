"""Markup and standings shared by every phone of a game at one version, built once per process.

When the host moves, 300 phones fetch their page within a second: rendering the same question
300 times (its form, its choices' Markdown, the prompt) is most of that work. What is the same
for every player at a given `LiveSession.version` is kept here, keyed by the session, its
version, the part and the interface language:

- the open question's prompt and answer controls (no key, no player's state: the CSRF token is
  added to each page; `version` changes with every step, pause and resume);
- after the question closed, the right answer's section, and the standings (rank and points
  per player id; each phone shows only its own line).

Nothing here is a source of truth: a new version is a new key, and the database decides which
version a page shows. Entries are few (the last `LIMIT`), so memory stays flat. One cache per
app (a test's app starts empty).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import Flask, current_app

from ..models import LiveSession

T = TypeVar("T")

LIMIT = 256


class Fragments:
    """A small LRU of shared values, one per app (`app.extensions["live_fragments"]`)."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}
        self._limit = limit

    def _get(self, key: Hashable) -> tuple[bool, object]:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return True, self._entries[key]
            return False, None

    def shared(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value for `key`, built by `build` the first time. One thread builds it; the
        others asking meanwhile wait for it (the host's "next" wakes every stream of a process
        at once: 75 threads rendering the same question would each pay for it). A build that
        raises is not kept: the next caller builds again."""
        found, value = self._get(key)
        if found:
            return value  # type: ignore[return-value]
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:
            found, value = self._get(key)
            if found:
                return value  # type: ignore[return-value]
            try:
                value = build()
                with self._lock:
                    self._entries[key] = value
                    while len(self._entries) > self._limit:
                        self._entries.popitem(last=False)
            finally:
                with self._lock:
                    self._building.pop(key, None)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def init_app(app: Flask) -> None:
    app.extensions["live_fragments"] = Fragments()


def key_of(live: LiveSession, part: str) -> tuple[Hashable, ...]:
    """A session at one version (its creation time too: a restored database may reuse ids)."""
    return (part, live.id, live.created_at.isoformat(), live.version)


def shared(live: LiveSession, part: str, build: Callable[[], T], *extra: Hashable) -> T:
    cache: Fragments = current_app.extensions["live_fragments"]
    return cache.shared((*key_of(live, part), *extra), build)

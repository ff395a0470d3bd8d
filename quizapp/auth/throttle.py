"""Failed logins, counted before the password is checked, in the rate limiter's storage.

Each login attempt first takes one unit from two counters, atomically (one increment in
memory or in Redis): one per address and username (`LOGIN_RATE_LIMIT`, 10 a minute), one per
address (`LOGIN_ADDRESS_RATE_LIMIT`, 60 in 10 minutes, so that one machine cannot try 30
usernames, while a class of 30 behind one school address can still mistype a few passwords).
Only then is the password checked; a successful login gives its units back, so only failures
count. Forty parallel wrong passwords against a limit of 10 check exactly 10.

A teacher lifts a student's lock by moving the username to a new counter (`lift_lock`): the
key carries a per-username generation kept in the same storage.
"""

from __future__ import annotations

import logging
import os
import shlex
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask import Flask, current_app
from limits import RateLimitItem, parse
from limits.strategies import FixedWindowRateLimiter

from ..extensions import limiter

log = logging.getLogger(__name__)

GENERATION_SECONDS = 7 * 24 * 3600  # longer than any login window


def _strategy() -> FixedWindowRateLimiter:
    return FixedWindowRateLimiter(limiter.storage)


def _generation_key(username: str) -> str:
    return f"{current_app.config['RATELIMIT_KEY_PREFIX']}/login-generation/{username}"


@dataclass(frozen=True)
class Ticket:
    """The counters one login attempt took a unit from, to give back on success."""

    taken: tuple[tuple[RateLimitItem, tuple[str, ...]], ...]

    def refund(self) -> None:
        for item, identifiers in self.taken:
            limiter.storage.incr(item.key_for(*identifiers), item.get_expiry(), amount=-1)


def acquire(address: str, username: str) -> Ticket | None:
    """Take one unit per counter before any password is checked; None: a limit is reached."""
    prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
    generation = str(limiter.storage.get(_generation_key(username)))
    counters = (
        (parse(current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]), (prefix, "login", address)),
        (
            parse(current_app.config["LOGIN_RATE_LIMIT"]),
            (prefix, "login", address, username, generation),
        ),
    )
    strategy = _strategy()
    taken: list[tuple[RateLimitItem, tuple[str, ...]]] = []
    for item, identifiers in counters:
        taken.append((item, identifiers))
        if not strategy.hit(item, *identifiers):
            Ticket(tuple(taken)).refund()  # refused before any check: nothing to count
            return None
    return Ticket(tuple(taken))


def lift_lock(username: str) -> None:
    """Start the username's failed-login count afresh, from every address."""
    limiter.storage.incr(_generation_key(username), GENERATION_SECONDS)


def worker_count(argv: Sequence[str], environ: Mapping[str, str]) -> int:
    """The number of gunicorn workers this process belongs to (1 outside gunicorn)."""
    if not argv or "gunicorn" not in os.path.basename(argv[0]):
        return 1
    words = [*shlex.split(environ.get("GUNICORN_CMD_ARGS", "")), *argv[1:]]
    count = int(environ.get("WEB_CONCURRENCY", "1") or 1)
    for i, word in enumerate(words):
        value = None
        if word in ("-w", "--workers") and i + 1 < len(words):
            value = words[i + 1]
        elif word.startswith("--workers="):
            value = word.split("=", 1)[1]
        elif word.startswith("-w") and word[2:].isdigit():
            value = word[2:]
        if value is not None and value.isdigit():
            count = int(value)
    return count


def warn_if_counts_are_per_process(app: Flask, argv: Sequence[str] | None = None) -> bool:
    """Log a warning when several workers each count in their own memory; True if so."""
    workers = worker_count(sys.argv if argv is None else argv, os.environ)
    storage = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    if workers > 1 and storage.startswith("memory://"):
        limit = parse(app.config["LOGIN_RATE_LIMIT"]).amount
        log.warning(
            "rate limits: %d workers each count in their own memory (memory://), so a login "
            "limit of %d lets up to %d attempts through; share the counts with "
            "QUIZAPP_RATELIMIT_STORAGE_URI=redis://host:6379/0",
            workers,
            limit,
            limit * workers,
        )
        return True
    return False

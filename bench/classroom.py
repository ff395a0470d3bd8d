"""A classroom of 300 students answering a 40-question assignment at once, over HTTP.

    python bench/classroom.py --quick     # 300 students for 30 s
    python bench/classroom.py             # 300 students for 120 s
    python bench/classroom.py --think 0.5 1.5 --students 300 --duration 60

The server is gunicorn with the repository's gunicorn.conf.py (its workers: 2 per CPU + 1) on
PostgreSQL, with docs/DEPLOYMENT.md's school-server settings (Redis rate limits when
QUIZAPP_TEST_REDIS_URL is set). The world: one class of `--students` students, each with an
attempt in progress on an open assignment of a 40-question set (four question types).

Each student is an asyncio task with its own cookie jar, logged in over HTTP before the clock
starts (not timed), that opens question 1, then answers one question after another as a
browser does: a think time drawn uniformly from `--think` seconds, the answer POSTed with its
CSRF token (a redirect to the next question acknowledges it), the next question page fetched.
A raw HTTP/1.1 client on asyncio streams (one connection per request, as gunicorn's sync
workers close each one): light enough that the 2-core machine's CPU goes to the server.
Bounded by `--duration`; a student who reaches question 40 stops.

Printed (a markdown table): requests, answers acknowledged, errors (any status other than the
expected, any exception), p50, p90, p99 and max latency of the answers (POST) and of the pages
(GET), and the check that every acknowledged answer is stored: each acknowledged POST's answer
is compared with the database's row afterwards. Targets (issue 18): p99 under 150 ms, 0 errors,
every acknowledged answer stored.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import select
from world import (
    PASSWORD,
    POSTGRES_URL,
    TOKEN,
    answer_form,
    build_world,
    database,
    gunicorn,
    question_file,
    server_env,
    setup_app,
)

from quizapp.extensions import db
from quizapp.models import QuestionAttempt

QUESTIONS = 40
# What each answer form of world.answer_form is stored as (display order = original order).
STORED = [1, [0, 2], True, "2015"]


class Student:
    """One student's browser: a cookie jar, the CSRF token, a fresh connection per request."""

    def __init__(self, port: int, username: str, attempt_id: int) -> None:
        self.port = port
        self.username = username
        self.attempt_id = attempt_id
        self.cookies: dict[str, str] = {}
        self.token = ""

    async def request(
        self, method: str, path: str, form: dict | None = None
    ) -> tuple[int, dict[str, str], str]:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            body = b""
            headers = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
            if self.cookies:
                headers.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
            if form is not None:
                body = urlencode({"csrf_token": self.token, **form}, doseq=True).encode()
                headers.append("Content-Type: application/x-www-form-urlencoded")
            headers += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
            writer.write("\r\n".join(headers).encode() + body)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            response_headers: dict[str, str] = {}
            for line in lines[1:]:
                if ":" in line:
                    name, _, value = line.partition(":")
                    name, value = name.strip().lower(), value.strip()
                    if name == "set-cookie":
                        key, _, rest = value.partition("=")
                        self.cookies[key] = rest.split(";", 1)[0]
                    response_headers[name] = value
            length = int(response_headers.get("content-length", "0"))
            text = (await reader.readexactly(length)).decode() if length else ""
        finally:
            writer.close()
        found = TOKEN.search(text)
        if found:
            self.token = found.group(1) or found.group(2)
        return status, response_headers, text

    async def log_in(self) -> None:
        await self.request("GET", "/auth/login")
        status, _, _ = await self.request(
            "POST", "/auth/login", {"username": self.username, "password": PASSWORD}
        )
        assert status == 302, (self.username, status)
        status, _, _ = await self.request("GET", self.question_url(1))
        assert status == 200 and self.token, (self.username, status)

    def question_url(self, number: int) -> str:
        return f"/attempts/{self.attempt_id}/questions/{number}"


class Tally:
    def __init__(self) -> None:
        self.posts: list[float] = []
        self.gets: list[float] = []
        self.errors: list[str] = []
        self.acknowledged: list[tuple[int, int, object]] = []  # attempt, position, stored


async def take_quiz(
    student: Student, tally: Tally, think: tuple[float, float], stop: float, rng: random.Random
) -> None:
    number = 1
    while number <= QUESTIONS:
        await asyncio.sleep(rng.uniform(*think))
        if time.monotonic() >= stop:
            return
        url = student.question_url(number)
        began = time.perf_counter()
        try:
            status, headers, _ = await student.request(
                "POST", url, {**answer_form(number - 1), "action": "next"}
            )
        except Exception as error:
            tally.errors.append(f"POST {url}: {error!r}")
            continue
        tally.posts.append(time.perf_counter() - began)
        location = headers.get("location", "")
        expected = (student.question_url(number + 1) if number < QUESTIONS else "/summary").rsplit(
            "/", 1
        )[-1]
        if status != 302 or not location.endswith(expected):
            tally.errors.append(f"POST {url}: {status} {location}")
            continue
        tally.acknowledged.append((student.attempt_id, number - 1, STORED[(number - 1) % 4]))
        if number == QUESTIONS:
            return
        number += 1
        began = time.perf_counter()
        try:
            status, _, _ = await student.request("GET", student.question_url(number))
        except Exception as error:
            tally.errors.append(f"GET {student.question_url(number)}: {error!r}")
            continue
        tally.gets.append(time.perf_counter() - began)
        if status != 200:
            tally.errors.append(f"GET {student.question_url(number)}: {status}")


async def classroom(port: int, world, args: argparse.Namespace) -> tuple[Tally, float]:
    students = [Student(port, name, world.attempt_of[name]) for name in world.students]
    limit = asyncio.Semaphore(8)

    async def log_in(student: Student) -> None:
        async with limit:
            await student.log_in()

    await asyncio.gather(*(log_in(s) for s in students))
    tally = Tally()
    began = time.monotonic()
    stop = began + args.duration
    rng = random.Random(18)
    await asyncio.gather(
        *(
            take_quiz(s, tally, tuple(args.think), stop, random.Random(rng.random()))
            for s in students
        )
    )
    return tally, time.monotonic() - began


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 s instead of 120")
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--duration", type=float)
    parser.add_argument("--think", type=float, nargs=2, default=[2.0, 8.0], metavar=("MIN", "MAX"))
    parser.add_argument("--workers", type=int, default=None, help="default: gunicorn.conf.py's")
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args()
    args.duration = args.duration or (30 if args.quick else 120)
    if args.engine == "postgresql" and not args.postgres_url:
        parser.error("PostgreSQL needs --postgres-url or QUIZAPP_TEST_POSTGRES_URL")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        questions = folder / "questions"
        questions.mkdir()
        question_file(questions, QUESTIONS)
        with database(args.engine, folder, args.postgres_url) as url:
            app = setup_app(url, questions)
            world = build_world(app, args.students, 0)
            env = server_env(url, questions, args.workers)
            with gunicorn(env, folder) as (port, _server):
                tally, elapsed = asyncio.run(classroom(port, world, args))
            with app.app_context():
                stored = {
                    (r.attempt_id, r.position): r.answer
                    for r in db.session.scalars(
                        select(QuestionAttempt).where(QuestionAttempt.answered_at.is_not(None))
                    )
                }
                db.engine.dispose()
    lost = [a for a in tally.acknowledged if stored.get(a[:2]) != a[2]]
    requests = len(tally.posts) + len(tally.gets)
    print()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M UTC}, {platform.node()}, {platform.machine()}; "
        f"{args.students} students, think time {args.think[0]:g}-{args.think[1]:g} s, "
        f"{elapsed:.0f} s, {args.engine}, gunicorn.conf.py workers"
        f"{'' if args.workers is None else f' = {args.workers}'}"
    )
    print()
    print("| requests | req/s | answers acknowledged | errors | acknowledged but not stored |")
    print("|---:|---:|---:|---:|---:|")
    print(
        f"| {requests:,} | {requests / elapsed:.0f} | {len(tally.acknowledged):,} "
        f"| {len(tally.errors)} | {len(lost)} |"
    )
    print()
    print("| request | p50 ms | p90 ms | p99 ms | max ms | mean ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, values in (
        ("save an answer (POST)", tally.posts),
        ("next question (GET)", tally.gets),
    ):
        mean = statistics.fmean(values) * 1000 if values else float("nan")
        print(
            f"| {label} | {percentile(values, 0.5):.1f} | {percentile(values, 0.9):.1f} "
            f"| {percentile(values, 0.99):.1f} | {percentile(values, 1.0):.1f} | {mean:.1f} |"
        )
    both = tally.posts + tally.gets
    print(f"\nall requests: p99 {percentile(both, 0.99):.1f} ms (target: under 150 ms)")
    for error in tally.errors[:10]:
        print("error:", error)
    for attempt_id, position, answer in lost[:10]:
        print(f"lost: attempt {attempt_id} question {position + 1}: {answer!r}")


if __name__ == "__main__":
    main()

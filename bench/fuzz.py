"""The long fuzz: Hypothesis-drawn requests to every route, form field and query argument, as
an anonymous visitor, a student, a teacher and an administrator; never a 500.

    python bench/fuzz.py [--requests 100000] [--database-url URL] [--seed 0]

The targets and the drawing are tests/fuzzing.py's (tests/test_fuzz.py runs a short version).
The requests are shared equally among the four visitors and go through Flask's test client
(in-process WSGI) against a fresh database: SQLite in a temporary folder by default, or a
database of its own on the PostgreSQL server `--database-url` names. Prints the status counts
per route and in total, then every server error with the request that caused it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings
from scratch import scratch_app

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from fuzzing import (
    VISITORS,
    Request,
    Visitors,
    build_world,
    crawl,
    fuzz_requests,
    merge_forms,
    targets,
)

from quizapp.extensions import db

CHUNK = 500  # requests per visitor and round


class OutOfTime(BaseException):
    """Raised through Hypothesis (not an Exception: no shrinking) once the time is up."""


def run(requests: int, database_url: str | None, random_seed: int, seconds: float) -> int:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    errors: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        questions = Path(folder) / "questions"
        questions.mkdir()
        config = {
            "QUESTIONS_DIR": str(questions),
            "PROPAGATE_EXCEPTIONS": True,  # the exception itself, to say what the 500 was
            "LOGIN_RATE_LIMIT": "1000000 per minute",  # limits on, visitors not locked out
            "JOIN_RATE_LIMIT": "1000000 per minute",
        }
        sqlite_file = Path(folder) / "fuzz.sqlite3"
        # No app context held around the requests: each has its own, as in production.
        with scratch_app(database_url, sqlite_file, **config) as app:
            with app.app_context():
                world = build_world(questions)
                engine = db.engine.dialect.name
            visitors = Visitors(app, world)
            forms = merge_forms(*(crawl(app, visitors.clients[v], world) for v in VISITORS))
            target_list = targets(app)
            print(
                f"{engine}: {len(target_list)} routes and methods, {len(forms)} forms, "
                f"{requests} requests",
                flush=True,
            )
            started = time.perf_counter()
            by_visitor: Counter[str] = Counter()
            current = [""]  # the visitor of this round (read by `one`)

            def one(request: Request) -> None:
                if time.perf_counter() - started > seconds:
                    raise OutOfTime
                route = f"{request.target.method} {request.target.endpoint}"
                try:
                    status = str(visitors.send(current[0], request).status_code)
                except Exception as error:
                    status = "500"
                    reason = f"{type(error).__name__}: {str(error).splitlines()[0][:160]}"
                    errors.append(f"as {current[0]}: {request.describe()[:400]} -> {reason}")
                counts[route][status] += 1
                by_visitor[current[0]] += 1
                done = sum(by_visitor.values())
                if done % 5000 == 0:
                    elapsed = time.perf_counter() - started
                    print(f"  {done} requests, {elapsed:.0f} s", flush=True)

            # Rounds of CHUNK requests per visitor in turn, each round with its own seed: a run
            # stopped by --seconds has still fuzzed as every kind of visitor.
            rounds = max(1, requests // (CHUNK * len(VISITORS)))
            try:
                for number in range(rounds):
                    for visitor in VISITORS:
                        current[0] = visitor
                        seeded = seed(random_seed * 1_000_003 + number)
                        settings(
                            max_examples=min(CHUNK, requests // len(VISITORS)),
                            deadline=None,
                            database=None,
                            phases=[Phase.generate],
                            suppress_health_check=list(HealthCheck),
                        )(seeded(given(request=fuzz_requests(target_list, forms, world))(one)))()
            except OutOfTime:
                print(f"  time is up ({seconds:.0f} s): stopped", flush=True)
            print(f"  by visitor: {dict(by_visitor)}", flush=True)
    total: Counter[str] = Counter()
    width = max(len(route) for route in counts)
    for route in sorted(counts):
        total.update(counts[route])
        row = ", ".join(f"{s}: {n}" for s, n in sorted(counts[route].items()))
        print(f"{route:<{width}}  {row}")
    print(f"{'total':<{width}}  " + ", ".join(f"{s}: {n}" for s, n in sorted(total.items())))
    print(f"{sum(total.values())} requests, {len(errors)} server errors")
    for line in errors:
        print(f"500 {line}")
    return 1 if errors else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--database-url", help="a PostgreSQL server (default: SQLite)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--seconds", type=float, default=float("inf"), help="stop early, and still report"
    )
    arguments = parser.parse_args()
    sys.exit(run(arguments.requests, arguments.database_url, arguments.seed, arguments.seconds))


if __name__ == "__main__":
    main()

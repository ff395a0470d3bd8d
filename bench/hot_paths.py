"""The hot paths against a bare-Flask ceiling, in one run.

    python bench/hot_paths.py [--requests 300] [--rounds 5] [--database-url URL]

Each path is requested through Flask's test client (in-process WSGI: no network, no server),
`--requests` times per round; the figure is the best round's time per request, and its ratio
to the same loop on a bare Flask app whose only route returns a short string: the ceiling no
Flask app can beat. Paths: the question page (GET), saving an answer (POST, then its
redirect not followed), the catalogue, the dashboard. SQLite in a temporary folder by
default; `--database-url` takes a PostgreSQL server and creates a database of its own there.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from flask import Flask
from scratch import scratch_app
from sqlalchemy import select

from quizapp.auth.services import create_user
from quizapp.bank.sync import sync_directory
from quizapp.config import shipped_dir
from quizapp.extensions import db
from quizapp.models import QuestionSet

PASSWORD = "benchmark password"


def per_request(
    client, method: str, path: str, data: dict | None, requests: int, rounds: int
) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(requests):
            response = client.open(path, method=method, data=data)
            assert response.status_code in (200, 302), (path, response.status_code)
        best = min(best, (time.perf_counter() - start) / requests)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    bare = Flask("bare")
    bare.add_url_rule("/", "index", lambda: "hello")
    ceiling = per_request(bare.test_client(), "GET", "/", None, args.requests, args.rounds)

    with (
        tempfile.TemporaryDirectory() as tmp,
        scratch_app(
            args.database_url,
            Path(tmp) / "bench.sqlite3",
            QUESTIONS_DIR=str(shipped_dir("questions")),
            LOGIN_RATE_LIMIT="1000/second",
        ) as app,
    ):
        with app.app_context():
            sync_directory(shipped_dir("questions"))
            create_user("student", PASSWORD)
            db.session.commit()
            slug = db.session.scalar(select(QuestionSet.slug).order_by(QuestionSet.slug))
        client = app.test_client()
        client.post("/auth/login", data={"username": "student", "password": PASSWORD})
        question = client.post(f"/quizzes/{slug}/start").headers["Location"]
        # Question 2 of the English set is numeric: "0" is a valid (wrong) answer.
        answer_url = question.replace("/questions/1", "/questions/2")
        paths = [
            ("question page", "GET", question, None),
            ("save an answer", "POST", answer_url, {"answer": "0", "action": "next"}),
            ("catalogue", "GET", "/quizzes", None),
            ("dashboard", "GET", "/dashboard", None),
        ]
        results = [
            (label, per_request(client, method, path, data, args.requests, args.rounds))
            for label, method, path, data in paths
        ]

    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(f"best of {args.rounds} rounds of {args.requests} requests, {engine}")
    print(f"{'bare Flask (ceiling)':<22}{ceiling * 1e3:8.3f} ms   1.0x")
    for label, seconds in results:
        print(f"{label:<22}{seconds * 1e3:8.3f} ms  {seconds / ceiling:5.1f}x")


if __name__ == "__main__":
    main()

"""The student dashboard at 10, 1,000 and 100,000 past responses, in one run.

    python bench/progress.py [--sizes 10 1000 100000] [--repeat 30] [--database-url URL]

For each size, a fresh database holds one student with that many graded responses (attempts of
10 questions), then `GET /dashboard` is timed through Flask's test client, best of `--repeat`.
The figure is each time as a ratio to the time at the smallest size. Target (issue 6): 1.5 or
less at 100,000. By default a SQLite file in a temporary folder; `--database-url` takes a
PostgreSQL server URL and creates (and drops) a database of its own there.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from scratch import scratch_app
from sqlalchemy import insert, select, text

from quizapp.auth.services import create_user
from quizapp.bank.sync import sync_directory
from quizapp.extensions import db
from quizapp.models import Attempt, Question, QuestionAttempt, QuestionSet
from quizapp.progress.services import record

PER_ATTEMPT = 10
PASSWORD = "benchmark password"


def question_file(folder: Path) -> None:
    questions = [
        {
            "id": f"q{i}",
            "type": "true_false",
            "prompt": f"Statement {i}?",
            "answer": True,
            "tags": [["openai", "microsoft", "ico", "worldcoin"][i % 4]],
        }
        for i in range(PER_ATTEMPT)
    ]
    document = {"id": "bench", "title": "Bench", "language": "en", "questions": questions}
    (folder / "bench.yaml").write_text(yaml.safe_dump(document))


def fill(responses: int) -> None:
    """One student, `responses` graded answers in attempts of 10, and their progress rows."""
    user = create_user("student", PASSWORD)
    question_set = db.session.scalar(select(QuestionSet))
    questions = list(db.session.scalars(select(Question).order_by(Question.position)))
    start = datetime(2024, 1, 1, tzinfo=UTC)
    attempts = max(1, responses // PER_ATTEMPT)
    batch = 2_000
    for first in range(0, attempts, batch):
        numbers = range(first, min(attempts, first + batch))
        db.session.execute(
            insert(Attempt),
            [
                {
                    "user_id": user.id,
                    "set_id": question_set.id,
                    "number": n + 1,
                    "state": "graded",
                    "seed": n,
                    "started_at": start + timedelta(hours=n),
                    "submitted_at": start + timedelta(hours=n, minutes=5),
                    "score": n % 11,
                    "max_score": PER_ATTEMPT,
                    "late": False,
                    "penalty": 0.0,
                    "practice": False,
                }
                for n in numbers
            ],
        )
        ids = db.session.scalars(
            select(Attempt.id).where(Attempt.number > first, Attempt.number <= numbers[-1] + 1)
        ).all()
        db.session.execute(
            insert(QuestionAttempt),
            [
                {
                    "attempt_id": attempt_id,
                    "question_id": q.id,
                    "position": i,
                    "layout": {},
                    "answer": i % 3 != 0,
                    "answered_at": start,
                    "score": float(i % 3 != 0),
                    "points": float(i % 3 != 0),
                }
                for attempt_id in ids
                for i, q in enumerate(questions)
            ],
        )
    for i, question in enumerate(questions):
        record(user.id, question, float(i % 3 != 0), start + timedelta(hours=attempts))
    db.session.commit()
    # Fresh statistics, as autovacuum (PostgreSQL) or a real history's growth would give.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


def measure(size: int, repeat: int, database_url: str | None, folder: Path) -> float:
    sqlite_file = folder / f"bench-{size}.sqlite3"
    with scratch_app(database_url, sqlite_file, QUESTIONS_DIR=str(folder)) as app:
        with app.app_context():
            sync_directory(folder)
            db.session.commit()
            fill(size)
        client = app.test_client()
        client.post("/auth/login", data={"username": "student", "password": PASSWORD})
        assert client.get("/dashboard").status_code == 200
        times = []
        for _ in range(repeat):
            begin = time.perf_counter()
            response = client.get("/dashboard")
            times.append(time.perf_counter() - begin)
            assert response.status_code == 200
        return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 1_000, 100_000])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        question_file(folder)
        results = {
            size: measure(size, args.repeat, args.database_url, folder) for size in args.sizes
        }
    base = results[args.sizes[0]]
    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(f"GET /dashboard on {engine}, best of {args.repeat}")
    for size, seconds in results.items():
        print(f"{size:>9,} responses: {seconds * 1000:7.2f} ms  ratio {seconds / base:.2f}")
    print(f"target: ratio at {args.sizes[-1]:,} of 1.5 or less")


if __name__ == "__main__":
    main()

"""The teacher's pages at 30, 300 and 3,000 students, on SQLite and PostgreSQL in one run.

    python bench/analytics.py [--sizes 30 300 3000] [--responses 1000 100000 1000000]
                              [--repeat 5] [--database-url URL]

Each size is a class of its own on one 40-question set: one graded attempt per student, and a
second one for every tenth student. Rows are written in bulk (the benchmark is about reading
them). Timed through Flask's test client as the teacher: the gradebook (sorted by the
assignment's column, first page), the item analysis of the assignment, and the XLSX export of
the whole gradebook; the median of `--repeat` requests. SQLite in a temporary folder, then
PostgreSQL when `--database-url` (or QUIZAPP_TEST_POSTGRES_URL) names a server. The ratio is
the time at the largest size over the time at the smallest, per engine and page.

Then the item analysis of one assignment per number of stored responses (`--responses`, one
attempt of 40 answers per student): the time at the most over the time at the fewest, with
the time `rebuild-stats` took to sum every attempt written in bulk.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import yaml
from scratch import scratch_app
from sqlalchemy import insert, select, text

from quizapp.auth.services import create_user
from quizapp.bank.sync import sync_directory
from quizapp.classes.classrooms import create_classroom
from quizapp.extensions import db
from quizapp.gradebook.stats import rebuild
from quizapp.models import (
    Assignment,
    Attempt,
    Membership,
    Question,
    QuestionAttempt,
    QuestionSet,
    User,
    utcnow,
)

PASSWORD = "benchmark password"
QUESTIONS = 40


def question_set_document() -> dict:
    return {
        "id": "bench",
        "title": "Bench set",
        "language": "en",
        "settings": {"feedback": "after_submit", "shuffle_choices": False},
        "questions": [
            {
                "id": f"q{i:02d}",
                "type": "single",
                "prompt": f"Question {i}?",
                "choices": ["alpha", "beta", "gamma", "delta"],
                "answer": ["alpha", "beta", "gamma", "delta"][i % 4],
            }
            for i in range(QUESTIONS)
        ],
    }


def build_class(
    teacher: User,
    question_set: QuestionSet,
    size: int,
    rng: random.Random,
    second_attempts: bool = True,
) -> tuple[int, int]:
    """A class of `size` students and their attempts, written in bulk: (class, assignment)."""
    classroom = create_classroom(teacher, f"Class of {size}", "UTC")
    now = utcnow()
    assignment = Assignment(
        classroom_id=classroom.id if classroom.id else None,
        set_id=question_set.id,
        opens_at=now - timedelta(days=7),
        due_at=now - timedelta(days=1),
        classroom=classroom,
    )
    db.session.add(assignment)
    db.session.flush()
    first_user = (db.session.scalar(select(db.func.max(User.id))) or 0) + 1
    db.session.execute(
        insert(User),
        [
            {
                "id": first_user + i,
                "username": f"c{classroom.id}s{i}",
                "display_name": f"Student {i:04d}",
                "password_hash": "x",
                "role": "student",
            }
            for i in range(size)
        ],
    )
    db.session.execute(
        insert(Membership),
        [
            {
                "classroom_id": classroom.id,
                "user_id": first_user + i,
                "display_name": f"Student {i:04d}",
                "display_key": f"student {i:04d}",
            }
            for i in range(size)
        ],
    )
    questions = db.session.scalars(
        select(Question).where(Question.set_id == question_set.id).order_by(Question.position)
    ).all()
    next_attempt = (db.session.scalar(select(db.func.max(Attempt.id))) or 0) + 1
    attempts: list[dict] = []
    responses: list[dict] = []

    def write() -> None:
        # In batches, attempts first: 10^6 responses never sit in memory at once.
        if attempts:
            db.session.execute(insert(Attempt), attempts)
        if responses:
            db.session.execute(insert(QuestionAttempt), responses)
        attempts.clear()
        responses.clear()

    for i in range(size):
        ability = rng.random()
        for number in (1, 2) if second_attempts and i % 10 == 0 else (1,):
            attempt_id = next_attempt
            next_attempt += 1
            started = now - timedelta(days=3, hours=number)
            score = 0.0
            for q in questions:
                key = q.position % 4
                right = rng.random() < 0.2 + 0.7 * ability
                answer = key if right else rng.choice([c for c in range(4) if c != key])
                score += 1.0 if right else 0.0
                responses.append(
                    {
                        "attempt_id": attempt_id,
                        "question_id": q.id,
                        "position": q.position,
                        "layout": {"choices": [0, 1, 2, 3]},
                        "answer": answer,
                        "answered_at": started
                        + timedelta(seconds=20 * (q.position + 1) + rng.randrange(20)),
                        "score": 1.0 if right else 0.0,
                        "points": 1.0 if right else 0.0,
                    }
                )
            attempts.append(
                {
                    "id": attempt_id,
                    "user_id": first_user + i,
                    "set_id": question_set.id,
                    "assignment_id": assignment.id,
                    "number": number,
                    "state": "graded",
                    "seed": 1,
                    "started_at": started,
                    "submitted_at": started + timedelta(minutes=15),
                    "score": score,
                    "max_score": float(QUESTIONS),
                }
            )
        if len(responses) >= 20_000:
            write()
    write()
    db.session.commit()
    return classroom.id, assignment.id


def timed(client, url: str, repeat: int) -> float:
    client.get(url)  # untimed: templates compiled, caches warm, as on a running server
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def run(
    database_url: str | None, sizes: list[int], repeat: int, responses: list[int]
) -> tuple[dict[str, dict[int, float]], dict[int, float]]:
    """Page times per size; then the item analysis per number of stored responses, and how
    long rebuilding the statistics took."""
    results: dict[str, dict[int, float]] = {"gradebook": {}, "analysis": {}, "xlsx": {}}
    curve: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "questions"
        folder.mkdir()
        (folder / "bench.yaml").write_text(yaml.safe_dump(question_set_document()))
        with scratch_app(
            database_url,
            Path(tmp) / "bench.sqlite3",
            QUESTIONS_DIR=str(folder),
        ) as app:
            with app.app_context():
                assert not sync_directory(folder).failed
                db.session.commit()
                teacher = create_user("teacher", PASSWORD, role="teacher")
                db.session.commit()
                question_set = db.session.scalar(select(QuestionSet))
                rng = random.Random(14)
                built = {size: build_class(teacher, question_set, size, rng) for size in sizes}
                stored = {
                    count: build_class(
                        teacher, question_set, count // QUESTIONS, rng, second_attempts=False
                    )
                    for count in responses
                }
                # Rows written in bulk were never graded: the statistics are rebuilt from
                # them, as after an upgrade (`flask gradebook rebuild-stats`).
                start = time.perf_counter()
                counted = rebuild()
                db.session.commit()
                rebuilt = time.perf_counter() - start
                print(f"  rebuild-stats: {counted} attempts in {rebuilt:.1f} s")
                # Statistics for the planner, as autovacuum gathers them on a server: without
                # them PostgreSQL guesses one row per aggregate and loops (0.4 s at 3,000).
                if db.engine.dialect.name == "postgresql":
                    db.session.execute(text("ANALYZE"))
                    db.session.commit()
            client = app.test_client()
            client.post("/auth/login", data={"username": "teacher", "password": PASSWORD})
            for size, (class_id, assignment_id) in built.items():
                base = f"/classes/{class_id}"
                results["gradebook"][size] = timed(
                    client, f"{base}/gradebook?sort=a{assignment_id}&dir=desc", repeat
                )
                results["analysis"][size] = timed(
                    client, f"{base}/assignments/{assignment_id}/analysis", repeat
                )
                results["xlsx"][size] = timed(client, f"{base}/gradebook.xlsx", repeat)
            # Round-robin over the sizes, so that a busy moment of the machine weighs on each.
            urls = {
                count: f"/classes/{class_id}/assignments/{assignment_id}/analysis"
                for count, (class_id, assignment_id) in stored.items()
            }
            samples: dict[int, list[float]] = {count: [] for count in urls}
            for url in urls.values():
                client.get(url)
            for _ in range(repeat):
                for count, url in urls.items():
                    samples[count].append(timed(client, url, 1))
            curve = {count: statistics.median(times) for count, times in samples.items()}
    return results, curve


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[30, 300, 3000])
    parser.add_argument("--responses", type=int, nargs="*", default=[1_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("QUIZAPP_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    engines = [("SQLite", None)] + (
        [("PostgreSQL", args.database_url)] if args.database_url else []
    )
    small, large = min(args.sizes), max(args.sizes)
    for engine, url in engines:
        print(engine)
        results, curve = run(url, sorted(args.sizes), args.repeat, sorted(args.responses))
        for page, times in results.items():
            figures = ", ".join(
                f"{size}: {seconds * 1000:.0f} ms" for size, seconds in times.items()
            )
            ratio = times[large] / times[small]
            print(f"{engine:10} {page:9} {figures}; {large}/{small}: {ratio:.1f}x")
        if curve:
            fewest = min(curve)
            figures = ", ".join(f"{n:,}: {t * 1000:.0f} ms" for n, t in curve.items())
            ratios = ", ".join(
                f"{n:,}/{fewest:,}: {t / curve[fewest]:.1f}x"
                for n, t in curve.items()
                if n != fewest
            )
            print(f"{engine:10} analysis by responses stored: {figures}; {ratios}")


if __name__ == "__main__":
    main()

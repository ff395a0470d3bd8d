"""A 200-name roster with its login cards, in one request, as a teacher sends it.

    python bench/roster.py [--names 200] [--rounds 3] [--database-url URL]

Through Flask's test client (in-process WSGI), with the production password hash for the
teacher (scrypt) and a fresh class per round; the figure is the best round's time. For scale,
the same run times as many hashes with the slow one the cards no longer use (scaled from 20).
SQLite in a temporary folder by default; `--database-url` takes a PostgreSQL server and
creates a database of its own there.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from scratch import scratch_app
from werkzeug.security import generate_password_hash

from quizapp.auth.services import create_user
from quizapp.classes.classrooms import create_classroom
from quizapp.extensions import db

PASSWORD = "benchmark password"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    names = "\n".join(f"Pupil {i:03d} Example" for i in range(args.names))

    with (
        tempfile.TemporaryDirectory() as tmp,
        scratch_app(
            args.database_url,
            Path(tmp) / "bench.sqlite3",
            PASSWORD_HASH_METHOD="scrypt",  # production's
            LOGIN_RATE_LIMIT="1000/second",
        ) as app,
    ):
        with app.app_context():
            teacher = create_user("teacher", PASSWORD, role="teacher")
            classes = [create_classroom(teacher, f"Class {i}", "UTC") for i in range(args.rounds)]
            db.session.commit()
            class_ids = [c.id for c in classes]
        client = app.test_client()
        client.post("/auth/login", data={"username": "teacher", "password": PASSWORD})
        best = float("inf")
        for class_id in class_ids:
            start = time.perf_counter()
            response = client.post(f"/classes/{class_id}/roster", data={"names": names})
            best = min(best, time.perf_counter() - start)
            assert response.status_code == 200, response.status_code
            assert response.get_data(as_text=True).count("Pupil ") >= args.names

    sample = min(20, args.names)  # scrypt is slow: time a sample, scale it
    start = time.perf_counter()
    for i in range(sample):
        generate_password_hash(f"pupil password {i}", method="scrypt")
    slow = (time.perf_counter() - start) * args.names / sample

    engine = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{engine}: {args.names}-name roster with login cards: {best:.2f} s, best of {args.rounds}"
    )
    print(
        f"{args.names} scrypt hashes (scaled from {sample}): {slow:.2f} s, {slow / best:.1f}x that"
    )


if __name__ == "__main__":
    main()

"""The dashboard, the gradebook and the item analysis as the database grows to 10^6 responses.

    python bench/scale.py --quick         # 10^3, 10^4, 10^5 on SQLite and PostgreSQL
    python bench/scale.py                 # 10^3 to 10^6
    python bench/scale.py --engines postgresql --explain

One database per engine grows in steps to each size of stored responses (`--sizes`); at each
step the same pages are timed: the dashboard of one student and the gradebook and item
analysis of their class (25 students, two assignments of a 10-question set, two graded
attempts at each: 1,000 responses), which stay the same size while the rest of the school
grows around them:
other classes of 25 students with an assignment and a graded attempt each (250 responses
per class), their progress rows, their accounts. What is measured is whether a page's cost
depends on the size of the tables (it should not: indexes) rather than on what it shows.

Rows are written by bulk SQL: attempts by executemany, responses and progress rows by
`INSERT ... SELECT` from the attempts and questions (10^6 responses in seconds). Pages are
timed in process (Flask's test client), the best of `--repeat` requests after three untimed.
Printed: a markdown table per engine with each page's time per size and the ratio of the
largest size to the smallest (target: 2 or less); `--explain` prints the query plans of the
pages' main statements at the largest size (EXPLAIN on PostgreSQL, EXPLAIN QUERY PLAN on
SQLite) and the indexes they use.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, inspect, select, text
from world import PASSWORD, POSTGRES_URL, database, fix_sequences, question_file, setup_app

from quizapp.extensions import db
from quizapp.models import (
    Assignment,
    Attempt,
    Classroom,
    Membership,
    QuestionAttempt,
    QuestionSet,
    User,
)

CLASS_SIZE = 25
QUESTIONS = 10
PAGES = ("dashboard", "gradebook", "analysis")


def add_class(
    teacher_id: int, set_id: int, attempts_per_student: int, assignments: int, label: str
) -> tuple[int, list[int], list[int]]:
    """A class with its students and graded attempts (responses written afterwards by
    `add_responses`): (class id, assignment ids, student ids)."""
    now = datetime.now(UTC)
    classroom = Classroom(name=label, teacher_id=teacher_id, join_code=label[:16], timezone="UTC")
    db.session.add(classroom)
    db.session.flush()
    assignment_rows = []
    for k in range(assignments):
        assignment = Assignment(
            classroom_id=classroom.id,
            set_id=set_id,
            opens_at=now - timedelta(days=30 - 10 * k),
            due_at=now - timedelta(days=25 - 10 * k),
        )
        db.session.add(assignment)
        assignment_rows.append(assignment)
    db.session.flush()
    first = (db.session.scalar(select(func.max(User.id))) or 0) + 1
    users = [
        {
            "id": first + i,
            "username": f"{label}-{i}",
            "display_name": f"Student {i:02d}",
            "password_hash": "x",
            "role": "student",
            "session_version": 1,
        }
        for i in range(CLASS_SIZE)
    ]
    db.session.execute(insert(User), users)
    db.session.execute(
        insert(Membership),
        [
            {
                "classroom_id": classroom.id,
                "user_id": u["id"],
                "display_name": u["display_name"],
                "display_key": u["display_name"].lower(),
            }
            for u in users
        ],
    )
    attempts = []
    for u in users:
        number = 0
        for assignment in assignment_rows:
            for _ in range(attempts_per_student):
                number += 1
                started = assignment.opens_at + timedelta(hours=number, minutes=u["id"] % 50)
                attempts.append(
                    {
                        "user_id": u["id"],
                        "set_id": set_id,
                        "assignment_id": assignment.id,
                        "number": number,
                        "state": "graded",
                        "seed": 1,
                        "started_at": started,
                        "submitted_at": started + timedelta(minutes=20),
                        "score": float((u["id"] * 7 + number) % (QUESTIONS + 1)),
                        "max_score": float(QUESTIONS),
                    }
                )
    db.session.execute(insert(Attempt), attempts)
    return classroom.id, [a.id for a in assignment_rows], [u["id"] for u in users]


def add_responses(after_attempt: int, after_user: int) -> None:
    """The responses of every attempt after `after_attempt`, one per question of its set, and
    the progress rows of every student after `after_user`: two INSERT ... SELECT."""
    postgres = db.engine.dialect.name == "postgresql"
    empty = "CAST('{}' AS jsonb)" if postgres else "'{}'"
    tags = "CAST('[\"t0\"]' AS jsonb)" if postgres else "'[\"t0\"]'"
    right = "CASE WHEN (a.id + q.position) % 3 = 0 THEN 0.0 ELSE 1.0 END"
    db.session.execute(
        text(
            "INSERT INTO response (attempt_id, question_id, position, layout, answer,"
            " answered_at, score, points)"
            f" SELECT a.id, q.id, q.position, {empty}, NULL, a.started_at, {right}, {right}"
            " FROM attempt a JOIN question q ON q.set_id = a.set_id AND q.is_current"
            " WHERE a.id > :after"
        ),
        {"after": after_attempt},
    )
    db.session.execute(
        text(
            "INSERT INTO question_progress (user_id, set_id, question_key, tags, last_score,"
            " last_answered_at, reviews, lapses)"
            f" SELECT u.id, q.set_id, q.key, {tags}, 1.0, u.created_at, 0, 0"
            ' FROM "user" u JOIN question q ON q.is_current'
            " WHERE u.id > :after AND u.role = 'student'"
        ),
        {"after": after_user},
    )


def responses() -> int:
    return db.session.scalar(select(func.count()).select_from(QuestionAttempt)) or 0


def grow_to(target: int, teacher_id: int, set_id: int, counter: list[int]) -> None:
    """Add background classes until the database holds about `target` responses."""
    per_class = CLASS_SIZE * QUESTIONS
    missing = max(0, target - responses())
    classes = -(-missing // per_class)
    batch = 50
    for start in range(0, classes, batch):
        last_attempt = db.session.scalar(select(func.max(Attempt.id))) or 0
        last_user = db.session.scalar(select(func.max(User.id))) or 0
        for _ in range(min(batch, classes - start)):
            counter[0] += 1
            add_class(teacher_id, set_id, 1, 1, f"bg{counter[0]:06d}")
        add_responses(last_attempt, last_user)
        fix_sequences()
        db.session.commit()


def analyze() -> None:
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))


def timed(client, url: str, repeat: int) -> float:
    for _ in range(3):  # untimed: templates compiled, caches warm
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    # The best: the page's own cost; slower runs measure the machine's other work too.
    return min(times)


def explain(urls: dict[str, str], app, client) -> str:
    """The plans of the pages' statements at this size: each statement of one request of each
    page, run again under EXPLAIN."""
    from sqlalchemy import event

    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
    out = []
    for page, url in urls.items():
        captured: list[tuple[str, object]] = []

        def capture(conn, cursor, statement, parameters, context, executemany, into=captured):
            if statement.lstrip().upper().startswith("SELECT"):
                into.append((statement, parameters))

        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", capture)
            try:
                client.get(url)
            finally:
                event.remove(db.engine, "before_cursor_execute", capture)
            raw = db.engine.raw_connection()
            try:
                cursor = raw.cursor()
                out.append(f"### {page}: {len(captured)} statements\n")
                for statement, parameters in captured:
                    prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
                    cursor.execute(prefix + statement, parameters)
                    rows = cursor.fetchall()
                    plan = "\n".join(str(r[0]) if postgres else str(r[-1]) for r in rows)
                    first = " ".join(statement.split())[:150]
                    out.append(f"```\n-- {first}...\n{plan}\n```\n")
            finally:
                raw.close()
    return "\n".join(out)


def indexes() -> str:
    inspector = inspect(db.engine)
    lines = []
    for table in ("attempt", "response", "question_progress", "membership", "assignment"):
        for index in inspector.get_indexes(table):
            lines.append(f"- `{table}`: `{index['name']}` ({', '.join(index['column_names'])})")
        for unique in inspector.get_unique_constraints(table):
            lines.append(
                f"- `{table}`: `{unique['name']}` unique ({', '.join(unique['column_names'])})"
            )
    return "\n".join(lines)


def run_engine(engine: str, args: argparse.Namespace) -> tuple[dict[str, dict[int, float]], str]:
    results: dict[str, dict[int, float]] = {page: {} for page in PAGES}
    notes = ""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        questions = folder / "questions"
        questions.mkdir()
        question_file(questions, QUESTIONS)
        with database(engine, folder, args.postgres_url) as url:
            app = setup_app(url, questions)
            with app.app_context():
                from quizapp.auth.services import create_user

                teacher = create_user("teacher", PASSWORD, role="teacher")
                set_id = db.session.scalar(select(QuestionSet.id))
                db.session.commit()
                # The measured class: 25 students, two assignments, two attempts at each.
                class_id, assignment_ids, students = add_class(teacher.id, set_id, 2, 2, "measured")
                add_responses(0, 0)
                fix_sequences()
                db.session.execute(
                    text(
                        "UPDATE \"user\" SET username = 'student', password_hash = :h WHERE id = :i"
                    ),
                    {"h": teacher.password_hash, "i": students[0]},
                )
                db.session.commit()
                teacher_id = teacher.id
            student_client = app.test_client()
            assert (
                student_client.post(
                    "/auth/login", data={"username": "student", "password": PASSWORD}
                ).status_code
                == 302
            )
            teacher_client = app.test_client()
            assert (
                teacher_client.post(
                    "/auth/login", data={"username": "teacher", "password": PASSWORD}
                ).status_code
                == 302
            )
            urls = {
                "dashboard": (student_client, "/dashboard"),
                "gradebook": (teacher_client, f"/classes/{class_id}/gradebook"),
                "analysis": (
                    teacher_client,
                    f"/classes/{class_id}/assignments/{assignment_ids[0]}/analysis",
                ),
            }
            counter = [0]
            for size in args.sizes:
                with app.app_context():
                    began = time.perf_counter()
                    grow_to(size, teacher_id, set_id, counter)
                    analyze()
                    stored = responses()
                    print(
                        f"  {engine}: {stored:,} responses "
                        f"(written in {time.perf_counter() - began:.1f} s)",
                        flush=True,
                    )
                for page, (client, url) in urls.items():
                    results[page][size] = timed(client, url, args.repeat)
                    print(f"    {page:10} {results[page][size] * 1000:8.1f} ms", flush=True)
            if args.explain:
                with app.app_context():
                    notes = indexes() + "\n\n"
                notes += explain({"dashboard": "/dashboard"}, app, student_client)
                notes += explain({"gradebook": urls["gradebook"][1]}, app, teacher_client)
            with app.app_context():
                db.engine.dispose()
    return results, notes


def table(engine: str, results: dict[str, dict[int, float]], sizes: list[int]) -> str:
    head = " | ".join(f"{s:,}" for s in sizes)
    rows = [
        f"| page ({engine}) | {head} | {sizes[-1]:,} / {sizes[0]:,} |",
        "|---|" + "---:|" * (len(sizes) + 1),
    ]
    for page, times in results.items():
        cells = " | ".join(f"{times[s] * 1000:.1f} ms" for s in sizes)
        rows.append(f"| {page} | {cells} | {times[sizes[-1]] / times[sizes[0]]:.2f} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="up to 10^5, 5 requests per page")
    parser.add_argument("--sizes", type=int, nargs="+")
    parser.add_argument("--repeat", type=int)
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--explain", action="store_true", help="plans at the largest size")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args()
    args.sizes = sorted(
        args.sizes
        or ([1_000, 10_000, 100_000] if args.quick else [1_000, 10_000, 100_000, 1_000_000])
    )
    args.repeat = args.repeat or (5 if args.quick else 15)
    if "postgresql" in args.engines and not args.postgres_url:
        parser.error("PostgreSQL needs --postgres-url or QUIZAPP_TEST_POSTGRES_URL")
    outputs = []
    for engine in args.engines:
        results, notes = run_engine(engine, args)
        outputs.append((engine, results, notes))
    print()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M UTC}, {platform.node()}, {platform.machine()}; "
        f"best of {args.repeat} requests in process (Flask's test client)"
    )
    for engine, results, notes in outputs:
        print()
        print(table("SQLite" if engine == "sqlite" else "PostgreSQL", results, args.sizes))
        if notes:
            print()
            print(notes)


if __name__ == "__main__":
    main()

"""Resident memory per gunicorn worker with a 10,000-question bank synced.

    python bench/memory.py --quick        # SQLite, 3 s of load per page
    python bench/memory.py                # SQLite and PostgreSQL, 10 s per page

The bank of bench/bank.py (100 files of 100 questions, seven types) is synced into a fresh
database at the newest migration; gunicorn then runs with the repository's gunicorn.conf.py
(its workers: 2 per CPU + 1) and docs/DEPLOYMENT.md's settings, and `wrk` loads every worker
with the pages that read the bank: the catalogue (every set), the teacher's bank page, a
question page and the dashboard. Then each worker's memory is read from /proc: RSS (what `ps`
and `top` show, shared pages counted in every worker) and PSS (shared pages divided among the
processes that share them: what the workers really add up to). Target (issue 18): RSS 120 MB
or less per worker.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bank import generate
from hot_paths import wrk
from sqlalchemy import select
from world import (
    PASSWORD,
    POSTGRES_URL,
    Browser,
    database,
    gunicorn,
    server_env,
    setup_app,
)

from quizapp.extensions import db

TARGET_MB = 120


def memory_of(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value)
    return fields["Rss"] / 1024, fields["Pss"] / 1024


def workers_of(master: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True
    ).stdout
    return [int(p) for p in out.split()]


def run_engine(engine: str, args: argparse.Namespace) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        questions = folder / "questions"
        questions.mkdir()
        generate(questions, args.files, args.per_file)
        with database(engine, folder, args.postgres_url) as url:
            app = setup_app(url, questions)  # migrates and syncs the whole bank
            with app.app_context():
                from quizapp.auth.services import create_user
                from quizapp.models import Question, QuestionSet

                create_user("teacher", PASSWORD, role="teacher")
                create_user("student", PASSWORD)
                db.session.commit()
                loaded = db.session.scalar(select(db.func.count()).select_from(Question))
                slug = db.session.scalar(select(QuestionSet.slug).order_by(QuestionSet.slug))
                db.engine.dispose()
            print(f"  {engine}: {loaded:,} questions synced", flush=True)
            env = server_env(url, questions, args.workers)
            with gunicorn(env, folder) as (port, server):
                student = Browser(port)
                student.log_in("student")
                started = student.request("POST", f"/quizzes/{slug}/start", {})
                question = started.getheader("Location")
                assert started.status == 302 and "/questions/" in question, started.status
                teacher = Browser(port)
                teacher.log_in("teacher")
                pages = {
                    "catalogue": f"GET\t/quizzes\t{student.cookie_header()}",
                    "bank page": f"GET\t/teacher/bank\t{teacher.cookie_header()}",
                    "question": f"GET\t{question}\t{student.cookie_header()}",
                    "dashboard": f"GET\t/dashboard\t{student.cookie_header()}",
                }
                for name, line in pages.items():
                    path = line.split("\t")[1]
                    browser = teacher if name == "bank page" else student
                    assert browser.request("GET", path).status == 200, name
                    script = folder / "requests.txt"
                    script.write_text(line + "\n")
                    figures = wrk(port, script, args.duration, 2, 16)
                    print(f"    {name:10} {figures['rps']:7.0f} req/s", flush=True)
                workers = workers_of(server.pid)
                sizes = [memory_of(pid) for pid in workers]
                master = memory_of(server.pid)
    rss = [r for r, _ in sizes]
    pss = [p for _, p in sizes]
    return {
        "workers": len(workers),
        "rss_max": max(rss),
        "rss_median": statistics.median(rss),
        "pss_median": statistics.median(pss),
        "master_rss": master[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="SQLite only, 3 s per page")
    parser.add_argument("--engines", nargs="+")
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--per-file", type=int, default=100)
    parser.add_argument("--duration", type=int)
    parser.add_argument("--workers", type=int, default=None, help="default: gunicorn.conf.py's")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args()
    args.engines = args.engines or (["sqlite"] if args.quick else ["sqlite", "postgresql"])
    args.duration = args.duration or (3 if args.quick else 10)
    if "postgresql" in args.engines and not args.postgres_url:
        parser.error("PostgreSQL needs --postgres-url or QUIZAPP_TEST_POSTGRES_URL")
    results = {engine: run_engine(engine, args) for engine in args.engines}
    print()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M UTC}, {platform.node()}, {platform.machine()}; "
        f"{args.files * args.per_file:,} questions in {args.files} files; "
        f"after {args.duration} s of wrk per page"
    )
    print()
    print(
        "| engine | workers | RSS per worker, max | median | PSS per worker, median | master RSS |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for engine, r in results.items():
        print(
            f"| {'SQLite' if engine == 'sqlite' else 'PostgreSQL'} | {r['workers']} "
            f"| {r['rss_max']:.0f} MB | {r['rss_median']:.0f} MB | {r['pss_median']:.0f} MB "
            f"| {r['master_rss']:.0f} MB |"
        )
    print(f"\ntarget: {TARGET_MB} MB or less per worker (RSS)")


if __name__ == "__main__":
    main()

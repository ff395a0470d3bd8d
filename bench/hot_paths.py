"""The hot paths over real HTTP, against a bare-Flask ceiling, on SQLite and PostgreSQL.

(Not named bench/http.py: a script there would shadow the standard library's `http` for
every script of bench/, Flask's imports included.)

    python bench/hot_paths.py --quick          # 2 rounds of 3 s per path: a minute per engine
    python bench/hot_paths.py                  # 5 rounds of 10 s per path
    python bench/hot_paths.py --engines sqlite --paths question save --duration 5

For each engine, a fresh database at the newest migration holds a class of `--students`
students (two closed assignments of a 40-question set with `--history` graded attempts each,
and an open one with an attempt in progress per student) and their teacher. Two servers run,
both with the repository's gunicorn.conf.py (its workers: 2 per CPU + 1) and the environment
of docs/DEPLOYMENT.md's school server (PROXY_FIX, JSON logs, Redis rate limits when
QUIZAPP_TEST_REDIS_URL is set): quizapp, and `bench/apps/ceiling.py`, a bare Flask page. Debian's
`wrk` (`-t2 -c32 --latency`) drives one at a time, in rounds: the ceiling, then each path, so
that every ratio compares figures taken a few seconds apart. Paths:

- question page: `GET /attempts/<id>/questions/1`, each request another student's attempt;
- save an answer: `POST /attempts/<id>/questions/2` with the CSRF token and session cookie
  (bench/lua/requests.lua), answered by a redirect to the next question;
- dashboard: `GET /dashboard`, each request another student;
- gradebook: `GET /classes/<id>/gradebook` as the teacher.

With `--floor`, a third server runs quizapp with two probe routes (`bench/apps/floor.py`): a
public page that goes through every per-request layer and does nothing else, and a logged-in
page that reads the student's attempt with one Core statement into a template compiled once.
Their ratios are the floor: what a page can reach before it does its own work.

Printed: a markdown table per engine, the median over rounds of req/s, p50 and p99 (wrk's),
and the median of the per-round ratios to the ceiling. Before timing, every request is sent
once and its status checked; after, the saved answers are checked in the database.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import platform
import re
import statistics
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from world import (
    POSTGRES_URL,
    REPO,
    Browser,
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

BENCH = Path(__file__).resolve().parent
PATHS = ("question", "save", "dashboard", "gradebook")
LABELS = {
    "ceiling": "bare Flask page (ceiling)",
    "question": "question page (GET)",
    "save": "save an answer (POST, redirect)",
    "dashboard": "student dashboard (GET)",
    "gradebook": "class gradebook (GET)",
    "hooks": "floor: a public page through every layer",
    "lean": "floor: a logged-in page, one Core statement",
}
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk(port: int, script_file: Path, seconds: int, threads: int, connections: int) -> dict:
    """One wrk run: req/s, p50 and p99 in ms, and its count of errors and non-2xx/3xx."""
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(BENCH / "lua" / "requests.lua"),
            f"http://127.0.0.1:{port}",
            "--",
            str(script_file),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def latency(percent: str) -> float:
        found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert found, out
        return float(found.group(1)) * UNITS[found.group(2)]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": latency("50"),
        "p99": latency("99"),
        "errors": int(bad.group(1)) if bad else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def failures(log: Path) -> str:
    """What the server logged of its failed requests so far (the app's JSON lines): statuses
    counted, and the first error message, so that an error in the table has its cause."""
    statuses: collections.Counter[int] = collections.Counter()
    first_error = ""
    for line in log.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:  # a traceback's lines: its last names the error
            if "Error: " in line and not first_error:
                first_error = line.strip()[:200]
            continue
        status = entry.get("status")
        if isinstance(status, int) and status >= 400:
            statuses[status] += 1
        if entry.get("level") == "ERROR" and not first_error:
            # The exception's own line (the traceback's last), else the message.
            trace = str(entry.get("exc_info") or "").strip().splitlines()
            first_error = (trace[-1] if trace else str(entry.get("message", "")))[:200]
    counted = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()))
    return (
        f"(server log: {counted or 'no failed request'}{'; ' + first_error if first_error else ''})"
    )


def request_lines(port: int, world, students: int) -> dict[str, list[str]]:
    """Log every student and the teacher in over HTTP; the requests of each path, each checked
    once. The students' sessions stay valid: nothing here logs them out."""
    lines: dict[str, list[str]] = {path: [] for path in PATHS}
    for username in world.students[:students]:
        browser = Browser(port)
        browser.log_in(username)
        base = f"/attempts/{world.attempt_of[username]}/questions"
        page = browser.request("GET", f"{base}/1")
        assert page.status == 200, (username, page.status)
        cookie = browser.cookie_header()
        lines["question"].append(f"GET\t{base}/1\t{cookie}")
        body = {"csrf_token": browser.token, **answer_form(1), "action": "next"}
        saved = browser.request("POST", f"{base}/2", body)
        assert saved.status == 302 and saved.getheader("Location").endswith("/questions/3"), (
            saved.status,
            saved.text[:300],
        )
        from urllib.parse import urlencode

        lines["save"].append(f"POST\t{base}/2\t{cookie}\t{urlencode(body, doseq=True)}")
        assert browser.request("GET", "/dashboard").status == 200
        lines["dashboard"].append(f"GET\t/dashboard\t{cookie}")
    teacher = Browser(port)
    teacher.log_in(world.teacher)
    gradebook = f"/classes/{world.classroom_id}/gradebook"
    page = teacher.request("GET", gradebook)
    assert page.status == 200 and "Student 0000" in page.text, page.status
    lines["gradebook"].append(f"GET\t{gradebook}\t{teacher.cookie_header()}")
    return lines


def run_engine(engine: str, args: argparse.Namespace) -> dict[str, list[dict]]:
    probes = ["hooks", "lean"] if args.floor else []
    results: dict[str, list[dict]] = {"ceiling": [], **{p: [] for p in [*args.paths, *probes]}}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        questions = folder / "questions"
        questions.mkdir()
        question_file(questions)
        with database(engine, folder, args.postgres_url) as url:
            app = setup_app(url, questions)
            world = build_world(app, args.students, args.history)
            env = server_env(url, questions, args.workers)
            ceiling_env = {**env, "PYTHONPATH": f"{BENCH / 'apps'}:{REPO}"}
            with (
                gunicorn(env, folder) as (port, _server),
                gunicorn(ceiling_env, folder, "ceiling:app", "ceiling.log") as (ceiling_port, _c),
                (
                    gunicorn(ceiling_env, folder, "floor:app", "floor.log")
                    if args.floor
                    else contextlib.nullcontext((None, None))
                ) as (floor_port, _f),
            ):
                lines = request_lines(port, world, args.students)
                if args.floor:
                    # The students' cookies hold on the floor's server: same database and key.
                    lines["hooks"] = ["GET\t/_floor/hooks\t"]
                    lines["lean"] = [
                        line.replace("/attempts/", "/_floor/page/").replace("/questions/1", "")
                        for line in lines["question"]
                    ]
                files = {}
                for path, entries in lines.items():
                    files[path] = folder / f"{path}.txt"
                    files[path].write_text("\n".join(entries) + "\n")
                files["ceiling"] = folder / "ceiling.txt"
                files["ceiling"].write_text("GET\t/\t\n")
                ports = {
                    "ceiling": ceiling_port,
                    **dict.fromkeys(args.paths, port),
                    **dict.fromkeys(probes, floor_port),
                }
                # Warm-up: every worker has compiled its templates and opened its connection.
                for name in ports:
                    wrk(ports[name], files[name], 1, args.threads, args.connections)
                for round_number in range(args.rounds):
                    for name in ("ceiling", *args.paths, *probes):
                        figures = wrk(
                            ports[name], files[name], args.duration, args.threads, args.connections
                        )
                        results[name].append(figures)
                        trouble = figures["socket_errors"]
                        if figures["errors"]:
                            trouble += f" {failures(folder / 'gunicorn.log')}"
                        print(
                            f"  {engine} round {round_number + 1} {name:10} "
                            f"{figures['rps']:8.0f} req/s  p50 {figures['p50']:6.1f} ms  "
                            f"p99 {figures['p99']:6.1f} ms  errors {figures['errors']}"
                            f"{'  ' + trouble if trouble else ''}",
                            flush=True,
                        )
            with app.app_context():
                answered = db.session.scalar(
                    select(func.count()).where(
                        QuestionAttempt.position == 1, QuestionAttempt.answered_at.is_not(None)
                    )
                )
                db.engine.dispose()
            # Every student's second answer is stored (the save path wrote it again and again).
            assert answered >= args.students, answered
    return results


def table(engine: str, results: dict[str, list[dict]]) -> str:
    ceiling = results["ceiling"]
    rows = [
        f"| path ({engine}) | req/s | p50 ms | p99 ms | ratio to ceiling | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, runs in results.items():
        ratios = [r["rps"] / c["rps"] for r, c in zip(runs, ceiling, strict=True)]
        rows.append(
            f"| {LABELS[name]} | {statistics.median(r['rps'] for r in runs):,.0f} "
            f"| {statistics.median(r['p50'] for r in runs):.1f} "
            f"| {statistics.median(r['p99'] for r in runs):.1f} "
            f"| {statistics.median(ratios):.3f}x | {sum(r['errors'] for r in runs)} |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 rounds of 3 s (development)")
    parser.add_argument("--rounds", type=int, default=None, help="default 5 (quick: 2)")
    parser.add_argument("--duration", type=int, default=None, help="seconds per run; 10 (quick: 3)")
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--paths", nargs="+", default=list(PATHS), choices=PATHS)
    parser.add_argument("--students", type=int, default=32, help="students (and sessions) driven")
    parser.add_argument("--history", type=int, default=4, help="graded attempts per student")
    parser.add_argument("--workers", type=int, default=None, help="default: gunicorn.conf.py's")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also the floor's two probes (bench/apps/floor.py): every layer, and a lean page",
    )
    args = parser.parse_args()
    args.rounds = args.rounds or (2 if args.quick else 5)
    args.duration = args.duration or (3 if args.quick else 10)
    if "postgresql" in args.engines and not args.postgres_url:
        parser.error("PostgreSQL needs --postgres-url or QUIZAPP_TEST_POSTGRES_URL")
    tables = []
    for engine in args.engines:
        results = run_engine(engine, args)
        tables.append(table("SQLite" if engine == "sqlite" else "PostgreSQL", results))
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print()
    print(
        f"{when}, {platform.node()}, {platform.processor() or platform.machine()}, "
        f"{__import__('os').cpu_count()} CPUs; wrk -t{args.threads} -c{args.connections}, "
        f"{args.rounds} rounds of {args.duration} s interleaved; gunicorn.conf.py workers"
        f"{'' if args.workers is None else f' = {args.workers}'}; medians over rounds"
    )
    for text in tables:
        print()
        print(text)


if __name__ == "__main__":
    main()

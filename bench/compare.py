"""CPU time per request of the hot paths, this checkout against another commit, in one run.

    python bench/compare.py --base 4b8d343 [--requests 200] [--rounds 3]

The other commit is exported (`git archive`) to a temporary folder; each round runs one
subprocess per side, alternately, each importing its own quizapp (PYTHONPATH) with this
folder's bench/world.py: the world of bench/hot_paths.py on SQLite, an app configured as
production (CSRF on), each path requested `--requests` times through Flask's test client.
The figure is the process's CPU time per request (SQLite runs in the process, so the
database's work is counted and other processes' load is not), the best over rounds. Printed:
a markdown table, base and head per path, and head / base.

    python bench/compare.py --base 6307600 --instructions [--requests 30]

counts instructions instead (valgrind's callgrind, `apt-get install valgrind`): each path of
each side in a process of its own under callgrind with collection off, switched on
(`callgrind_control -i on`) only around its `--requests` requests. The count is the same from
one run to the next (to a fraction of a percent) whatever else the machine is doing, so two
commits can be compared on a shared machine; it weighs every instruction alike (a cache miss
or a system call's wait counts for nothing), so it ranks code changes, and the HTTP benches
say what they are worth in requests per second.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PATHS = ("question", "save", "dashboard", "gradebook")


def measure(requests: int) -> dict[str, float]:
    """In the subprocess: CPU seconds per request of each path."""
    from world import hot_path_requests

    results = {}
    with hot_path_requests(32, 4, LOG_LEVEL="WARNING") as plans:
        for name, plan in plans.items():
            for _ in range(10):
                status = plan.send().status_code
                assert status in (200, 302), (name, status)
            began = time.process_time()
            for _ in range(requests):
                plan.send()
            results[name] = (time.process_time() - began) / requests
    return results


def count_instructions(path: str, requests: int) -> None:
    """In the subprocess under callgrind: the world, then `requests` of one path with
    callgrind's collection on around them only."""
    from world import hot_path_requests

    with hot_path_requests(8, 2) as plans:
        plan = plans[path]
        for _ in range(5):
            status = plan.send().status_code
            assert status in (200, 302), (path, status)
        pid = str(os.getpid())
        subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
        for _ in range(requests):
            plan.send()
        subprocess.run(["callgrind_control", "-i", "off", pid], check=True, capture_output=True)


def instructions_of(root: Path, path: str, requests: int, folder: Path) -> float:
    """Instructions per request of `path` with the quizapp of `root`, counted by callgrind."""
    out = folder / f"callgrind.{path}"
    run = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            sys.executable,
            str(BENCH / "compare.py"),
            "--count",
            path,
            "--requests",
            str(requests),
        ],
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=True,
    )
    collected = [line for line in run.stderr.splitlines() if "Collected :" in line]
    assert collected, run.stderr[-2000:]
    return int(collected[-1].rsplit(":", 1)[1].strip().replace(",", "")) / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="the commit to compare with (e.g. main)")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions with callgrind"
    )
    parser.add_argument("--paths", nargs="+", choices=PATHS, default=list(PATHS))
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--count", choices=PATHS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.requests)))
        return
    if args.count:
        count_instructions(args.count, args.requests)
        return
    if not args.base:
        parser.error("--base COMMIT is required")
    repo = BENCH.parent
    with tempfile.TemporaryDirectory() as tmp:
        base_dir = Path(tmp) / "base"
        base_dir.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(repo), "archive", args.base], capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(base_dir)], input=archive, check=True)
        sides = {"base": base_dir, "head": repo}
        if args.instructions:
            requests = args.requests if args.requests != 200 else 30
            counted = {
                side: {p: instructions_of(root, p, requests, Path(tmp)) for p in args.paths}
                for side, root in sides.items()
            }
            title = f"Instructions per request (callgrind), in process, SQLite, {requests} requests"
            table(title, args.base, args.paths, counted, lambda n: f"{n / 1e6:.2f} M")
            return
        best: dict[str, dict[str, float]] = {side: {} for side in sides}
        for round_number in range(args.rounds):
            for side, root in sides.items():
                env = {**os.environ, "PYTHONPATH": str(root)}
                out = subprocess.run(
                    [
                        sys.executable,
                        str(BENCH / "compare.py"),
                        "--measure",
                        "--requests",
                        str(args.requests),
                    ],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                figures = json.loads(out.strip().splitlines()[-1])
                for path, seconds in figures.items():
                    best[side][path] = min(best[side].get(path, seconds), seconds)
                print(f"  round {round_number + 1} {side}: {figures}", flush=True)
    rounds = f"best of {args.rounds} rounds of {args.requests}"
    title = f"CPU ms per request in process, SQLite, {rounds}"
    table(title, args.base, args.paths, best, lambda seconds: f"{seconds * 1000:.2f}")


def table(
    title: str,
    base: str,
    paths: list[str],
    figures: dict[str, dict[str, float]],
    cell: Callable[[float], str],
) -> None:
    """The markdown table of both modes: each path's base and head figures, and head / base."""
    print()
    print(title)
    print()
    print(f"| path | base ({base}) | head | head / base |")
    print("|---|---:|---:|---:|")
    for path in paths:
        b, h = figures["base"][path], figures["head"][path]
        print(f"| {path} | {cell(b)} | {cell(h)} | {h / b:.2f} |")


if __name__ == "__main__":
    main()

"""Where a hot path's time goes: pyinstrument over many requests of one path, in process.

    python bench/profile.py question [--requests 300] [--engine sqlite|postgresql] [--html FILE]

The world of bench/hot_paths.py (a class with history, an attempt in progress per student),
an app configured as production (CSRF on, the settings of docs/DEPLOYMENT.md's school
server), and Flask's test client: no network, so the profile shows only quizapp's share.
Paths: question, save, dashboard, gradebook. Prints pyinstrument's text report (or writes its
HTML with `--html`).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from pyinstrument import Profiler
from world import POSTGRES_URL, REDIS_URL, hot_path_requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", choices=["question", "save", "dashboard", "gradebook"])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--html", type=Path)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args()
    with hot_path_requests(
        32,
        4,
        args.engine,
        args.postgres_url,
        RATELIMIT_STORAGE_URI=REDIS_URL or "memory://",
    ) as plans:
        plan = plans[args.path]
        for _ in range(20):  # warm: templates compiled, caches filled
            assert plan.send().status_code < 400
        profiler = Profiler(interval=0.0005)
        with profiler:
            for _ in range(args.requests):
                plan.send()
    if args.html:
        args.html.write_text(profiler.output_html())
    else:
        print(
            profiler.output_text(
                unicode=True, color=False, show_all=os.environ.get("PROFILE_ALL") == "1"
            )
        )


if __name__ == "__main__":
    main()

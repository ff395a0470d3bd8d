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
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from pyinstrument import Profiler
from world import (
    POSTGRES_URL,
    REDIS_URL,
    answer_form,
    build_world,
    database,
    logged_in,
    production_app,
    question_file,
    setup_app,
    token_of,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", choices=["question", "save", "dashboard", "gradebook"])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--html", type=Path)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        questions = folder / "questions"
        questions.mkdir()
        question_file(questions)
        with database(args.engine, folder, args.postgres_url) as url:
            world = build_world(setup_app(url, questions), 32, 4)
            app = production_app(url, questions, RATELIMIT_STORAGE_URI=REDIS_URL or "memory://")
            user = world.teacher if args.path == "gradebook" else world.students[0]
            client, _token = logged_in(app, user)
            base = f"/attempts/{world.attempt_of.get(world.students[0])}/questions"
            method, path, body = {
                "question": ("GET", f"{base}/1", None),
                "save": ("POST", f"{base}/2", {**answer_form(1), "action": "next"}),
                "dashboard": ("GET", "/dashboard", None),
                "gradebook": ("GET", f"/classes/{world.classroom_id}/gradebook", None),
            }[args.path]
            data = None
            if body is not None:
                body["csrf_token"] = token_of(client, f"{base}/1")
                data = urlencode(body, doseq=True)
            kwargs = {"content_type": "application/x-www-form-urlencoded"} if data else {}
            for _ in range(20):  # warm: templates compiled, caches filled
                assert client.open(path, method=method, data=data, **kwargs).status_code < 400
            profiler = Profiler(interval=0.0005)
            with profiler:
                for _ in range(args.requests):
                    client.open(path, method=method, data=data, **kwargs)
            with app.app_context():
                from quizapp.extensions import db

                db.engine.dispose()
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

"""What French spacing on rendered pages costs: the same requests with and without the pass.

    python bench/typography.py [--requests 300] [--rounds 5]

The shipped sets on SQLite in a temporary folder; a student takes the French set. Each page is
requested `--requests` times per round through Flask's test client, with the `after_request`
pass of `quizapp.typography` and without it (the hook removed), rounds alternating in the same
run; the figure is the best round's time per request and the ratio of the two. The pass alone
on the same page's HTML (best of 5 x 50 calls) is also given, as a share of the request
without it: on a busy machine the ratio is within noise, the share is not. Pages: the French
set's question page in the English interface, the same page in the French interface, and the
catalogue in English (which lists the French set too).
"""

from __future__ import annotations

import argparse
import tempfile
import timeit
from functools import partial
from pathlib import Path

from hot_paths import PASSWORD, per_request
from scratch import scratch_app

from quizapp import typography
from quizapp.auth.services import create_user
from quizapp.bank.sync import sync_directory
from quizapp.config import shipped_dir
from quizapp.extensions import db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as tmp,
        scratch_app(
            None,
            Path(tmp) / "bench.sqlite3",
            QUESTIONS_DIR=str(shipped_dir("questions")),
            LOGIN_RATE_LIMIT="1000/second",
        ) as app,
    ):
        with app.app_context():
            sync_directory(shipped_dir("questions"))
            create_user("student", PASSWORD)
            db.session.commit()
        english = app.test_client()
        english.post("/auth/login", data={"username": "student", "password": PASSWORD})
        question = english.post("/quizzes/openai-crypto-fr/start").headers["Location"]
        french = app.test_client()
        french.post("/auth/login", data={"username": "student", "password": PASSWORD})
        french.get("/?lang=fr")
        pages = [
            ("French set, English UI", english, question),
            ("French set, French UI", french, question),
            ("catalogue, English UI", english, "/quizzes"),
        ]
        hooks = app.after_request_funcs[None]
        results = []
        for label, client, path in pages:
            # Rounds alternate with and without the pass, so that a busy machine slows both.
            spaced = bare = float("inf")
            for _ in range(args.rounds):
                spaced = min(spaced, per_request(client, "GET", path, None, args.requests, 1))
                hooks.remove(typography.apply_to_response)
                bare = min(bare, per_request(client, "GET", path, None, args.requests, 1))
                hooks.append(typography.apply_to_response)
            html = client.get(path).get_data(as_text=True)
            alone = min(
                timeit.repeat(partial(typography.french_spacing_html, html), number=50, repeat=5)
            )
            results.append((label, spaced, bare, alone / 50, len(html)))

    print(f"best of {args.rounds} rounds of {args.requests} requests, SQLite")
    print(f"{'page':<24}{'with':>10}{'without':>10}  ratio{'pass alone':>13}  share   size")
    for label, spaced, bare, alone, size in results:
        print(
            f"{label:<24}{spaced * 1e3:7.3f} ms{bare * 1e3:7.3f} ms {spaced / bare:5.2f}x"
            f"{alone * 1e3:10.3f} ms {alone / bare:6.1%} {size / 1024:5.1f} KiB"
        )


if __name__ == "__main__":
    main()

"""Validate 10,000 questions in 100 files; report the time as a ratio to a bare YAML load.

    python bench/bank.py [--files 100] [--per-file 100] [--repeat 5]

Both sides read the same files from disk in the same run; the figure is the ratio of the best
of `--repeat` runs: quizapp's full validation (compose with marks, schema, checks and lint, as
`flask --app quizapp questions validate` does) over `yaml.load(..., Loader=yaml.CSafeLoader)`.
Target (issue 3): 3x or less.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import yaml

from quizapp.bank.reader import read_file

TYPES = ["single", "multiple", "true_false", "numeric", "text", "order", "match"]


def question(rng: random.Random, index: int) -> dict:
    kind = TYPES[index % len(TYPES)]
    base = {
        "id": f"q-{index}",
        "type": kind,
        "prompt": f"Question {index}: which of these events came first in the history of AI?",
        "explanation": "Because the article says so, in its third paragraph.",
        "tags": ["openai", "history"],
    }
    choices = [f"Choice {index}-{k} with some words" for k in range(4)]
    if kind == "single":
        base.update(choices=choices, answer=choices[rng.randrange(4)])
    elif kind == "multiple":
        base.update(choices=choices, answer=choices[:2])
    elif kind == "true_false":
        base.update(answer=rng.random() < 0.5)
    elif kind == "numeric":
        base.update(answer=2015 + index % 7, tolerance=0, unit="years")
    elif kind == "text":
        base.update(accept=["Sam Altman", "Altman"])
    elif kind == "order":
        base.update(items=[f"Event {k} of {index}" for k in range(5)])
    else:
        base.update(pairs=[[f"Left {k}-{index}", f"Right {k}-{index}"] for k in range(4)])
    return base


def generate(folder: Path, files: int, per_file: int) -> list[Path]:
    rng = random.Random(42)
    paths = []
    for f in range(files):
        document = {
            "id": f"set-{f}",
            "title": f"Generated set {f}",
            "language": "en",
            "settings": {"shuffle_choices": True, "feedback": "after_submit"},
            "tags": ["bench"],
            "questions": [question(rng, f * per_file + i) for i in range(per_file)],
        }
        path = folder / f"set-{f}.yaml"
        path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
        paths.append(path)
    return paths


def best_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--per-file", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        paths = generate(Path(folder), args.files, args.per_file)

        def bare() -> None:
            for path in paths:
                yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)

        def validate() -> None:
            for path in paths:
                report = read_file(path)
                assert report.model is not None, report.errors[:3]

        validate()  # warm caches on both sides alike
        bare()
        baseline = best_of(args.repeat, bare)
        ours = best_of(args.repeat, validate)
    total = args.files * args.per_file
    print(f"{total:,} questions in {args.files} files, best of {args.repeat}")
    print(f"yaml.load CSafeLoader: {baseline * 1000:8.1f} ms")
    print(f"quizapp validate:      {ours * 1000:8.1f} ms")
    print(f"ratio: {ours / baseline:.2f}x (target: 3x or less)")


if __name__ == "__main__":
    main()

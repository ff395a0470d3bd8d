"""Teachers' patterns run in time linear in the answer; patterns RE2 cannot run are refused at
validation with their line (issue 10, defect 6)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from quizapp.bank.reader import read_file
from quizapp.qtypes import grade

CATASTROPHIC = "^(a+)+$"
SPEC = {"type": "text", "prompt": "?", "accept": ["x"], "accept_regex": CATASTROPHIC}


HOSTILE = """
import sys
from quizapp.qtypes import grade
spec = {"type": "text", "prompt": "?", "accept": ["x"], "accept_regex": "^(a+)+$"}
print(grade(spec, "a" * 40 + "b").score, grade(spec, "a" * 20_000 + "b").score)
"""


def test_a_catastrophic_pattern_grades_a_hostile_answer():
    # With Python's backtracking `re`, 26 `a` and a `!` took 3.3 s and doubled per character:
    # 40 would take some 15 hours. RE2 answers in microseconds. The generous bound only tells
    # "finishes" from "hangs" (in a child process, so that a hang cannot block the suite).
    done = subprocess.run(
        [sys.executable, "-c", HOSTILE], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["0.0", "0.0"]
    assert grade(SPEC, "a" * 40).score == 1.0


SET = """\
id: demo
title: Demo
language: en
questions:
  - id: q1
    type: text
    prompt: Who?
    accept: [x]
    accept_regex: '{pattern}'
"""


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (r"(a)\1", r"invalid escape sequence: \1"),
        ("lovelace(?= king)", "invalid perl operator: (?="),
        ("(?<!ada )lovelace", "invalid perl operator: (?<!"),
    ],
)
def test_patterns_that_need_backtracking_are_refused_at_their_line(tmp_path, pattern, reason):
    path = tmp_path / "set.yaml"
    path.write_text(SET.format(pattern=pattern), encoding="utf-8")
    report = read_file(path, display="set.yaml")
    (line,) = [str(d) for d in report.diagnostics]
    assert report.model is None
    assert line.startswith(f"set.yaml:9:19: error: invalid regular expression: {reason}")
    assert "no backreferences" in line and "lookarounds" in line


def test_the_documented_patterns_still_load(tmp_path):
    for pattern in ["(ada )?(augusta )?(king )?lovelace", r"(in )?\\d{4}"]:
        path = tmp_path / "set.yaml"
        path.write_text(SET.format(pattern=pattern), encoding="utf-8")
        assert read_file(path, display="set.yaml").model is not None, pattern

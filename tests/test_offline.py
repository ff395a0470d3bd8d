"""Offline classrooms: no template, static file, chart or QR code refers to another host."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import segno

from quizapp.config import PACKAGE_DIR, shipped_dir
from quizapp.progress.charts import mastery_chart, scores_chart

# An address with a host: `http://`, `https://`, `ftp://`, `ws://`, or `//host` right after a
# quote, a parenthesis or `=` (a protocol-relative `src="//cdn..."`, `url(//...)`).
FOREIGN = re.compile(
    r"""(?:\b(?:https?|ftp|wss?):|(?<=["'(=])\s*)//[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+""",
    re.IGNORECASE,
)
# Names, not fetches: XML namespaces, and comments (pygal signs its SVG in one).
NOT_FETCHED = re.compile(r"""xmlns(?::\w+)?=["'][^"']*["']|<!--.*?-->|\{#.*?#\}""", re.DOTALL)
LOCAL = re.compile(r"//(?:127\.0\.0\.1|localhost)\b")


def foreign_references(text: str) -> list[str]:
    """The addresses of other hosts that `text` refers to."""
    text = NOT_FETCHED.sub("", text)
    return [m.group(0) for m in FOREIGN.finditer(text) if not LOCAL.search(m.group(0))]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('<script src="https://cdn.example.com/htmx.js"></script>', True),
        ('<link href="//fonts.googleapis.com/css?family=Inter" rel="stylesheet">', True),
        ("body { background: url(//cdn.example.org/bg.png) }", True),
        ("@import url('http://example.net/a.css');", True),
        ('<img src="/static/img/logo.svg" alt="">', False),
        (
            '<svg xmlns="http://www.w3.org/2000/svg"><!-- made with http://pygal.org --></svg>',
            False,
        ),
        ("// a comment about example.com in a script", False),
        ('<a href="http://127.0.0.1:5000/">', False),
    ],
)
def test_the_detector_finds_other_hosts(text, found):
    assert bool(foreign_references(text)) is found


# What a browser reads as a page or an asset; vendored fonts are binary, and the licence and
# README files beside vendored code are for people (the OFL names its web site).
SERVED = {".html", ".css", ".js", ".svg", ".json", ".xml"}


def shipped_files() -> list[Path]:
    roots = [PACKAGE_DIR / "templates", shipped_dir("static")]
    return sorted(
        path
        for root in roots
        for path in root.rglob("*")
        if path.is_file() and path.suffix in SERVED
    )


def test_templates_and_static_files_refer_to_no_other_host():
    files = shipped_files()
    assert any(path.suffix == ".html" for path in files)
    assert any(path.suffix == ".css" for path in files)
    found = {
        str(path.relative_to(PACKAGE_DIR.parent)): refs
        for path in files
        if (refs := foreign_references(path.read_text(encoding="utf-8", errors="replace")))
    }
    assert found == {}, "serve these from static/ instead"


def test_charts_and_qr_codes_refer_to_no_other_host():
    charts = scores_chart(["1", "2", "3"], [40.0, 60.0, 80.0], "c1") + mastery_chart(
        ["openai", "crypto"], [50.0, 75.0], "c2"
    )
    buffer = io.BytesIO()
    segno.make("http://192.0.2.10:5000/join/ABCDEF").save(buffer, kind="svg")
    qr = buffer.getvalue().decode()
    assert "<svg" in charts and "<svg" in qr
    assert foreign_references(charts) == []
    # the QR code's own text is the join link, drawn, not fetched: only its markup counts
    assert foreign_references(qr) == []

"""The design tokens in static/css/app.css: every colour pair the components use for text meets
WCAG AA (4.5:1; 3:1 for large text and for the lines and marks of controls), in light and dark,
and the dark scheme is the same set of tokens twice (device preference, and a person's choice)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quizapp.config import shipped_dir

CSS = (Path(shipped_dir("static")) / "css" / "app.css").read_text(encoding="utf-8")
TEXT, NON_TEXT = 4.5, 3.0

# (foreground, background, minimum): each pair some component draws.
PAIRS = [
    *[(fg, bg, TEXT) for fg in ("text", "muted", "primary") for bg in ("bg", "surface", "sunken")],
    ("text", "primary-soft", TEXT),  # a checked choice row
    ("primary", "primary-soft", TEXT),  # the current menu link, a hovered button
    ("on-primary", "primary", TEXT),  # primary buttons, pressed switches
    *[
        (tone, background, TEXT)
        for tone in ("accent", "success", "danger", "warning")
        for background in ("bg", "surface", f"{tone}-soft")
    ],
    *[(("text"), f"{tone}-soft", TEXT) for tone in ("success", "danger", "warning", "accent")],
    ("control", "surface", NON_TEXT),  # borders of inputs and of the question map
    ("control", "bg", NON_TEXT),
]


def tokens(block_name: str) -> dict[str, str]:
    found = re.search(
        rf"/\* tokens:{block_name}.*?\*/(.*?)/\* end tokens:{block_name} \*/", CSS, re.S
    )
    assert found, f"no tokens:{block_name} block in app.css"
    return dict(re.findall(r"--color-([a-z-]+):\s*(#[0-9a-fA-F]{6})\s*;", found[1]))


def dark_blocks() -> list[dict[str, str]]:
    block = re.search(r"/\* tokens:dark.*?\*/(.*?)/\* end tokens:dark \*/", CSS, re.S)
    assert block
    bodies = re.findall(r":root[^{]*\{([^{}]*)\}", block[0])
    return [dict(re.findall(r"--color-([a-z-]+):\s*(#[0-9a-fA-F]{6})\s*;", b)) for b in bodies]


def luminance(hex_colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_is_computed_as_wcag_says():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # just fails AA
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)


def test_both_schemes_define_every_contract_token():
    contract = {"bg", "surface", "text", "muted", "border", "primary", "on-primary", "accent"}
    contract |= {"success", "danger", "warning", "focus"}
    for name in ("light", "dark"):
        assert contract <= set(tokens(name)), name


def test_the_dark_scheme_is_written_the_same_twice():
    device, chosen = dark_blocks()
    assert device == chosen
    assert len(device) == len(tokens("light"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("fg", "bg", "minimum"), PAIRS, ids=lambda v: str(v))
def test_colour_pairs_meet_wcag_aa(scheme, fg, bg, minimum):
    palette = tokens(scheme)
    ratio = contrast(palette[fg], palette[bg])
    assert ratio >= minimum, f"{scheme}: {fg} on {bg} is {ratio:.2f}:1, needs {minimum}:1"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_focus_ring_stands_out(scheme):
    """A yellow outline inside a ring of text colour: one of the two stands out from the page."""
    p = tokens(scheme)
    on_its_own = contrast(p["focus"], p["bg"]) >= NON_TEXT
    ringed = contrast(p["focus"], p["text"]) >= NON_TEXT and contrast(p["text"], p["bg"]) >= TEXT
    assert on_its_own or ringed

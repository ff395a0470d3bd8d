"""Server-rendered SVG charts (pygal), with no script and no remote asset."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import pygal
from markupsafe import Markup
from pygal.style import Style

# The charts sit inline in the page, so they take its colour tokens (light or dark, see
# static/css/app.css); the series colours are hex (pygal computes with them) and keep 3:1
# against both surfaces.
STYLE = Style(
    background="var(--color-surface, #ffffff)",
    plot_background="var(--color-surface, #ffffff)",
    foreground="var(--color-text, #1d1b26)",
    foreground_strong="var(--color-text, #1d1b26)",
    foreground_subtle="var(--color-muted, #55525f)",
    opacity=".9",
    opacity_hover="1",
    colors=("#6b63e0", "#2f9e5b", "#d2553f", "#b07a12"),
    font_family="'Atkinson Hyperlegible', system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    label_font_size=14,
    major_label_font_size=14,
    value_font_size=14,
    tooltip_font_size=14,
)
CONFIG = {
    "style": STYLE,
    "js": [],  # pygal's default pulls its tooltip script from a CDN: classrooms may be offline
    "disable_xml_declaration": True,
    "show_legend": False,
    "explicit_size": False,
    "width": 720,
    "height": 320,
    "range": (0, 100),
    "print_values": False,
}


def _inline(svg: str, labelledby: str) -> Markup:
    """Make the chart an image named by its caption; its data are in the table beside it.

    pygal always embeds its tooltip configuration as an inline script: with no tooltip script
    loaded it does nothing, so it goes (a page without scripts is simpler to audit). Its
    `<style>` element stays: the page gives it the request's CSP nonce (`csp_nonced`).
    """
    svg = re.sub(r"<script[^>]*>.*?</script>", "", svg, flags=re.S)
    # The CSP refuses style attributes; SVG's own presentation attribute says the same.
    svg = svg.replace(' style="opacity: 0"', ' opacity="0"')
    svg = re.sub(
        r"<svg ", f'<svg role="img" aria-labelledby="{labelledby}" focusable="false" ', svg, count=1
    )
    return Markup(svg)


def distinct_labels(dates: Sequence[str], times: Sequence[str]) -> list[str]:
    """One x label per point that tells it apart: its date, with its time where several points
    share a date, and a number where they share a minute too."""
    labels = [f"{d} {t}" if dates.count(d) > 1 else d for d, t in zip(dates, times, strict=True)]
    seen: dict[str, int] = {}
    result = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        result.append(label if labels.count(label) == 1 else f"{label} ({seen[label]})")
    return result


def scores_chart(labels: Sequence[str], percents: Sequence[float], labelledby: str) -> Markup:
    """The chart twice: drawn for a phone (shown below 40rem by app's CSS, `.chart--phone`) and
    for wider screens, so that its text stays at 13-14 px on either, never shrunk to 7 px."""
    values = tuple(round(p, 1) for p in percents)
    return Markup(
        _scores_chart(tuple(labels), values, labelledby, phone=True)
        + _scores_chart(tuple(labels), values, labelledby, phone=False)
    )


def mastery_chart(tags: Sequence[str], percents: Sequence[float], labelledby: str) -> Markup:
    return _mastery_chart(tuple(tags), tuple(round(p, 1) for p in percents), labelledby)


# A chart is a pure function of its data: a dashboard reloaded with the same results (the usual
# case) reuses the SVG instead of drawing it again (pygal takes some 10 ms a chart).
@lru_cache(maxsize=512)
def _scores_chart(
    labels: tuple[str, ...], percents: tuple[float, ...], labelledby: str, phone: bool
) -> Markup:
    # A phone shows the 360-pixel drawing at about its own size: few labels, steeper.
    size = {"width": 360, "height": 300} if phone else {}
    chart = pygal.Line(
        **{**CONFIG, **size},
        x_label_rotation=45 if phone else 30,
        show_minor_x_labels=False,
        x_labels_major_every=max(1, len(labels) // (3 if phone else 8)),
        truncate_label=-1,
        dots_size=4,
    )
    chart.x_labels = list(labels)
    chart.add("%", list(percents))
    svg = _inline(chart.render(is_unicode=True), labelledby)
    kind = "chart--phone" if phone else "chart--wide"
    return Markup(str(svg).replace('class="pygal-chart"', f'class="pygal-chart {kind}"', 1))


@lru_cache(maxsize=512)
def _mastery_chart(tags: tuple[str, ...], percents: tuple[float, ...], labelledby: str) -> Markup:
    chart = pygal.HorizontalBar(**{**CONFIG, "height": max(160, 48 * len(tags) + 60)})
    chart.x_labels = list(tags)
    chart.add("%", list(percents))
    return _inline(chart.render(is_unicode=True), labelledby)

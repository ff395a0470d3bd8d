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


def scores_chart(labels: Sequence[str], percents: Sequence[float], labelledby: str) -> Markup:
    return _scores_chart(tuple(labels), tuple(round(p, 1) for p in percents), labelledby)


def mastery_chart(tags: Sequence[str], percents: Sequence[float], labelledby: str) -> Markup:
    return _mastery_chart(tuple(tags), tuple(round(p, 1) for p in percents), labelledby)


# A chart is a pure function of its data: a dashboard reloaded with the same results (the usual
# case) reuses the SVG instead of drawing it again (pygal takes some 10 ms a chart).
@lru_cache(maxsize=512)
def _scores_chart(labels: tuple[str, ...], percents: tuple[float, ...], labelledby: str) -> Markup:
    chart = pygal.Line(
        **CONFIG,
        x_label_rotation=30,
        show_minor_x_labels=False,
        x_labels_major_every=max(1, len(labels) // 8),
        dots_size=4,
    )
    chart.x_labels = list(labels)
    chart.add("%", list(percents))
    return _inline(chart.render(is_unicode=True), labelledby)


@lru_cache(maxsize=512)
def _mastery_chart(tags: tuple[str, ...], percents: tuple[float, ...], labelledby: str) -> Markup:
    chart = pygal.HorizontalBar(**{**CONFIG, "height": max(160, 48 * len(tags) + 60)})
    chart.x_labels = list(tags)
    chart.add("%", list(percents))
    return _inline(chart.render(is_unicode=True), labelledby)

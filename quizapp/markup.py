"""Markdown from question files, rendered and sanitized: teachers' text never runs as HTML."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.anchors import anchors_plugin

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_TAGS = {
    "p",
    "em",
    "strong",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "br",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "h3",
    "h4",
    "del",
    "sup",
    "sub",
}


@lru_cache(maxsize=4096)
def _render(text: str) -> str:
    return nh3.clean(_md.render(text), tags=_TAGS, link_rel="noopener noreferrer")


def markdown(text: str | None) -> Markup:
    return Markup(_render(str(text or "")))


def markdown_inline(text: str | None) -> Markup:
    """Render a one-line text (a choice, a prompt in a list) without the wrapping paragraph."""
    html = _render(str(text or "")).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)


WEB_SCHEMES = frozenset({"http", "https"})


def is_web_url(url: str) -> bool:
    """Whether `url` is an absolute http(s) address (never `javascript:` or `data:`)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.netloc)


def web_url(url: str | None) -> str | None:
    """The address if it is safe to put in an href, else None: templates link only to these."""
    return url.strip() if url and is_web_url(url) else None


# The authoring guide (docs/AUTHORING*.md): our own text, with headings that its links point to.
_guide_md = (
    MarkdownIt("commonmark", {"html": False})
    .enable("table")
    .use(anchors_plugin, min_level=1, max_level=3)  # GitHub's ids: the guide's links work
)


@lru_cache(maxsize=4)
def guide(text: str) -> Markup:
    """Render the authoring guide, sanitized like everything else."""
    html = nh3.clean(
        _guide_md.render(text),
        tags=_TAGS | {"h1", "h2"},
        attributes={"h1": {"id"}, "h2": {"id"}, "h3": {"id"}, "a": {"href"}},
        link_rel="noopener noreferrer",
    )
    return Markup(html)

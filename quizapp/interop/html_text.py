"""HTML (Moodle's usual text format) to the Markdown our sets are written in, saying what it drops.

A small converter rather than a library (markdownify and html2text were considered): an import
must report each element it cannot carry over, and these libraries drop them silently.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_INLINE = {"strong": "**", "b": "**", "em": "*", "i": "*", "code": "`"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr"}
_KEPT = {"span", "font", "u", "sub", "sup", "small", "big", "tbody", "thead", "td", "th", "ul",
         "ol", "li", "br", "a", "html", "body", "head", "meta"} | set(_INLINE) | _BLOCK  # fmt: skip
_DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "video", "audio", "svg"}
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def looks_like_html(text: str) -> bool:
    return bool(_TAG.search(text))


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.dropped: list[str] = []
        self.skip = 0
        self.links: list[str | None] = []
        self.lists: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED_WITH_CONTENT:
            self.skip += 1
            self.dropped.append(tag)
            return
        if tag in _INLINE:
            self.out.append(_INLINE[tag])
        elif tag == "br":
            self.out.append("\n")
        elif tag in _BLOCK:
            self.out.append("\n\n")
        elif tag in ("ul", "ol"):
            self.lists.append(tag)
            self.out.append("\n")
        elif tag == "li":
            self.out.append("\n- " if not self.lists or self.lists[-1] == "ul" else "\n1. ")
        elif tag == "a":
            href = dict(attrs).get("href")
            if href and href.startswith(("http://", "https://")):
                self.out.append("[")
                self.links.append(href)
            else:
                self.links.append(None)
        elif tag == "img":
            self.dropped.append("img")
        elif tag not in _KEPT:
            self.dropped.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED_WITH_CONTENT:
            self.skip = max(0, self.skip - 1)
        elif tag in _INLINE:
            self.out.append(_INLINE[tag])
        elif tag in _BLOCK:
            self.out.append("\n\n")
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.out.append("\n\n")
        elif tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.out.append(f"]({href})")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.out.append(re.sub(r"[ \t\r\n]+", " ", data))


def html_to_markdown(html: str) -> tuple[str, list[str]]:
    """The text as Markdown, and the elements dropped (`img`, `script`, ...) in order."""
    converter = _Converter()
    converter.feed(html)
    converter.close()
    text = "".join(converter.out)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text, list(dict.fromkeys(converter.dropped))

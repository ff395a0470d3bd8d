"""French spacing, applied by the app so that authors and translators type ordinary spaces.

French puts a narrow no-break space (U+202F) before `?`, `!` and `;` and inside « », and a
no-break space (U+00A0) before `:`. Typed as ordinary spaces, a `?` can wrap onto a line of its
own on a phone. Only spaces that are already there are changed (and the inside of « »), so URLs,
times such as 10:30, `&amp;` and Markdown link targets, which have no space before their `:`,
`?` or `;`, are never touched.
"""

from __future__ import annotations

import re

from flask import Flask, Response

NNBSP = "\u202f"
NBSP = "\u00a0"

_BEFORE_MARK = re.compile(r"[ \t\u00a0\u202f]+(?=[?!;])")
_BEFORE_COLON = re.compile(r"[ \t\u00a0\u202f]+(?=:)")
_OPENING = re.compile(r"«\s*")
_CLOSING = re.compile(r"\s*»")
_MARKS = re.compile(r"[?!;:«»]")
# Elements whose text the pass leaves alone (a chart's <style>, code), left out of the search.
_VERBATIM_BLOCK = re.compile(
    r"<(code|pre|kbd|samp|textarea|script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I
)
# Whatever `french_spacing` would change: a space or tab before a mark, a no-break space of the
# other kind, two spaces, a « or » not already spaced with one U+202F. A page where this finds
# nothing (an English page whose only French is the language link; a French page already
# spaced by its catalog) comes out of the pass unchanged, so the pass is skipped. The pattern
# states the rule; `_needs_spacing` applies it fast (the tests hold one to the other).
_CANDIDATE = re.compile(
    r"[ \t][?!;:]|\u00a0[?!;]|\u202f:|[ \t\u00a0\u202f]{2}[?!;:]|«(?!\u202f\S)|(?<!\S\u202f)»"
)


def french_spacing(text: str) -> str:
    """Apply French spacing to plain text (no HTML)."""
    if not _MARKS.search(text):
        return text
    text = _BEFORE_MARK.sub(NNBSP, text)
    text = _BEFORE_COLON.sub(NBSP, text)
    if "«" in text or "»" in text:
        text = _OPENING.sub("«" + NNBSP, text)
        text = _CLOSING.sub(NNBSP + "»", text)
    return text


# --- on rendered HTML ---------------------------------------------------------------------------

# One pass: a comment, a decorative SVG (icons, the mark, the score ring: `aria-hidden`, no
# words to space, many tags to skip), an end tag (1), a start tag (2: name, 3: attributes,
# 4: self-closing), or text (5). A stray `<` is text.
_TOKEN = re.compile(
    r"<!--.*?-->|<!.*?>"
    r'|<svg aria-hidden="true"[^>]*>.*?</svg>'
    r"|</([a-zA-Z][a-zA-Z0-9-]*)\s*>"
    r"|<([a-zA-Z][a-zA-Z0-9-]*)([^>]*?)(/?)>"
    r"|([^<]+|<)",
    re.S,
)
_LANG = re.compile(r"""\slang\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track"}
    | {"wbr"}
)
# Text that is code, typed by the reader or not prose at all keeps its spaces.
_VERBATIM = frozenset({"code", "pre", "kbd", "samp", "textarea", "script", "style"})


def is_french(lang: str | None) -> bool:
    return lang is not None and (lang.lower() == "fr" or lang.lower().startswith("fr-"))


def french_spacing_html(html: str) -> str:
    """Apply French spacing to the text of every element whose language (`lang`, inherited) is
    French; tags, attributes, comments and code are left as they are."""
    # Each open element: (name, French?, verbatim?) as inherited at that point.
    stack: list[tuple[str, bool, bool]] = [("", False, False)]
    out: list[str] = []
    append = out.append
    for match in _TOKEN.finditer(html):
        end_name, name, attributes, self_closing, text = match.groups()
        if text is not None:
            _open, french, verbatim = stack[-1]
            append(french_spacing(text) if french and not verbatim else text)
            continue
        append(match.group())
        if end_name is not None:
            end_name = end_name.lower()
            for depth in range(len(stack) - 1, 0, -1):
                if stack[depth][0] == end_name:
                    del stack[depth:]
                    break
        elif name is not None:
            name = name.lower()
            if name in _VOID or self_closing:
                continue
            _open, french, verbatim = stack[-1]
            if "lang" in attributes:
                lang = _LANG.search(attributes)
                if lang:
                    french = is_french(next(v for v in lang.groups() if v is not None))
            stack.append((name, french, verbatim or name in _VERBATIM))
    return "".join(out)


_SPACES = " \t\u00a0\u202f"
# The language menu's French link (base.html), whose text is the one word "Français".
_FRENCH_LINK = 'lang="fr" hreflang="fr"'


def _needs_spacing(text: str) -> bool:
    """Whether `french_spacing` would change anything: a space or tab before a mark, a no-break
    space of the other kind, two spaces, a « or » not already spaced with one U+202F.

    Looked for around each mark (a page has a few dozen), not with one regular expression over
    the whole page: Python's `re` tries every alternative at every position, a millisecond a page.
    """
    for mark in _MARKS.finditer(text):
        i = mark.start()
        char = text[i]
        before = text[i - 1] if i else ""
        if char == "«":
            if text[i + 1 : i + 2] != NNBSP or not text[i + 2 : i + 3].strip():
                return True
        elif char == "»":
            if before != NNBSP or i < 2 or text[i - 2].isspace():
                return True
        elif (
            before in (" ", "\t")  # a typed space
            # the other kind of no-break space
            or (before in (NBSP, NNBSP) and (before == NBSP) != (char == ":"))
            or (i > 1 and before in _SPACES and text[i - 2] in _SPACES)  # two spaces
        ):
            return True
    return False


def apply_to_response(response: Response) -> Response:
    """Space the French parts of an HTML page (the interface in French, French sets and quotes)."""
    if (
        response.mimetype != "text/html"
        or response.direct_passthrough
        or response.is_streamed
        or response.status_code == 304
    ):
        return response
    html = response.get_data(as_text=True)
    if html.count('lang="fr') == 2 * html.count(_FRENCH_LINK):  # the link's lang and hreflang
        # The usual English page: its only French is the language menu's link, whose one word
        # has nothing to space. Two counts, against a search of the whole page (a tenth of the
        # question page's time).
        return response
    if not _needs_spacing(_VERBATIM_BLOCK.sub("", html)):
        # No space before a mark and no « »: the pass would change nothing (an English page
        # whose only French is the language link, a French page without such punctuation).
        return response
    response.set_data(french_spacing_html(html))
    return response


def init_app(app: Flask) -> None:
    app.after_request(apply_to_response)

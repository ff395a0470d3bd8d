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

_BEFORE_MARK = re.compile(r"[ \t\u00a0\u202f]+([?!;])")
_BEFORE_COLON = re.compile(r"[ \t\u00a0\u202f]+:")
_OPENING = re.compile(r"«\s*")
_CLOSING = re.compile(r"\s*»")


def french_spacing(text: str) -> str:
    """Apply French spacing to plain text (no HTML)."""
    if not any(mark in text for mark in "?!;:«»"):
        return text
    text = _BEFORE_MARK.sub(NNBSP + r"\1", text)
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _OPENING.sub("«" + NNBSP, text)
    return _CLOSING.sub(NNBSP + "»", text)


# --- on rendered HTML ---------------------------------------------------------------------------

_TOKEN = re.compile(r"<!--.*?-->|<[^>]*>|[^<]+|<", re.S)
_START = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)([^>]*?)(/?)>", re.S)
_END = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")
_LANG = re.compile(r"""\slang\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track"}
    | {"wbr", "!doctype"}
)
# Text that is code, typed by the reader or not prose at all keeps its spaces.
_VERBATIM = frozenset({"code", "pre", "kbd", "samp", "textarea", "script", "style"})


def is_french(lang: str | None) -> bool:
    return bool(lang) and (lang.lower() == "fr" or lang.lower().startswith("fr-"))


def french_spacing_html(html: str) -> str:
    """Apply French spacing to the text of every element whose language (`lang`, inherited) is
    French; tags, attributes, comments and code are left as they are."""
    # Each open element: (name, French?, verbatim?) as inherited at that point.
    stack: list[tuple[str, bool, bool]] = [("", False, False)]
    out: list[str] = []
    for match in _TOKEN.finditer(html):
        token = match.group()
        if token[0] != "<" or token == "<":
            _name, french, verbatim = stack[-1]
            out.append(french_spacing(token) if french and not verbatim else token)
            continue
        out.append(token)
        if token.startswith("</"):
            end = _END.fullmatch(token)
            if end:
                name = end[1].lower()
                for depth in range(len(stack) - 1, 0, -1):
                    if stack[depth][0] == name:
                        del stack[depth:]
                        break
            continue
        start = _START.fullmatch(token)
        if start is None:
            continue  # a comment, a doctype
        name = start[1].lower()
        if name in _VOID or start[3]:
            continue
        _parent, french, verbatim = stack[-1]
        lang = _LANG.search(start[2])
        if lang:
            french = is_french(next(value for value in lang.groups() if value is not None))
        stack.append((name, french, verbatim or name in _VERBATIM))
    return "".join(out)


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
    if 'lang="fr' not in html:
        return response  # the usual English page: nothing to do
    response.set_data(french_spacing_html(html))
    return response


def init_app(app: Flask) -> None:
    app.after_request(apply_to_response)

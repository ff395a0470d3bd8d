"""Line-level slips, found in one pass over the whole file before it is parsed.

A YAML parser stops at its first error, so a beginner would fix slips one run at a time. The
commonest ones can be seen on their own line: a tab in the indentation, a key without its colon,
a question without its `- `, an apostrophe inside single quotes, a quoted text never closed.
This pass finds them all; the reader reports them only when the parser fails too, so a guess
here can never refuse a file that reads well.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .messages import N_
from .yaml_errors import TAB, TAB_HINT
from .yaml_tree import FORGOTTEN_DASH, NEW_ITEM_HINT

NO_COLON = N_("the key `%(key)s` has no colon")
NO_COLON_HINT = N_("write `%(fix)s`")
NO_KEY_VALUE = N_("this line has no `key: value` form")
NO_KEY_VALUE_HINT = N_("write a colon after the key: `key: value`")
APOSTROPHE = N_("an apostrophe ends this text in single quotes")
APOSTROPHE_HINT = N_("inside single quotes write `''`, or use double quotes: \"%(text)s\"")
NOT_CLOSED = N_("this quoted text is not closed")
NOT_CLOSED_HINT = N_("end it with the same quote mark, %(mark)s, before the next key")


@dataclass(frozen=True, slots=True)
class Slip:
    line: int  # 1-based
    column: int
    message: str
    hint: str | None


_KEY = re.compile(r"(?P<key>[^\s#'\"\[\]{},:&*!|>%@`-][^:#]*?|-[^\s:#][^:#]*?)[ \t]*:(?:[ \t]|$)")
_BLOCK = re.compile(r"[|>][-+0-9]*[ \t]*(?:#.*)?$")
_WORD = re.compile(r"[^\W\d][\w-]*")


@dataclass
class _Level:
    column: int
    kind: str  # "map" or "seq"
    first_key: str | None = None  # for a list item: the key after its `- `
    dash: int | None = None  # for a list item: the column of its `- `


def find_slips(text: str) -> list[Slip]:
    return list(_Scanner(text.split("\n")).scan())


class _Scanner:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.levels: list[_Level] = []

    def scan(self) -> Iterator[Slip]:
        index = 0
        while index < len(self.lines):
            index, slips = self._line(index)
            yield from slips

    def _line(self, index: int) -> tuple[int, list[Slip]]:
        """Look at line `index` (and those that belong to its value); return the next one."""
        raw = self.lines[index].rstrip("\r")
        stripped = raw.lstrip(" \t")
        if not stripped or stripped.startswith("#") or raw.startswith(("---", "...")):
            return index + 1, []
        indent = raw[: len(raw) - len(stripped)]
        if "\t" in indent:
            return index + 1, [Slip(index + 1, indent.index("\t") + 1, TAB, TAB_HINT)]
        column = len(indent)
        rest = stripped
        while rest == "-" or rest.startswith("- "):  # `- - a`: nested items
            after = rest[1:].lstrip(" ")
            dash, column = column, column + len(rest) - len(after)
            rest = after
            key = _KEY.match(rest)
            self._item(dash, column, key["key"] if key else None)
            if not rest:
                return index + 1, []
        return self._content(index, column, rest, after_dash=column > len(indent))

    def _pop_above(self, column: int) -> None:
        while self.levels and self.levels[-1].column > column:
            self.levels.pop()

    def _key(self, column: int) -> None:
        """A key line at `column`: in the mapping there, or one that starts here."""
        self._pop_above(column)
        if self.levels and self.levels[-1].kind == "seq" and self.levels[-1].column == column:
            self.levels.pop()  # a list written at its parent's column has ended
        if not self.levels or self.levels[-1].column < column:
            self.levels.append(_Level(column, "map"))

    def _item(self, dash: int, column: int, first_key: str | None) -> None:
        """A `- ` at column `dash`, its content at `column`."""
        self._pop_above(dash)
        if not self.levels or self.levels[-1].kind != "seq" or self.levels[-1].column != dash:
            self.levels.append(_Level(dash, "seq"))
        if first_key is not None:  # `- text` is a scalar item, not a mapping
            self.levels.append(_Level(column, "map", first_key, dash))

    def _content(
        self, index: int, column: int, rest: str, *, after_dash: bool
    ) -> tuple[int, list[Slip]]:
        key = _KEY.match(rest)
        if key is None:
            return (index + 1, []) if after_dash else self._no_key(index, column, rest)
        name = key["key"]
        slips: list[Slip] = []
        if not after_dash:  # after a `- `, `_item` has opened the item's mapping
            dash = self._forgotten_dash(column, name)
            if dash is None:
                self._key(column)
            else:
                hint = NEW_ITEM_HINT % {"key": name}
                slips.append(Slip(index + 1, column + 1, FORGOTTEN_DASH % {"key": name}, hint))
                self._item(dash, max(column, dash + 2), name)
        value_column = column + key.end()
        value = rest[key.end() :].lstrip(" ")
        value_column += len(rest[key.end() :]) - len(value)
        next_index, value_slips = self._value(index, column, value_column, value)
        return next_index, slips + value_slips

    def _forgotten_dash(self, column: int, key: str) -> int | None:
        """The column of the `- ` this key line lacks, if its key starts every item of a list."""
        for level in reversed(self.levels):
            if level.dash is not None and level.first_key == key:
                return level.dash if column in (level.column, level.dash) else None
            if level.column < column:
                return None
        return None

    def _value(
        self, index: int, key_column: int, column: int, value: str
    ) -> tuple[int, list[Slip]]:
        if _BLOCK.match(value):
            return self._skip_block(index, key_column), []
        if value.startswith("'"):
            return self._quoted(index, key_column, column, value, "'")
        if value.startswith('"'):
            return self._quoted(index, key_column, column, value, '"')
        if value.startswith(("[", "{")):
            return self._skip_flow(index, value), []
        return index + 1, []

    def _quoted(
        self, index: int, key_column: int, column: int, value: str, mark: str
    ) -> tuple[int, list[Slip]]:
        end = _closing(value, 1, mark)
        if end is not None:
            after = value[end + 1 :]
            if mark == "'" and after[:1].isalpha():
                # 'aujourd'hui': the apostrophe closed the text; the rest cannot follow it.
                written = value.split(" #", 1)[0].rstrip()
                inner = written[1:-1] if written.endswith("'") else written[1:]
                fix = inner.replace("''", "'").replace('"', '\\"')
                slip = Slip(
                    index + 1, column + end + 1, APOSTROPHE, APOSTROPHE_HINT % {"text": fix}
                )
                return index + 1, [slip]
            return index + 1, []
        # The text goes on over the next lines, up to its closing mark: unless a key comes first.
        for later in range(index + 1, len(self.lines)):
            line = self.lines[later]
            stripped = line.lstrip(" ")
            line_column = len(line) - len(stripped)
            if stripped and line_column <= key_column and _KEY.match(stripped.lstrip("- ")):
                break
            if _closing(line, 0, mark) is not None:
                return later + 1, []
        slip = Slip(index + 1, column + 1, NOT_CLOSED, NOT_CLOSED_HINT % {"mark": mark})
        return index + 1, [slip]

    def _skip_block(self, index: int, key_column: int) -> int:
        later = index + 1
        while later < len(self.lines):
            line = self.lines[later]
            if line.strip() and len(line) - len(line.lstrip(" \t")) <= key_column:
                break
            later += 1
        return later

    def _skip_flow(self, index: int, value: str) -> int:
        depth = 0
        for later in range(index, len(self.lines)):
            text = value if later == index else self.lines[later]
            depth += sum(text.count(c) for c in "[{") - sum(text.count(c) for c in "]}")
            if depth <= 0:
                return later + 1
        return index + 1

    def _no_key(self, index: int, column: int, rest: str) -> tuple[int, list[Slip]]:
        at_key_column = any(level.kind == "map" and level.column == column for level in self.levels)
        if not at_key_column or rest.startswith(("[", "{", "'", '"', "-", "?", "|", ">")):
            return index + 1, []
        body = rest.split(" #", 1)[0].rstrip()
        word = _WORD.match(body)
        if word is None or word.end() > 30:
            return index + 1, [Slip(index + 1, column + 1, NO_KEY_VALUE, NO_KEY_VALUE_HINT)]
        key = word.group(0)
        tail = body[word.end() :].lstrip(" :")
        fix = f"{key}: {tail}" if tail else f"{key}:"
        slip = Slip(index + 1, column + word.end() + 1, NO_COLON % {"key": key}, None)
        return index + 1, [Slip(slip.line, slip.column, slip.message, NO_COLON_HINT % {"fix": fix})]


def _closing(text: str, start: int, mark: str) -> int | None:
    """The index of the mark that closes a quoted text begun before `start`, if on this line."""
    position = start
    while position < len(text):
        char = text[position]
        if mark == '"' and char == "\\":
            position += 2
            continue
        if char == mark:
            if mark == "'" and text[position + 1 : position + 2] == "'":
                position += 2  # '' is an escaped quote
                continue
            return position
        position += 1
    return None

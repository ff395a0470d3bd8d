"""YAML into plain values, without type guesses, keeping every node's position.

PyYAML's C composer builds the node tree (fast, with a mark on every node). We never let YAML
guess types: a quoted scalar is text, a plain one is text too unless it is a YAML 1.2 null, and
the schema turns text into numbers or booleans where a field wants one. So `no` stays "no",
`1.10` stays "1.10" and `2015-03-06` stays text. Duplicate keys are recorded as problems;
aliases are expanded under a node budget, so an alias bomb is refused rather than eating memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from .messages import N_

try:
    Loader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml: same results, slower
    Loader = yaml.SafeLoader

QUOTE_HINT = N_('put the text in quotes: prompt: "..."')
TOO_MANY = N_("more than %(count)s values (an alias bomb?)")
TOO_DEEP = N_("nested deeper than %(count)s levels")
TAG = N_("YAML tags such as `%(tag)s` are not supported")
KEY_NOT_TEXT = N_("a key must be plain text")
DUPLICATE_KEY = N_("duplicate key `%(key)s`")
ALREADY_SET = N_("it is already set at line %(line)s")
FORGOTTEN_DASH = N_("`%(key)s:` starts each item of this list, but here it has no `- `")
NEW_ITEM_HINT = N_("did you forget `- ` before `%(key)s:`?")

MAX_NODES = 200_000
MAX_DEPTH = 40
_NULLS = {"", "~", "null", "Null", "NULL"}
_QUOTED_STYLES = {"'", '"', "|", ">"}

Problem = tuple[yaml.Node, str, str | None]


def compose(text: str) -> yaml.Node | None:
    return yaml.compose(text, Loader=Loader)


class TooBig(Exception):
    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


class Mapping(dict[str, Any]):
    """A mapping as read, with the text it was written as when it is `text: text` on one line.

    `- Laszlo : deux pizzas` was meant as a text; the hint that says how to quote it must give
    back the teacher's text exactly, space before the colon included.
    """

    written: str | None = None


class Convert:
    """Turn a node tree into plain Python, recording duplicate keys and the node budget."""

    def __init__(self, text: str = "") -> None:
        self.text = text
        self.nodes = 0
        self.problems: list[Problem] = []

    def __call__(self, node: yaml.Node, depth: int = 0, *, item: bool = False) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise TooBig(node, TOO_MANY % {"count": f"{MAX_NODES:,}"})
        if depth > MAX_DEPTH:
            raise TooBig(node, TOO_DEEP % {"count": MAX_DEPTH})
        if node.tag and not node.tag.startswith("tag:yaml.org,2002:"):
            self.problems.append((node, TAG % {"tag": node.tag}, QUOTE_HINT))
        if isinstance(node, yaml.ScalarNode):
            if node.style in _QUOTED_STYLES or node.value not in _NULLS:
                return node.value
            return None
        if isinstance(node, yaml.SequenceNode):
            return [self(value, depth + 1, item=True) for value in node.value]
        assert isinstance(node, yaml.MappingNode)  # the composer makes no other kind
        return self._mapping(node, depth, item)

    def _mapping(self, node: yaml.MappingNode, depth: int, item: bool) -> Mapping:
        result = Mapping()
        # A block mapping ends where the next thing starts: its one value's end is the line's.
        start = node.start_mark
        end = node.value[0][1].end_mark if len(node.value) == 1 else node.end_mark
        if len(node.value) == 1 and start.line == end.line and self.text:
            result.written = self.text.split("\n")[start.line][start.column : end.column].strip()
        first: dict[str, yaml.Node] = {}
        keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append((key_node, KEY_NOT_TEXT, None))
                continue
            key = key_node.value
            if key in first:
                if item and key == keys[0]:
                    # The item's first key again: the `- ` of the next item is missing, and
                    # every key after it would be one more duplicate. Say it once.
                    self.problems.append(
                        (key_node, FORGOTTEN_DASH % {"key": key}, NEW_ITEM_HINT % {"key": key})
                    )
                    break
                line = first[key].start_mark.line + 1
                self.problems.append(
                    (key_node, DUPLICATE_KEY % {"key": key}, ALREADY_SET % {"line": line})
                )
                continue
            first[key] = key_node
            result[key] = self(value_node, depth + 1)
        return result


def locate(root: yaml.Node | None, path: Iterable[str | int], key: bool = False) -> yaml.Mark:
    """The mark of the value (or of its key) at `path`; the nearest existing ancestor if absent."""
    node = root
    key_node = None
    for step in path:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == step:
                    key_node, node = k, v
                    break
            else:
                return node.start_mark  # the key is missing: point at its mapping
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if step >= len(node.value):
                return node.start_mark
            key_node, node = None, node.value[step]
        else:
            break
    if key and key_node is not None:
        return key_node.start_mark
    assert node is not None
    return node.start_mark

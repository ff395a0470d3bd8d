"""Moodle XML: a hardened reader (defusedxml: no DTD entities, no external references) that
keeps each question's line, and a writer.

Read as Moodle's documentation describes the format (docs.moodle.org, "Moodle XML format"):
`<quiz>` holds `<question type="...">` elements: `category`, `multichoice` (`single`),
`truefalse`, `shortanswer` (`usecase`), `numerical` (`tolerance`, `units`), `matching`
(`subquestion`), `ordering`, with `name`, `questiontext`, `generalfeedback`, `defaultgrade`,
`shuffleanswers`, `answer fraction="..."` with its `feedback`, and `tags`.
"""

from __future__ import annotations

import contextlib
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from ..enums import MoodleKind
from ..qtypes.exchange import Answer, Exchange, percent
from .messages import (
    NOT_MOODLE_XML,
    NOT_XML,
    SKIPPED_DESCRIPTION,
    SKIPPED_ESSAY,
    XML_FORBIDDEN,
)
from .notes import Category, ConversionError, Read
from .text import slug, to_markdown

_TRUE = ("1", "true", "yes")


class _Lines(ET.TreeBuilder):
    """A tree builder that notes the line each element starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: Any = None
        self.lines: dict[int, int] = {}

    def start(self, tag: Any, attrs: Any) -> ET.Element:
        element = super().start(tag, attrs)
        self.lines[id(element)] = self.parser.parser.CurrentLineNumber if self.parser else 0
        return element


def parse(data: bytes, path: str) -> tuple[ET.Element, dict[int, int]]:
    """The tree and each element's line; ConversionError for XML that is not well formed or
    declares entities (entity bombs, external entities) or a DTD."""
    target = _Lines()
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    target.parser = parser
    try:
        parser.feed(data)
        root = parser.close()
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else 1
        problem = str(exc).split(":")[0]
        raise ConversionError(path, line, NOT_XML % {"problem": problem}) from None
    except DefusedXmlException:
        line = parser.parser.CurrentLineNumber or 1
        raise ConversionError(path, line, XML_FORBIDDEN) from None
    return root, target.lines


def _text(element: ET.Element | None, losses: list[str], child: str = "text") -> str | None:
    if element is None:
        return None
    node = element.find(child)
    raw = (node.text if node is not None else element.text) or ""
    if not raw.strip():
        return None
    return to_markdown(raw, element.get("format", "html"), losses) or None


def _value(question: ET.Element, tag: str) -> str | None:
    node = question.find(tag)
    return node.text.strip() if node is not None and node.text else None


def read(data: bytes, path: str) -> tuple[list[Read], list[Category]]:
    root, lines = parse(data, path)
    if root.tag != "quiz":
        raise ConversionError(path, lines.get(id(root), 1), NOT_MOODLE_XML % {"tag": root.tag})
    reads: list[Read] = []
    categories: list[Category] = []
    tags: list[str] = []
    for element in root.iter("question"):
        line = lines.get(id(element), 1)
        kind = element.get("type", "")
        if kind == MoodleKind.category:
            name = (element.findtext("category/text") or "").strip()
            label = name.split("/")[-1].strip()
            if label.lower() in ("top", "default", "$course$", "$system$", ""):
                tags = []
                continue
            tag = slug(label, "category")
            if tag not in [c.tag for c in categories]:
                categories.append(Category(tag, label))
            tags = [tag]
            continue
        reads.append(_question(element, kind, line, tags))
    return reads, categories


def _question(element: ET.Element, kind: str, line: int, tags: list[str]) -> Read:
    read = Read(line)
    if kind == MoodleKind.description:
        read.skip = SKIPPED_DESCRIPTION
        return read
    if kind == MoodleKind.essay:
        read.skip = SKIPPED_ESSAY
        return read
    losses = read.losses
    question = Exchange(kind)
    question.name = (element.findtext("name/text") or "").strip()
    question.text = _text(element.find("questiontext"), losses) or ""
    question.general_feedback = _text(element.find("generalfeedback"), losses)
    grade = _value(element, "defaultgrade")
    try:
        question.points = float(grade) if grade else 1.0
    except ValueError:
        question.points = 1.0
    question.shuffle = (_value(element, "shuffleanswers") or "1").lower() in _TRUE
    question.single = (_value(element, "single") or "true").lower() in _TRUE
    question.usecase = (_value(element, "usecase") or "0").lower() in _TRUE
    own_tags = [
        t.text.strip() for t in element.findall("tags/tag/text") if t.text and t.text.strip()
    ]
    question.tags = list(dict.fromkeys([*tags, *(slug(t, "tag") for t in own_tags)]))
    for option in ("gradingtype", "selecttype", "selectcount"):
        value = _value(element, option)
        if value is not None:
            question.options[option] = value
    for answer in element.findall("answer"):
        fraction_text = answer.get("fraction", "0")
        try:
            fraction = float(fraction_text)
        except ValueError:
            fraction = 0.0
        text = _text(answer, losses) or ""
        if kind != MoodleKind.ordering:
            fraction /= 100
        item = Answer(text, fraction, _text(answer.find("feedback"), losses))
        tolerance = _value(answer, "tolerance")
        if tolerance:
            with contextlib.suppress(ValueError):
                item.tolerance = abs(float(tolerance))
        question.answers.append(item)
    if kind == MoodleKind.ordering:
        # Moodle writes each item's position as its fraction.
        question.answers.sort(key=lambda a: a.fraction)
    for sub in element.findall("subquestion"):
        left = _text(sub, losses) or ""
        right = (sub.findtext("answer/text") or "").strip()
        question.pairs.append((left, right))
    for unit in element.findall("units/unit"):
        name = (unit.findtext("unit_name") or "").strip()
        try:
            multiplier = float(unit.findtext("multiplier") or 1)
        except ValueError:
            multiplier = 1.0
        if name:
            question.units.append((name, multiplier))
    read.question = question
    return read


# --- writing ------------------------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _texted(parent: ET.Element, tag: str, text: str, fmt: str = "markdown") -> ET.Element:
    element = _sub(parent, tag, format=fmt)
    _sub(element, "text", text)
    return element


def _number(value: float) -> str:
    return f"{value:.7f}"


def write_question(quiz: ET.Element, question: Exchange) -> None:
    element = _sub(quiz, "question", type=str(question.kind))
    name = _sub(element, "name")
    _sub(name, "text", question.name)
    _texted(element, "questiontext", question.text)
    _texted(element, "generalfeedback", question.general_feedback or "")
    _sub(element, "defaultgrade", _number(question.points))
    _sub(element, "penalty", "0.3333333")
    _sub(element, "hidden", "0")
    _sub(element, "idnumber", question.name)
    kind = question.kind
    if kind == MoodleKind.multichoice:
        _sub(element, "single", "true" if question.single else "false")
        _sub(element, "shuffleanswers", "true" if question.shuffle else "false")
        _sub(element, "answernumbering", "abc")
    elif kind == MoodleKind.shortanswer:
        _sub(element, "usecase", "1" if question.usecase else "0")
    elif kind == MoodleKind.matching:
        _sub(element, "shuffleanswers", "true")
        for left, right in question.pairs:
            sub = _texted(element, "subquestion", left, "plain_text")
            answer = _sub(sub, "answer")
            _sub(answer, "text", right)
    elif kind == MoodleKind.ordering:
        for option in ("layouttype", "selecttype", "selectcount", "gradingtype"):
            default = {"layouttype": "VERTICAL", "selectcount": "0"}.get(option, "")
            _sub(element, option, question.options.get(option, default))
        _sub(element, "showgrading", "SHOW")
        _sub(element, "numberingstyle", "none")
    for n, choice in enumerate(question.answers):
        fraction = str(n + 1) if kind == MoodleKind.ordering else percent(choice.fraction)
        node = _sub(element, "answer", fraction=fraction, format="plain_text")
        _sub(node, "text", choice.text)
        if kind == MoodleKind.numerical:
            _sub(node, "tolerance", f"{choice.tolerance or 0:g}")
        if choice.feedback:
            _texted(node, "feedback", choice.feedback)
    if kind == MoodleKind.numerical:
        units = _sub(element, "units")
        for unit_name, multiplier in question.units:
            unit = _sub(units, "unit")
            _sub(unit, "multiplier", f"{multiplier:g}")
            _sub(unit, "unit_name", unit_name)
        _sub(element, "unitgradingtype", "0")
        _sub(element, "unitpenalty", "0.1000000")
        _sub(element, "showunits", "3")
        _sub(element, "unitsleft", "0")
    if question.tags:
        tags = _sub(element, "tags")
        for tag in question.tags:
            node = _sub(tags, "tag")
            _sub(node, "text", tag)


def write(
    questions: list[tuple[Exchange, dict[str, object]]], category: str, notes: Sequence[str] = ()
) -> bytes:
    """A Moodle XML file: what it could not express (`notes`, as comments), the category, then
    the questions (texts in Markdown, which Moodle reads as its Markdown format; answers as
    plain text)."""
    quiz = ET.Element("quiz")
    for note in notes:
        quiz.append(ET.Comment(f" {note.replace('--', '- -')} "))
    head = _sub(quiz, "question", type="category")
    node = _sub(head, "category")
    _sub(node, "text", f"$course$/top/{category.replace('/', '-')}")
    for question, _ in questions:
        write_question(quiz, question)
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True) + b"\n"

"""A GIFT or Moodle XML file to one of our YAML sets, with a located warning for every loss."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from .. import qtypes
from ..bank.lint import lint
from ..bank.schema import Question, QuestionSetFile
from ..enums import ExchangeFormat, MoodleKind
from ..qtypes.exchange import Exchange
from .messages import (
    EMPTY,
    NO_EXPLANATION,
    NO_QUESTIONS,
    NOT_UTF8,
    SKIPPED_INVALID,
    SKIPPED_KIND,
    SKIPPED_NO_KEY,
    TOO_LARGE,
    UNKNOWN_FORMAT,
)
from .notes import Category, ConversionError, Note, Read
from .text import slug

MAX_BYTES = 2_000_000  # as a question file (bank/reader.py)
_QUESTION: TypeAdapter[Any] = TypeAdapter(Question)


@dataclass
class Conversion:
    """What an import gives: the YAML draft, its warnings, and how many questions it skipped."""

    yaml_text: str
    warnings: list[Note] = field(default_factory=list)
    skipped: int = 0
    converted: int = 0

    @property
    def exit_code(self) -> int:
        """0: everything converted; 1: something was skipped or approximated."""
        return 1 if self.skipped or any(note.loss for note in self.warnings) else 0


def guess_format(data: bytes, filename: str) -> ExchangeFormat:
    head = data[:2000].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return ExchangeFormat.moodle_xml
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xml":
        return ExchangeFormat.moodle_xml
    return ExchangeFormat.gift


def decode(data: bytes, path: str) -> str:
    if len(data) > MAX_BYTES:
        raise ConversionError(path, 1, TOO_LARGE % {"size": MAX_BYTES // 1_000_000})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConversionError(path, data[: exc.start].count(b"\n") + 1, NOT_UTF8) from None


def convert(
    data: bytes, filename: str, format: str | None = None, language: str = "en"
) -> Conversion:
    """Convert a GIFT or Moodle XML file (format guessed when None) into a YAML set in
    `language`; ConversionError (nothing converted) when the file cannot be read."""
    from . import gift, moodle_xml

    path = filename
    fmt = ExchangeFormat(format) if format else guess_format(data, filename)
    if fmt == ExchangeFormat.gift:
        reads, categories = gift.read(decode(data, path), path)
    elif fmt == ExchangeFormat.moodle_xml:
        if len(data) > MAX_BYTES:
            raise ConversionError(path, 1, TOO_LARGE % {"size": MAX_BYTES // 1_000_000})
        reads, categories = moodle_xml.read(data, path)
    else:
        raise ConversionError(path, 1, UNKNOWN_FORMAT)
    return build(reads, categories, path, fmt, language)


def _keys(question: Exchange) -> tuple[str, dict[str, Any], list[str]] | str:
    """Our type and keys for a question, and its losses; or why it is skipped."""
    for qtype in qtypes.REGISTRY.values():
        try:
            found = qtype.from_exchange(question)
        except (ValueError, TypeError, IndexError) as exc:
            return SKIPPED_INVALID % {"problem": str(exc)}
        if found is not None:
            keys, losses = found
            return qtype.name, keys, losses
    if question.kind in set(MoodleKind):
        return SKIPPED_NO_KEY
    return SKIPPED_KIND % {"kind": question.kind}


def build(
    reads: list[Read],
    categories: list[Category],
    path: str,
    fmt: ExchangeFormat,
    language: str,
) -> Conversion:
    conversion = Conversion("")
    questions: list[dict[str, Any]] = []
    lines: list[int] = []
    ids: set[str] = set()
    for read in reads:
        for loss in read.losses:
            conversion.warnings.append(Note(path, read.line, loss))
        question = read.question
        if read.skip or question is None:
            conversion.warnings.append(Note(path, read.line, read.skip or SKIPPED_NO_KEY))
            conversion.skipped += 1
            continue
        found = _keys(question)
        if isinstance(found, str):
            conversion.warnings.append(Note(path, read.line, found))
            conversion.skipped += 1
            continue
        name, keys, losses = found
        item = _question(question, name, keys, read, ids)
        try:
            model = _QUESTION.validate_python(item)
            problems = list(model.check(("questions", len(questions))))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"][1:])
            problem = f"{where}: {error['msg']}" if where else error["msg"]
            conversion.warnings.append(
                Note(path, read.line, SKIPPED_INVALID % {"problem": problem})
            )
            conversion.skipped += 1
            continue
        if problems:
            conversion.warnings.append(
                Note(path, read.line, SKIPPED_INVALID % {"problem": problems[0].message})
            )
            conversion.skipped += 1
            continue
        conversion.warnings.extend(Note(path, read.line, loss) for loss in losses)
        ids.add(item["id"])
        questions.append(item)
        lines.append(read.line)
    if not questions:
        skipped = [note for note in conversion.warnings if note.loss]
        if not skipped:
            raise ConversionError(path, 1, EMPTY)
        first = next((n for n in skipped if n.message.startswith("skipped")), skipped[0])
        raise ConversionError(path, first.line, NO_QUESTIONS % {"problem": first.message})
    document = _document(questions, reads, categories, path, language)
    model = QuestionSetFile.model_validate(document)
    for advice in lint(model):
        index = advice.path[1] if len(advice.path) > 1 else None
        line = lines[index] if isinstance(index, int) else 1
        if advice.message.endswith("has no explanation"):
            conversion.warnings.append(Note(path, line, NO_EXPLANATION, loss=False))
        else:
            conversion.warnings.append(Note(path, line, advice.message, loss=False))
    conversion.warnings.sort(key=lambda note: note.line)
    conversion.converted = len(questions)
    conversion.yaml_text = dump(document, lines, path, fmt)
    return conversion


def _question(
    question: Exchange, name: str, keys: dict[str, Any], read: Read, ids: set[str]
) -> dict[str, Any]:
    marks = read.marks
    base = slug(question.name or question.text[:40])
    if isinstance(marks.get("id"), str):
        base = slug(str(marks["id"]))
    identifier, n = base, 1
    while identifier in ids:
        n += 1
        identifier = f"{base}-{n}"
    item: dict[str, Any] = {"id": identifier, "type": name}
    prompt = question.text.strip() or question.name.strip()
    unit = marks.get("unit")
    if isinstance(unit, str) and prompt.endswith(f" ({unit})"):
        prompt = prompt[: -len(f" ({unit})")]
    item["prompt"] = prompt
    points = marks.get("points", question.points)
    if isinstance(points, int | float) and points != 1:
        item["points"] = int(points) if float(points).is_integer() else points
    explanation = keys.pop("explanation", None)
    item.update(keys)
    if isinstance(unit, str) and name == "numeric" and "unit" not in item:
        item["unit"] = unit
    if marks.get("type") == "order" and name == "match":
        # Our order type, written to GIFT as matching items to their positions.
        pairs = item.pop("pairs")
        ranked = sorted(pairs, key=lambda pair: int(pair[1]) if pair[1].isdigit() else 0)
        item["type"] = "order"
        item["items"] = [left for left, _ in ranked]
    feedback = "\n\n".join(t for t in (question.general_feedback, explanation) if t)
    if feedback:
        item["explanation"] = feedback
    tags = marks.get("tags") if isinstance(marks.get("tags"), list) else question.tags
    if tags:
        item["tags"] = [slug(str(tag), "tag") for tag in tags]
    return item


def _document(
    questions: list[dict[str, Any]],
    reads: list[Read],
    categories: list[Category],
    path: str,
    language: str,
) -> dict[str, Any]:
    stem = PurePath(path).stem
    title = categories[0].label if len(categories) == 1 else stem
    document: dict[str, Any] = {
        "id": slug(stem, "imported"),
        "title": title or "Imported questions",
        "language": language,
    }
    if len(categories) == 1:
        # One category for the whole file: the set's tag (and title), not each question's.
        tag = categories[0].tag
        document["tags"] = [tag]
        for question in questions:
            if tag in question.get("tags", []):
                question["tags"].remove(tag)
                if not question["tags"]:
                    del question["tags"]
    shuffles = [r.question.shuffle for r in reads if r.question is not None]
    if shuffles and not any(shuffles):
        document["settings"] = {"shuffle_choices": False}
    used = list(
        dict.fromkeys(
            [*document.get("tags", []), *(t for q in questions for t in q.get("tags", []))]
        )
    )
    labels = {c.tag: c.label for c in categories}
    if used:
        document["topics"] = {tag: labels.get(tag, tag.replace("-", " ")) for tag in used}
    document["questions"] = questions
    return document


# --- the YAML a teacher reads --------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _number(dumper: yaml.SafeDumper, value: float) -> yaml.ScalarNode:
    if value.is_integer():
        return dumper.represent_int(int(value))
    return dumper.represent_float(value)


_Dumper.add_representer(str, _text)
_Dumper.add_representer(float, _number)


def _yaml(value: Any) -> str:
    return yaml.dump(
        value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, indent=2
    )


def dump(document: dict[str, Any], lines: list[int], path: str, fmt: ExchangeFormat) -> str:
    """The set as YAML, in the order a teacher writes it, each question under a comment that
    names its line in the source file."""
    name = PurePath(path).name
    head = {k: v for k, v in document.items() if k != "questions"}
    parts = [
        "# yaml-language-server: $schema=schema.json",
        f"# Converted from {name} ({fmt.value}) by `flask questions import`.",
        "# Check the warnings it printed, then run `flask questions validate --strict`.",
        _yaml(head).rstrip(),
        "questions:",
    ]
    for question, line in zip(document["questions"], lines, strict=True):
        parts.append(f"  # {name}:{line}")
        block = _yaml([question]).rstrip()
        parts.append("\n".join(f"  {row}".rstrip() for row in block.splitlines()))
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"

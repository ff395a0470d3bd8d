"""Read question files: YAML with line:column kept, types from the schema, every error at once.

The steps live in their own modules: `slips` (line-level slips, before parsing), `yaml_tree`
(YAML into plain values, without type guesses), `yaml_errors` (PyYAML's messages in a teacher's
words), `schema_errors` (pydantic's), `quotes` (quotes against the source file) and `messages`
(all of them in the reader's language). This module runs them in order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from .diagnostics import Diagnostic, FileReport
from .images import check_images, folder_loader
from .lint import lint as lint_set
from .messages import N_
from .quotes import check_quotes, normalize_quote
from .schema import Problem, Question, QuestionSetFile, duplicate_ids
from .schema_errors import TYPE_MODELS, problems_from_pydantic
from .slips import find_slips
from .yaml_errors import describe
from .yaml_tree import MAX_NODES, Convert, TooBig, compose, locate

__all__ = [
    "MAX_NODES",
    "TYPE_MODELS",
    "Diagnostic",
    "FileReport",
    "content_hash",
    "normalize_quote",
    "read_bytes",
    "read_file",
]

MAX_BYTES = 2_000_000

CANNOT_READ = N_("cannot read the file: %(reason)s")
TOO_LARGE = N_("the file is larger than %(size)s MB")
SPLIT_HINT = N_("split it in sets")
NOT_UTF8 = N_("the file is not UTF-8 text")
UTF8_HINT = N_("save it as UTF-8 in your editor")
NOT_YAML = N_("not valid YAML: %(problem)s")
EMPTY_FILE = N_("the file is empty")
EMPTY_HINT = N_("start with `id:`, `title:`, `language:` and `questions:`")
NOT_A_MAPPING = N_("a question set is a mapping of keys (`id:`, `title:`, `questions:` ...)")


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_file(path: Path, display: str | None = None, *, lint: bool = True) -> FileReport:
    """Read, validate and (unless `lint` is false) lint one question file."""
    report = FileReport(path=path, display=display or str(path))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        report.add(1, 1, CANNOT_READ % {"reason": exc.strerror or exc})
        return report
    return _read(raw, report, path.parent, lint)


def read_bytes(raw: bytes, display: str, *, lint: bool = True) -> FileReport:
    """Read a question file given as bytes (an upload, a set kept in the database).

    Exactly as `read_file`, except that a `source.file` has no folder to be found in: quotes
    are not checked against it."""
    report = FileReport(path=Path(display), display=display)
    return _read(raw, report, None, lint)


def _read(raw: bytes, report: FileReport, base: Path | None, lint: bool) -> FileReport:
    text = _decode(raw, report)
    if text is None:
        return report
    root = _parse(text, report)
    if root is None:
        report.diagnostics.sort(key=lambda d: (d.line, d.column))
        return report
    convert = Convert(text)
    try:
        data = convert(root)
    except TooBig as exc:
        mark = exc.node.start_mark
        report.add(mark.line + 1, mark.column + 1, exc.message)
        return report
    for node, message, hint in convert.problems:
        report.add(node.start_mark.line + 1, node.start_mark.column + 1, message, hint)
    if not isinstance(data, dict):
        report.add(1, 1, NOT_A_MAPPING)
        return report
    model, problems = _validate(data, base)
    for problem in problems:
        mark = locate(root, problem.path, key=problem.key)
        report.add(mark.line + 1, mark.column + 1, problem.message, problem.hint)
    if not report.errors and model is not None and base is not None:
        check_images(
            report, model, folder_loader(base), lambda path: _line_column(locate(root, path))
        )
    if not report.errors:
        report.model = model
        if lint and model is not None:
            for problem in lint_set(model):
                mark = locate(root, problem.path, key=problem.key)
                report.diagnostics.append(
                    Diagnostic(
                        report.display,
                        mark.line + 1,
                        mark.column + 1,
                        "warning",
                        problem.message,
                        problem.hint,
                    )
                )
    report.diagnostics.sort(key=lambda d: (d.line, d.column))
    return report


def _line_column(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _text(path: Path, report: FileReport) -> str | None:
    """The file's text, or None with the reason in `report`."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        report.add(1, 1, CANNOT_READ % {"reason": exc.strerror or exc})
        return None
    return _decode(raw, report)


def _decode(raw: bytes, report: FileReport) -> str | None:
    """The bytes as text, or None with the reason in `report`."""
    report.content_hash = content_hash(raw)
    if len(raw) > MAX_BYTES:
        report.add(1, 1, TOO_LARGE % {"size": MAX_BYTES // 1_000_000}, SPLIT_HINT)
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.add(raw[: exc.start].count(b"\n") + 1, 1, NOT_UTF8, UTF8_HINT)
        return None


def _parse(text: str, report: FileReport) -> yaml.Node | None:
    """The node tree, or None with every slip of the file and the parser's own error."""
    try:
        root = compose(text)
    except yaml.MarkedYAMLError as exc:
        # The parser stops at its first error; the slips pass sees every line. A slip on the
        # parser's line is the better message for it.
        slips = find_slips(text)
        for slip in slips:
            report.add(slip.line, slip.column, slip.message, slip.hint)
        line, column, message, hint = describe(exc, text)
        if line not in {slip.line for slip in slips}:
            report.add(line, column, message, hint)
        return None
    except yaml.YAMLError as exc:
        report.add(1, 1, NOT_YAML % {"problem": exc})
        return None
    if root is None:
        report.add(1, 1, EMPTY_FILE, EMPTY_HINT)
    return root


_QUESTION = TypeAdapter(Question)


def _validate(
    data: dict[str, Any], base: Path | None
) -> tuple[QuestionSetFile | None, list[Problem]]:
    try:
        model = QuestionSetFile.model_validate(data)
    except ValidationError as exc:
        problems = list(problems_from_pydantic(exc, data))
        problems.extend(_check_valid_questions(data, base))
        return None, problems
    problems = list(model.check())
    source_file = model.source.file if model.source else None
    if base is not None:
        problems.extend(check_quotes(source_file, enumerate(model.questions), base))
    return model, problems


def _check_valid_questions(data: dict[str, Any], base: Path | None) -> Iterator[Problem]:
    """When a set fails validation, still check the questions that are valid on their own."""
    questions = data.get("questions")
    if not isinstance(questions, list):
        return
    yield from duplicate_ids([q.get("id") if isinstance(q, dict) else None for q in questions])
    valid = []
    for index, raw in enumerate(questions):
        try:
            question = _QUESTION.validate_python(raw)
        except ValidationError:
            continue
        valid.append((index, question))
        yield from question.check(("questions", index))
    source = data.get("source")
    if base is not None and isinstance(source, dict) and isinstance(source.get("file"), str):
        yield from check_quotes(source["file"], valid, base)


def question_lines(path: Path) -> dict[str, int]:
    """The line of each question's `id` in a question file (1-based); empty if unreadable.

    For messages that send a teacher to the YAML to fix a question (item analysis flags)."""
    report = FileReport(path=path, display=str(path))
    text = _text(path, report)
    root = _parse(text, report) if text is not None else None
    if not isinstance(root, yaml.MappingNode):
        return {}
    questions = next(
        (v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "questions"),
        None,
    )
    if not isinstance(questions, yaml.SequenceNode):
        return {}
    lines: dict[str, int] = {}
    for i, item in enumerate(questions.value):
        mark = locate(root, ("questions", i, "id"))
        id_node = next(
            (v for k, v in getattr(item, "value", []) if getattr(k, "value", None) == "id"), None
        )
        if isinstance(id_node, yaml.ScalarNode):
            lines[id_node.value] = mark.line + 1
    return lines

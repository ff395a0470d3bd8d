"""Read question files: YAML with line:column kept, types from the schema, every error at once.

PyYAML's C composer builds the node tree (fast, with a mark on every node). We never let YAML
guess types: a quoted scalar is text, a plain one is text too unless it is a YAML 1.2 null, and
the schema turns text into numbers or booleans where a field wants one. So `no` stays "no",
`1.10` stays "1.10" and `2015-03-06` stays text; `answer: yes` is refused for a true/false
question instead of silently meaning true. Duplicate keys are errors; aliases are expanded
under a node budget, so an alias bomb is refused rather than eating the memory.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher, get_close_matches
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from .. import qtypes
from .schema import (
    QUESTION_TYPES,
    Choice,
    Problem,
    Question,
    QuestionBase,
    QuestionSetFile,
    Settings,
    Source,
    duplicate_ids,
)

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml: same results, slower
    _Loader = yaml.SafeLoader

_QUOTE_HINT = 'put the text in quotes: prompt: "..."'
MAX_BYTES = 2_000_000
MAX_NODES = 200_000
MAX_DEPTH = 40
_NULLS = {"", "~", "null", "Null", "NULL"}
_QUOTED_STYLES = {"'", '"', "|", ">"}

TYPE_MODELS: dict[str, type[QuestionBase]] = {
    name: qtype.model for name, qtype in qtypes.REGISTRY.items()
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One message about a file, printed as `path:line:column: severity: message: hint`."""

    path: str
    line: int
    column: int
    severity: str  # "error" or "warning"
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"
        return f"{text}: {self.hint}" if self.hint else text

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class FileReport:
    """What reading one file gave: the validated set (None on any error) and its diagnostics."""

    path: Path
    display: str
    content_hash: str = ""
    model: QuestionSetFile | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


class _Convert:
    """Turn a node tree into plain Python, recording duplicate keys and the node budget."""

    def __init__(self) -> None:
        self.nodes = 0
        self.problems: list[tuple[yaml.Node, str, str | None]] = []

    def __call__(self, node: yaml.Node, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBig(node, f"more than {MAX_NODES:,} values (an alias bomb?)")
        if depth > MAX_DEPTH:
            raise _TooBig(node, f"nested deeper than {MAX_DEPTH} levels")
        if node.tag and not node.tag.startswith("tag:yaml.org,2002:"):
            self.problems.append(
                (node, f"YAML tags such as `{node.tag}` are not supported", _QUOTE_HINT)
            )
        if isinstance(node, yaml.ScalarNode):
            if node.style in _QUOTED_STYLES or node.value not in _NULLS:
                return node.value
            return None
        if isinstance(node, yaml.SequenceNode):
            return [self(item, depth + 1) for item in node.value]
        result: dict[str, Any] = {}
        first: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append((key_node, "a key must be plain text", None))
                continue
            key = key_node.value
            if key in first:
                line = first[key].start_mark.line + 1
                self.problems.append(
                    (key_node, f"duplicate key `{key}`", f"it is already set at line {line}")
                )
                continue
            first[key] = key_node
            result[key] = self(value_node, depth + 1)
        return result


class _TooBig(Exception):
    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


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


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_file(path: Path, display: str | None = None, *, lint: bool = True) -> FileReport:
    """Read, validate and (unless `lint` is false) lint one question file."""
    report = FileReport(path=path, display=display or str(path))

    def error(line: int, column: int, message: str, hint: str | None = None) -> None:
        report.diagnostics.append(Diagnostic(report.display, line, column, "error", message, hint))

    try:
        raw = path.read_bytes()
    except OSError as exc:
        error(1, 1, f"cannot read the file: {exc.strerror or exc}")
        return report
    report.content_hash = content_hash(raw)
    if len(raw) > MAX_BYTES:
        error(1, 1, f"the file is larger than {MAX_BYTES // 1_000_000} MB", "split it in sets")
        return report
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        error(line, 1, "the file is not UTF-8 text", "save it as UTF-8 in your editor")
        return report
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        error(line, column, *_syntax_entry(exc, text))
        return report
    except yaml.YAMLError as exc:
        error(1, 1, f"not valid YAML: {exc}")
        return report
    if root is None:
        error(1, 1, "the file is empty", "start with `id:`, `title:`, `language:` and `questions:`")
        return report
    convert = _Convert()
    try:
        data = convert(root)
    except _TooBig as exc:
        mark = exc.node.start_mark
        error(mark.line + 1, mark.column + 1, exc.message)
        return report
    for node, message, hint in convert.problems:
        error(node.start_mark.line + 1, node.start_mark.column + 1, message, hint)

    problems: list[Problem] = []
    model: QuestionSetFile | None = None
    if not isinstance(data, dict):
        error(1, 1, "a question set is a mapping of keys (`id:`, `title:`, `questions:` ...)")
        return report
    try:
        model = QuestionSetFile.model_validate(data)
    except ValidationError as exc:
        problems.extend(_problems_from_pydantic(exc, data))
        problems.extend(_check_valid_questions(data, path.parent))
    else:
        problems.extend(model.check())
        source_file = model.source.file if model.source else None
        problems.extend(check_quotes(source_file, enumerate(model.questions), path.parent))
    for problem in problems:
        mark = locate(root, problem.path, key=problem.key)
        error(mark.line + 1, mark.column + 1, problem.message, problem.hint)
    if report.errors:
        report.diagnostics.sort(key=lambda d: (d.line, d.column))
        return report
    report.model = model
    if lint and model is not None:
        from .lint import lint as lint_set

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


# --- YAML syntax errors, in a teacher's words -------------------------------------------------


_SYNTAX = [
    # (words of PyYAML's problem, our message or None to keep PyYAML's, our hint)
    (
        "mapping values are not allowed",
        "a `: ` in unquoted text is read as the start of a key",
        _QUOTE_HINT,
    ),
    ("tab character", "a tab character cannot be used for indentation", "indent with spaces"),
    (
        "found character '\\t'",
        "a tab character cannot be used for indentation",
        "indent with spaces",
    ),
    (
        "chomping or indentation",
        "a value starting with `>` or `|` is read as a block of text",
        _QUOTE_HINT,
    ),
    ("found undefined alias", "a value starting with `*` is read as an alias", _QUOTE_HINT),
    ("cannot start any token", "a value cannot start with this character (` @ %)", _QUOTE_HINT),
    (
        "expected alphabetic or numeric character",
        "a value starting with `&` or `*` is read as an anchor or alias",
        _QUOTE_HINT,
    ),
    (
        "found unknown escape character",
        "inside double quotes, `\\` starts an escape sequence",
        "use single quotes for text with backslashes, such as regular expressions: '\\d{4}'",
    ),
    (
        "could not find expected ':'",
        "this line has no `key: value` form",
        "check the indentation: items of a list start with `- ` at the same column",
    ),
    (
        "expected <block end>",
        "this line is not indented like the ones around it",
        "check the indentation: items of a list start with `- ` at the same column",
    ),
    (
        "did not find expected key",
        "a key was expected here",
        "check the indentation, and quote text that starts with [ { \" or '",
    ),
    (
        "did not find expected ',' or ']'",
        "a list in [brackets] is not closed as expected",
        "quote the items that contain commas or brackets",
    ),
    (
        "found unexpected end of stream",
        "a quoted text is not closed",
        "a text that starts with a quote must end with the same quote",
    ),
]


def _syntax_entry(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, str | None]:
    problem = (exc.problem or exc.context or "not valid YAML").strip()
    if _block_scalar_line(exc, text):
        return "a value starting with `>` or `|` is read as a block of text", _QUOTE_HINT
    for words, message, hint in _SYNTAX:
        if words in problem:
            return message or problem, hint
    return f"not valid YAML: {problem}", None


def _block_scalar_line(exc: yaml.MarkedYAMLError, text: str) -> bool:
    """Whether the error's line is `key: > text` or `key: | text` (block indicators, no block)."""
    mark = exc.problem_mark
    if mark is None:
        return False
    lines = text.split("\n")
    line = lines[mark.line] if mark.line < len(lines) else ""
    return re.search(r":\s+[>|][-+0-9]*\s+\S", line) is not None


# --- schema errors, in a teacher's words ------------------------------------------------------


def _fields(model: type[Any]) -> list[str]:
    return list(model.model_fields)


def _allowed_keys(path: tuple[Any, ...], data: Any) -> list[str]:
    if not path:
        return _fields(QuestionSetFile)
    head = path[0]
    if head == "source":
        return _fields(Source)
    if head == "settings":
        return _fields(Settings)
    if head == "questions" and len(path) == 2:
        question = _follow(data, path)
        model = TYPE_MODELS.get(question.get("type")) if isinstance(question, dict) else None
        if model:
            return _fields(model)
        return sorted({name for m in TYPE_MODELS.values() for name in m.model_fields})
    if head == "questions" and len(path) == 4 and path[2] == "choices":
        return _fields(Choice)
    return []


def _follow(data: Any, path: Iterable[Any]) -> Any:
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[str | int, ...]:
    """Drop the union tag pydantic puts in `loc`: `('questions', 0, 'single', 'answer')`."""
    path: list[str | int] = []
    node = data
    for step in loc:
        if isinstance(node, dict):
            if step not in node and step == node.get("type") and step in TYPE_MODELS:
                continue  # the question type, as the discriminated union names its branch
            path.append(step)
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int):
            path.append(step)
            node = node[step] if step < len(node) else None
        else:
            path.append(step)
            node = None
    return tuple(path)


def _problems_from_pydantic(exc: ValidationError, data: Any) -> Iterator[Problem]:
    seen: set[tuple[Any, ...]] = set()
    errors = [(err, _data_path(tuple(err["loc"]), data)) for err in exc.errors(include_url=False)]
    # `choises:` makes both an unknown key and a missing `choices`: the first says it all.
    misspelt = {
        (path[:-1], close[0])
        for err, path in errors
        if err["type"] == "extra_forbidden"
        and (close := get_close_matches(str(path[-1]), _allowed_keys(path[:-1], data), 1, 0.6))
    }
    for err, path in errors:
        if err["type"] == "missing" and (path[:-1], path[-1]) in misspelt:
            continue
        kind = err["type"]
        value = err.get("input")
        problem = _problem(kind, path, value, err, data)
        if problem is None:
            continue
        marker = (problem.path, problem.message)
        if marker not in seen:
            seen.add(marker)
            yield problem


def _did_you_mean(word: str, options: Iterable[str]) -> str | None:
    close = get_close_matches(str(word), list(options), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else None


def _colon_hint(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:
        key, inner = next(iter(value.items()))
        return f'a `: ` in unquoted text makes a key: put the text in quotes: "{key}: {inner}"'
    return None


def _problem(kind: str, path: tuple[Any, ...], value: Any, err: Any, data: Any) -> Problem | None:
    name = path[-1] if path else ""
    message = str(err["msg"]).removeprefix("Value error, ")
    in_choices = len(path) >= 3 and path[-3] == "choices"
    if (
        kind == "missing"
        and name == "text"
        and in_choices
        and _colon_hint(_follow(data, path[:-1]))
    ):
        return None  # `- Microsoft: Bing`: the unknown-key error says it better
    if kind == "missing":
        return Problem(path[:-1], f"missing required key `{name}`", key=True)
    if kind == "extra_forbidden":
        parent = _follow(data, path[:-1])
        hint = _did_you_mean(str(name), _allowed_keys(path[:-1], data))
        if hint is None and len(path) >= 3 and path[-3] == "choices":
            hint = _colon_hint(parent)
        if hint is None:
            allowed = ", ".join(f"`{k}`" for k in _allowed_keys(path[:-1], data))
            hint = f"allowed keys here: {allowed}" if allowed else None
        return Problem(path, f"unknown key `{name}`", hint, key=True)
    if kind == "union_tag_invalid":
        return Problem(
            (*path, "type"),
            f"unknown question type {err['ctx']['tag']!r}",
            _did_you_mean(err["ctx"]["tag"], QUESTION_TYPES)
            or "use one of: " + ", ".join(QUESTION_TYPES),
        )
    if kind == "union_tag_not_found":
        return Problem(
            path, "missing required key `type`", "one of: " + ", ".join(QUESTION_TYPES), key=True
        )
    if kind == "value_error" and message == "expected true or false":
        return Problem(path, message, "only true and false are booleans: yes, no, on, off are text")
    if kind in {"string_type", "float_type", "int_type", "bool_type"} and isinstance(value, dict):
        hint = _colon_hint(value) or "this is a mapping of keys: check the indentation"
        return Problem(path, f"expected {_expected(kind)}, found a mapping", hint)
    if kind in {"string_type", "float_type", "int_type"} and isinstance(value, list):
        return Problem(path, f"expected {_expected(kind)}, found a list")
    if kind in {"string_type", "float_type", "int_type", "bool_type"} and value is None:
        return Problem(path, f"{_label(path)} is empty", f"give {_expected(kind)}")
    if kind in {"float_parsing", "float_type"}:
        return Problem(
            path,
            f"expected a number, found {value!r}",
            "write digits with a dot for decimals: 10.5",
        )
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return Problem(path, f"expected a whole number, found {value!r}")
    if kind == "literal_error":
        expected = err["ctx"]["expected"]
        options = re.findall(r"'([^']*)'", expected)
        return Problem(
            path,
            f"{value!r} is not allowed here, expected {expected}",
            _did_you_mean(str(value), options),
        )
    if kind == "string_pattern_mismatch":
        if name == "language":
            return Problem(path, f"{value!r} is not a language tag", "use a BCP 47 tag: fr, en")
        return Problem(
            path,
            f"{value!r} is not a valid id",
            "use lowercase letters, digits and hyphens, e.g. `founding-year`",
        )
    if kind == "string_too_short":
        return Problem(path, f"{_label(path)} is empty")
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        bound = f"{next(iter(err['ctx'].values())):g}"
        words = {
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "greater_than": "more than",
            "less_than": "less than",
        }[kind]
        return Problem(path, f"`{_label(path)}` must be {words} {bound}, not {value}")
    if kind == "finite_number":
        return Problem(path, f"expected a finite number, found {value!r}")
    if kind == "too_long":
        count = err["ctx"]["max_length"]
        if len(path) >= 2 and path[-2] == "pairs":
            return Problem(path, "a pair has exactly two sides", "write it as [left, right]")
        return Problem(path, f"`{_label(path)}` has more than {count} items")
    if kind == "too_short" and len(path) >= 2 and path[-2] == "pairs":
        return Problem(path, "a pair has exactly two sides", "write it as [left, right]")
    if kind == "too_short":
        what = "question" if name == "questions" else "item"
        count = err["ctx"]["min_length"]
        return Problem(path, f"`{name}` needs at least {count} {what}{'s' if count > 1 else ''}")
    if kind == "list_type":
        return Problem(path, f"`{name}` must be a list", "put each item on its own line: - ...")
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        if value is None:
            return Problem(
                path,
                f"{_label(path)} is empty",
                "write the text; quote it if it is yes, no, null or ~",
            )
        return Problem(path, f"`{_label(path)}` must be a mapping of keys and values")
    return Problem(path, message)


def _label(path: tuple[Any, ...]) -> str:
    """`max_attempts`, or `choices` item 2, for messages about the value at `path`."""
    if len(path) >= 3 and path[-1] == "text" and path[-3] == "choices":
        path = path[:-1]  # a choice's text is, to a teacher, the choice
    if path and isinstance(path[-1], int):
        parent = path[-2] if len(path) > 1 else "list"
        return f"{parent} item {path[-1] + 1}"
    return str(path[-1]) if path else "the file"


def _expected(kind: str) -> str:
    return {
        "string_type": "text",
        "float_type": "a number",
        "int_type": "a whole number",
        "bool_type": "true or false",
    }.get(kind, "a value")


# --- quotes against the source file -----------------------------------------------------------

_QUOTE_MARKS = str.maketrans(
    {"’": "'", "‘": "'", "ʼ": "'", "«": '"', "»": '"', "“": '"', "”": '"', "„": '"'}
)


def normalize_quote(text: str) -> str:
    """Compare quotes as a teacher sees them: spacing and typographic quote marks do not count."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTE_MARKS)
    text = " ".join(text.split())
    return re.sub(r'\s*"\s*', '"', text)


@dataclass(frozen=True)
class _Source:
    normalized: str
    sentences: list[str]  # as written, for the "closest passage" hint


_SOURCE_CACHE: dict[tuple[Path, float], _Source] = {}
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*(?:[\s\u00a0\u202f]*[»”\"])?")


def _source_text(path: Path) -> _Source:
    key = (path, path.stat().st_mtime)
    if key not in _SOURCE_CACHE:
        text = path.read_text(encoding="utf-8")
        sentences = [" ".join(m.split()) for m in _SENTENCE.findall(text) if m.strip()]
        _SOURCE_CACHE[key] = _Source(normalize_quote(text), sentences)
    return _SOURCE_CACHE[key]


def closest_passage(quote: str, sentences: list[str]) -> str:
    """The sentence of the source most like the quote, as written there."""
    target = normalize_quote(quote)
    return max(
        sentences,
        key=lambda s: SequenceMatcher(None, target, normalize_quote(s)).ratio(),
        default="",
    )[:240]


_QUESTION = TypeAdapter(Question)


def _check_valid_questions(data: dict[str, Any], base: Path) -> Iterator[Problem]:
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
    if isinstance(source, dict) and isinstance(source.get("file"), str):
        yield from check_quotes(source["file"], valid, base)


def check_quotes(
    source_file: str | None, questions: Iterable[tuple[int, QuestionBase]], base: Path
) -> Iterator[Problem]:
    if source_file is None:
        return
    try:
        source = _source_text((base / source_file).resolve())
    except (OSError, UnicodeDecodeError):
        yield Problem(
            ("source", "file"),
            f"cannot read the source file {source_file!r}",
            "the path is relative to this YAML file",
        )
        return
    for index, question in questions:
        quote = question.quote_text
        if quote and normalize_quote(quote) not in source.normalized:
            passage = closest_passage(quote, source.sentences)
            # A plain `quote: "..."` has no `text` key: the reader points at the quote itself.
            yield Problem(
                ("questions", index, "quote", "text"),
                "the quote is not in the source file",
                f"the closest passage is: {passage}" if passage else None,
            )

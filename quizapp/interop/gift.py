"""Moodle's GIFT format: a reader that keeps each question's line, and a writer.

Read as Moodle's documentation describes it (docs.moodle.org, "GIFT format"): questions are
separated by blank lines; `//` starts a comment line; `::title::`, a `[html|markdown|plain|moodle]`
format, the text, then the answers in braces: `=right ~wrong`, `%50%` weights, `#feedback`,
`####general feedback`, `{T}`/`{F}`, `{#3:2}` and `{#1..5}`, `=left -> right`; text after the
braces makes a missing-word question; `$CATEGORY:` sets the category; `\\` escapes `~=#{}:`.

Comments that start with `// quizapp:` carry what GIFT cannot say (our type, points, tags, unit)
as JSON, for a round trip through GIFT; Moodle ignores them as it does every comment.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..enums import MoodleKind
from ..qtypes.exchange import Answer, Exchange, percent
from .messages import (
    BAD_MATCH,
    BAD_NUMBER,
    BAD_WEIGHT,
    MISSING_WORD,
    NESTED_BRACE,
    SECOND_BLOCK,
    SKIPPED_DESCRIPTION,
    SKIPPED_ESSAY,
    STRAY_CLOSE,
    STRAY_EQUALS,
    TEXT_BEFORE_ANSWER,
    UNCLOSED_BRACE,
    UNCLOSED_TITLE,
)
from .notes import Category, ConversionError, Read
from .text import slug, to_markdown

MARK = "// quizapp:"
# Escaped characters become private-use characters while parsing, then themselves again.
_ESCAPES = {"\\\\": "\ue000", "\\~": "\ue001", "\\=": "\ue002", "\\#": "\ue003",
            "\\{": "\ue004", "\\}": "\ue005", "\\:": "\ue006", "\\n": "\ue007"}  # fmt: skip
_RESTORE = {v: k[1] for k, v in _ESCAPES.items()} | {"\ue007": "\n"}
_ESCAPE_RE = re.compile("|".join(re.escape(k) for k in _ESCAPES))
_FORMAT = re.compile(r"^\s*\[(html|markdown|plain|moodle)\]", re.I)
_WEIGHT = re.compile(r"^%(-?\d+(?:[.,]\d+)?)%")
_TRUE_FALSE = re.compile(r"^(T|TRUE|F|FALSE)\s*(?:#([^#]*))?(?:#(.*))?$", re.S)


def _protect(text: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group(0)], text)


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(c, c) for c in text)


@dataclass
class _Block:
    line: int  # of its first line
    text: str  # its lines, comment lines left empty (so offsets still give lines)
    marks: dict[str, object]

    def line_at(self, offset: int) -> int:
        return self.line + self.text.count("\n", 0, max(0, offset))


def _blocks(source: str, path: str) -> list[_Block]:
    blocks: list[_Block] = []
    lines: list[str] = []
    start = 0
    marks: dict[str, object] = {}
    pending: dict[str, object] = {}
    for number, raw in enumerate(source.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("//"):
            if stripped.startswith(MARK):
                try:
                    value = json.loads(stripped[len(MARK) :])
                    if isinstance(value, dict):
                        (marks if lines else pending).update(value)
                except ValueError:
                    pass  # someone else's comment
            if lines:
                lines.append("")
            continue
        if not stripped:
            if lines:
                blocks.append(_Block(start, "\n".join(lines), marks))
                lines, marks = [], {}
            continue
        if not lines:
            start, marks, pending = number, pending, {}
        lines.append(raw)
    if lines:
        blocks.append(_Block(start, "\n".join(lines), marks))
    return blocks


def read(source: str, path: str) -> tuple[list[Read], list[Category]]:
    """Every question of a GIFT file at its line; ConversionError on malformed GIFT."""
    reads: list[Read] = []
    categories: list[Category] = []
    tags: list[str] = []
    for block in _blocks(source, path):
        stripped = block.text.strip()
        if stripped.startswith("$CATEGORY:"):
            first, _, rest = stripped.partition("\n")
            if rest.strip():  # a question right under the category, without a blank line
                offset = block.text.index(first) + len(first) + 1
                after = _Block(block.line_at(offset), block.text[offset:], block.marks)
                following = [after]
            else:
                following = []
            name = first[len("$CATEGORY:") :].strip()
            label = name.split("/")[-1].strip() or name
            if label.lower() in ("top", "default", "$course$", "$system$", ""):
                tags = []
            else:
                tag = slug(label, "category")
                if tag not in [c.tag for c in categories]:
                    categories.append(Category(tag, label))
                tags = [tag]
            reads.extend(_question(b, path, tags) for b in following)
            continue
        reads.append(_question(block, path, tags))
    return reads, categories


def _fail(block: _Block, offset: int, path: str, message: str) -> ConversionError:
    return ConversionError(path, block.line_at(offset), message)


def _question(block: _Block, path: str, tags: list[str]) -> Read:
    text = _protect(block.text)
    offset = len(text) - len(text.lstrip())
    rest = text.lstrip()
    title = ""
    if rest.startswith("::"):
        end = rest.find("::", 2)
        if end < 0:
            raise _fail(block, offset, path, UNCLOSED_TITLE)
        title = _restore(rest[2:end]).strip()
        offset += end + 2
        rest = rest[end + 2 :]
    opening = rest.find("{")
    closing = rest.find("}")
    read = Read(block.line, marks=dict(block.marks))
    if opening < 0:
        if closing >= 0:
            raise _fail(block, offset + closing, path, STRAY_CLOSE)
        read.skip = SKIPPED_DESCRIPTION
        return read
    if 0 <= closing < opening:
        raise _fail(block, offset + closing, path, STRAY_CLOSE)
    closing = rest.find("}", opening)
    if closing < 0:
        raise _fail(block, offset + opening, path, UNCLOSED_BRACE)
    nested = rest.find("{", opening + 1, closing)
    if nested >= 0:
        raise _fail(block, offset + nested, path, NESTED_BRACE)
    after = rest[closing + 1 :]
    for char in "{}":
        if char in after:
            position = offset + closing + 1 + after.index(char)
            raise _fail(block, position, path, SECOND_BLOCK if char == "{" else STRAY_CLOSE)
    before = rest[:opening]
    fmt = "moodle"
    match = _FORMAT.match(before)
    if match:
        fmt = match.group(1).lower()
        before = before[match.end() :]
    prompt = before.strip()
    if after.strip():
        prompt = f"{prompt} _____ {after.strip()}".strip()
        read.losses.append(MISSING_WORD)
    body = rest[opening + 1 : closing]
    body_offset = offset + opening + 1
    general = None
    split = body.find("####")
    if split >= 0:
        general = body[split + 4 :]
        body = body[:split]
    question = Exchange(
        MoodleKind.multichoice, name=title, tags=list(tags), points=1.0, shuffle=True
    )
    question.text = to_markdown(_restore(prompt), fmt, read.losses)
    if general is not None and general.strip():
        question.general_feedback = to_markdown(_restore(general).strip(), fmt, read.losses)
    answers = body.strip()
    if not answers:
        read.skip = SKIPPED_ESSAY
        return read
    if answers.startswith("#"):
        _numerical(question, answers[1:], block, body_offset, path, fmt, read.losses)
    elif (true_false := _TRUE_FALSE.match(answers)) is not None:
        right = true_false.group(1).upper().startswith("T")
        wrong_feedback, right_feedback = (
            _feedback(g, fmt, read.losses) for g in true_false.groups()[1:]
        )
        question.kind = MoodleKind.truefalse
        question.answers = [
            Answer("true", 1.0 if right else 0.0, right_feedback if right else wrong_feedback),
            Answer("false", 0.0 if right else 1.0, wrong_feedback if right else right_feedback),
        ]
    else:
        _choices(question, body, block, body_offset, path, fmt, read.losses)
    read.question = question
    return read


def _feedback(text: str | None, fmt: str, losses: list[str]) -> str | None:
    if text is None or not text.strip():
        return None
    return to_markdown(_restore(text).strip(), fmt, losses)


def _tokens(
    body: str, block: _Block, offset: int, path: str, marks: str = "=~"
) -> list[tuple[str, str, int]]:
    """(mark, text after it, offset of the mark) for each answer."""
    starts = [i for i, c in enumerate(body) if c in marks]
    if not starts:
        return []
    if body[: starts[0]].strip():
        raise _fail(block, offset, path, TEXT_BEFORE_ANSWER)
    tokens = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(body)
        tokens.append((body[start], body[start + 1 : end], offset + start))
    return tokens


def _weight(text: str, block: _Block, where: int, path: str) -> tuple[float | None, str]:
    stripped = text.lstrip()
    if not stripped.startswith("%"):
        return None, text
    match = _WEIGHT.match(stripped)
    if match is None:
        found = stripped.split()[0] if stripped.split() else "%"
        raise _fail(block, where, path, BAD_WEIGHT % {"weight": _restore(found)})
    return float(match.group(1).replace(",", ".")) / 100, stripped[match.end() :]


def _split_feedback(text: str) -> tuple[str, str | None]:
    if "#" in text:
        head, feedback = text.split("#", 1)
        return head, feedback
    return text, None


def _choices(
    question: Exchange,
    body: str,
    block: _Block,
    offset: int,
    path: str,
    fmt: str,
    losses: list[str],
) -> None:
    tokens = _tokens(body, block, offset, path)
    if not tokens:
        raise _fail(block, offset, path, TEXT_BEFORE_ANSWER)
    matching = any("->" in text for mark, text, _ in tokens)
    answers: list[Answer] = []
    for mark, raw, where in tokens:
        weight, rest = _weight(raw, block, where, path)
        text, feedback = _split_feedback(rest)
        if not _restore(text).strip():
            raise _fail(block, where, path, STRAY_EQUALS % {"mark": mark})
        if matching:
            if mark != "=" or "->" not in text:
                raise _fail(block, where, path, BAD_MATCH)
            left, right = text.split("->", 1)
            question.pairs.append((_plain(left, fmt, losses), _plain(right, fmt, losses)))
            continue
        fraction = weight if weight is not None else (1.0 if mark == "=" else 0.0)
        answers.append(
            Answer(_plain(text, fmt, losses), fraction, _feedback(feedback, fmt, losses))
        )
    if matching:
        question.kind = MoodleKind.matching
    elif any(mark == "~" for mark, _, _ in tokens):
        question.kind = MoodleKind.multichoice
        # As Moodle reads GIFT: without an `=` answer, several answers may be chosen.
        question.single = any(mark == "=" for mark, _, _ in tokens)
    else:
        question.kind = MoodleKind.shortanswer
    question.answers = answers


def _plain(text: str, fmt: str, losses: list[str]) -> str:
    return to_markdown(_restore(text).strip(), fmt, losses)


def _number(text: str, block: _Block, where: int, path: str) -> float:
    written = _restore(text).strip()
    try:
        value = float(written.replace(",", "."))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise _fail(block, where, path, BAD_NUMBER % {"text": written})
    return value


def _numeric_answer(text: str, fraction: float, block: _Block, where: int, path: str) -> Answer:
    value, feedback = _split_feedback(text)
    value = value.strip()
    if not value:
        raise _fail(block, where, path, STRAY_EQUALS % {"mark": "="})
    if ".." in value:
        low_text, high_text = value.split("..", 1)
        low, high = (_number(t, block, where, path) for t in (low_text, high_text))
        answer = Answer(f"{(low + high) / 2:g}", fraction, tolerance=(high - low) / 2)
        answer.low, answer.high = low, high
    elif "\ue006" in value or ":" in value:
        number, tolerance = re.split("[:\ue006]", value, maxsplit=1)
        answer = Answer(
            f"{_number(number, block, where, path):g}",
            fraction,
            tolerance=abs(_number(tolerance, block, where, path)),
        )
    else:
        answer = Answer(f"{_number(value, block, where, path):g}", fraction, tolerance=0.0)
    answer.feedback = feedback.strip() if feedback and feedback.strip() else None
    if answer.feedback:
        answer.feedback = _restore(answer.feedback)
    return answer


def _numerical(
    question: Exchange,
    body: str,
    block: _Block,
    offset: int,
    path: str,
    fmt: str,
    losses: list[str],
) -> None:
    question.kind = MoodleKind.numerical
    if body.strip().startswith(("=", "~")):
        for mark, raw, where in _tokens(body, block, offset, path):
            weight, rest = _weight(raw, block, where, path)
            fraction = weight if weight is not None else (1.0 if mark == "=" else 0.0)
            question.answers.append(_numeric_answer(rest, fraction, block, where, path))
    else:
        question.answers.append(_numeric_answer(body, 1.0, block, offset, path))


# --- writing ------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Text as GIFT writes it: `~=#{}:` and backslashes escaped, newlines as `\\n`."""
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def _answer_line(mark: str, answer: Answer, weight: bool) -> str:
    head = f"{mark}%{percent(answer.fraction)}%" if weight else mark
    line = f"\t{head}{escape(answer.text)}"
    return f"{line} #{escape(answer.feedback)}" if answer.feedback else line


def write_question(question: Exchange, marks: dict[str, object]) -> str:
    """One question as GIFT (Moodle's order: title, [markdown] text, the answers)."""
    lines = []
    if marks:
        lines.append(f"{MARK} {json.dumps(marks, ensure_ascii=False)}")
    text = question.text + (f" ({question.prompt_note})" if question.prompt_note else "")
    head = f"::{escape(question.name)}::[markdown]{escape(text)}"
    body: list[str] = []
    kind = question.kind
    if kind == MoodleKind.truefalse:
        right = next(a for a in question.answers if a.fraction > 0)
        body_text = "TRUE" if right.text == "true" else "FALSE"
        general = f"####{escape(question.general_feedback)}" if question.general_feedback else ""
        lines.append(f"{head}{{{body_text}{general}}}")
        return "\n".join(lines)
    if kind == MoodleKind.multichoice:
        for answer in question.answers:
            if question.single:
                mark = "=" if answer.fraction >= 1 - 1e-9 else "~"
                body.append(_answer_line(mark, answer, weight=False))
            else:
                body.append(_answer_line("~", answer, weight=True))
    elif kind == MoodleKind.shortanswer:
        body.extend(_answer_line("=", a, weight=a.fraction < 1 - 1e-9) for a in question.answers)
    elif kind == MoodleKind.numerical:
        answer = question.answers[0]
        if answer.low is not None and answer.high is not None:
            value = f"{answer.low:g}..{answer.high:g}"
        else:
            value = f"{float(answer.text):g}:{answer.tolerance or 0:g}"
        body.append(f"\t={value}")
        lines.append(f"{head}{{#")
        lines.extend(body)
        if question.general_feedback:
            lines.append(f"\t####{escape(question.general_feedback)}")
        lines.append("}")
        return "\n".join(lines)
    elif kind == MoodleKind.matching:
        body.extend(f"\t={escape(left)} -> {escape(right)}" for left, right in question.pairs)
    lines.append(f"{head}{{")
    lines.extend(body)
    if question.general_feedback:
        lines.append(f"\t####{escape(question.general_feedback)}")
    lines.append("}")
    return "\n".join(lines)


def write(
    questions: list[tuple[Exchange, dict[str, object]]], category: str, notes: Sequence[str] = ()
) -> str:
    """A GIFT file: what it could not express (`notes`, as comments), the category, then the
    questions separated by blank lines."""
    header = ["// Exported by quizapp: its `quizapp:` comments carry what GIFT cannot say."]
    header.extend(f"// {note}" for note in notes)
    parts = ["\n".join(header)]
    parts.append(f"$CATEGORY: $course$/top/{category}")
    parts.extend(write_question(question, marks) for question, marks in questions)
    return "\n\n".join(parts) + "\n"

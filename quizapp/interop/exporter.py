"""One of our sets out to GIFT, Moodle XML or a QTI 2.1 package, saying what each format loses."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import qtypes
from ..bank.schema import QuestionSetFile
from ..enums import ExchangeFormat, MoodleKind
from ..qtypes.exchange import LOSS_GIFT_ORDER, LOSS_GIFT_UNIT, Answer, Exchange
from .messages import GIFT_POINTS
from .notes import Note
from .text import general_feedback

MEDIA_TYPES = {
    ExchangeFormat.gift: "text/plain; charset=utf-8",
    ExchangeFormat.moodle_xml: "application/xml",
    ExchangeFormat.qti: "application/zip",
}
SUFFIXES = {
    ExchangeFormat.gift: ".gift.txt",
    ExchangeFormat.moodle_xml: ".moodle.xml",
    ExchangeFormat.qti: ".qti.zip",
}


@dataclass
class Export:
    data: bytes
    warnings: list[Note] = field(default_factory=list)
    media_type: str = "application/octet-stream"
    suffix: str = ""


def exchanges(
    model: QuestionSetFile, fmt: ExchangeFormat, path: str, lines: dict[str, int]
) -> tuple[list[tuple[Exchange, dict[str, object]]], list[Note]]:
    """Each question in Moodle's model with the marks a GIFT comment carries, and the losses."""
    result: list[tuple[Exchange, dict[str, object]]] = []
    notes: list[Note] = []
    for question in model.questions:
        spec = question.model_dump(mode="json")
        exchange, losses = qtypes.get(question.type).to_exchange(spec)
        exchange.name = question.id
        exchange.text = question.prompt
        exchange.points = question.points
        exchange.tags = list(question.tags)
        exchange.shuffle = model.settings.shuffle_choices
        exchange.general_feedback = general_feedback(question)
        marks: dict[str, object] = {}
        if fmt == ExchangeFormat.gift:
            if question.tags:
                marks["tags"] = list(question.tags)
            if question.points != 1:
                marks["points"] = question.points
                losses.append(GIFT_POINTS % {"points": f"{question.points:g}"})
            if exchange.kind == MoodleKind.ordering:
                marks["type"] = "order"
                exchange.kind = MoodleKind.matching
                exchange.pairs = [(a.text, str(n + 1)) for n, a in enumerate(exchange.answers)]
                losses.append(LOSS_GIFT_ORDER)
            if exchange.kind == MoodleKind.numerical and exchange.units:
                unit = exchange.units[0][0]
                marks["unit"] = unit
                exchange.prompt_note = unit
                losses.append(LOSS_GIFT_UNIT % {"unit": repr(unit)})
        line = lines.get(question.id, 1)
        notes.extend(Note(path, line, loss) for loss in losses)
        result.append((exchange, marks))
    return result, notes


def export_set(
    model: QuestionSetFile, fmt: str, path: str = "", lines: dict[str, int] | None = None
) -> Export:
    """The set in `fmt` (gift, moodle-xml, qti), with a warning per thing it cannot express,
    at the question's line in the set's file (`lines`: question id -> line)."""
    from . import gift, moodle_xml, qti

    fmt = ExchangeFormat(fmt)
    lines = lines or {}
    export = Export(b"", media_type=MEDIA_TYPES[fmt], suffix=SUFFIXES[fmt])
    if fmt == ExchangeFormat.qti:
        export.data, export.warnings = qti.package(model, path, lines)
        return export
    questions, export.warnings = exchanges(model, fmt, path, lines)
    # The file says what it could not express too: a download from the browser shows no output.
    notes = [str(note) for note in export.warnings]
    if fmt == ExchangeFormat.gift:
        export.data = gift.write(questions, gift.escape(model.title), notes).encode()
    else:
        export.data = moodle_xml.write(questions, model.title, notes)
    return export


__all__ = ["Answer", "Export", "export_set"]

"""CSV and XLSX files of a table: a header row, then rows of text, numbers and fractions.

CSV is UTF-8 with a byte-order mark, so that Excel keeps accents. A text cell that a
spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a carriage return)
is neutralised: in CSV it gets a leading apostrophe (OWASP's advice), in XLSX it is written as
a string cell, which no spreadsheet evaluates.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text, number, fraction (shown as a percentage), integer


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(c.title) for c in columns])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


NUMBER_FORMATS = {"fraction": "0.0%", "number": "0.00", "integer": "0"}


def to_xlsx(title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    # Imported here, by the few requests that download a workbook: openpyxl is about 10 MB of
    # every worker's memory otherwise (bench/memory.py).
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.create_sheet(index=0)  # a worksheet of ours, typed as one
    workbook.remove(workbook.worksheets[1])  # the default empty sheet
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"
    sheet.append([c.title for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(rows, start=2):
        for c, (column, value) in enumerate(zip(columns, row, strict=True), start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = TYPE_STRING  # never a formula, whatever it starts with
            elif column.kind in NUMBER_FORMATS and value is not None:
                cell.number_format = NUMBER_FORMATS[column.kind]
    sheet.freeze_panes = "B2"  # the header row and the names column stay in view
    for c, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = max(
            10, min(40, len(column.title) + 4)
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_name(*parts: str, extension: str, day: date) -> str:
    """`5e-b_rome_2026-11-27.csv`: ASCII, so that every browser and OS keeps it as is."""
    words = []
    for part in parts:
        ascii_text = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode()
        words.append(re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x")
    return "_".join([*words, day.isoformat()]) + "." + extension

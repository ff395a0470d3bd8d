"""Questions in and out: GIFT and Moodle XML (both ways), QTI 2.1 packages, Anki decks.

Each question type converts itself to and from Moodle's model (`qtypes/exchange.py`, and
`to_exchange`/`from_exchange`/`to_qti` in each type's module); this package reads and writes the
files. `convert` is the import (the CLI and the teacher's upload page call it), `export_set` the
export.
"""

from __future__ import annotations

from .exporter import Export, export_set
from .importer import Conversion, convert, guess_format
from .notes import ConversionError, Note

__all__ = [
    "Conversion",
    "ConversionError",
    "Export",
    "Note",
    "convert",
    "export_set",
    "guess_format",
]

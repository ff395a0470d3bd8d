"""Libraries that only a few requests use are imported by those requests, not by every worker
at start-up: each is megabytes of every worker's resident memory (bench/memory.py)."""

from __future__ import annotations

import subprocess
import sys

# Spreadsheet downloads, QR codes, Anki decks.
ON_DEMAND = ("openpyxl", "segno", "genanki")


def test_the_app_starts_without_its_on_demand_libraries(tmp_path):
    script = (
        "import sys\n"
        "from quizapp import create_app\n"
        "create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'AUTO_SETUP': False,"
        " 'SECRET_KEY': 'x', 'TESTING': True})\n"
        f"print(','.join(m for m in {ON_DEMAND!r} if m in sys.modules))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path
    ).stdout.strip()
    assert loaded == ""


def test_a_workbook_download_still_imports_what_it_needs():
    from quizapp.gradebook.exports import Column, to_xlsx

    data = to_xlsx("Marks", [Column("Name")], [["=1+1"]])
    assert data[:2] == b"PK" and "openpyxl" in sys.modules

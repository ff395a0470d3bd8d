"""The import contracts of pyproject.toml ([tool.importlinter]) hold, and they bite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on the `quizapp` package found under `root`, with its contracts."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_import_contracts_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(
        ROOT / "quizapp",
        tmp_path / "quizapp",
        ignore=shutil.ignore_patterns("__pycache__", "static", "translations", "templates"),
    )
    return tmp_path


def add_import(module: Path, line: str) -> None:
    text = module.read_text()
    head, sep, rest = text.partition("from __future__ import annotations\n")
    module.write_text(head + sep + line + "\n" + rest)


def test_a_cycle_between_blueprints_breaks_the_contracts(tmp_path: Path) -> None:
    root = copy_of_the_package(tmp_path)
    # progress depends on quiz (practice, review forms); quiz back on progress closes a cycle.
    add_import(root / "quizapp/quiz/attempts.py", "from ..progress import services  # noqa")
    result = lint_imports(root)
    assert result.returncode != 0
    broken = "No import cycle between sibling modules, the blueprints among them BROKEN"
    assert broken in result.stdout


def test_the_bank_importing_a_blueprint_breaks_the_contracts(tmp_path: Path) -> None:
    root = copy_of_the_package(tmp_path)
    add_import(root / "quizapp/bank/sync.py", "from ..quiz import attempts  # noqa")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "Question types and the bank know no blueprint BROKEN" in result.stdout

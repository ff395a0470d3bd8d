"""Thin click commands over functions that the tests call directly."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from .bank.messages import localize, localize_line
from .bank.reader import Diagnostic, FileReport, read_file
from .bank.schema import json_schema
from .bank.sync import question_files, replaced_versions, sync_directory
from .config import Config
from .extensions import db
from .i18n import environment_language, translations
from .models import Role
from .quiz import attempts

questions_cli = AppGroup("questions", help="Validate, load and describe question sets.")
users_cli = AppGroup("users", help="Manage accounts.")


# Commands that read files only: the app they run in must not create or migrate a database.
NO_DATABASE = (
    ("questions", "validate"),
    ("questions", "schema"),
    ("questions", "import"),
    ("questions", "export"),
)
_OPTIONS_WITH_VALUE = {"--app", "-A", "--env-file", "-e"}


def needs_database(argv: list[str]) -> bool:
    """Whether the `flask` command line `argv` may use the database (`--help` never does)."""
    if not argv or not (Path(argv[0]).name == "flask" or argv[0].endswith("flask/__main__.py")):
        return True  # a server (gunicorn, flask run through another runner)
    words: list[str] = []
    arguments = iter(argv[1:])
    for word in arguments:
        if word in ("--help", "-h"):
            return False
        if word in _OPTIONS_WITH_VALUE:
            next(arguments, None)
        elif not word.startswith("-"):
            words.append(word)
    return tuple(words[:2]) not in NO_DATABASE


def count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def collect_files(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """Expand folders into their question files; keep each file's path as the user typed it."""
    found: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            found.extend((f, str(f)) for f in question_files(path))
        else:
            found.append((path, str(path)))
    return found


def validate_paths(paths: Iterable[Path]) -> list[FileReport]:
    return [read_file(path, display) for path, display in collect_files(paths)]


def summary(
    files: int, questions: int, errors: int, warnings: int, strict: bool, language: str
) -> str:
    """`2 files, 64 questions: 0 errors, 0 warnings`, in `language`."""
    t = translations(language)
    line = t.gettext("%(files)s, %(questions)s: %(errors)s, %(warnings)s") % {
        "files": t.ngettext("%(num)d file", "%(num)d files", files) % {"num": files},
        "questions": t.ngettext("%(num)d question", "%(num)d questions", questions)
        % {"num": questions},
        "errors": t.ngettext("%(num)d error", "%(num)d errors", errors) % {"num": errors},
        "warnings": t.ngettext("%(num)d warning", "%(num)d warnings", warnings) % {"num": warnings},
    }
    return line + (t.gettext(" (strict)") if strict else "")


def in_language(diagnostic: Diagnostic, language: str) -> Diagnostic:
    return localize(diagnostic, translations(language), language)


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def validate_command(paths: tuple[Path, ...], strict: bool, fmt: str) -> None:
    """Check question files (default: the configured directory); exit 1 on any error.

    Also installed as `quizapp-validate`, which needs no app or database (pre-commit runs it).
    """
    default = current_app.config["QUESTIONS_DIR"] if current_app else Config.QUESTIONS_DIR
    targets = list(paths) or [Path(default)]
    missing = [p for p in targets if not p.exists()]
    if missing:
        raise click.UsageError(f"no such file or folder: {missing[0]}")
    reports = validate_paths(targets)
    language = environment_language()
    errors = sum(len(r.errors) for r in reports)
    warnings = sum(len(r.warnings) for r in reports)
    failed = errors > 0 or (strict and warnings > 0)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "ok": not failed,
                    "files": [
                        {
                            "path": r.display,
                            "valid": not r.errors,
                            "questions": len(r.model.questions) if r.model else 0,
                            "diagnostics": [
                                in_language(d, language).as_dict() for d in r.diagnostics
                            ],
                        }
                        for r in reports
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        # Like other linters: the findings and the summary on stdout, the verdict in the exit code.
        for report in reports:
            for diagnostic in report.diagnostics:
                click.echo(str(in_language(diagnostic, language)))
        questions = sum(len(r.model.questions) for r in reports if r.model)
        click.echo(summary(len(reports), questions, errors, warnings, strict, language))
    if failed:
        sys.exit(1)


questions_cli.add_command(validate_command)


@questions_cli.command("sync")
@click.option("--regrade", is_flag=True, help="Regrade past answers of edited questions.")
def sync_command(regrade: bool) -> None:
    """Load the configured directory into the database (idempotent)."""
    report = sync_directory(Path(current_app.config["QUESTIONS_DIR"]), log_failures=False)
    # Load first, then grade again the answers of the versions the load replaced (with those
    # of earlier syncs).
    regraded = attempts.regrade(replaced_versions()) if regrade else 0
    db.session.commit()
    language = environment_language()
    for path, messages in report.failed.items():
        for message in messages:
            click.echo(localize_line(message, translations(language), language), err=True)
        if path in report.never_loaded:
            click.echo(f"{path}: not loaded", err=True)
        else:
            click.echo(f"{path}: not loaded; its last good version stays live", err=True)
    click.echo(report.summary())
    if regrade:
        click.echo(f"regraded: {count(regraded, 'score')} changed")
    if report.failed:
        sys.exit(1)


@questions_cli.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of a question file."""
    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


@questions_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["gift", "moodle-xml"]), default=None,
              help="Guessed from the content when not given.")  # fmt: skip
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The YAML file to write (default: print it).")  # fmt: skip
@click.option("--language", default="en", show_default=True, help="The set's language.")
def import_command(file: Path, fmt: str | None, output: Path | None, language: str) -> None:
    """Convert a GIFT or Moodle XML file into a question set (YAML).

    Exit 0 when everything converted, 1 when something was skipped or approximated (each
    printed as FILE:LINE: warning: ...), 2 when the file cannot be read (nothing written)."""
    from .interop import ConversionError, convert

    shown = environment_language()
    t = translations(shown)
    try:
        data = file.read_bytes()
        conversion = convert(data, str(file), fmt, language)
    except OSError as exc:
        click.echo(f"{file}:1: error: {exc.strerror or exc}", err=True)
        sys.exit(2)
    except ConversionError as exc:
        click.echo(exc.localized(t, shown), err=True)
        sys.exit(2)
    for note in conversion.warnings:
        click.echo(note.localized(t, shown), err=True)
    if output is None:
        click.echo(conversion.yaml_text, nl=False)
    else:
        output.write_text(conversion.yaml_text, encoding="utf-8")
    click.echo(
        f"{file}: {count(conversion.converted, 'question')} converted, "
        f"{conversion.skipped} skipped",
        err=True,
    )
    sys.exit(conversion.exit_code)


def find_set(name: str) -> Path | None:
    """A question file by path, or by its set's id (slug) in the configured folder."""
    path = Path(name)
    if path.is_file():
        return path
    folder = Path(current_app.config["QUESTIONS_DIR"] if current_app else Config.QUESTIONS_DIR)
    for candidate in question_files(folder):
        report = read_file(candidate, lint=False)
        if report.model is not None and report.model.id == name:
            return candidate
    return None


@questions_cli.command("export")
@click.argument("name", metavar="SET")
@click.option("--format", "fmt", type=click.Choice(["gift", "moodle-xml", "qti"]), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_command(name: str, fmt: str, output: Path) -> None:
    """Write a set (its id, or a YAML file) as GIFT, Moodle XML or a QTI 2.1 package (zip).

    What the format cannot express is printed as FILE:LINE: warning: ...; a set with errors
    exits 2 and writes nothing."""
    from .bank.reader import question_lines
    from .interop import export_set

    path = find_set(name)
    if path is None:
        click.echo(f"{name}: error: no such set or file", err=True)
        sys.exit(2)
    report = read_file(path, lint=False)
    language = environment_language()
    if report.model is None:
        for diagnostic in report.errors:
            click.echo(str(in_language(diagnostic, language)), err=True)
        sys.exit(2)
    export = export_set(report.model, fmt, str(path), question_lines(path))
    t = translations(language)
    for note in export.warnings:
        click.echo(note.localized(t, language), err=True)
    output.write_bytes(export.data)
    click.echo(f"{output}: {count(len(report.model.questions), 'question')}", err=True)


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="student")
@click.option("--display-name", default=None)
@click.password_option(help="Prompted for when not given.")
def create_user_command(username: str, role: str, display_name: str | None, password: str) -> None:
    """Create an account."""
    from .auth.services import UsernameTaken, create_user

    try:
        user = create_user(username, password, role=role, display_name=display_name)
    except (UsernameTaken, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"created {user.role} {user.username}")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path) -> None:
    """Write a consistent copy of all data to FILE (JSON lines; gzip if FILE ends in .gz)."""
    from .backup import BackupError, backup

    try:
        counts = backup(file)
    except (BackupError, OSError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{file}: {count(sum(counts.values()), 'row')} in {count(len(counts), 'table')}")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the data of a database that has some.")
def restore_command(file: Path, force: bool) -> None:
    """Load a backup FILE into this database (at the same schema revision, empty or --force)."""
    from .backup import BackupError, restore

    try:
        counts = restore(file, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"restored {count(sum(counts.values()), 'row')} in {count(len(counts), 'table')}")


gradebook_cli = AppGroup("gradebook", help="Teachers' data.")


@gradebook_cli.command("rebuild-stats")
@click.option("--assignment", "assignment_id", type=int, help="Only this assignment's rows.")
def rebuild_stats_command(assignment_id: int | None) -> None:
    """Recompute the item statistics from the stored answers (after an upgrade)."""
    from .gradebook.stats import rebuild
    from .models import Assignment

    if assignment_id is not None and db.session.get(Assignment, assignment_id) is None:
        raise click.ClickException(f"no assignment {assignment_id}")
    counted = rebuild(assignment_id)
    db.session.commit()
    click.echo(f"item statistics rebuilt from {count(counted, 'attempt')}")


live_cli = AppGroup("live", help="Live games.")


@live_cli.command("end-idle")
def end_idle_command() -> None:
    """End the live games idle for QUIZAPP_LIVE_IDLE_MINUTES (a class game's scores then go
    into the gradebook). Safe to run from a timer, e.g. every 10 minutes."""
    from .live.services import end_idle_sessions

    ended = end_idle_sessions()
    db.session.commit()
    click.echo(f"ended {count(len(ended), 'idle live game')}")

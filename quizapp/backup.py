"""Backup and restore: every table of the models, as JSON lines, between either database.

A backup is one consistent snapshot (one read transaction: REPEATABLE READ on PostgreSQL, a
read transaction on SQLite), written as JSON lines: a header with the format, the schema's
Alembic revision and the tables, then one line per row, `{"table": ..., "row": {...}}`, the
tables in dependency order. Dates are ISO 8601 in UTC, JSON columns stay JSON, so a backup of
SQLite restores into PostgreSQL and back. The tables are read from the models' metadata: a new
model's table comes along without a change here. A name ending in `.gz` is gzip-compressed.

Restore refuses a file of another schema revision and a database that already holds data
(unless forced: then the data is replaced), and writes everything in one transaction.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Table, func, select, text

from .extensions import db

FORMAT = "quizapp-backup"
VERSION = 1


class BackupError(Exception):
    """A backup or restore refused; the message says why and what to do."""


def _open(path: Path, mode: str, *, gzipped: bool | None = None) -> IO[str]:
    if path.suffix == ".gz" if gzipped is None else gzipped:
        return gzip.open(path, mode + "t", encoding="utf-8")  # type: ignore[return-value]
    return path.open(mode, encoding="utf-8")


def _tables() -> list[Table]:
    return list(db.metadata.sorted_tables)  # parents before children


def revision(connection: Connection) -> str | None:
    """The Alembic revision of the connected database (None: not made by migrations)."""
    return MigrationContext.configure(connection).get_current_revision()


def _encode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    encoded = {}
    for name, value in row.items():
        if isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat()
        elif isinstance(value, bytes | memoryview):
            value = base64.b64encode(bytes(value)).decode("ascii")
        encoded[name] = value
    return encoded


def _python_type(column_type: Any) -> type | None:
    """The Python type of a column (a TypeDecorator's is its implementation's)."""
    column_type = getattr(column_type, "impl_instance", column_type)
    try:
        return column_type.python_type
    except NotImplementedError:  # JSON and other types without one
        return None


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    decoded = {}
    for name, value in row.items():
        if name not in table.c:
            raise ValueError(f"table {table.name} has no column {name!r}")
        kind = _python_type(table.c[name].type)
        if value is not None and kind is datetime:
            value = datetime.fromisoformat(value)
        elif value is not None and kind is bytes:
            value = base64.b64decode(value)
        decoded[name] = value
    return decoded


def _snapshot(connection: Connection) -> None:
    """Make every following read see one state of the database."""
    if connection.dialect.name == "sqlite":
        # pysqlite starts no transaction before a SELECT: begin the read transaction here.
        connection.exec_driver_sql("BEGIN")


def _rows(connection: Connection, table: Table) -> Iterator[dict[str, Any]]:
    query = select(table).order_by(*table.primary_key.columns)
    for row in connection.execute(query).mappings():
        yield dict(row)


def backup(path: Path) -> dict[str, int]:
    """Write a consistent copy of every table to `path`; return the rows per table."""
    counts: dict[str, int] = {}
    options: dict[str, Any] = {}
    if db.engine.dialect.name == "postgresql":
        options = {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    partial = path.with_name(f".{path.name}.partial")
    with db.engine.connect().execution_options(**options) as connection:
        _snapshot(connection)
        tables = _tables()
        header = {
            "format": FORMAT,
            "version": VERSION,
            "revision": revision(connection),
            "dialect": connection.dialect.name,
            "created_at": datetime.now(UTC).isoformat(),
            "tables": [t.name for t in tables],
        }
        with _open(partial, "w", gzipped=path.suffix == ".gz") as out:
            out.write(json.dumps(header, ensure_ascii=False) + "\n")
            for table in tables:
                counts[table.name] = 0
                for row in _rows(connection, table):
                    line = {"table": table.name, "row": _encode(table, row)}
                    out.write(json.dumps(line, ensure_ascii=False, allow_nan=False) + "\n")
                    counts[table.name] += 1
        connection.rollback()
    os.replace(partial, path)  # a complete file or none: never half a backup under its name
    return counts


def read_header(path: Path) -> dict[str, Any]:
    try:
        with _open(path, "r") as source:
            header = json.loads(source.readline() or "null")
    except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile, json.JSONDecodeError) as e:
        raise BackupError(f"{path}: not a quizapp backup ({e})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"{path}: not a quizapp backup (no quizapp header on its first line)")
    if header.get("version") != VERSION:
        raise BackupError(
            f"{path}: backup format version {header.get('version')}, this quizapp reads "
            f"version {VERSION}"
        )
    return header


def _non_empty(connection: Connection, tables: list[Table]) -> list[str]:
    return [
        t.name
        for t in tables
        if connection.execute(select(func.count()).select_from(t)).scalar_one() > 0
    ]


def restore(path: Path, *, force: bool = False) -> dict[str, int]:
    """Load a backup into this database, in one transaction; return the rows per table.

    The database must be at the backup's schema revision (`flask db upgrade` first) and empty,
    unless `force`: then its data is deleted first.
    """
    header = read_header(path)
    tables = {t.name: t for t in _tables()}
    counts = dict.fromkeys(tables, 0)
    with db.engine.begin() as connection:
        current = revision(connection)
        if header.get("revision") != current:
            raise BackupError(
                f"{path}: the backup is of schema revision {header.get('revision')}, this "
                f"database is at {current}: restore into a database at the same revision "
                "(flask db upgrade, with the quizapp version that made the backup)"
            )
        unknown = sorted(set(header.get("tables", [])) - set(tables))
        if unknown:
            raise BackupError(f"{path}: tables unknown to this quizapp: {', '.join(unknown)}")
        filled = _non_empty(connection, list(tables.values()))
        if filled and not force:
            raise BackupError(
                f"the database already holds data (tables {', '.join(filled)}): restore into "
                "an empty database, or add --force to replace its data"
            )
        for table in reversed(list(tables.values())):
            connection.execute(table.delete())
        batch: list[dict[str, Any]] = []
        batch_table: Table | None = None
        with _open(path, "r") as source:
            source.readline()
            for number, line in enumerate(source, start=2):
                try:
                    item = json.loads(line)
                    table = tables[item["table"]]
                    row = _decode(table, item["row"])
                except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
                    raise BackupError(f"{path}:{number}: not a row of a backup ({error})") from None
                if table is not batch_table or len(batch) >= 1000:
                    if batch:
                        connection.execute(batch_table.insert(), batch)  # type: ignore[union-attr]
                    batch, batch_table = [], table
                batch.append(row)
                counts[table.name] += 1
        if batch:
            connection.execute(batch_table.insert(), batch)  # type: ignore[union-attr]
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection, list(tables.values()))
    return counts


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    """Point each id sequence past the restored ids, so new rows do not collide."""
    for table in tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.autoincrement == "auto" and _python_type(column.type) is int
            ):
                connection.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence(:table, :column), "
                        f'COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, '
                        "false)"
                    ),
                    {"table": f'"{table.name}"', "column": column.name},
                )

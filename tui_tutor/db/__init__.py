"""Where progress is kept: one interface, two backends (an SQLite file, a PostgreSQL server).

``open_database(url, data_dir)`` picks the backend from ``--database URL``: nothing (the
SQLite file in the data folder), ``sqlite:///PATH`` or ``postgresql://...``. The
progress store (``tui_tutor.progress``) and the trainer's commands speak to a
``Database`` only: SQL with ``?`` placeholders that both backends run, one write
transaction at a time per learner (``write``), and a failed statement named as one of
``REASONS``. The schema is created or migrated when a writer opens it (``schema.py``).

Several hosts may share one PostgreSQL database: each learner's writes take a lock
named after the learner, so two sessions of one learner (on one host or two) are
serialised as SQLite serialises every writer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

PROGRESS_FILE = "progress.sqlite3"
BUSY_WAIT = 1.0  # seconds a write waits for another writer's lock before it is put aside
CLOSE_WAIT = 2.0  # seconds the last try at close may wait (an SSH hang-up allows 3)

# why a write failed, short enough for one line on the screen (the app has them in Chinese too)
REASONS = {
    "locked": "locked by another program",
    "disk_full": "disk full",
    "damaged": "the file is damaged",
    "read_only": "the file is read-only",
    "io_error": "disk error",
    "unreachable": "the database cannot be reached",
    "error": "write failed",
}
# troubles that pass by themselves: a read that works again clears them
TRANSIENT = frozenset({"locked", "unreachable"})


class DatabaseError(Exception):
    """The database cannot be opened, read or migrated; the message is one line naming it."""


class Database:
    """What the progress store needs of a backend."""

    label: str  # how a line names it: the file's path, or the URL without its password
    kind: str  # "sqlite" or "postgresql"
    errors: tuple[type[BaseException], ...]  # what a failed statement raises

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement (``?`` placeholders); the cursor has fetchone and fetchall."""
        raise NotImplementedError

    def write(self, learner: str) -> contextlib.AbstractContextManager[None]:
        """One transaction holding the write lock of ``learner`` (of the schema: ``""``):
        committed at the end of the block, rolled back if it raises."""
        raise NotImplementedError

    def reason(self, err: BaseException) -> str:
        """Why a statement failed, as a key of ``REASONS``."""
        raise NotImplementedError

    def has_table(self, name: str) -> bool:
        raise NotImplementedError

    def check(self) -> None:
        """A whole-database check at a server's start (DatabaseError with one line)."""

    def set_wait(self, seconds: float) -> None:
        """How long a write waits for another writer's lock."""

    def ddl(self, statement: str) -> str:
        """A schema statement in this backend's words (``schema.py`` writes placeholders)."""
        return statement

    def close(self) -> None:
        raise NotImplementedError


POSTGRES_SCHEMES = ("postgresql:", "postgres:")


def is_url(text: str) -> bool:
    return text.startswith(("sqlite:", *POSTGRES_SCHEMES))


def is_postgres(url: str | None) -> bool:
    return url is not None and url.startswith(POSTGRES_SCHEMES)


def sqlite_path(url: str | None, data_dir: Path | None) -> Path | None:
    """The SQLite file a URL (or the data folder) names; None for a PostgreSQL URL."""
    if url is None:
        from ..progress import default_data_dir

        return (data_dir or default_data_dir()) / PROGRESS_FILE
    if is_postgres(url):
        return None
    if not url.startswith("sqlite://") or url == "sqlite://":
        raise DatabaseError(
            f"--database {redact(url)}: not a database address; give sqlite:///PATH or "
            "postgresql://USER@HOST/NAME"
        )
    path = Path(url.removeprefix("sqlite://"))
    return path / PROGRESS_FILE if path.is_dir() else path


def redact(url: str) -> str:
    """The URL as a line may show it: no password."""
    from urllib.parse import urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split("@")[-1]
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def describe(url: str | None, data_dir: Path | None) -> str:
    """Where progress is kept, for a server's start line and for reports."""
    path = sqlite_path(url, data_dir)
    return str(path) if path is not None else redact(url or "")


def open_database(url: str | None, data_dir: Path | None, *, migrate: bool = True) -> Database:
    """The database for writing (``migrate``: its schema brought up to date), or
    DatabaseError with one line."""
    from .schema import upgrade

    path = sqlite_path(url, data_dir)
    if path is not None:
        from .sqlite import SqliteDatabase

        db: Database = SqliteDatabase(path)
    else:
        from .postgres import PostgresDatabase

        db = PostgresDatabase(url or "")
    if migrate:
        try:
            upgrade(db)
        except BaseException:
            db.close()
            raise
    return db


def open_reader(url: str | None, data_dir: Path | None) -> Database:
    """The database to read (a report, the trainer's view): never created, never changed.
    A missing or unreadable one is DatabaseError with one line saying why."""
    from .schema import check_readable

    path = sqlite_path(url, data_dir)
    if path is not None:
        from .sqlite import open_read_only

        db: Database = open_read_only(path)
    else:
        from .postgres import PostgresDatabase

        db = PostgresDatabase(url or "")
    try:
        check_readable(db)
    except BaseException:
        db.close()
        raise
    return db


@contextlib.contextmanager
def reading(url: str | None, data_dir: Path | None) -> Iterator[Database]:
    db = open_reader(url, data_dir)
    try:
        yield db
    finally:
        db.close()

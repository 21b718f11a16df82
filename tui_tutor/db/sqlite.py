"""The SQLite backend: one file holds every learner (the default, in the user data folder).

The file is opened in WAL mode and every write is one ``BEGIN IMMEDIATE`` transaction,
so a crash or a kill loses at most the answer being written and never corrupts what is
there; several processes (one per SSH session) may write at once and SQLite serialises
them. A new file is made readable by its owner only (0600): it holds every learner's
answers. Readers (reports) open it read-only and say in one line why they cannot.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from . import BUSY_WAIT, Database, DatabaseError


def reason_of(err: BaseException) -> str:
    """Why SQLite failed, as one of ``REASONS``."""
    name = getattr(err, "sqlite_errorname", "") or ""
    for prefix, reason in (
        ("SQLITE_BUSY", "locked"),
        ("SQLITE_LOCKED", "locked"),
        ("SQLITE_FULL", "disk_full"),
        ("SQLITE_CORRUPT", "damaged"),
        ("SQLITE_NOTADB", "damaged"),
        ("SQLITE_READONLY", "read_only"),
        ("SQLITE_PERM", "read_only"),
        ("SQLITE_IOERR", "io_error"),
    ):
        if name.startswith(prefix):
            return reason
    return "error"


class SqliteDatabase(Database):
    kind = "sqlite"
    errors = (sqlite3.Error,)

    def __init__(self, path: Path, connection: sqlite3.Connection | None = None) -> None:
        self.path = path
        self.label = str(path)
        if connection is not None:  # a reader's, opened read-only
            self.conn = connection
            return
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            _create_private(path)
            self.conn = sqlite3.connect(path, timeout=BUSY_WAIT, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        except (OSError, sqlite3.Error) as err:
            raise DatabaseError(f"{path}: cannot open the progress file: {err}") from None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    @contextlib.contextmanager
    def write(self, learner: str) -> Iterator[None]:
        # one writer for the whole file at a time: the lock is the file's, whoever writes
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def reason(self, err: BaseException) -> str:
        return reason_of(err)

    def has_table(self, name: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        return row is not None

    def ddl(self, statement: str) -> str:
        return statement.replace("{id}", "INTEGER PRIMARY KEY")

    def set_wait(self, seconds: float) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    def check(self) -> None:
        """Read the whole file once (``PRAGMA quick_check``): a damaged one is refused now,
        not by every session that would touch the damaged part."""
        try:
            rows = self.conn.execute("PRAGMA quick_check").fetchall()
        except sqlite3.Error as err:
            rows = [(str(err),)]
        if rows != [("ok",)]:
            # the report's first line that says something ("*** in database main ***" does not)
            lines = [line for row in rows for line in str(row[0]).splitlines()]
            first = next((line for line in lines if not line.startswith("***")), "")
            raise DatabaseError(
                f"{self.path}: the progress file is damaged ({first[:120]}); restore it from a "
                "backup, or move it away to start a new one"
            )

    def close(self) -> None:
        self.conn.close()


def _create_private(path: Path) -> None:
    """A new progress file is made 0600 before SQLite opens it (its -wal and -shm files
    take the same mode): every learner's answers are in it."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


# ---------------------------------------------------------------- reading someone's file


def open_read_only(path: Path) -> SqliteDatabase:
    """The progress file, read-only; when it cannot be read, the line says why."""
    if not path.exists():
        raise DatabaseError(f"{path}: no progress recorded yet (no such file)")
    if not os.access(path, os.R_OK):
        raise DatabaseError(
            f"{path}: cannot read the progress file: permission denied (it is {_owner(path)}'s;"
            " run this as that user)"
        )
    try:
        return SqliteDatabase(path, _connect(path, "mode=ro"))
    except sqlite3.Error as err:
        if os.access(path.parent, os.W_OK):
            raise DatabaseError(_why_not(path, err)) from None
    # a folder (or disk) we may not write: SQLite wants to make the -shm file beside the
    # file even to read it; with no tutor running (no -wal file) it can be read as it is
    if Path(f"{path}-wal").exists():
        raise DatabaseError(
            f"{path}: cannot read the progress file while a tutor is writing it: SQLite needs "
            f"to write {path.name}-shm, and {path.parent} is read-only to this user "
            f"(run this as {_owner(path)})"
        )
    try:
        return SqliteDatabase(path, _connect(path, "immutable=1"))
    except sqlite3.Error as err:
        raise DatabaseError(_why_not(path, err)) from None


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    from urllib.parse import quote

    # readers (the trainer's live view) read from a worker thread, one read at a time
    db = sqlite3.connect(
        f"file:{quote(str(path))}?{mode}", uri=True, timeout=10, check_same_thread=False
    )
    try:
        db.execute("SELECT 1 FROM lessons LIMIT 1")
    except BaseException:
        db.close()
        raise
    return db


def _why_not(path: Path, err: sqlite3.Error) -> str:
    name = err.sqlite_errorname or ""
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "no such table" in str(err):
        return f"{path}: not a tui-tutor progress file ({err})"
    return f"{path}: cannot read the progress file: {err}"


def _owner(path: Path) -> str:
    try:
        return path.owner()
    except (KeyError, OSError):
        return f"user {path.stat().st_uid}"

"""The PostgreSQL backend (psycopg 3): one database that several ``serve-ssh`` hosts share.

Statements run in autocommit mode; a write is an explicit transaction that first
takes a transaction-level advisory lock named after the learner, so that one
learner's writes are serialised across every host (as SQLite serialises a file's
writers) while different learners write side by side. Every wait is bounded: the
connection (``CONNECT_WAIT``), a lock (``BUSY_WAIT``, then the write is put aside
and tried again later), a statement (``STATEMENT_WAIT``). A connection that broke
(the server restarted, the network went away) is opened again on the next
statement, at most once every ``RECONNECT_AFTER`` seconds so that a learner's key
presses do not each wait for a dead server.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from psycopg import errors as pg_errors

from . import BUSY_WAIT, Database, DatabaseError, redact
from .schema import one_line

CONNECT_WAIT = 5  # seconds to reach the server
STATEMENT_WAIT = 10.0  # seconds one statement may take
RECONNECT_AFTER = 5.0  # seconds after a failed connection before the next try
LOCK_SPACE = 0x74757475  # the first key of our advisory locks ("tutu"): others' stay apart

_REASONS: list[tuple[type[BaseException], str]] = [
    (pg_errors.LockNotAvailable, "locked"),
    (pg_errors.QueryCanceled, "locked"),  # statement_timeout: waited too long
    (pg_errors.DeadlockDetected, "locked"),
    (pg_errors.DiskFull, "disk_full"),
    (pg_errors.ReadOnlySqlTransaction, "read_only"),
    (pg_errors.InsufficientPrivilege, "read_only"),
    (pg_errors.DataCorrupted, "damaged"),
    (pg_errors.IndexCorrupted, "damaged"),
    (pg_errors.AdminShutdown, "unreachable"),
    (pg_errors.CannotConnectNow, "unreachable"),
]


class PostgresDatabase(Database):
    kind = "postgresql"
    errors = (psycopg.Error,)

    def __init__(self, url: str) -> None:
        self.url = url
        self.label = redact(url)
        self.path = None
        self.lock_wait = BUSY_WAIT
        self._failed_at: float | None = None
        self.conn: psycopg.Connection | None = None
        try:
            self.conn = self._connect()
        except psycopg.Error as err:
            raise DatabaseError(f"{self.label}: cannot reach the database: {_said(err)}") from None

    def _connect(self) -> psycopg.Connection:
        try:
            conn = psycopg.connect(
                self.url,
                autocommit=True,
                connect_timeout=CONNECT_WAIT,
                application_name="tui-tutor",
                # a host that vanished without a word is noticed within a minute
                keepalives=1,
                keepalives_idle=20,
                keepalives_interval=10,
                keepalives_count=3,
            )
        except psycopg.Error:
            self._failed_at = time.monotonic()
            raise
        self._failed_at = None
        conn.execute(f"SET statement_timeout = {int(STATEMENT_WAIT * 1000)}")
        conn.execute(f"SET lock_timeout = {int(self.lock_wait * 1000)}")
        # a session that died mid-write never holds a learner's lock for long
        conn.execute("SET idle_in_transaction_session_timeout = 60000")
        return conn

    def _connection(self) -> psycopg.Connection:
        """The connection, opened again if it broke (not more often than RECONNECT_AFTER)."""
        if self.conn is not None and not self.conn.closed:
            return self.conn
        if self._failed_at is not None and time.monotonic() - self._failed_at < RECONNECT_AFTER:
            raise psycopg.OperationalError("the database cannot be reached")
        self.conn = self._connect()
        return self.conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor:
        return self._connection().execute(sql.replace("?", "%s"), params)

    @contextlib.contextmanager
    def write(self, learner: str) -> Iterator[None]:
        conn = self._connection()
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (LOCK_SPACE, learner))
            yield

    def reason(self, err: BaseException) -> str:
        for kind, reason in _REASONS:
            if isinstance(err, kind):
                return reason
        if isinstance(err, psycopg.OperationalError | psycopg.InterfaceError):
            return "unreachable"
        return "error"

    def has_table(self, name: str) -> bool:
        # a query of the catalog, not to_regclass: that reads a cache which another host's
        # migration, committed while this one waited for the lock, has not reached yet
        row = self.execute(
            "SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
            "AND tablename = ?",
            (name,),
        ).fetchone()
        return row is not None

    def ddl(self, statement: str) -> str:
        return statement.replace("{id}", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")

    def set_wait(self, seconds: float) -> None:
        self.lock_wait = seconds
        if self.conn is not None and not self.conn.closed:
            with contextlib.suppress(psycopg.Error):
                self.conn.execute(f"SET lock_timeout = {int(seconds * 1000)}")

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(psycopg.Error):
                self.conn.close()


def _said(err: psycopg.Error) -> str:
    """What the server or libpq said, without the connection string it may repeat."""
    text = one_line(err)
    marker = "failed: "
    return text.split(marker, 1)[-1] if marker in text else text

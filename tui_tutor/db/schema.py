"""The progress schema, numbered: created on a new database, migrated on an older one.

``schema_version`` holds the number. Files from before the number existed have the
version 1 tables and no ``schema_version``: they are version 1. Each migration is a
list of statements run in one transaction with the schema's write lock held, so two
hosts starting at once on one PostgreSQL database migrate it once. Statements are
written once for both backends: ``{id}`` is the auto-numbered key, ``DOUBLE PRECISION``
and ``BIGINT`` mean what they say in both (a 32-bit ISN does not fit PostgreSQL's
``INTEGER``, a timestamp does not fit its ``REAL``).
"""

from __future__ import annotations

from . import Database, DatabaseError

VERSION = 2

MIGRATIONS: dict[int, list[str]] = {
    # the tables progress files had before the schema was numbered
    1: [
        """CREATE TABLE IF NOT EXISTS events (
            id {id},
            learner TEXT NOT NULL,
            lesson TEXT NOT NULL,
            question TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('answer', 'hint', 'reveal')),
            correct INTEGER,
            answer TEXT,
            at DOUBLE PRECISION NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS questions (
            learner TEXT NOT NULL,
            lesson TEXT NOT NULL,
            question TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('open', 'first_try', 'solved', 'revealed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            hints INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (learner, lesson, question)
        )""",
        """CREATE TABLE IF NOT EXISTS lessons (
            learner TEXT NOT NULL,
            lesson TEXT NOT NULL,
            moment INTEGER NOT NULL DEFAULT 0,
            isn_client BIGINT,
            isn_server BIGINT,
            seconds DOUBLE PRECISION NOT NULL DEFAULT 0,
            questions INTEGER NOT NULL DEFAULT 0,
            finished INTEGER NOT NULL DEFAULT 0,
            started DOUBLE PRECISION NOT NULL,
            updated DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (learner, lesson)
        )""",
    ],
    # exams; the trainer's live view reads each learner's latest answer
    2: [
        """CREATE TABLE exams (
            name TEXT PRIMARY KEY,
            title_en TEXT NOT NULL,
            title_zh TEXT NOT NULL,
            questions TEXT NOT NULL,
            updated DOUBLE PRECISION NOT NULL
        )""",
        """CREATE TABLE exam_attempts (
            exam TEXT NOT NULL,
            learner TEXT NOT NULL,
            started DOUBLE PRECISION NOT NULL,
            deadline DOUBLE PRECISION NOT NULL,
            finished DOUBLE PRECISION,
            isns TEXT NOT NULL,
            PRIMARY KEY (exam, learner)
        )""",
        """CREATE TABLE exam_answers (
            exam TEXT NOT NULL,
            learner TEXT NOT NULL,
            lesson TEXT NOT NULL,
            question TEXT NOT NULL,
            answer TEXT NOT NULL,
            correct INTEGER NOT NULL,
            seconds DOUBLE PRECISION NOT NULL,
            at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (exam, learner, lesson, question)
        )""",
        "CREATE INDEX IF NOT EXISTS events_learner_at ON events (learner, at)",
    ],
}

SCHEMA_LOCK = ""  # the write lock migrations hold (learners' locks are their names)


def version_of(db: Database) -> int:
    """The schema version the database has: 0 when it is empty."""
    if db.has_table("schema_version"):
        row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        if row is not None and row[0] is not None:
            return int(row[0])
    return 1 if db.has_table("lessons") else 0


def upgrade(db: Database) -> int:
    """Bring the schema up to ``VERSION``; returns the version it had."""
    try:
        found = version_of(db)
        if found == VERSION:  # the usual case: no write lock taken at every login
            return found
        _refuse_newer(db, found)
        with db.write(SCHEMA_LOCK):
            found = version_of(db)  # another host may have migrated it meanwhile
            _refuse_newer(db, found)
            for version in range(found + 1, VERSION + 1):
                for statement in MIGRATIONS[version]:
                    db.execute(db.ddl(statement))
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            db.execute("DELETE FROM schema_version")
            db.execute("INSERT INTO schema_version (version) VALUES (?)", (VERSION,))
        return found
    except db.errors as err:
        raise DatabaseError(
            f"{db.label}: cannot prepare the progress tables: {one_line(err)}"
        ) from None


def check_readable(db: Database) -> int:
    """For a reader: the version, or DatabaseError when there is nothing to read."""
    try:
        found = version_of(db)
    except db.errors as err:
        raise DatabaseError(f"{db.label}: cannot read the progress: {one_line(err)}") from None
    if found == 0:
        raise DatabaseError(f"{db.label}: no progress recorded yet (no progress tables)")
    _refuse_newer(db, found)
    return found


def _refuse_newer(db: Database, found: int) -> None:
    if found > VERSION:
        raise DatabaseError(
            f"{db.label}: written by a newer tui-tutor (schema version {found}; this one "
            f"knows {VERSION}): upgrade tui-tutor on this host"
        )


def one_line(err: BaseException) -> str:
    """A database's message on one line (PostgreSQL's run over several)."""
    text = " ".join(str(err).split())
    return text[:200] or type(err).__name__

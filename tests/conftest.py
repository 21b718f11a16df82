"""Fixtures every test folder may use: a real PostgreSQL server (``pg_server.py``)."""

from __future__ import annotations

import pg_server
import pytest


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL server for the whole run, started on first use."""
    if pg_server.binaries() is None:
        pytest.skip(
            "PostgreSQL is not installed: initdb and pg_ctl not found "
            "(Debian: apt-get install postgresql; .ci/run installs it)"
        )
    with pg_server.running() as server:
        yield server


@pytest.fixture
def pg_url(postgres_server) -> str:
    """The URL of a new, empty database on that server."""
    return postgres_server.fresh_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> str:
    """A new database of each kind, as its --database URL (the test runs once with each)."""
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'class.sqlite3'}"
    return request.getfixturevalue("pg_url")

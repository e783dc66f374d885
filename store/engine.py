"""Where the store lives: the database URL (``$COBALT_DATABASE_URL`` or the SQLite file under ``var/``)
and the SQLAlchemy engine for it (SQLite in WAL mode with write transactions that lock at BEGIN).
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

from store.records import StoreError

#: Environment variable naming the database (``postgresql://user:pw@host:port/db``).
URL_ENV = "COBALT_DATABASE_URL"
#: Environment variable naming the folder of the default SQLite file.
DATA_DIR_ENV = "COBALT_DATA_DIR"
SQLITE_FILE = "cobalt.sqlite3"
ROOT = Path(__file__).resolve().parents[1]

#: Seconds a writer waits for another process's write to finish (SQLite busy timeout).
SQLITE_BUSY_TIMEOUT_S = 30.0


# -- engines ------------------------------------------------------------------


def default_sqlite_path() -> Path:
    """``$COBALT_DATA_DIR/cobalt.sqlite3``, else ``var/cobalt.sqlite3`` in the repository."""
    folder = os.environ.get(DATA_DIR_ENV) or str(ROOT / "var")
    return Path(folder) / SQLITE_FILE


def resolve_url(url: str | None = None) -> str:
    """The database URL: ``url``, else ``$COBALT_DATABASE_URL``, else the default SQLite file.

    ``postgres://`` and ``postgresql://`` select the psycopg 3 driver.
    """
    url = url or os.environ.get(URL_ENV) or None
    if url is None:
        return "sqlite:///" + str(default_sqlite_path())
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _set_wal(cursor: Any) -> None:
    """Switch the file to write-ahead logging (kept by the file once set).

    The switch needs the file to itself and SQLite may refuse it at once, without waiting, while
    another process is opening the same new file: retry until the busy timeout.
    """
    if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
        return
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy emits BEGIN itself (see _on_sqlite_begin); the driver must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    _set_wal(cursor)
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    # Writers take the write lock at BEGIN, so two processes never deadlock upgrading a read lock.
    if conn.get_execution_options().get("cobalt_write"):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def _private_file(database: Path) -> None:
    """Create the SQLite file readable and writable by its owner only (0600), in a folder only the
    owner can enter when Cobalt creates it (0700); SQLite gives its -wal and -shm files the same
    permissions as the database file."""
    if not database.parent.exists():
        database.parent.mkdir(parents=True, mode=0o700)
    if not database.exists():
        os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``resolve_url(url)``; a SQLite file and its folder are created if missing."""
    resolved = make_url(resolve_url(url))
    if resolved.get_backend_name() == "sqlite":
        database = resolved.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            raise StoreError("the store needs a SQLite file (an in-memory database is not shared between connections)")
        _private_file(Path(database))
        # hide_parameters: a database error in the log never carries the values (case labels)
        engine = sa.create_engine(resolved, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S}, hide_parameters=True)
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        sa.event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    return sa.create_engine(resolved, pool_pre_ping=True, hide_parameters=True)


def is_shared(url: str | None = None) -> bool:
    """Whether the store at ``resolve_url(url)`` is a shared server (PostgreSQL), not the laptop's SQLite file."""
    return make_url(resolve_url(url)).get_backend_name() != "sqlite"

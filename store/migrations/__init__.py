"""Schema migrations (Alembic), configured in code: the app calls :func:`upgrade` at start-up.

The schema is created and upgraded only here, never by ``create_all``. Several processes may
start at once: the upgrade runs in one transaction under a lock (a PostgreSQL advisory lock; on
SQLite the write lock taken by ``BEGIN IMMEDIATE``), so the second finds the schema current.

From a shell: ``python -m store migrate`` (see store/__main__.py; ``--app-role`` also grants the
app's restricted PostgreSQL role what it needs) or ``alembic -c store/migrations/alembic.ini upgrade
head`` (database from ``-x url=...``, else ``$COBALT_DATABASE_URL``, else the default SQLite file).
On a ward the migrations run as the database owner, the app as a role that cannot change the schema:
it only checks that the schema is current (:func:`upgrade_if_behind`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from store.engine import make_engine
from store.records import StoreError

MIGRATIONS = Path(__file__).resolve().parent
#: The PostgreSQL advisory lock held while migrating ("cobalt" in ASCII).
LOCK_KEY = 0x636F62616C74


def alembic_config() -> Config:
    """An Alembic configuration for these migrations (no ini file needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    return cfg


@contextmanager
def locked_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a write transaction that holds the migration lock until it commits."""
    with engine.connect() as conn:
        conn.execution_options(cobalt_write=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
            yield conn


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` (idempotent)."""
    cfg = alembic_config()
    with locked_connection(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def upgrade_if_behind(engine: Engine) -> None:
    """Upgrade to head only when the schema is behind it (a current schema is not touched, so a role
    without DDL rights opens it); a refused upgrade says to run the migrations as the owner."""
    head = head_revision()
    try:
        if current_revision(engine) == head:
            return
    except sa.exc.DBAPIError:
        pass  # e.g. no right to read alembic_version: the upgrade below says what is wrong
    try:
        upgrade_engine(engine)
    except sa.exc.DBAPIError as exc:
        # 42501 insufficient privilege; 3F000 no schema to create in (the role may not use the schema)
        if getattr(exc.orig, "sqlstate", None) in ("42501", "3F000"):
            raise StoreError(
                f"the case database's schema is not at revision {head} and this database role may not change it: "
                "run `python -m store migrate --app-role ROLE` as the database owner (README, 'Deploying for a ward')"
            ) from None
        raise


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Create or upgrade the schema of the database at ``url`` (see ``resolve_url``)."""
    engine = make_engine(url)
    try:
        upgrade_engine(engine, revision)
    finally:
        engine.dispose()


def head_revision() -> str:
    """The newest migration's revision id."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()

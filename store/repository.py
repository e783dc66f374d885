"""The case store: case documents with every saved version, in SQLite or PostgreSQL.

A case is kept as its JSON document (``b12-case/1``, validated by :func:`logic.case.parse_case`
before anything is written) plus a few indexed columns for the case picker: label, treatment
start, last observation date, status and the time of the last save. Every save is a new version
with its time; undo (:meth:`Store.revert`) is a new version copying an old one; delete is soft.

Two sessions editing one case: each save names the version it was based on (``expected_version``)
and is refused with :class:`ConflictError` if another session saved first (optimistic
concurrency), so nothing is silently overwritten.

Pseudonymous only: nothing is stored about a patient beyond the case document and its label,
and this module logs nothing. SQL is built by SQLAlchemy expressions with bound parameters only.
The schema is created and upgraded by the Alembic migrations in ``store/migrations``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

from logic.case import Case, CaseError, Problem, parse_case

#: Environment variable naming the database (``postgresql://user:pw@host:port/db``).
URL_ENV = "COBALT_DATABASE_URL"
#: Environment variable naming the folder of the default SQLite file.
DATA_DIR_ENV = "COBALT_DATA_DIR"
SQLITE_FILE = "cobalt.sqlite3"
ROOT = Path(__file__).resolve().parents[1]

#: Seconds a writer waits for another process's write to finish (SQLite busy timeout).
SQLITE_BUSY_TIMEOUT_S = 30.0

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The default clock: the current time in UTC."""
    return datetime.now(UTC)


# -- errors -------------------------------------------------------------------


class StoreError(Exception):
    """Base of the store's errors."""


class NotFoundError(StoreError, LookupError):
    """No case (or no such version of it) with that id."""


class ConflictError(StoreError):
    """The save was refused because the case changed since the caller loaded it.

    Nothing was written; the caller still holds its edits and should keep them on screen.
    """

    def __init__(self, case_id: str, expected_version: int, current_version: int, saved_at: datetime):
        self.case_id = case_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.saved_at = saved_at
        super().__init__(self._message())

    def _message(self) -> str:
        when = self.saved_at.strftime("%Y-%m-%d %H:%M UTC")
        return (
            f"Not saved: this case was changed in another session at {when} (version {self.current_version}) "
            f"after you opened version {self.expected_version}. Your edits are kept here: reload the case "
            "to see the other changes, or save yours as a new case."
        )


class CaseDeletedError(ConflictError):
    """The save was refused because another session deleted the case."""

    def _message(self) -> str:
        return (
            "Not saved: this case was deleted in another session. Your edits are kept here: "
            "restore the case first, or save yours as a new case."
        )


# -- values -------------------------------------------------------------------


@dataclass(frozen=True)
class CaseSummary:
    """A case as the picker lists it (no document). Times are UTC."""

    id: str
    version: int
    label: str | None
    treatment_start: date | None
    last_observation: date | None
    created_at: datetime
    updated_at: datetime
    deleted: bool
    deleted_at: datetime | None


@dataclass(frozen=True)
class CaseRecord(CaseSummary):
    """A case's current version with its document (a fresh dict on every load)."""

    document: dict[str, Any]

    def case(self) -> Case:
        """The document as a :class:`logic.case.Case`."""
        return parse_case(self.document)


@dataclass(frozen=True)
class VersionInfo:
    """One saved version: when, how (create / save / revert / duplicate) and its label."""

    case_id: str
    version: int
    saved_at: datetime
    action: str
    label: str | None
    source_version: int | None  # for a revert: the version it copies


@dataclass(frozen=True)
class CaseVersion(VersionInfo):
    """One saved version with its document."""

    document: dict[str, Any]


# -- schema (created by the migrations, never by create_all) ---------------------

METADATA = sa.MetaData()

CASES = sa.Table(
    "cases",
    METADATA,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("label", sa.String(120), nullable=True),
    sa.Column("label_key", sa.String(480), nullable=True),  # casefolded label, for search
    sa.Column("treatment_start", sa.Date, nullable=True),
    sa.Column("last_observation", sa.Date, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('active', 'deleted')", name="ck_cases_status"),
    sa.Index("ix_cases_label_key", "label_key"),
    sa.Index("ix_cases_status_updated_at", "status", "updated_at"),
)

CASE_VERSIONS = sa.Table(
    "case_versions",
    METADATA,
    sa.Column("case_id", sa.String(32), sa.ForeignKey("cases.id", name="fk_case_versions_case_id"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("source_version", sa.Integer, nullable=True),
    sa.Column("label", sa.String(120), nullable=True),
    sa.Column("document", sa.Text, nullable=False),
)

ACTIVE = "active"
DELETED = "deleted"


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


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``resolve_url(url)``; a SQLite file and its folder are created if missing."""
    resolved = make_url(resolve_url(url))
    if resolved.get_backend_name() == "sqlite":
        database = resolved.database or ""
        if database in ("", ":memory:") or database.startswith("file:"):
            raise StoreError("the store needs a SQLite file (an in-memory database is not shared between connections)")
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(resolved, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        sa.event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    return sa.create_engine(resolved, pool_pre_ping=True)


# -- helpers ------------------------------------------------------------------


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite keeps the UTC wall time without its zone
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _encode(doc: dict[str, Any]) -> str:
    try:
        return json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise CaseError([Problem("document", f"cannot be stored as JSON: {exc}", "document")]) from None


def _validate(doc: Any) -> tuple[Case, str]:
    """Parse ``doc`` (raising CaseError with every problem) and encode it for storage."""
    case = parse_case(doc)
    return case, _encode(doc)


def _indexed(case: Case) -> dict[str, Any]:
    return {
        "label": case.label,
        "label_key": case.label.casefold() if case.label is not None else None,
        "treatment_start": case.treatment_start,
        "last_observation": case.last_date(),
    }


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_SUMMARY_COLUMNS = (
    CASES.c.id,
    CASES.c.version,
    CASES.c.label,
    CASES.c.treatment_start,
    CASES.c.last_observation,
    CASES.c.created_at,
    CASES.c.updated_at,
    CASES.c.status,
    CASES.c.deleted_at,
)


def _summary_fields(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "version": row.version,
        "label": row.label,
        "treatment_start": _date(row.treatment_start),
        "last_observation": _date(row.last_observation),
        "created_at": _utc(row.created_at),
        "updated_at": _utc(row.updated_at),
        "deleted": row.status == DELETED,
        "deleted_at": _utc(row.deleted_at),
    }


def _version_fields(row: Any) -> dict[str, Any]:
    return {
        "case_id": row.case_id,
        "version": row.version,
        "saved_at": _utc(row.saved_at),
        "action": row.action,
        "label": row.label,
        "source_version": row.source_version,
    }


# -- the store ------------------------------------------------------------------


class Store:
    """The case repository. Thread-safe; share one per process (e.g. ``st.cache_resource``)."""

    def __init__(self, engine: Engine, clock: Clock | None = None):
        self._engine = engine
        self._clock = clock or utc_now

    @classmethod
    def open(cls, url: str | None = None, *, clock: Clock | None = None, migrate: bool = True) -> Store:
        """Open the store at ``resolve_url(url)``, first upgrading its schema unless ``migrate`` is false."""
        engine = make_engine(url)
        if migrate:
            from store.migrations import upgrade_engine

            upgrade_engine(engine)
        return cls(engine, clock)

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._engine.dialect.name

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return self._engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        """Close the pooled connections."""
        self._engine.dispose()

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    # -- transactions ---------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self._engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            conn.execution_options(cobalt_write=True)
            with conn.begin():
                yield conn

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise StoreError("the store's clock must return an aware datetime (UTC)")
        return now.astimezone(UTC)

    # -- reading --------------------------------------------------------------

    def _head(self, conn: Connection, case_id: str) -> Any:
        query = (
            sa.select(*_SUMMARY_COLUMNS, CASE_VERSIONS.c.document)
            .join(
                CASE_VERSIONS,
                sa.and_(CASE_VERSIONS.c.case_id == CASES.c.id, CASE_VERSIONS.c.version == CASES.c.version),
            )
            .where(CASES.c.id == case_id)
        )
        row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(f"no case with id {case_id!r}")
        return row

    def load(self, case_id: str) -> CaseRecord:
        """The current version of a case (deleted cases load too: see ``deleted``)."""
        with self._read() as conn:
            row = self._head(conn, case_id)
        return CaseRecord(**_summary_fields(row), document=json.loads(row.document))

    def versions(self, case_id: str) -> list[VersionInfo]:
        """Every saved version of a case, oldest first."""
        query = (
            sa.select(
                CASE_VERSIONS.c.case_id,
                CASE_VERSIONS.c.version,
                CASE_VERSIONS.c.saved_at,
                CASE_VERSIONS.c.action,
                CASE_VERSIONS.c.label,
                CASE_VERSIONS.c.source_version,
            )
            .where(CASE_VERSIONS.c.case_id == case_id)
            .order_by(CASE_VERSIONS.c.version)
        )
        with self._read() as conn:
            rows = conn.execute(query).all()
        if not rows:
            raise NotFoundError(f"no case with id {case_id!r}")
        return [VersionInfo(**_version_fields(r)) for r in rows]

    def load_version(self, case_id: str, version: int) -> CaseVersion:
        """One saved version of a case, with its document."""
        query = sa.select(CASE_VERSIONS).where(CASE_VERSIONS.c.case_id == case_id, CASE_VERSIONS.c.version == version)
        with self._read() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(f"case {case_id!r} has no version {version!r}")
        return CaseVersion(**_version_fields(row), document=json.loads(row.document))

    def list_cases(
        self, search: str | None = None, include_deleted: bool = False, limit: int = 500
    ) -> list[CaseSummary]:
        """Cases whose label contains ``search`` (case-insensitive), most recently saved first."""
        query = sa.select(*_SUMMARY_COLUMNS)
        if not include_deleted:
            query = query.where(CASES.c.status == ACTIVE)
        needle = (search or "").strip().casefold()
        if needle:
            query = query.where(CASES.c.label_key.like("%" + _escape_like(needle) + "%", escape="\\"))
        query = query.order_by(CASES.c.updated_at.desc(), CASES.c.id).limit(int(limit))
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [CaseSummary(**_summary_fields(r)) for r in rows]

    # -- writing --------------------------------------------------------------

    def _insert_case(self, doc: Any, action: str) -> CaseRecord:
        case, text = _validate(doc)
        now = self._now()
        case_id = uuid.uuid4().hex
        with self._write() as conn:
            conn.execute(
                sa.insert(CASES).values(
                    id=case_id, version=1, status=ACTIVE, created_at=now, updated_at=now, deleted_at=None,
                    **_indexed(case),
                )
            )
            conn.execute(
                sa.insert(CASE_VERSIONS).values(
                    case_id=case_id, version=1, saved_at=now, action=action, source_version=None, label=case.label,
                    document=text,
                )
            )
            row = self._head(conn, case_id)
        return CaseRecord(**_summary_fields(row), document=json.loads(row.document))

    def create_case(self, doc: dict[str, Any]) -> CaseRecord:
        """Store a new case (version 1). A CaseError propagates and nothing is written."""
        return self._insert_case(doc, "create")

    def _refusal(self, conn: Connection, case_id: str, expected_version: int) -> StoreError:
        row = conn.execute(
            sa.select(CASES.c.version, CASES.c.status, CASES.c.updated_at).where(CASES.c.id == case_id)
        ).first()
        if row is None:
            return NotFoundError(f"no case with id {case_id!r}")
        if row.status == DELETED:
            return CaseDeletedError(case_id, expected_version, row.version, _utc(row.updated_at))
        return ConflictError(case_id, expected_version, row.version, _utc(row.updated_at))

    def _new_version(
        self, case_id: str, doc: Any, expected_version: int, action: str, source_version: int | None = None
    ) -> CaseRecord:
        case, text = _validate(doc)
        expected_version = int(expected_version)
        now = self._now()
        with self._write() as conn:
            head = conn.execute(
                sa.select(CASES.c.version, CASES.c.status, CASE_VERSIONS.c.document)
                .join(
                    CASE_VERSIONS,
                    sa.and_(CASE_VERSIONS.c.case_id == CASES.c.id, CASE_VERSIONS.c.version == CASES.c.version),
                )
                .where(CASES.c.id == case_id)
            ).first()
            unchanged = (
                action == "save"
                and head is not None
                and head.version == expected_version
                and head.status == ACTIVE
                and json.loads(head.document) == json.loads(text)
            )
            if not unchanged:
                # The guard: only the session that read the current version may write the next one.
                result = conn.execute(
                    sa.update(CASES)
                    .where(CASES.c.id == case_id, CASES.c.version == expected_version, CASES.c.status == ACTIVE)
                    .values(version=expected_version + 1, updated_at=now, **_indexed(case))
                )
                if result.rowcount != 1:
                    raise self._refusal(conn, case_id, expected_version)
                conn.execute(
                    sa.insert(CASE_VERSIONS).values(
                        case_id=case_id, version=expected_version + 1, saved_at=now, action=action,
                        source_version=source_version, label=case.label, document=text,
                    )
                )
            row = self._head(conn, case_id)
        return CaseRecord(**_summary_fields(row), document=json.loads(row.document))

    def save(self, case_id: str, doc: dict[str, Any], expected_version: int) -> CaseRecord:
        """Save ``doc`` as the next version of the case last loaded at ``expected_version``.

        Raises ConflictError (nothing written) if another session saved or deleted the case since;
        a CaseError propagates for an invalid document. Saving an unchanged document writes nothing.
        """
        return self._new_version(case_id, doc, expected_version, "save")

    def revert(self, case_id: str, version: int, expected_version: int) -> CaseRecord:
        """Undo: save a copy of ``version`` as the next version (ConflictError as for :meth:`save`)."""
        old = self.load_version(case_id, version)
        return self._new_version(case_id, old.document, expected_version, "revert", source_version=old.version)

    def duplicate(self, case_id: str, label: str) -> CaseRecord:
        """A new case (version 1) copying the current document of ``case_id`` under ``label``."""
        doc = self.load(case_id).document
        doc["label"] = label
        return self._insert_case(doc, "duplicate")

    def _set_status(self, case_id: str, status: str) -> CaseRecord:
        now = self._now()
        with self._write() as conn:
            conn.execute(
                sa.update(CASES)
                .where(CASES.c.id == case_id, CASES.c.status != status)
                .values(status=status, deleted_at=now if status == DELETED else None)
            )
            row = self._head(conn, case_id)  # NotFoundError for an unknown id; a no-op if already so
        return CaseRecord(**_summary_fields(row), document=json.loads(row.document))

    def delete(self, case_id: str) -> CaseRecord:
        """Soft delete: the case leaves the picker but keeps every version; undo with :meth:`restore`."""
        return self._set_status(case_id, DELETED)

    def restore(self, case_id: str) -> CaseRecord:
        """Undo a soft delete."""
        return self._set_status(case_id, ACTIVE)

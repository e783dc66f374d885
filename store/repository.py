"""The case store: case documents with every saved version, their owners and an audit trail.

A case is kept as its JSON document (``b12-case/1``, validated by :func:`logic.case.parse_case`
before anything is written) plus a few indexed columns for the case picker: label, treatment
start, last observation date, status and the time of the last save. Every save is a new version
with its time and its author; undo (:meth:`Store.revert`) is a new version copying an old one;
delete is soft.

Ownership is enforced here, not only in the pages: every call names an :class:`~store.records.Actor`,
and a case is open only to the actor who made it and, if it was made by a member of a team (ward),
to that team. Anyone else is refused with :class:`NotFoundError`, exactly as for an id that does
not exist, and the refusal is written to the case's audit trail. The teaching library is not in the
store at all: it is read-only data under ``data/`` that every user opens read-only.

Audit: one append-only row per view, save, revert, copy, export, delete, restore or refusal, kept
with the case's versions. The store has no API that changes or removes an audit row or a version,
and the database refuses such changes too (triggers from migration 0002).

Two sessions editing one case: each save names the version it was based on (``expected_version``)
and is refused with :class:`ConflictError` if another session saved first (optimistic
concurrency), so nothing is silently overwritten.

Pseudonymous only: nothing is stored about a patient beyond the case document and its label,
and this module logs nothing. SQL is built by SQLAlchemy expressions with bound parameters only.
The schema is created and upgraded by the Alembic migrations in ``store/migrations``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from store.engine import (
    DATA_DIR_ENV,
    SQLITE_BUSY_TIMEOUT_S,
    SQLITE_FILE,
    URL_ENV,
    default_sqlite_path,
    is_shared,
    make_engine,
    resolve_url,
)
from store.records import (
    LOCAL,
    Actor,
    AuditAction,
    AuditEntry,
    CaseDeletedError,
    CaseRecord,
    CaseSummary,
    CaseVersion,
    ConflictError,
    NotFoundError,
    StoreError,
    VersionInfo,
)
from store.rows import (
    LIST_COLUMNS,
    SUMMARY_COLUMNS,
    VERSION_COLUMNS,
    escape_like,
    indexed,
    record,
    summaries,
    utc,
    validate,
    version_fields,
)
from store.schema import ACTIVE, CASE_AUDIT, CASE_VERSIONS, CASES, DELETED, METADATA
from store.signins import SignInRecords

__all__ = [
    "DATA_DIR_ENV",
    "LOCAL",
    "METADATA",
    "SQLITE_BUSY_TIMEOUT_S",
    "SQLITE_FILE",
    "URL_ENV",
    "Actor",
    "AuditAction",
    "AuditEntry",
    "CaseDeletedError",
    "CaseRecord",
    "CaseSummary",
    "CaseVersion",
    "ConflictError",
    "NotFoundError",
    "Store",
    "StoreError",
    "VersionInfo",
    "default_sqlite_path",
    "is_shared",
    "make_engine",
    "resolve_url",
]

Clock = Callable[[], datetime]
DETAIL_MAX = 64


def utc_now() -> datetime:
    """The default clock: the current time in UTC."""
    return datetime.now(UTC)


def _actor(actor: Any) -> Actor:
    if not isinstance(actor, Actor):
        raise StoreError(f"every store call names an Actor, not {type(actor).__name__}")
    return actor


def _open_to(actor: Actor) -> sa.ColumnElement[bool]:
    """The cases ``actor`` may see: their own, and their team's."""
    own = CASES.c.owner == actor.subject
    if actor.team is None:
        return own
    return sa.or_(own, CASES.c.team == actor.team)


def _not_found(case_id: str) -> NotFoundError:
    # The same words for a missing case and for another user's: an id says nothing about existence.
    return NotFoundError(f"no case with id {case_id!r} among the cases you can open")


class _Refused(Exception):
    """Internal: the case is not open to this actor (``exists``: it is someone else's)."""

    def __init__(self, exists: bool):
        self.exists = exists


# -- the store ------------------------------------------------------------------


#: The longest label search the store runs (a label is at most a few hundred characters).
SEARCH_MAX = 200


def _case_version(row: Any) -> CaseVersion:
    """A version row read with its document (``VERSION_COLUMNS`` and ``document``)."""
    return CaseVersion(**version_fields(row), document=json.loads(row.document))


class Store(SignInRecords):
    """The case repository (and the record of ended sign-ins, store/signins.py). Thread-safe; share one
    per process (e.g. ``st.cache_resource``).

    Every method names the acting user (``actor=``, an :class:`Actor`); with sign-in off that is
    :data:`store.records.LOCAL`. There is deliberately no method that changes or removes a version
    or an audit row.
    """

    def __init__(self, engine: Engine, clock: Clock | None = None):
        self._engine = engine
        self._clock = clock or utc_now

    @classmethod
    def open(cls, url: str | None = None, *, clock: Clock | None = None, migrate: bool = True) -> Store:
        """Open the store at ``resolve_url(url)``, first upgrading its schema unless ``migrate`` is false.

        The upgrade runs only when the schema is behind: the app's restricted PostgreSQL role (no DDL,
        store/roles.py) opens a migrated database as it is, and is told to run the migrations as the
        owner when it is not.
        """
        engine = make_engine(url)
        if migrate:
            from store.migrations import upgrade_if_behind

            try:
                upgrade_if_behind(engine)
            except BaseException:
                engine.dispose()
                raise
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

    # -- transactions, access and the audit trail -------------------------------

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

    @staticmethod
    def _require(conn: Connection, case_id: str, actor: Actor) -> Any:
        """The case's owner row if ``actor`` may see it; else raise _Refused."""
        row = conn.execute(sa.select(CASES.c.id, CASES.c.owner, CASES.c.team).where(CASES.c.id == case_id)).first()
        if row is None:
            raise _Refused(exists=False)
        if row.owner != actor.subject and (actor.team is None or row.team != actor.team):
            raise _Refused(exists=True)
        return row

    @staticmethod
    def _audit(
        conn: Connection, case_id: str, actor: Actor, action: AuditAction, at: datetime,
        version: int | None = None, detail: str | None = None,
    ) -> None:
        conn.execute(
            sa.insert(CASE_AUDIT).values(
                case_id=case_id, at=at, actor=actor.subject, actor_name=actor.name, action=action.value,
                version=version, detail=detail,
            )
        )

    @contextmanager
    def _guarded(self, case_id: str, actor: Actor) -> Iterator[None]:
        """Turn a refusal into NotFoundError, noting it in the audit trail of someone else's case."""
        try:
            yield
        except _Refused as refused:
            if refused.exists:
                at = self._now()
                with self._write() as conn:
                    self._audit(conn, case_id, actor, AuditAction.DENIED, at)
            raise _not_found(case_id) from None

    # -- reading --------------------------------------------------------------

    def _head(self, conn: Connection, case_id: str) -> Any:
        query = (
            sa.select(*SUMMARY_COLUMNS, CASE_VERSIONS.c.document)
            .join(
                CASE_VERSIONS,
                sa.and_(CASE_VERSIONS.c.case_id == CASES.c.id, CASE_VERSIONS.c.version == CASES.c.version),
            )
            .where(CASES.c.id == case_id)
        )
        row = conn.execute(query).first()
        if row is None:
            raise _Refused(exists=False)
        return row

    def load(self, case_id: str, *, actor: Actor) -> CaseRecord:
        """The current version of a case (deleted cases load too: see ``deleted``); audited as a view."""
        actor = _actor(actor)
        with self._guarded(case_id, actor):
            at = self._now()
            with self._write() as conn:
                self._require(conn, case_id, actor)
                row = self._head(conn, case_id)
                self._audit(conn, case_id, actor, AuditAction.VIEW, at, row.version)
        return record(row)

    def versions(self, case_id: str, *, actor: Actor) -> list[VersionInfo]:
        """Every saved version of a case, oldest first, each with who saved it."""
        actor = _actor(actor)
        query = sa.select(*VERSION_COLUMNS).where(CASE_VERSIONS.c.case_id == case_id).order_by(CASE_VERSIONS.c.version)
        with self._guarded(case_id, actor), self._read() as conn:
            self._require(conn, case_id, actor)
            rows = conn.execute(query).all()
        return [VersionInfo(**version_fields(r)) for r in rows]

    def _version(self, conn: Connection, case_id: str, version: int) -> CaseVersion:
        query = sa.select(*VERSION_COLUMNS, CASE_VERSIONS.c.document).where(
            CASE_VERSIONS.c.case_id == case_id, CASE_VERSIONS.c.version == version
        )
        row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(f"case {case_id!r} has no version {version!r}")
        return _case_version(row)

    def load_version(self, case_id: str, version: int, *, actor: Actor) -> CaseVersion:
        """One saved version of a case, with its document; audited as a view of that version."""
        actor = _actor(actor)
        with self._guarded(case_id, actor):
            at = self._now()
            with self._write() as conn:
                self._require(conn, case_id, actor)
                found = self._version(conn, case_id, version)
                self._audit(conn, case_id, actor, AuditAction.VIEW, at, found.version)
        return found

    def recent_versions(self, case_id: str, limit: int, *, actor: Actor) -> list[CaseVersion]:
        """The newest ``limit`` versions of a case with their documents, oldest first, read at once: the
        library's version list of the case the user has open (its opening is the audited view), so, like
        ``versions``, not audited again on every rerun of that list."""
        actor = _actor(actor)
        query = (
            sa.select(*VERSION_COLUMNS, CASE_VERSIONS.c.document)
            .where(CASE_VERSIONS.c.case_id == case_id)
            .order_by(CASE_VERSIONS.c.version.desc())
            .limit(max(1, int(limit)))
        )
        with self._guarded(case_id, actor), self._read() as conn:
            self._require(conn, case_id, actor)
            rows = conn.execute(query).all()
        return [_case_version(r) for r in reversed(rows)]

    def list_cases(
        self, search: str | None = None, include_deleted: bool = False, limit: int = 500, *, actor: Actor
    ) -> list[CaseSummary]:
        """The actor's cases (and their team's) whose label contains ``search`` (case-insensitive),
        most recently saved first."""
        actor = _actor(actor)
        query = sa.select(*LIST_COLUMNS).where(_open_to(actor))
        if not include_deleted:
            query = query.where(CASES.c.status == ACTIVE)
        needle = (search or "").strip().casefold()
        if len(needle) > SEARCH_MAX:
            raise StoreError(f"the search text is {len(needle)} characters long; at most {SEARCH_MAX} are searched")
        if needle:
            query = query.where(CASES.c.label_key.like("%" + escape_like(needle) + "%", escape="\\"))
        query = query.order_by(CASES.c.updated_at.desc(), CASES.c.id).limit(int(limit))
        with self._read() as conn:
            rows = conn.execute(query).all()
        return summaries(rows)

    def audit(self, case_id: str, *, actor: Actor) -> list[AuditEntry]:
        """The case's audit trail, oldest first (open to those who may open the case)."""
        actor = _actor(actor)
        query = sa.select(CASE_AUDIT).where(CASE_AUDIT.c.case_id == case_id).order_by(CASE_AUDIT.c.seq)
        with self._guarded(case_id, actor), self._read() as conn:
            self._require(conn, case_id, actor)
            rows = conn.execute(query).all()
        return [
            AuditEntry(
                case_id=r.case_id, seq=r.seq, at=utc(r.at), actor=r.actor, actor_name=r.actor_name,
                action=AuditAction(r.action), version=r.version, detail=r.detail,
            )
            for r in rows
        ]

    # -- writing --------------------------------------------------------------

    def _create(self, conn: Connection, doc: Any, action: str, actor: Actor, at: datetime, detail: str | None) -> Any:
        case, text = validate(doc)
        case_id = uuid.uuid4().hex
        conn.execute(
            sa.insert(CASES).values(
                id=case_id, version=1, status=ACTIVE, created_at=at, updated_at=at, deleted_at=None,
                owner=actor.subject, team=actor.team, **indexed(case),
            )
        )
        conn.execute(
            sa.insert(CASE_VERSIONS).values(
                case_id=case_id, version=1, saved_at=at, action=action, source_version=None, label=case.label,
                document=text, saved_by=actor.subject, saved_by_name=actor.name,
            )
        )
        self._audit(conn, case_id, actor, AuditAction.CREATE, at, 1, detail)
        return self._head(conn, case_id)

    def create_case(self, doc: dict[str, Any], *, actor: Actor) -> CaseRecord:
        """Store a new case (version 1) owned by ``actor`` (and their team). A CaseError propagates
        and nothing is written."""
        actor = _actor(actor)
        validate(doc)
        at = self._now()
        with self._write() as conn:
            row = self._create(conn, doc, "create", actor, at, None)
        return record(row)

    def _refusal(self, conn: Connection, case_id: str, expected_version: int) -> StoreError:
        row = conn.execute(
            sa.select(CASES.c.version, CASES.c.status, CASES.c.updated_at).where(CASES.c.id == case_id)
        ).first()
        if row.status == DELETED:
            return CaseDeletedError(case_id, expected_version, row.version, utc(row.updated_at))
        return ConflictError(case_id, expected_version, row.version, utc(row.updated_at))

    def _new_version(
        self, conn: Connection, case_id: str, doc: Any, expected_version: int, action: str, actor: Actor,
        at: datetime, source_version: int | None = None,
    ) -> Any:
        case, text = validate(doc)
        expected_version = int(expected_version)
        head = self._head(conn, case_id)
        unchanged = (
            action == "save"
            and head.version == expected_version
            and head.status == ACTIVE
            and json.loads(head.document) == json.loads(text)
        )
        if unchanged:
            return head
        # The guard: only the session that read the current version may write the next one.
        result = conn.execute(
            sa.update(CASES)
            .where(CASES.c.id == case_id, CASES.c.version == expected_version, CASES.c.status == ACTIVE)
            .values(version=expected_version + 1, updated_at=at, **indexed(case))
        )
        if result.rowcount != 1:
            raise self._refusal(conn, case_id, expected_version)
        conn.execute(
            sa.insert(CASE_VERSIONS).values(
                case_id=case_id, version=expected_version + 1, saved_at=at, action=action,
                source_version=source_version, label=case.label, document=text,
                saved_by=actor.subject, saved_by_name=actor.name,
            )
        )
        audit_action = AuditAction.REVERT if action == "revert" else AuditAction.SAVE
        detail = f"from version {source_version}" if source_version is not None else None
        self._audit(conn, case_id, actor, audit_action, at, expected_version + 1, detail)
        return self._head(conn, case_id)

    def save(self, case_id: str, doc: dict[str, Any], expected_version: int, *, actor: Actor) -> CaseRecord:
        """Save ``doc`` as the next version of the case last loaded at ``expected_version``.

        Raises ConflictError (nothing written) if another session saved or deleted the case since,
        NotFoundError if the case is not open to ``actor``; a CaseError propagates for an invalid
        document. Saving an unchanged document writes nothing.
        """
        actor = _actor(actor)
        validate(doc)
        with self._guarded(case_id, actor):
            at = self._now()
            with self._write() as conn:
                self._require(conn, case_id, actor)
                row = self._new_version(conn, case_id, doc, expected_version, "save", actor, at)
        return record(row)

    def revert(self, case_id: str, version: int, expected_version: int, *, actor: Actor) -> CaseRecord:
        """Undo: save a copy of ``version`` as the next version (ConflictError as for :meth:`save`)."""
        actor = _actor(actor)
        with self._guarded(case_id, actor):
            at = self._now()
            with self._write() as conn:
                self._require(conn, case_id, actor)
                old = self._version(conn, case_id, version)
                row = self._new_version(
                    conn, case_id, old.document, expected_version, "revert", actor, at, source_version=old.version
                )
        return record(row)

    def duplicate(self, case_id: str, label: str, *, actor: Actor) -> CaseRecord:
        """A new case (version 1, owned by ``actor``) copying the current document of ``case_id`` under ``label``."""
        actor = _actor(actor)
        with self._guarded(case_id, actor):
            at = self._now()
            with self._write() as conn:
                self._require(conn, case_id, actor)
                doc = json.loads(self._head(conn, case_id).document)
                doc["label"] = label
                row = self._create(conn, doc, "duplicate", actor, at, f"copy of {case_id}")
                self._audit(conn, case_id, actor, AuditAction.COPY, at, None, f"copied to {row.id}")
        return record(row)

    def _set_status(self, case_id: str, status: str, actor: Actor) -> CaseRecord:
        actor = _actor(actor)
        with self._guarded(case_id, actor):
            at = self._now()
            with self._write() as conn:
                self._require(conn, case_id, actor)
                changed = conn.execute(
                    sa.update(CASES)
                    .where(CASES.c.id == case_id, CASES.c.status != status)
                    .values(status=status, deleted_at=at if status == DELETED else None)
                ).rowcount
                row = self._head(conn, case_id)
                if changed:  # deleting twice, or restoring a live case, changes and records nothing
                    action = AuditAction.DELETE if status == DELETED else AuditAction.RESTORE
                    self._audit(conn, case_id, actor, action, at, row.version)
        return record(row)

    def delete(self, case_id: str, *, actor: Actor) -> CaseRecord:
        """Soft delete: the case leaves the picker but keeps every version; undo with :meth:`restore`."""
        return self._set_status(case_id, DELETED, actor)

    def restore(self, case_id: str, *, actor: Actor) -> CaseRecord:
        """Undo a soft delete."""
        return self._set_status(case_id, ACTIVE, actor)

    def record_export(self, case_id: str, fmt: str, *, actor: Actor) -> None:
        """Note in the audit trail that ``actor`` downloaded the case as ``fmt`` (e.g. ``"fhir"``)."""
        actor = _actor(actor)
        if not isinstance(fmt, str) or not fmt or len(fmt) > DETAIL_MAX:
            raise StoreError(f"an export format is 1 to {DETAIL_MAX} characters")
        with self._guarded(case_id, actor):
            at = self._now()
            with self._write() as conn:
                self._require(conn, case_id, actor)
                version = conn.execute(sa.select(CASES.c.version).where(CASES.c.id == case_id)).scalar_one()
                self._audit(conn, case_id, actor, AuditAction.EXPORT, at, version, fmt)

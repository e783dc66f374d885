"""Between rows and values: documents validated and encoded for storage, columns the store reads,
and database rows made into the frozen values of :mod:`store.records`."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from logic.case import Case, CaseError, Problem, parse_case
from store.records import CaseRecord, CaseSummary
from store.schema import CASE_VERSIONS, CASES, DELETED


def utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is UTC:  # None, or already UTC (as PostgreSQL gives it)
        return value
    if value.tzinfo is None:  # SQLite keeps the UTC wall time without its zone
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def encode(doc: dict[str, Any]) -> str:
    try:
        return json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise CaseError([Problem("document", f"cannot be stored as JSON: {exc}", "document")]) from None


def validate(doc: Any) -> tuple[Case, str]:
    """Parse ``doc`` (raising CaseError with every problem) and encode it for storage."""
    case = parse_case(doc)
    return case, encode(doc)


def indexed(case: Case) -> dict[str, Any]:
    return {
        "label": case.label,
        "label_key": case.label.casefold() if case.label is not None else None,
        "treatment_start": case.treatment_start,
        "last_observation": case.last_date(),
    }


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


SUMMARY_COLUMNS = (
    CASES.c.id,
    CASES.c.version,
    CASES.c.label,
    CASES.c.treatment_start,
    CASES.c.last_observation,
    CASES.c.created_at,
    CASES.c.updated_at,
    CASES.c.status,
    CASES.c.deleted_at,
    CASES.c.owner,
    CASES.c.team,
)

VERSION_COLUMNS = (
    CASE_VERSIONS.c.case_id,
    CASE_VERSIONS.c.version,
    CASE_VERSIONS.c.saved_at,
    CASE_VERSIONS.c.action,
    CASE_VERSIONS.c.label,
    CASE_VERSIONS.c.source_version,
    CASE_VERSIONS.c.saved_by,
    CASE_VERSIONS.c.saved_by_name,
)


def summary_fields(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "version": row.version,
        "label": row.label,
        "treatment_start": as_date(row.treatment_start),
        "last_observation": as_date(row.last_observation),
        "created_at": utc(row.created_at),
        "updated_at": utc(row.updated_at),
        "deleted": row.status == DELETED,
        "deleted_at": utc(row.deleted_at),
        "owner": row.owner,
        "team": row.team,
    }


#: :data:`SUMMARY_COLUMNS` for the case list (up to all of a user's cases): the times as the database
#: gives them to the driver. SQLite's text is read by :func:`_listed_time` (a third of the time of
#: SQLAlchemy's parse followed by ``utc``); PostgreSQL's driver gives datetimes whatever the type.
LIST_COLUMNS = tuple(sa.type_coerce(c, sa.String) if isinstance(c.type, sa.DateTime) else c for c in SUMMARY_COLUMNS)


def _listed_time(value: str | datetime | None) -> datetime | None:
    """A time of :data:`LIST_COLUMNS` in UTC: SQLite's text holds the UTC wall time without its zone."""
    if type(value) is not str:
        return utc(value)
    try:
        return datetime.fromisoformat(value + "+00:00")
    except ValueError:  # text with its own offset, or not a time at all (raises again)
        return utc(datetime.fromisoformat(value))


def summaries(rows: Iterable[Any]) -> list[CaseSummary]:
    """:class:`CaseSummary` values from rows of :data:`LIST_COLUMNS` (or :data:`SUMMARY_COLUMNS`), in
    their order: each row unpacked and each value made by position (by name, with
    :func:`summary_fields`, it took three times as long for a list of 10,000 cases)."""
    out: list[CaseSummary] = []
    append = out.append
    for case_id, version, label, start, last, created, updated, status, deleted_at, owner, team in rows:
        append(CaseSummary(case_id, version, label, as_date(start), as_date(last), _listed_time(created),
                           _listed_time(updated), status == DELETED, _listed_time(deleted_at), owner, team))
    return out


def record(row: Any) -> CaseRecord:
    return CaseRecord(**summary_fields(row), document=json.loads(row.document))


def version_fields(row: Any) -> dict[str, Any]:
    return {
        "case_id": row.case_id,
        "version": row.version,
        "saved_at": utc(row.saved_at),
        "action": row.action,
        "label": row.label,
        "source_version": row.source_version,
        "saved_by": row.saved_by,
        "saved_by_name": row.saved_by_name,
    }

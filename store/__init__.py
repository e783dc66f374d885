"""Cobalt's case store: case documents with every version, their owners and an audit trail,
in SQLite or PostgreSQL.

Start-up: ``store = Store.open()`` (upgrades the schema, then opens ``$COBALT_DATABASE_URL`` or the
SQLite file under ``var/``). Every call names the acting user: ``store.list_cases(actor=LOCAL)``
with sign-in off. See :mod:`store.repository` for the API.
"""

from store.engine import is_shared, resolve_url
from store.migrations import upgrade
from store.records import (
    LOCAL,
    LOCAL_SUBJECT,
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
from store.repository import SEARCH_MAX, Store

__all__ = [
    "LOCAL",
    "LOCAL_SUBJECT",
    "Actor",
    "AuditAction",
    "AuditEntry",
    "CaseDeletedError",
    "CaseRecord",
    "CaseSummary",
    "CaseVersion",
    "ConflictError",
    "NotFoundError",
    "SEARCH_MAX",
    "Store",
    "StoreError",
    "VersionInfo",
    "is_shared",
    "resolve_url",
    "upgrade",
]

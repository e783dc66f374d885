"""Cobalt's case store: case documents with every version, in SQLite or PostgreSQL.

Start-up: ``store = Store.open()`` (upgrades the schema, then opens ``$COBALT_DATABASE_URL`` or the
SQLite file under ``var/``). See :mod:`store.repository` for the API.
"""

from store.migrations import upgrade
from store.repository import (
    CaseDeletedError,
    CaseRecord,
    CaseSummary,
    CaseVersion,
    ConflictError,
    NotFoundError,
    Store,
    StoreError,
    VersionInfo,
    resolve_url,
)

__all__ = [
    "CaseDeletedError",
    "CaseRecord",
    "CaseSummary",
    "CaseVersion",
    "ConflictError",
    "NotFoundError",
    "Store",
    "StoreError",
    "VersionInfo",
    "resolve_url",
    "upgrade",
]

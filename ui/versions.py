"""The version list of a case with what changed in each version (logic/changes.py), for the library."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from logic.changes import Change, changes

#: The newest versions listed with their changes (each needs its document read).
MAX_LISTED = 60


@dataclass(frozen=True)
class VersionRow:
    info: Any  # store.VersionInfo
    changes: tuple[Change, ...]


def version_rows(store: Any, case_id: str, actor: Any, limit: int = MAX_LISTED) -> list[VersionRow]:
    """The newest ``limit`` versions of a case, newest first, each with its changes from the one before."""
    found = store.recent_versions(case_id, limit + 1, actor=actor)  # one more: the first listed one's "before"
    shown = found[-limit:]
    previous: dict[str, Any] | None = found[0].document if len(found) > limit else None
    rows = []
    for version in shown:
        rows.append(VersionRow(version, changes(previous, version.document)))
        previous = version.document
    return list(reversed(rows))

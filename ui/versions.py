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


def version_rows(store: Any, case_id: str, limit: int = MAX_LISTED) -> list[VersionRow]:
    """The newest ``limit`` versions of a case, newest first, each with its changes from the one before."""
    infos = store.versions(case_id)
    shown = infos[-limit:]
    docs: dict[int, dict[str, Any]] = {}
    first = infos.index(shown[0])
    before = infos[first - 1] if first > 0 else None
    for info in ([before] if before else []) + shown:
        docs[info.version] = store.load_version(case_id, info.version).document
    rows = []
    previous: dict[str, Any] | None = docs[before.version] if before else None
    for info in shown:
        doc = docs[info.version]
        rows.append(VersionRow(info, changes(previous, doc)))
        previous = doc
    return list(reversed(rows))

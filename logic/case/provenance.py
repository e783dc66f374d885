"""Where an imported observation came from: the optional ``source`` of an observation.

An addition to the case contract (``docs/case-format-additions.md``): the FHIR server's base URL,
the resource read (``Observation/<id>``) and when it was fetched. It never holds a patient
identifier: no other key is accepted, so none can be stored by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

SOURCE_KEYS = ("server", "resource", "fetched_at")


@dataclass(frozen=True)
class Source:
    """Where an observation was imported from (optional ``source``, an addition to the contract):
    the FHIR server's base URL, the resource (``Observation/<id>``) and when it was fetched (ISO
    date-time). Never a patient identifier: no other key is accepted."""

    server: str
    resource: str
    fetched_at: str

    def to_dict(self) -> dict[str, str]:
        return {"server": self.server, "resource": self.resource, "fetched_at": self.fetched_at}


def parse_source(raw: Any) -> Source:
    if not isinstance(raw, dict):
        raise ValueError(f"source must be an object, got {type(raw).__name__}")
    extra = sorted(set(raw) - set(SOURCE_KEYS))
    if extra:
        raise ValueError(f"source takes only {', '.join(SOURCE_KEYS)}; not {', '.join(map(repr, extra))}")
    values = [raw.get(k) for k in SOURCE_KEYS]
    if not all(isinstance(v, str) and 0 < len(v) <= 500 for v in values):
        raise ValueError(f"source needs {', '.join(SOURCE_KEYS)}, each text of 1 to 500 characters")
    if not values[0].startswith(("http://", "https://")):
        raise ValueError(f"source.server {values[0][:60]!r} must be an http(s) address")
    try:
        datetime.fromisoformat(values[2])
    except ValueError:
        raise ValueError(f"source.fetched_at {values[2][:40]!r} is not an ISO date-time") from None
    return Source(*values)

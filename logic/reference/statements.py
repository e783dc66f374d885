"""Clinical sentences as data (style.md, habit 13): ``data/statements/<topic>.json``.

Each statement has a ``text`` with ``str.format`` placeholders, the ids of its ``refs`` and an
optional ``badge`` (``cobalt-default`` marks Cobalt's own reading, with no primary source).
Code chooses which statement applies and fills it:

- ``{t[KEY]:g}`` is the threshold ``KEY`` of the set in use, so a laboratory's own cut-offs
  change every sentence that quotes them;
- any other placeholder is a value the caller passes (a patient's result, a group median read
  from ``data/``);
- a ref written ``@KEY`` stands for the sources of threshold ``KEY`` in the set in use.

``say(key, t, **values)`` returns a :class:`~logic.results.Note`; ``alert(key, t, **values)`` an
:class:`~logic.results.Alert` whose id is the statement's name and whose severity is the entry's
``severity`` (the alert catalogue is ``data/statements/alerts.json``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from logic.reference.data import ThresholdSet, json_names, load_json
from logic.results import Alert, Note, Severity


@lru_cache(maxsize=1)
def statements() -> dict[str, dict[str, Any]]:
    """Every statement, keyed ``topic.name``; a key defined twice is a data defect."""
    out: dict[str, dict[str, Any]] = {}
    for file_name in json_names("statements"):
        topic = file_name.removesuffix(".json")
        for name, entry in load_json(f"statements/{file_name}")["statements"].items():
            out[f"{topic}.{name}"] = entry
    return out


def statement(key: str) -> dict[str, Any]:
    """The raw entry (text, refs, badge); a KeyError names a missing statement."""
    return statements()[key]


def expand_refs(refs: list[str] | tuple[str, ...], t: ThresholdSet | None) -> tuple[str, ...]:
    """Ref ids, with each ``@KEY`` replaced by the sources of threshold ``KEY`` in ``t``."""
    out: list[str] = []
    for r in refs:
        if r.startswith("@"):
            if t is None:
                raise ValueError(f"ref {r!r} needs a threshold set")
            out.extend(t.get(r[1:]).refs)
        else:
            out.append(r)
    return tuple(out)


def text(key: str, t: ThresholdSet | None = None, /, **values: Any) -> str:
    """The statement's text, filled from ``t`` and ``values``."""
    return statement(key)["text"].format(t=t, **values)


def say(key: str, t: ThresholdSet | None = None, /, extra_refs: tuple[str, ...] = (), **values: Any) -> Note:
    """The statement as a Note: filled text, its refs (``@KEY`` expanded) plus ``extra_refs``."""
    entry = statement(key)
    return Note(entry["text"].format(t=t, **values), expand_refs(entry.get("refs", ()), t) + tuple(extra_refs))


def badge(key: str) -> str | None:
    return statement(key).get("badge")


def alert(
    key: str,
    t: ThresholdSet | None = None,
    /,
    severity: Severity | str | None = None,
    lead_refs: tuple[str, ...] = (),
    **values: Any,
) -> Alert:
    """The statement as an Alert: id = the name after the topic, the entry's severity unless overridden;
    ``lead_refs`` (sources read from other data, such as the number quoted) come before the entry's own."""
    entry = statement(key)
    note = say(key, t, **values)
    refs = tuple(dict.fromkeys(tuple(lead_refs) + note.refs))  # each source once, the lead ones first
    return Alert(key.split(".", 1)[1], Severity(severity or entry["severity"]), note.text, refs)

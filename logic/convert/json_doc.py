"""Reading the case document (``b12-case/1``): its observations one by one, its own fields whole.

A problem in the document's own fields (history, patient, ...) refuses the whole document, as
``parse_case`` does; a bad observation is listed with its own problem (and then, as with any
rejected part, nothing is added: :func:`logic.convert.read_any`).
"""

from __future__ import annotations

from typing import Any

from logic.case import CHECKED_NUMBERS, CaseError, Problem, parse_case
from logic.case.limits import MAX_ROWS
from logic.convert.common import _Item, _json_object, _load_json, _Read, _validate, _where
from logic.reference import analytes


def _read_json(text: str, loaded: tuple[Any, list[Problem]] | None = None) -> _Read:
    raw = _json_object(loaded or _load_json(text), "a case document", CHECKED_NUMBERS, "document")
    if isinstance(raw, _Read):
        return raw
    read = _Read()
    raw_obs = raw.get("observations")
    shell = {k: v for k, v in raw.items() if k != "observations"}
    try:
        parse_case({**shell, "observations": []})
    except CaseError as exc:
        read.problems.extend(exc.problems)
        read.refused = True
    if raw_obs is None:
        read.problems.append(Problem("observations", "is missing; give a list (it may be empty)", "observations"))
        read.refused = True
        raw_obs = []
    elif not isinstance(raw_obs, list):
        read.problems.append(Problem("observations", f"must be a list, got {type(raw_obs).__name__}", "observations"))
        read.refused = True
        raw_obs = []
    elif len(raw_obs) > MAX_ROWS:
        read.problems.append(
            Problem("observations", f"{len(raw_obs):,} results; the limit is {MAX_ROWS:,}", "observations")
        )
        read.refused = True
        raw_obs = []
    for i, obs in enumerate(raw_obs):
        key = f"observations[{i}]"
        analyte = obs.get("analyte") if isinstance(obs, dict) else None
        where = _where(f"observation {i}", analyte if isinstance(analyte, str) and analyte in analytes() else None)
        if not isinstance(obs, dict):
            read.items.append(_Item(where, key, None, f"must be an object, got {type(obs).__name__}"))
            continue
        _, dup_key, error = _validate(obs)
        if error is not None:
            read.items.append(_Item(where, key, None, error))
        else:
            read.items.append(_Item(where, key, dict(obs), None, dup_key))
    read.shell = shell
    return read

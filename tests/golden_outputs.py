"""Stored command-line outputs that a refactor must keep byte for byte (tests/test_golden.py).

``python -m tests.golden_outputs --update`` rewrites them. Do that only for a listed, reviewed
change of behaviour, and read the diff (``git diff tests/golden``) before committing it.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
from pathlib import Path

from logic.__main__ import main
from logic.reference import DATA_DIR, threshold_set_ids

GOLDEN = Path(__file__).resolve().parent / "golden"


def _published() -> dict[str, dict]:
    from tests.published import case_document, raw_cases

    return {f"published_{c['id']}": case_document(c) for c in raw_cases()}


def _examples() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted((DATA_DIR / "cases").glob("*.json"))}


def _run(argv: list[str]) -> str:
    out = io.StringIO()
    code = main(argv, out=out)
    assert code == 0, (argv, code)
    return out.getvalue()


SCHEDULES = {
    "default": ["--start", "2026-11-02"],
    "default_ics": ["--start", "2026-11-02", "--format", "ics", "--label", "Bed 12"],
    "default_csv": ["--start", "2026-11-02", "--format", "csv"],
    "hundred_mcg": ["--start", "2026-11-02", "--dose-mcg", "100", "--maintenance-months", "24"],
}


def outputs() -> dict[str, str]:
    """name -> the command line's output today, for every stored case and a few schedules."""
    out: dict[str, str] = {}
    cases = {**_examples(), **_published()}
    with tempfile.TemporaryDirectory() as tmp:
        for name, doc in cases.items():
            path = Path(tmp) / f"{name}.json"
            path.write_text(json.dumps(doc), encoding="utf-8")
            for tset in threshold_set_ids():
                out[f"assess/{tset}/{name}.json"] = _run(["assess", str(path), "--thresholds", tset])
            if name in _examples():
                for to in ("json", "csv", "csv-wide", "fhir"):
                    out[f"convert/{to}/{name}.txt"] = _run(["convert", str(path), "--to", to])
    for name, argv in SCHEDULES.items():
        out[f"schedule/{name}.txt"] = _run(["schedule", *argv])
    return out


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        raise SystemExit("usage: python -m tests.golden_outputs --update")
    for name, text in outputs().items():
        path = GOLDEN / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    print(f"wrote {len(outputs())} files under {GOLDEN}")

"""The store half of `make bench`: list, open and save with 10,000 cases, on SQLite and PostgreSQL.

The 10,000 cases (three versions each, the bench case's document under different labels) are
written in bulk straight into the store's tables (the schema comes from the migrations, as in the
app); the figures are then the store's own calls, as the app makes them:
- list: the sidebar picker (20 rows), the Case library (200 rows), a label search, all 10,000;
- open: ``load`` of one case; save: ``save`` of a changed document (one new version).
PostgreSQL is a throwaway server from scripts/pg-test-server.py (installed as root when missing).
"""

from __future__ import annotations

import importlib.util
import json
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scripts.bench_browser import ROOT

N_CASES = 10_000
VERSIONS = 3


def _pg_script() -> Any:
    name = "cobalt_pg_test_server"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / "pg-test-server.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def seed(store, doc: dict, n: int = N_CASES) -> list[str]:
    """``n`` cases of ``VERSIONS`` versions each, in one transaction per 1,000 cases."""
    import sqlalchemy as sa

    from logic.case import parse_case
    from store.records import LOCAL
    from store.rows import indexed as _indexed
    from store.schema import CASE_VERSIONS, CASES

    base = datetime(2026, 1, 1, tzinfo=UTC)
    indexed = _indexed(parse_case(doc))  # every copy differs only in its label
    ids = []
    engine = store._engine  # noqa: SLF001 - the bench fills the tables in bulk
    for start in range(0, n, 1000):
        cases, versions = [], []
        for i in range(start, min(n, start + 1000)):
            d = dict(doc, label=f"bed {i % 40} case {i}")
            cid = uuid.uuid4().hex
            ids.append(cid)
            when = base + timedelta(minutes=i)
            cases.append({"id": cid, "version": VERSIONS, "status": "active", "created_at": when,
                          "updated_at": when, "deleted_at": None, "owner": LOCAL.subject, "team": None,
                          **indexed, "label": d["label"], "label_key": d["label"].casefold()})
            text = json.dumps(d, separators=(",", ":"))
            for v in range(1, VERSIONS + 1):
                versions.append({"case_id": cid, "version": v, "saved_at": when, "action": "save" if v > 1 else
                                 "create", "source_version": None, "label": d["label"], "document": text,
                                 "saved_by": LOCAL.subject, "saved_by_name": LOCAL.name})
        with engine.begin() as conn:
            conn.execute(sa.insert(CASES), cases)
            conn.execute(sa.insert(CASE_VERSIONS), versions)
    return ids


def _med(fn, rounds: int) -> list[float]:
    fn()
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def profile_text(fn, title: str, runs: int = 3) -> str:
    """cProfile of ``runs`` calls of ``fn``: own time by package (Cobalt's store, SQLAlchemy, the
    database driver...) and the functions with the most own time, ms per call."""
    import cProfile
    import pstats

    from scripts.profile_page import by_package, split_line, where

    prof = cProfile.Profile()
    prof.enable()
    for _ in range(runs):
        fn()
    prof.disable()
    raw = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    totals = by_package(raw)
    lines = [title, f"summary: {split_line(totals)}", "own time by package, ms per call (under cProfile):"]
    lines += [f"  {pkg:18s} {t * 1000 / runs:8.1f}" for pkg, t in totals.items()]
    lines.append("functions with the most own time, ms per call:")
    rows = sorted(((tt, where(f), ln, fn_) for (f, ln, fn_), (_c, _n, tt, _ct, _cl) in raw.items()), reverse=True)
    lines += [f"  {v * 1000 / runs:8.2f}  {f}:{ln} {name}" for v, f, ln, name in rows[:15]]
    return "\n".join(lines) + "\n"


def measure(url: str, doc: dict, rounds: int = 15, profiles: dict[str, str] | None = None) -> dict[str, list[float]]:
    from store import Store
    from store.records import LOCAL as me  # the actor with sign-in off, who owns the seeded cases

    store = Store.open(url)
    try:
        ids = seed(store, doc)
        target = ids[len(ids) // 2]
        rec = store.load(target, actor=me)
        state = {"version": rec.version, "n": 0}

        def save() -> None:
            state["n"] += 1
            new = dict(rec.document, label=f"bench save {state['n']}")
            state["version"] = store.save(target, new, expected_version=state["version"], actor=me).version

        if profiles is not None:
            profiles["list (all 10,000)"] = profile_text(
                lambda: store.list_cases(None, limit=N_CASES, actor=me),
                f"store.list_cases(limit={N_CASES:,}) on {url.split(':', 1)[0]}")
        return {
            "list (picker, 20)": _med(lambda: store.list_cases(None, limit=20, actor=me), rounds),
            "list (library, 200)": _med(lambda: store.list_cases(None, limit=200, actor=me), rounds),
            "list (search 'bed 12')": _med(lambda: store.list_cases("bed 12", limit=200, actor=me), rounds),
            "list (all 10,000)": _med(lambda: store.list_cases(None, limit=N_CASES, actor=me), rounds),
            "open (with its audit row)": _med(lambda: store.load(target, actor=me), rounds),
            "save": _med(save, rounds),
        }
    finally:
        store.close()


def run(folder: Path, doc: dict, profiles: dict[str, dict[str, str]] | None = None
        ) -> tuple[dict[str, dict[str, list[float]]], list[str]]:
    """backend -> figure -> ms samples; and notes on what could not be measured. With ``profiles``,
    also backend -> figure -> a profile of the slowest list (``profile_text``)."""
    results, notes = {}, []
    profiles = profiles if profiles is not None else {}
    results["sqlite"] = measure(f"sqlite:///{folder / 'bench-store.sqlite3'}", doc,
                                profiles=profiles.setdefault("sqlite", {}))
    pg = _pg_script()
    try:
        server = pg.start()
    except Exception as exc:  # noqa: BLE001 - a bench notes what it could not measure
        notes.append(f"PostgreSQL figures skipped: {exc}")
        return results, notes
    try:
        results["postgresql"] = measure(server.url, doc, profiles=profiles.setdefault("postgresql", {}))
    finally:
        pg.stop(server)
    return results, notes


if __name__ == "__main__":
    import tempfile

    from logic.reference import example_cases

    res, why = run(Path(tempfile.mkdtemp()), example_cases()["lagging_iron_deficiency"])
    for backend, figures in res.items():
        for name, v in figures.items():
            print(f"{backend:10s} {name:25s} {statistics.median(v):8.1f} ms")
    print(why)

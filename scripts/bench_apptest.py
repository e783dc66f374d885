"""The AppTest half of `make bench`: each page's rerun time next to the bare page's, same process.

The pages are those app.py's ``st.navigation`` registers (a new page joins by itself). Every page
runs with the bench case open (pasted on the Case page, as a user would), and the runs alternate
(bare, page 1, page 2, ..., bare, page 1, ...) so a slow patch of the machine hits all of them.
"""

from __future__ import annotations

import json
import secrets
import statistics
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from scripts.bench_browser import APPS, BENCH_CASE, ROOT, Page


def _quiet() -> None:
    """AppTest outside a server logs "missing ScriptRunContext" on every cached call: not news here."""
    import logging

    for name in ("streamlit", "streamlit.runtime.scriptrunner_utils.script_run_context",
                 "streamlit.runtime.caching.cache_data_api"):
        logging.getLogger(name).setLevel(logging.ERROR)


def bench_doc() -> dict:
    from logic.reference import example_cases

    return dict(example_cases()[BENCH_CASE], label="bench case")


def _app_test(doc: dict | None = None):
    from streamlit.testing.v1 import AppTest

    from ui.perf import warm_up

    warm_up()  # as serve.py does before any session: the libraries frozen (ui/perf.py)

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    if doc is not None:  # paste the case on the Case page: an editable, saved case, as in the browser
        at.session_state["case_file_box"] = True  # its box opened (drawn only while open)
        at.run()
        at.text_area(key="case_paste").input(json.dumps(doc)).run()
        at.button(key="case_load_paste").click().run()
    return at


def pages() -> list[Page]:
    """app.py's navigation, in order: (script stem, title, address)."""
    _quiet()
    at = _app_test()
    return [
        Page(Path(info["script_path"]).stem, info["page_name"], info.get("url_pathname") or "")
        for info in at._registered_pages.values()  # noqa: SLF001 - AppTest keeps the navigation here
    ]


#: The widgets of the Case page as ``reruns`` found them (kind -> count), for the fair floor.
FLOOR_SPEC: dict[str, int] = {}


class _Hook:
    """Times, inside each AppTest run, the script thread's run and the compiling of the scripts.

    AppTest makes a new ScriptCache on every run, so it compiles app.py and the page (with
    Streamlit's "magic" AST pass) every time; a server compiles each script once per process.
    """

    def __init__(self) -> None:
        self.script_ms = 0.0
        self.compile_ms = 0.0

    def install(self) -> None:
        from streamlit.runtime.scriptrunner import script_cache, script_runner

        hook = self
        run_script, get_bytecode = script_runner.ScriptRunner._run_script, script_cache.ScriptCache.get_bytecode
        if getattr(run_script, "_bench", False):
            return

        def timed_run(self, rerun_data):  # noqa: ANN001 - Streamlit's private signature
            t0 = time.perf_counter()
            try:
                return run_script(self, rerun_data)
            finally:
                hook.script_ms += (time.perf_counter() - t0) * 1000

        def timed_compile(self, script_path):  # noqa: ANN001
            t0 = time.perf_counter()
            try:
                return get_bytecode(self, script_path)
            finally:
                hook.compile_ms += (time.perf_counter() - t0) * 1000

        timed_run._bench = True  # type: ignore[attr-defined]
        script_runner.ScriptRunner._run_script = timed_run
        script_cache.ScriptCache.get_bytecode = timed_compile


HOOK = _Hook()


def _time_run(at, parts: dict[str, list[float]] | None = None) -> float:
    HOOK.script_ms = HOOK.compile_ms = 0.0
    t0 = time.perf_counter()
    at.run()
    total = (time.perf_counter() - t0) * 1000
    if parts is not None:
        parts.setdefault("script", []).append(HOOK.script_ms)
        parts.setdefault("compile", []).append(HOOK.compile_ms)
    return total


def reruns(page_list: list[Page], rounds: int = 9) -> tuple[dict[str, list[float]], dict[str, dict[str, list[float]]]]:
    """ms per rerun, by page stem and ``bare``: alternating rounds after two warm-up runs each; and
    for each, the parts: the script thread's run (``script``) and AppTest's compiling (``compile``)."""
    from streamlit.testing.v1 import AppTest

    _quiet()
    HOOK.install()
    from scripts import bench_floor

    doc = bench_doc()
    apps = {"bare": AppTest.from_file(str(APPS / "bare.py"), default_timeout=120)}
    apps["bare"].run()
    for p in page_list:
        at = _app_test(doc)
        at.switch_page(str(ROOT / "app_pages" / f"{p.stem}.py")).run()
        apps[p.stem] = at
    if "case" in apps:  # the fair floor: a bare page with the Case page's widgets (scripts/bench_floor.py)
        apps["case"].run()
        FLOOR_SPEC.clear()
        FLOOR_SPEC.update(bench_floor.spec_of(apps["case"]._tree))  # noqa: SLF001 - AppTest's element tree
        apps["floor"] = bench_floor.floor_app(dict(FLOOR_SPEC))
    for at in apps.values():
        at.run()
        at.run()
    out: dict[str, list[float]] = {k: [] for k in apps}
    parts: dict[str, dict[str, list[float]]] = {k: {} for k in apps}
    for _ in range(rounds):
        for name, at in apps.items():
            out[name].append(_time_run(at, parts[name]))
    return out, parts


def wait_saved(timeout_s: float | None = None) -> float:
    """Wait until no background saver of this process has anything left to save (ui/saver.py saves
    one version per burst of edits, ``QUIET_S`` after the last one); the seconds waited."""
    t0 = time.monotonic()
    try:
        from ui import saver
        from ui.session import QUIET_S
    except ImportError:  # another saver design: wait past a generous quiet period instead
        time.sleep(timeout_s or 5.0)
        return time.monotonic() - t0
    limit = timeout_s if timeout_s is not None else QUIET_S + 8.0 + 10.0  # quiet, max delay, a slow database
    while time.monotonic() - t0 < limit:
        if not any(s.snapshot().busy for s in list(saver._LIVE)):  # noqa: SLF001 - the bench reads the live savers
            break
        time.sleep(0.05)
    return time.monotonic() - t0


@dataclass(frozen=True)
class Versions:
    """Versions the store gained: after one typed value, and after a burst of ``burst`` values typed
    one after the other (each a full AppTest run), each counted once the saver has gone quiet."""

    one: int
    burst: int
    burst_edits: int
    burst_s: float  # how long the burst of edits took
    saved_after_s: float  # from the burst's last edit until nothing was left to save
    quiet_s: float | None  # the saver's quiet period in this process (COBALT_SAVE_QUIET_S)


def versions_per_edit(burst: int = 10) -> Versions:
    """Versions written by B12 results typed on the Case page (the bench case open), waiting for the
    background saver: one edit, then ``burst`` rapid edits (target: one version per user action/burst)."""
    from store import Store
    from store.records import LOCAL as me  # sign-in off: every case is the local actor's

    _quiet()
    label = f"bench versions {secrets.token_hex(4)}"  # found by its own label: the earlier sections' bench cases
    at = _app_test(dict(bench_doc(), label=label))  # can share its saved second (ties broken by id)
    wait_saved()
    try:
        from ui.session import QUIET_S as quiet
    except ImportError:
        quiet = None
    store = Store.open()
    try:
        case_id = store.list_cases(search=label, limit=1, actor=me)[0].id

        def count() -> int:
            return len(store.versions(case_id, actor=me))

        before = count()
        at.text_input(key="case_lab_b12").input("150").run()
        wait_saved()
        one = count() - before
        before = count()
        t0 = time.monotonic()
        for i in range(burst):
            at.text_input(key="case_lab_b12").input(str(151 + i)).run()
        burst_s = time.monotonic() - t0
        saved_after = wait_saved()
        return Versions(one, count() - before, burst, burst_s, saved_after, quiet)
    finally:
        store.close()


ANALYTES = [
    ("platelets", "10^9/L", 40, 4),
    ("reticulocytes_pct", "%", 1, 0.3),
    ("hemoglobin", "g/dL", 6, 0.05),
    ("ldh", "U/L", 3000, -10),
    ("mcv", "fL", 115, -0.1),
]


def big_case(n: int) -> dict:
    """A case with ``n`` observations over months (deterministic; tests/test_cli.py uses it too)."""
    start = date(2026, 1, 1)
    obs = [{"date": start.isoformat(), "analyte": "b12", "value": 120, "unit": "pg/mL"}]
    i = 0
    while len(obs) < n:
        name, unit, base, step = ANALYTES[i % len(ANALYTES)]
        day = start + timedelta(days=i // len(ANALYTES))
        value = max(0.1, base + step * (i // len(ANALYTES)))
        obs.append({"date": day.isoformat(), "analyte": name, "value": round(value, 2), "unit": unit})
        i += 1
    return {
        "format": "b12-case/1",
        "label": "benchmark",
        "history": {"pernicious_anemia": True},
        "treatment_start": "2026-01-02",
        "observations": obs,
    }


def long_course() -> dict:
    """Two years on treatment: 300 lab draws and monthly maintenance doses recorded as given."""
    from logic.regimen import schedule

    start = date(2024, 1, 1)
    obs, doses = [], []
    for i in range(300):
        d = start + timedelta(days=int(i * 730 / 300))
        analyte, unit, value = [
            ("platelets", "10^9/L", min(40 + i * 2, 260)),
            ("reticulocytes_pct", "%", 1 + (i % 7) * 0.4),
            ("hemoglobin", "g/dL", min(6 + i * 0.05, 14)),
        ][i % 3]
        obs.append({"date": d.isoformat(), "analyte": analyte, "value": round(value, 2), "unit": unit})
    for inj in schedule(start, maintenance_months=24).injections:
        doses.append({"date": inj.date.isoformat(), "dose_mcg": inj.dose_mcg, "route": "IM"})
    return {"format": "b12-case/1", "label": "benchmark course", "treatment_start": start.isoformat(),
            "history": {"pernicious_anemia": True}, "observations": obs, "doses": doses}


def heavy(rounds: int = 5) -> dict[str, list[float]]:
    """The issue's two heavy cases: a ten-year Regimen knob change (a new plan each time) and a
    Recovery rerun with two years of monthly doses and 300 draws; bare runs alternate with them."""
    from streamlit.testing.v1 import AppTest

    _quiet()
    bare = AppTest.from_file(str(APPS / "bare.py"), default_timeout=120)
    bare.run()
    reg = _app_test(bench_doc())
    reg.switch_page(str(ROOT / "app_pages" / "regimen.py")).run()
    knob = next((s for s in reg.slider if s.key and s.key.endswith("_maintenance_months")), None)
    rec = _app_test(long_course())
    rec.switch_page(str(ROOT / "app_pages" / "recovery.py")).run()
    rec.run()
    out: dict[str, list[float]] = {"bare": [], "regimen_10y_knob": [], "recovery_2y_300": []}
    for i in range(rounds):
        out["bare"].append(_time_run(bare))
        if knob is not None:
            knob.set_value(120 + i)  # a plan not drawn before: no cached figure
            out["regimen_10y_knob"].append(_time_run(reg))
            knob = next(s for s in reg.slider if s.key == knob.key)
        out["recovery_2y_300"].append(_time_run(rec))
    return out


def logic_only(rounds: int = 15) -> dict[str, float]:
    """In-process medians: parse and assess the bench case and a 500-observation case (no UI)."""
    from logic.assess import assess
    from logic.case import parse_case

    def med(fn) -> float:
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t0) * 1000)
        return statistics.median(times)

    course, big = long_course(), big_case(500)
    case, big_parsed = parse_case(course), parse_case(big)
    return {
        "parse_case, 300 draws": med(lambda: parse_case(course)),
        "assess, 300 draws": med(lambda: assess(case)),
        "parse_case, 500 observations": med(lambda: parse_case(big)),
        "assess, 500 observations": med(lambda: assess(big_parsed)),
    }

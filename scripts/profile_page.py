"""Where a page's rerun time goes: cProfile over AppTest reruns, per call of the rerun, in ms.

    PYTHONPATH=. .venv/bin/python scripts/profile_page.py regimen [--runs 20] [--top 25] [--edit]

Prints the functions with the most cumulative time (what a function and everything it calls
costs) and the most own time, each as ms per rerun, marked COBALT (this repository) or framework.
``--edit`` profiles the page's typical edit instead of a plain rerun (Case: a B12 result typed;
Regimen: the maintenance knob; others: a plain rerun). The bench case is open, as in `make bench`.
Used for /work/notes/bench-findings.md; not part of `make bench`.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def where(filename: str) -> str:
    if filename.startswith(str(ROOT)) and "/.venv/" not in filename and "site-packages" not in filename:
        return "COBALT " + filename[len(str(ROOT)) + 1:]
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1]
    return filename.rsplit("/", 1)[-1]


def report(stats: pstats.Stats, runs: int, top: int, key: str) -> None:
    rows = []
    for (filename, line, func), (_cc, _nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((ct if key == "cumulative" else tt, where(filename), line, func))
    rows.sort(reverse=True)
    print(f"\n-- by {key} time, ms per rerun --")
    for value, file, line, func in rows[:top]:
        print(f"{value * 1000 / runs:8.1f}  {file}:{line} {func}")


#: (module, attribute path) timed by --timers: inclusive ms per run, no profiler overhead
TIMED = [
    ("streamlit.runtime.state.session_state", "SessionState.filtered_state"),
    ("streamlit.elements.plotly_chart", "PlotlyMixin.plotly_chart"),
    ("streamlit.elements.arrow", "ArrowMixin.dataframe"),
    ("streamlit.elements.arrow", "ArrowMixin.data_editor"),
    ("streamlit.runtime.caching.cache_utils", "CachedFunc.__call__"),
    ("streamlit.elements.widgets.data_editor", "DataEditorMixin.data_editor"),
    ("streamlit.elements.lib.utils", "compute_and_register_element_id"),
    ("streamlit.elements.widgets.text_widgets", "TextWidgetsMixin.text_input"),
    ("streamlit.elements.widgets.selectbox", "SelectboxMixin.selectbox"),
    ("streamlit.elements.widgets.radio", "RadioMixin.radio"),
    ("streamlit.elements.widgets.slider", "SliderMixin.slider"),
    ("streamlit.elements.widgets.time_widgets", "TimeWidgetsMixin.date_input"),
    ("streamlit.elements.widgets.button", "ButtonMixin.download_button"),
    ("streamlit.elements.widgets.button", "ButtonMixin.popover") ,
    ("streamlit.elements.layouts", "LayoutsMixin.popover"),
    ("streamlit.elements.markdown", "MarkdownMixin.markdown"),
    ("streamlit.testing.v1.local_script_runner", "parse_tree_from_messages"),
    ("streamlit.runtime.scriptrunner.script_runner", "ScriptRunner._run_script"),
    ("ui.common", "sidebar"),
    ("ui.common", "status_banner"),
    ("ui.common", "why"),
    ("ui.common", "_case_picker"),
    ("ui.session", "current_case"),
    ("ui.session", "set_doc"),
    ("store.repository", "Store.list_cases"),
    ("store.repository", "Store.load"),
    ("store.repository", "Store.save"),
    ("store.repository", "Store.versions"),
    ("logic.case", "parse_case"),
    ("logic.assess", "assess"),
    ("logic.diagnosis", "diagnose"),
    ("logic.regimen", "regimen_for_case"),
    ("logic.regimen", "build_schedule"),
    ("logic.regimen", "estimate_stores"),
    ("logic.regimen", "project"),
    ("logic.recovery", "response"),
    ("logic.figures", "regimen_figure"),
    ("logic.figures", "recovery_figure"),
    ("logic.figures", "b12_band_figure"),
    ("logic.figures", "tma_comparison_figure"),
    ("pandas", "DataFrame.__init__"),
    ("json", "dumps"),
    ("copy", "deepcopy"),
]


def install_timers(totals: dict[str, float]) -> None:
    """Wrap each of TIMED (where it exists) so that its inclusive time adds up in ``totals``."""
    import functools
    import importlib
    import threading
    import time
    import types

    local = threading.local()
    for module_name, path in TIMED:
        try:
            owner = importlib.import_module(module_name)
        except ImportError:
            continue
        *parents, name = path.split(".")
        for part in parents:
            owner = getattr(owner, part, None)
        original = owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name, None)
        if original is None:
            continue
        label = f"{module_name}.{path}"
        is_property = isinstance(original, property)
        fn = original.fget if is_property else original

        def make(fn=fn, label=label):
            @functools.wraps(fn)
            def timed(*a, **k):
                depth = getattr(local, label, 0)  # recursion counts once
                setattr(local, label, depth + 1)
                t0 = time.perf_counter()
                try:
                    return fn(*a, **k)
                finally:
                    setattr(local, label, depth)
                    if depth == 0:
                        totals[label] = totals.get(label, 0.0) + time.perf_counter() - t0
            return timed

        wrapped = property(make()) if is_property else make()
        setattr(owner, name, wrapped)
        import streamlit

        if isinstance(owner, type) and module_name.startswith("streamlit.elements") and hasattr(streamlit, name):
            setattr(streamlit, name, types.MethodType(wrapped, streamlit._main))  # st.NAME is bound at import


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("page", help="script stem under app_pages/, e.g. regimen")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--edit", action="store_true")
    ap.add_argument("--months", type=int, default=13, help="Regimen --edit: maintenance months of the first edit")
    ap.add_argument("--timers", action="store_true", help="no profiler: inclusive ms per run of TIMED functions")
    args = ap.parse_args()
    folder = tempfile.mkdtemp(prefix="cobalt-profile-")
    os.environ["COBALT_DATA_DIR"] = folder
    os.environ["COBALT_DATABASE_URL"] = f"sqlite:///{folder}/cobalt.sqlite3"
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test

    from scripts.bench_apptest import _app_test, _quiet, bench_doc

    shared = ScriptCache()  # as in a server: each script compiled once (AppTest compiles on every run)
    app_test.ScriptCache = lambda: shared

    _quiet()
    at = _app_test(bench_doc())
    at.switch_page(str(ROOT / "app_pages" / f"{args.page}.py")).run()
    at.run()

    def step(i: int) -> None:
        if args.edit and args.page == "case":
            at.text_input(key="case_lab_b12").input(str(150 + i)).run()
        elif args.edit and args.page == "regimen":
            knob = next(s for s in at.slider if s.key and s.key.endswith("_maintenance_months"))
            knob.set_value(args.months + i).run()
        else:
            at.run()

    if args.timers:
        import time

        totals: dict[str, float] = {}
        install_timers(totals)
        step(0)
        totals.clear()
        t0 = time.perf_counter()
        for i in range(1, args.runs + 1):
            step(i)
        wall = (time.perf_counter() - t0) * 1000 / args.runs
        print(f"{args.page}{' edit' if args.edit else ''}: {wall:.1f} ms per AppTest run (scripts compiled once)")
        for label, total in sorted(totals.items(), key=lambda kv: -kv[1]):
            print(f"{total * 1000 / args.runs:8.2f}  {label}")
        return
    prof = cProfile.Profile()  # the script runs in AppTest's script thread: profile that thread only
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script

    def profiled(self, rerun_data):  # noqa: ANN001
        prof.enable()
        try:
            return original(self, rerun_data)
        finally:
            prof.disable()

    script_runner.ScriptRunner._run_script = profiled
    for i in range(args.runs):
        step(i)
    script_runner.ScriptRunner._run_script = original
    stats = pstats.Stats(prof)
    total = sum(tt for (_f, _l, _n), (_c, _nc, tt, _ct, _cl) in stats.stats.items())  # type: ignore[attr-defined]
    print(f"{args.page}{' edit' if args.edit else ''}: {total * 1000 / args.runs:.1f} ms per script run under cProfile "
          "(the script thread only, "
          "scripts compiled once as in a server: AppTest's compiling and tree parsing are not in it)")
    report(stats, args.runs, args.top, "cumulative")
    report(stats, args.runs, args.top, "own")


if __name__ == "__main__":
    main()

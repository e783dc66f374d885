"""Where a page's rerun time goes: cProfile over AppTest reruns, per call of the rerun, in ms.

    PYTHONPATH=. .venv/bin/python scripts/profile_page.py regimen [--runs 20] [--top 25] [--edit]
    PYTHONPATH=. .venv/bin/python scripts/profile_page.py case --packages var/bench/profile-apptest-case.txt

Prints the functions with the most cumulative time (what a function and everything it calls
costs) and the most own time, each as ms per rerun, marked COBALT (this repository) or framework.
``--edit`` profiles the page's typical edit instead of a plain rerun (Case: a B12 result typed;
Regimen: the maintenance knob; others: a plain rerun). The bench case is open, as in `make bench`.
``--packages FILE`` is what `make bench` runs for each AppTest figure that misses its target: the
time by package (is it inside Cobalt's code?) and the top functions, written to FILE.
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


#: This repository's own code (what "inside Cobalt's code" means in the bench's profiles).
COBALT = ("app.py", "app_pages/", "ui/", "logic/", "store/")


def package_of(filename: str, root: str = str(ROOT)) -> str | None:
    """Who owns a profiled function's file: ``cobalt`` (app.py, app_pages, ui, logic, store), a
    site-packages top-level package (``streamlit``, ``plotly``, ``pandas``...), ``python`` (the standard
    library), ``bench`` (scripts/), or None for a builtin (C code: cProfile gives no file)."""
    if filename == "~" or filename.startswith("<"):  # a builtin, or <frozen ...> / <string>
        return None
    if "site-packages/" in filename:
        rel = filename.split("site-packages/", 1)[1]
        top = rel.split("/", 1)[0]
        if top == "streamlit" and ("scriptrunner/magic" in rel or "scriptrunner/script_cache" in rel):
            return "streamlit compile"  # AppTest compiles the scripts on every run; a server once
        return top.removesuffix(".py").split(".")[0].lstrip("_") or top
    if filename.startswith(root.rstrip("/") + "/"):
        rel = filename[len(root.rstrip("/")) + 1:]
        if rel.startswith(COBALT):
            return "cobalt"
        return "bench" if rel.startswith("scripts/") else "cobalt (other)"
    return "python"


def by_package(stats: dict, root: str = str(ROOT)) -> dict[str, float]:
    """Own time (seconds) summed by ``package_of``, with the standard library's and builtins' time
    charged to the nearest caller that is neither, in proportion to the time spent from each caller
    (``json.dumps`` called from Cobalt is Cobalt's cost; ``ast`` and ``compile`` called from Streamlit's
    script cache are Streamlit's). ``stats`` is ``pstats.Stats(...).stats``:
    {(file, line, name): (cc, nc, tottime, cumtime, callers)}; time no package called stays ``python``."""
    memo: dict[tuple, dict[str, float]] = {}

    def owners(func: tuple, path: frozenset) -> dict[str, float]:
        """Fractions of ``func``'s time owed to each package."""
        pkg = package_of(func[0], root)
        if pkg is not None and pkg != "python":
            return {pkg: 1.0}
        if func in memo:
            return memo[func]
        callers = stats.get(func, (0, 0, 0.0, 0.0, {}))[4] or {}
        weights: dict[str, float] = {}
        for caller, edge in callers.items():
            if caller == func or caller in path:
                continue  # recursion: its time belongs to whoever called the outermost call
            w = edge[2] if isinstance(edge, tuple) else 0.0
            if w <= 0:
                continue
            for who, frac in owners(caller, path | {func}).items():
                weights[who] = weights.get(who, 0.0) + w * frac
        whole = sum(weights.values())
        mix = {k: v / whole for k, v in weights.items()} if whole else {"python": 1.0}
        if not path:
            memo[func] = mix
        return mix

    totals: dict[str, float] = {}
    for func, (_cc, _nc, tt, _ct, _callers) in stats.items():
        for who, frac in owners(func, frozenset()).items():
            totals[who] = totals.get(who, 0.0) + tt * frac
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def split_line(totals: dict[str, float], top: int = 6) -> str:
    """``cobalt 31% · streamlit 52% · ...``: the biggest shares, the rest as ``other``."""
    whole = sum(totals.values()) or 1.0
    items = list(totals.items())
    shown = [(k, v) for k, v in items[:top]]
    rest = sum(v for _k, v in items[top:])
    text = " · ".join(f"{k} {100 * v / whole:.0f}%" for k, v in shown)
    return text + (f" · other {100 * rest / whole:.0f}%" if rest else "")


def package_report(stats: pstats.Stats, runs: int, wall_ms: float, title: str, top: int = 15) -> str:
    """The profile the bench writes for a missed AppTest figure: ms per run by package, then the
    functions with the most own time and Cobalt's functions with the most cumulative time."""
    raw = stats.stats  # type: ignore[attr-defined]
    totals = by_package(raw)
    profiled = sum(totals.values()) * 1000 / runs
    lines = [title,
             f"{wall_ms:.1f} ms per AppTest run (wall, no profiler; the scripts compiled once, as in a server: "
             f"AppTest's compiling on every run is in the bench's second table); {profiled:.1f} ms per run in the "
             "script thread under cProfile (AppTest's main thread, parsing the messages, is the rest)",
             "", "own time by package (the standard library's and builtins' charged to their callers), ms per run; "
             "cProfile's cost per call inflates code made of many small calls:"]
    whole = sum(totals.values()) or 1.0
    for pkg, t in totals.items():
        lines.append(f"  {pkg:18s} {t * 1000 / runs:8.1f}  {100 * t / whole:5.1f}%")
    lines += ["", f"summary: {split_line(totals)}", "", "functions with the most own time, ms per run:"]
    rows = sorted(((tt, where(f), ln, fn) for (f, ln, fn), (_c, _n, tt, _ct, _cl) in raw.items()), reverse=True)
    lines += [f"  {v * 1000 / runs:8.2f}  {f}:{ln} {fn}" for v, f, ln, fn in rows[:top]]
    lines += ["", "Cobalt's calls into other packages: the Cobalt function, the package it called, ms per run "
              "(cumulative time of those calls, everything under them; nested Cobalt functions overlap):"]
    calls: dict[tuple[str, str], float] = {}
    for (f, _ln, _fn), (_c, _n, _tt, _ct, callers) in raw.items():
        pkg = package_of(f)
        if pkg in (None, "cobalt", "python"):
            continue
        for (cf, cl, cn), edge in (callers or {}).items():
            if package_of(cf) == "cobalt":
                key = (f"{where(cf)}:{cl} {cn}", pkg)
                calls[key] = calls.get(key, 0.0) + edge[3]
    lines += [f"  {v * 1000 / runs:8.2f}  {who} -> {pkg}"
              for (who, pkg), v in sorted(calls.items(), key=lambda kv: -kv[1])[:top]]
    lines += ["", "Cobalt's functions with the most cumulative time (everything they call), ms per run:"]
    ours = sorted(((ct, where(f), ln, fn) for (f, ln, fn), (_c, _n, _tt, ct, _cl) in raw.items()
                   if package_of(f) == "cobalt"), reverse=True)
    lines += [f"  {v * 1000 / runs:8.2f}  {f}:{ln} {fn}" for v, f, ln, fn in ours[:top]]
    return "\n".join(lines) + "\n"


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
    ("ui.sidebar", "sidebar"),
    ("ui.banner", "status_banner"),
    ("ui.common", "why"),
    ("ui.sidebar", "_case_picker"),
    ("ui.session", "current_case"),
    ("ui.session", "set_doc"),
    ("store.repository", "Store.list_cases"),
    ("store.repository", "Store.load"),
    ("store.repository", "Store.save"),
    ("store.repository", "Store.versions"),
    ("logic.case.parse", "parse_case"),
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


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("page", help="script stem under app_pages/, e.g. regimen")
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--edit", action="store_true")
    ap.add_argument("--months", type=int, default=13, help="Regimen --edit: maintenance months of the first edit")
    ap.add_argument("--timers", action="store_true", help="no profiler: inclusive ms per run of TIMED functions")
    ap.add_argument("--packages", metavar="FILE",
                    help="as `make bench` measures (AppTest compiling on every run): write the time by package "
                         "(Cobalt, Streamlit, plotly, pandas, ...) and the top functions to FILE; print its summary")
    ap.add_argument("--long-course", action="store_true",
                    help="open the two-year, 300-draw case instead of the bench case (the Recovery figure)")
    args = ap.parse_args(argv)
    folder = tempfile.mkdtemp(prefix="cobalt-profile-")
    os.environ["COBALT_DATA_DIR"] = folder
    os.environ["COBALT_DATABASE_URL"] = f"sqlite:///{folder}/cobalt.sqlite3"
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test

    from scripts.bench_apptest import _app_test, _quiet, bench_doc, long_course

    shared = ScriptCache()  # as in a server: each script compiled once (AppTest compiles on every run)
    app_test.ScriptCache = lambda: shared

    _quiet()
    at = _app_test(long_course() if args.long_course else bench_doc())
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

    if args.packages:
        import time

        step(0)
        t0 = time.perf_counter()
        for i in range(1, args.runs + 1):
            step(i)
        wall = (time.perf_counter() - t0) * 1000 / args.runs
    script_runner.ScriptRunner._run_script = profiled
    for i in range(args.runs):
        step(args.runs + 1 + i if args.packages else i)
    script_runner.ScriptRunner._run_script = original
    stats = pstats.Stats(prof)
    if args.packages:
        title = f"profile of {args.page}{' edit' if args.edit else ''} ({args.runs} AppTest runs, bench case open)"
        text = package_report(stats, args.runs, wall, title)
        Path(args.packages).parent.mkdir(parents=True, exist_ok=True)
        Path(args.packages).write_text(text)
        print(next(line for line in text.splitlines() if line.startswith("summary: ")))
        return
    total = sum(tt for (_f, _l, _n), (_c, _nc, tt, _ct, _cl) in stats.stats.items())  # type: ignore[attr-defined]
    print(f"{args.page}{' edit' if args.edit else ''}: {total * 1000 / args.runs:.1f} ms per script run under cProfile "
          "(the script thread only, "
          "scripts compiled once as in a server: AppTest's compiling and tree parsing are not in it)")
    report(stats, args.runs, args.top, "cumulative")
    report(stats, args.runs, args.top, "own")


if __name__ == "__main__":
    main()

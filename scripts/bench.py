"""Cobalt's benchmark (`make bench`): what a user feels, as ratios to a bare Streamlit page.

The bare page (scripts/bench_apps/bare.py: one number input, one small plotly chart) and a bare
two-page app are measured in the same run as Cobalt, alternating, and every figure is a median.
Targets are issue 13's. It asserts nothing and is not part of `make test`.

    PYTHONPATH=. .venv/bin/python scripts/bench.py [--quick] [--only|--skip apptest,cli,...] [--server-env K=V]
                                                   [--profile-dir DIR | --no-profiles]
    make bench BENCH_ARGS="--only browser --server-env STREAMLIT_RUNNER_POST_SCRIPT_GC=false"

Sections: apptest, cli, store, browser (cold loads, edits, page switches), sessions (ten against one).
For every figure that misses its target a profile says where its time goes (printed, and written to
var/bench/profile-<figure>.txt): for an AppTest rerun the time by package (Cobalt, Streamlit, plotly,
pandas...), for the browser the split between the server's script run, delivery, JS chunks fetched and
the tab's own CPU, for the command line the import time by package.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.bench_apptest import big_case  # noqa: E402,F401 - tests/test_cli.py builds its big case with it

SECTIONS = ("apptest", "cli", "store", "browser", "sessions")
OK, MISS = "ok", "MISS"


def med(values: list[float] | None) -> float | None:
    return statistics.median(values) if values else None


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    cores = f"nproc {len(os.sched_getaffinity(0))} (of {os.cpu_count()})"
    return f"{cores} · {cpu} · Python {platform.python_version()}"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def out(line: str = "") -> None:
    print(line, flush=True)


def ms(v: float | None) -> str:
    return "—" if v is None else (f"{v:,.0f} ms" if v >= 100 else f"{v:.1f} ms")


def row(label: str, value: float | None, bare: float | None, target_ratio: float | None = None,
        target_ms: float | None = None, target_text: str = "", n: int | None = None) -> str:
    """One figure: value, bare value, ratio, target, verdict (returned: ``ok``, ``MISS`` or "")."""
    ratio = value / bare if value is not None and bare else None
    verdict = ""
    if target_ratio is not None and ratio is not None:
        verdict = OK if ratio <= target_ratio else MISS
        target_text = target_text or f"≤ {target_ratio:g}x"
    elif target_ms is not None and value is not None:
        verdict = OK if value <= target_ms else MISS
        target_text = target_text or f"≤ {target_ms:,.0f} ms"
    ratio_text = "" if ratio is None else f"{ratio:5.2f}x"
    count = f" n={n}" if n else ""
    out(f"  {label:46s} {ms(value):>10s} {ms(bare):>10s} {ratio_text:>7s}  {target_text:<22s} {verdict}{count}")
    return verdict


#: Where the profiles of missed figures go (``--profile-dir``); None: no profiles.
PROFILES: Path | None = ROOT / "var" / "bench"


def profile_file(name: str) -> Path | None:
    if PROFILES is None:
        return None
    PROFILES.mkdir(parents=True, exist_ok=True)
    return PROFILES / f"profile-{name}.txt"


def shown(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def profile_apptest(name: str, args: list[str], quick: bool) -> None:
    """cProfile of a missed AppTest figure, by package (scripts/profile_page.py --packages), in a
    process of its own; prints its one-line summary and the file it wrote."""
    path = profile_file(f"apptest-{name}")
    if path is None:
        return
    cmd = [sys.executable, str(ROOT / "scripts" / "profile_page.py"), *args, "--runs", "5" if quick else "10",
           "--packages", str(path)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    summary = next((x for x in done.stdout.splitlines() if x.startswith("summary: ")), None)
    if summary is None:
        out(f"    {name}: profile failed ({(done.stderr.strip().splitlines() or ['no output'])[-1][:120]})")
    else:
        out(f"    {name:40s} {summary.removeprefix('summary: ')}  -> {shown(path)}")


def header(title: str, bare_label: str = "bare") -> None:
    out()
    out(title)
    out(f"  {'':46s} {'median':>10s} {bare_label:>10s} {'ratio':>7s}  {'target':<22s}")


# -- sections -----------------------------------------------------------------------------------


def section_apptest(pages, quick: bool) -> None:
    from scripts import bench_apptest

    header("AppTest rerun (one process; bench case open)")
    runs, parts = bench_apptest.reruns(pages, rounds=5 if quick else 9)
    bare = med(runs["bare"])
    missed: list[tuple[str, list[str]]] = []
    for p in pages:
        if row(p.title, med(runs[p.stem]), bare, target_ratio=3, n=len(runs[p.stem])) == MISS:
            missed.append((p.stem, [p.stem]))
    heavy = bench_apptest.heavy(rounds=3 if quick else 5)
    hb = med(heavy["bare"])
    if row("Regimen, ten-year knob change (new plan)", med(heavy["regimen_10y_knob"]), hb, target_ratio=3) == MISS:
        missed.append(("regimen-10y-knob", ["regimen", "--edit", "--months", "100"]))
    if row("Recovery, 2 years of doses, 300 draws", med(heavy["recovery_2y_300"]), hb, target_ratio=3) == MISS:
        missed.append(("recovery-2y-300", ["recovery", "--long-course"]))
    header("  of which the script run, less AppTest's compiling of the scripts (a server compiles once)")
    net = {k: [s - c for s, c in zip(v["script"], v["compile"], strict=True)] for k, v in parts.items()}
    for p in pages:
        compiled = med(parts[p.stem]["compile"])
        row(f"{p.title} (AppTest compiles {ms(compiled)})", med(net[p.stem]), med(net["bare"]), target_ratio=3)
    v = bench_apptest.versions_per_edit()
    quiet = "?" if v.quiet_s is None else f"{v.quiet_s:g} s"
    out(f"  versions written, counted once the background saver is idle (its quiet period {quiet}):")
    out(f"    one typed B12 result: {v.one} version(s) (target 1) {OK if v.one == 1 else MISS}")
    out(f"    {v.burst_edits} B12 results typed in {v.burst_s:.1f} s: {v.burst} version(s) (target 1: one per "
        f"burst) {OK if v.burst == 1 else MISS}; saved {v.saved_after_s:.1f} s after the last edit")
    for name, v in bench_apptest.logic_only().items():
        out(f"  in-process {name}: {ms(v)}")
    if missed and PROFILES is not None:
        out("  where the missed reruns' time goes (cProfile of the script thread, the scripts compiled once as in a")
        out("  server; own time by package, the standard library's charged to its caller; 'streamlit compile' is")
        out("  Streamlit's script cache and magic; Cobalt's calls into each package are in the file):")
        for name, args in missed:
            profile_apptest(name, args, quick)


def section_cli(quick: bool) -> None:
    from scripts import bench_cli

    header("Command line, whole process (python -m logic ...)", bare_label="import json")
    procs, own = bench_cli.processes(rounds=5 if quick else 7)
    base = med(procs["baseline"])
    verdicts = {}
    for name in ("assess", "schedule", "convert"):
        budget = 2 * base + own[name]
        verdicts[name] = row(name, med(procs[name]), base, target_ms=budget,
                             target_text=f"≤ 2x+{own[name]:.0f} = {budget:.0f} ms") == MISS
    out("  slowest imports (own import time summed by package, python -X importtime; a miss's whole list in")
    out("  the file named):")
    folder = Path(tempfile.mkdtemp(prefix="cobalt-bench-cli-"))
    for name, args in bench_cli.commands(folder).items():
        every = bench_cli.import_offenders(args, top=None)
        path = profile_file(f"cli-{name}") if verdicts.get(name) else None
        if path is not None:
            total = sum(v for _p, v in every)
            path.write_text(f"python -X importtime -m logic {' '.join(args)}: own import time by top-level package, "
                            f"ms ({total:.0f} ms in all in this run under -X importtime; the timed processes took a "
                            f"median of {med(procs[name]):.0f} ms, `python -c 'import json'` {base:.0f} ms)\n"
                            + "".join(f"  {pkg:24s} {v:7.1f}\n" for pkg, v in every))
        out(f"    {name:9s}" + ", ".join(f"{pkg} {v:.0f} ms" for pkg, v in every[:6])
            + (f"  -> {shown(path)}" if path is not None else ""))
    shutil.rmtree(folder, ignore_errors=True)


def section_store(folder: Path) -> None:
    from scripts import bench_apptest, bench_store

    profiles: dict[str, dict[str, str]] = {}
    results, notes = bench_store.run(folder, bench_apptest.bench_doc(), profiles)
    for backend, figures in results.items():
        header(f"Store, {bench_store.N_CASES:,} cases of {bench_store.VERSIONS} versions ({backend})", bare_label="")
        for name, samples in figures.items():
            verdict = row(name, med(samples), None, target_ms=100 if name.startswith("list") else None,
                          target_text="< 100 ms" if name.startswith("list") else "", n=len(samples))
            text = profiles.get(backend, {}).get(name)
            path = profile_file(f"store-{backend}-list-all") if verdict == MISS and text else None
            if path is not None:
                path.write_text(text)
                summary = next(x for x in text.splitlines() if x.startswith("summary: "))
                out(f"    where: {summary.removeprefix('summary: ')}  -> {shown(path)}")
    for note in notes:
        out(f"  note: {note}")


def server_share(kind: str, what: str, pages, m) -> None:
    """The server's share of each browser figure: script runs and, of them, the post-run gc."""
    out(f"  of {what} (medians, ms): the server's script runs · of which gc.collect after the run")
    for stem, title in [("bare", "bare")] + [(p.stem, p.title) for p in pages]:
        run, gc = m(f"{kind}:{stem}|server run"), m(f"{kind}:{stem}|gc")
        if run is not None:
            out(f"    {title:44s} {run:,.0f} · {gc:,.0f}")


def browser_splits(res, kind: str, title: str, rows_of: list[tuple[str, str]], missed: list[str]) -> None:
    """The split of a browser figure for each page (medians), and for each missed page a file with its
    split next to the bare page's and the JS chunks fetched (bench_browser.where_text)."""
    from scripts import bench_browser

    shape = "cold" if kind == "cold" else "action"
    columns = bench_browser.SPLIT_COLUMNS[shape]
    out(f"  {title} (medians; ms from the start unless named; the tab's CPU from Chrome's own counters):")
    out(f"    {'':34s} " + " · ".join(words for _k, words in columns))
    splits = {stem: bench_browser.median_split(res.details.get(f"{kind}:{stem}", [])) for stem, _t in rows_of}
    for stem, label in rows_of:
        if res.details.get(f"{kind}:{stem}"):
            out(f"    {label[:34]:34s} {bench_browser.split_text(splits[stem], shape)}")
    for stem in missed:
        path = profile_file(f"browser-{kind}-{stem}")
        if path is None or not res.details.get(f"{kind}:{stem}"):
            continue
        path.write_text(f"{kind} of {stem} against the bare page, Chromium, medians of "
                        f"{len(res.details[f'{kind}:{stem}'])} samples\n"
                        + bench_browser.where_text(splits[stem], splits.get("bare", {}), shape))
        label = dict(rows_of).get(stem, stem)
        out(f"    {label[:20]:20s} {bench_browser.miss_line(splits[stem], splits.get('bare', {}))}  -> {shown(path)}")


def section_browser(pages, quick: bool, env: dict[str, str]) -> None:
    from scripts import bench_browser

    res = bench_browser.run(pages, rounds=2 if quick else 3, env=env)
    m = res.median
    everyone = [("bare", "bare page")] + [(p.stem, p.title) for p in pages]
    header("Chromium, cold load (new tab until idle and drawn; a new tab opens a blank case)")
    missed = [p.stem for p in pages if row(p.title, m(f"cold:{p.stem}"), m("cold:bare"), target_ratio=1.3,
                                           n=len(res.samples.get(f"cold:{p.stem}", []))) == MISS]
    out("  where a cold load's time goes (medians, ms): server script run · of which Streamlit's gc.collect after "
        "the run · first run reported finished in the tab · drawn after that · JS files fetched")
    for stem, title in everyone:
        shares = [m(f"cold:{stem}|{k}") for k in ("server run", "gc", "finished", "after finished", "js files")]
        text = " · ".join("—" if v is None else f"{v:,.0f}" for v in shares)
        out(f"    {title:44s} {text}")
    browser_splits(res, "cold", "the same cold loads on one time line", everyone, missed)
    header("Chromium, one typical edit (until a run has finished and the page is redrawn)")
    missed = []
    for p in pages:
        what = bench_browser.EDITS[p.stem].what if p.stem in bench_browser.EDITS else "no edit defined"
        if row(f"{p.title}: {what}"[:40], m(f"edit:{p.stem}"), m("edit:bare"), target_ratio=1.5,
               n=len(res.samples.get(f"edit:{p.stem}", []))) == MISS:
            missed.append(p.stem)
    server_share("edit", "an edit", pages, m)
    browser_splits(res, "edit", "where an edit's time goes", everyone, missed)
    header("Chromium, page switch keeping the case (to the page named)", bare_label="bare switch")
    missed = [p.stem for p in pages if row(p.title, m(f"switch:{p.stem}"), m("switch:bare"), target_ratio=1.5,
                                           n=len(res.samples.get(f"switch:{p.stem}", []))) == MISS]
    all_switches = [v for p in pages for v in res.samples.get(f"switch:{p.stem}", [])]
    row("every switch", med(all_switches), m("switch:bare"), target_ratio=1.5, n=len(all_switches))
    server_share("switch", "a switch", pages, m)
    browser_splits(res, "switch", "where a switch's time goes", everyone, missed)
    for note in res.notes:
        out(f"  note: {note}")


def section_sessions(folder: Path, quick: bool, env: dict[str, str]) -> None:
    from scripts import bench_browser, bench_sessions

    header("Ten sessions against one (server-side script run of a Case-page edit; 0.5-1.5 s think time)",
           bare_label="1 session")
    if not Path(bench_browser.CHROMIUM).exists():
        out(f"  skipped: {bench_browser.CHROMIUM} is missing (the sessions replay what a Chromium tab sends)")
        return
    res = bench_sessions.run(folder, sessions=10, seconds=10 if quick else 20, env=env)
    m = res.median
    row("server: script run, 10 sessions", m("server:10"), m("server:1"), target_ratio=2,
        n=len(res.samples.get("server:10", [])))
    row("client: send to script_finished, 10 sessions", m("felt:10"), m("felt:1"), target_text="(for information)",
        n=len(res.samples.get("felt:10", [])))
    row("server: save-line poll (fragment), 10 sessions", m("server poll:10"), m("server poll:1"),
        target_text="(for information)", n=len(res.samples.get("server poll:10", [])))
    out(f"  where ten sessions' time goes: the app server's CPU use {m('busy:1') or 0:.0f}% of a core with one "
        f"session, {m('busy:10') or 0:.0f}% with ten; other runs under way during a run (median) "
        f"{m('overlap:1') or 0:.0f} with one, {m('overlap:10') or 0:.0f} with ten (one interpreter runs one "
        "thread at a time: overlapping runs wait for each other)")
    out(f"  one session: {len(res.samples.get('server:1', []))} runs in the window; of each run, Streamlit's "
        f"gc.collect after the run (runner.postScriptGC): {ms(m('gc:1'))} with one session, {ms(m('gc:10'))} with ten")
    for note in res.notes:
        out(f"  note: {note}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds (a rough look, not a figure to quote)")
    ap.add_argument("--skip", default="", help=f"comma-separated sections to skip: {', '.join(SECTIONS)}")
    ap.add_argument("--only", default="", help="comma-separated sections to run (of those above)")
    ap.add_argument("--server-env", action="append", default=[], metavar="KEY=VALUE",
                    help="environment of the app's server in the browser and sessions figures, to try a change "
                         "without editing the app, e.g. STREAMLIT_RUNNER_POST_SCRIPT_GC=false (repeatable)")
    ap.add_argument("--profile-dir", default=str(ROOT / "var" / "bench"), metavar="DIR",
                    help="where the profile of each figure that misses its target is written, one file each "
                         "(profile-<figure>.txt; default var/bench)")
    ap.add_argument("--no-profiles", action="store_true", help="no profiles of missed figures (faster)")
    args = ap.parse_args(argv)
    global PROFILES
    PROFILES = None if args.no_profiles else Path(args.profile_dir).resolve()
    server_env = dict(kv.split("=", 1) for kv in args.server_env)
    chosen = [s for s in SECTIONS if s not in args.skip.split(",")]
    if args.only:
        chosen = [s for s in chosen if s in args.only.split(",")]

    folder = Path(tempfile.mkdtemp(prefix="cobalt-bench-"))
    os.environ["COBALT_DATA_DIR"] = str(folder)  # never the app's var/ database
    os.environ["COBALT_DATABASE_URL"] = f"sqlite:///{folder / 'cobalt.sqlite3'}"
    # the bytecode a normal install has (PYTHONDONTWRITEBYTECODE would make every process compile)
    subprocess.run([sys.executable, "-m", "compileall", "-q", "app.py", "app_pages", "logic", "ui", "store",
                    "scripts"], cwd=ROOT, capture_output=True, check=False,
                   env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
    started = time.monotonic()
    out(f"Cobalt bench · {datetime.now():%Y-%m-%d %H:%M} · {machine()}")
    out(f"load average at start: {load()}" + (" (--quick: rough figures)" if args.quick else ""))
    if server_env:
        out(f"app server environment for this run: {server_env}")
    from scripts import bench_apptest

    pages = bench_apptest.pages()
    out(f"pages (app.py's navigation): {', '.join(p.title for p in pages)}")
    try:
        if "apptest" in chosen:
            section_apptest(pages, args.quick)
        if "cli" in chosen:
            section_cli(args.quick)
        if "store" in chosen:
            section_store(folder)
        if "browser" in chosen:
            section_browser(pages, args.quick, server_env)
        if "sessions" in chosen:
            section_sessions(folder, args.quick, server_env)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    out()
    out(f"load average at end: {load()} · {time.monotonic() - started:.0f} s · ratios are to the bare page "
        "measured in this run")


if __name__ == "__main__":
    main()

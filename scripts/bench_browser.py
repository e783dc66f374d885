"""The browser half of `make bench`: headless Debian Chromium (Playwright) against `streamlit run`.

What a user feels, each next to the bare page measured in the same run:
- cold load: a new tab on the page's address until the script is idle and the page's key element
  (main chart or verdict) is drawn, with every plotly chart drawn and no grey placeholder left;
- one typical edit per page, until a script run has started and finished and the page is redrawn;
- a page switch that keeps the open case, until the new page's key element is drawn;
(Ten sessions against one: bench_sessions.py.)

The selectors below are the only page knowledge here; a page missing from them is still measured
(cold load and switch, on its title), with no edit.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = Path(__file__).resolve().parent / "bench_apps"
CHROMIUM = os.environ.get("COBALT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]
BENCH_CASE = "lagging_iron_deficiency"  # treatment start, doses and labs: every page has something to draw


@dataclass(frozen=True)
class Page:
    """A page of an app's navigation: its script's stem (the key of KEY and EDITS), title and address."""

    stem: str
    title: str
    url_path: str  # "" for the default page


#: script stem -> the element that says the page is there (its main chart or verdict)
KEY = {
    "case": ".st-key-case_lab_b12 input",
    "library": ".st-key-lib_search input",
    "diagnosis": ".st-key-dx_verdict",
    "ttp": ".st-key-ttp_leaning",
    "regimen": ".st-key-reg_chart .js-plotly-plot",
    "recovery": ".st-key-rec_chart .js-plotly-plot, .st-key-rec_start",
    "evidence": ".st-key-ev_filter",
    "bare": ".st-key-bare_main .js-plotly-plot",
    "bare_second": ".st-key-bare_main_2 .js-plotly-plot",
    "floor": ".st-key-floor_text_input_0 input",
}
TITLE = "[data-testid='stMainBlockContainer'] h1"

#: Before any page script: count the script runs the server reports finished. Each websocket frame
#: is one ForwardMsg (protobuf); field 6 is ``script_finished`` (an enum: 2 means "stopped early
#: for a rerun", which is not the end of what the user waits for). Reading the frames is exact
#: where the stApp element's script-state attribute can skip "running" on a fast run.
COUNT_RUNS_JS = """(() => {
  window.__bench = {finished: 0, finishedAt: 0, wsMsgs: 0, wsBytes: 0, wsFirst: undefined, wsLast: 0,
                    longN: 0, longMs: 0};
  try {  // main-thread tasks over 50 ms: where the tab itself is busy (parsing, rendering, plotly)
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) { window.__bench.longN++; window.__bench.longMs += e.duration; }
    }).observe({type: 'longtask', buffered: true});
  } catch (e) {}
  const scan = (buf) => {
    const b = new Uint8Array(buf);
    let i = 0;
    const varint = () => { let r = 0, s = 0, x; do { x = b[i++]; r += (x & 0x7f) * 2 ** s; s += 7; }
                           while ((x & 0x80) && i < b.length); return r; };
    while (i < b.length) {
      const tag = varint(), f = Math.floor(tag / 8), w = tag & 7;
      if (w === 0) {
        const v = varint();
        if (f === 6 && v !== 2) {
          window.__bench.finished++;
          window.__bench.finishedAt = performance.now();
          if (window.__bench.firstAt === undefined) window.__bench.firstAt = performance.now();
        }
      }
      else if (w === 2) { const n = varint(); i += n; }
      else if (w === 1) { i += 8; } else if (w === 5) { i += 4; } else { return; }
    }
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        const B = window.__bench, now = performance.now();
        B.wsMsgs++; B.wsBytes += e.data.byteLength || e.data.size || 0; B.wsLast = now;
        if (B.wsFirst === undefined) B.wsFirst = now;
        if (e.data instanceof ArrayBuffer) scan(e.data);
        else if (e.data instanceof Blob) e.data.arrayBuffer().then(scan);
      });
    }
  };
})();"""

#: Ready: more finished runs than ``runsBefore``, the script idle, the key element there, every
#: plotly chart drawn and no skeleton placeholder left.
READY_JS = """([sel, runsBefore]) => {
  if (!window.__bench || window.__bench.finished <= runsBefore) return false;
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (sel && !document.querySelector(sel)) return false;
  if (document.querySelector("[data-testid='stSkeleton'], [data-testid='stSkeletonElement'], "
      + "[data-testid='stAppSkeleton']")) return false;
  for (const c of document.querySelectorAll("[data-testid='stPlotlyChart']"))
    if (!c.querySelector('.main-svg')) return false;
  return true;
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run APP` (through bench_server.py's timing hook) on a free port, its own data folder."""

    def __init__(self, app: Path, folder: Path, cpus: set[int] | None = None, env: dict[str, str] | None = None,
                 args: list[str] | None = None):
        self.app, self.folder, self.cpus, self.extra_env, self.extra_args = app, folder, cpus, env or {}, args or []
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.runlog = folder / f"runs-{app.stem}-{self.port}.jsonl"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Server:
        env = {**os.environ, "COBALT_DATA_DIR": str(self.folder), "PYTHONPATH": str(ROOT)}
        env["COBALT_DATABASE_URL"] = f"sqlite:///{self.folder / 'cobalt.sqlite3'}"
        env.update(self.extra_env)
        self.log = open(self.folder / f"server-{self.app.stem}-{self.port}.log", "wb")
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("bench_server.py")), str(self.runlog), str(self.app),
             "--server.port", str(self.port), "--server.address", "127.0.0.1", "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *self.extra_args],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            preexec_fn=(lambda: os.sched_setaffinity(0, self.cpus)) if self.cpus else None,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.app.name} did not start: see {self.log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.app.name} did not become healthy within 90 s")

    def runs(self, since: float, until: float) -> list[dict]:
        if not self.runlog.exists():
            return []
        rows = [json.loads(x) for x in self.runlog.read_text().splitlines() if x.strip()]
        return [r for r in rows if since <= r["end"] <= until]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


@dataclass
class JsProfile:
    """The tab's CPU during an action, from DevTools' sampling profiler: ms of own time by script file and by
    function (file:line name), summed over ``actions`` actions."""

    by_file: dict[str, float] = field(default_factory=dict)
    by_function: dict[str, float] = field(default_factory=dict)
    actions: int = 0

    def add(self, profile: dict) -> None:
        nodes = {n["id"]: n["callFrame"] for n in profile.get("nodes", [])}
        for sample, delta in zip(profile.get("samples", []), profile.get("timeDeltas", []), strict=False):
            frame = nodes.get(sample)
            if frame is None:
                continue
            name = frame["functionName"] or "(anonymous)"
            url = frame["url"].split("?")[0].rsplit("/", 1)[-1]
            if not url:  # the browser's own work: (program), (idle), (garbage collector), native calls
                where = name if name.startswith("(") else f"native {name}"
            else:
                where = url.split(".")[0]  # the chunk's name without its content hash
            if where == "(idle)":
                continue
            ms = delta / 1000
            self.by_file[where] = self.by_file.get(where, 0.0) + ms
            key = f"{where}:{frame['lineNumber']} {name}"
            self.by_function[key] = self.by_function.get(key, 0.0) + ms
        self.actions += 1

    def text(self, top: int = 12) -> str:
        n = max(self.actions, 1)
        files = sorted(self.by_file.items(), key=lambda kv: -kv[1])
        funcs = sorted(self.by_function.items(), key=lambda kv: -kv[1])
        lines = [f"the tab's CPU by script file (DevTools sampling profiler, ms per action, {self.actions} actions; "
                 "'(program)' is the browser's own work: style, layout, paint, the websocket):"]
        lines += [f"  {v / n:8.1f}  {k}" for k, v in files[:top]]
        lines += ["functions with the most own time, ms per action:"]
        lines += [f"  {v / n:8.1f}  {k}" for k, v in funcs[:top]]
        return "\n".join(lines) + "\n"


@dataclass
class Results:
    """Samples in ms, by figure name; ``notes`` says what could not be measured and why."""

    samples: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    details: dict[str, list[dict]] = field(default_factory=dict)  # figure -> one split_of() per sample
    js: dict[str, JsProfile] = field(default_factory=dict)  # figure -> the tab's sampled JS profile

    def add(self, name: str, ms: float | None) -> None:
        if ms is not None:
            self.samples.setdefault(name, []).append(ms)

    def detail(self, name: str, parts: dict) -> None:
        self.details.setdefault(name, []).append(parts)

    def median(self, name: str) -> float | None:
        s = self.samples.get(name)
        return statistics.median(s) if s else None


async def ready(page, sel: str | None, runs_before: int = 0, timeout_ms: float = 30_000) -> None:
    await page.wait_for_function(READY_JS, arg=[sel, runs_before], timeout=timeout_ms, polling="raf")


async def observe(page) -> int:
    """The number of script runs this tab has seen finish."""
    return await page.evaluate("() => window.__bench.finished")


def key_of(stem: str) -> str:
    return KEY.get(stem, TITLE)


async def timed_switch(page, target: Page) -> float:
    await page.bring_to_front()
    t0 = time.perf_counter()
    await go(page, target)
    return (time.perf_counter() - t0) * 1000


async def new_context(browser):
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(60_000)
    await context.add_init_script(COUNT_RUNS_JS)
    return context


# -- cold loads -------------------------------------------------------------------------------


#: In the page after a cold load: when the first script run was reported finished, when the page was
#: found drawn (ms since the navigation started), and the script files fetched (lazy chunks included).
MILESTONES_JS = """() => ({
  finished: window.__bench.firstAt,
  drawn: performance.now(),
  scripts: performance.getEntriesByType('resource').filter(r => r.name.endsWith('.js')).length,
})"""

#: The tab's counters at a moment (ms on the page's clock; ``origin`` turns them into unix ms): the
#: HTML's arrival, every JS file fetched so far (name, bytes, end), the websocket's messages and bytes,
#: the last script_finished, and the long tasks (main thread busy > 50 ms).
COUNTERS_JS = """() => {
  const B = window.__bench, nav = performance.getEntriesByType('navigation')[0];
  return {
    origin: performance.timeOrigin, now: performance.now(), html: nav ? nav.responseEnd : null,
    js: performance.getEntriesByType('resource').filter(r => r.name.split('?')[0].endsWith('.js'))
        .map(r => [r.name.split('?')[0].split('/').pop(), r.decodedBodySize, r.transferSize, r.responseEnd]),
    wsMsgs: B.wsMsgs, wsBytes: B.wsBytes, wsFirst: B.wsFirst ?? null, wsLast: B.wsLast,
    finishedAt: B.finishedAt, longN: B.longN, longMs: B.longMs,
  };
}"""

#: Chrome's own CPU counters for a tab (DevTools Protocol ``Performance.getMetrics``), in ms.
CDP_METRICS = {"ScriptDuration": "js", "LayoutDuration": "layout", "RecalcStyleDuration": "style",
               "TaskDuration": "tasks"}


async def cdp_session(page):
    """A DevTools session on ``page`` with Performance metrics on (None where the browser refuses it)."""
    try:
        cdp = await page.context.new_cdp_session(page)
        await cdp.send("Performance.enable", {"timeDomain": "timeTicks"})
        return cdp
    except Exception:  # noqa: BLE001 - the figures go on without the browser's CPU split
        return None


async def cdp_metrics(cdp) -> dict[str, float]:
    if cdp is None:
        return {}
    try:
        got = await cdp.send("Performance.getMetrics")
    except Exception:  # noqa: BLE001
        return {}
    return {CDP_METRICS[m["name"]]: m["value"] * 1000 for m in got["metrics"] if m["name"] in CDP_METRICS}


def split_of(before: dict | None, after: dict, t0_page: float, runs: list[dict],
             cpu_before: dict[str, float], cpu_after: dict[str, float]) -> dict:
    """Where one measured action's time went, from the tab's counters before and after it (``before``
    None: a new tab, from its navigation) and the server's run log: ms from the action's start
    (``t0_page``, page clock) to the server's first run starting and last ending, to the tab hearing the
    run finished; the websocket messages and bytes; JS files fetched (name, bytes) during the action;
    the tab's CPU (Chrome's metrics) and its long tasks."""
    origin = after["origin"]

    def page_ms(unix_s: float) -> float:
        return unix_s * 1000 - origin - t0_page

    had = {j[0] for j in (before or {}).get("js", [])}
    js = [j for j in after["js"] if j[0] not in had]
    out = {
        "html": None if before is not None or after.get("html") is None else after["html"] - t0_page,
        "js last": max((j[3] for j in js), default=t0_page) - t0_page if js else 0.0,
        "js files": len(js),
        "js kB": sum(j[1] or 0 for j in js) / 1024,
        "js kB over the wire": sum(j[2] or 0 for j in js) / 1024,
        "ws msgs": after["wsMsgs"] - (before or {}).get("wsMsgs", 0),
        "ws kB": (after["wsBytes"] - (before or {}).get("wsBytes", 0)) / 1024,
        "finished heard": after["finishedAt"] - t0_page,
        "long tasks": after["longMs"] - (before or {}).get("longMs", 0),
        "drawn": after["now"] - t0_page,
        "chunks": sorted(((j[0], round((j[1] or 0) / 1024)) for j in js), key=lambda x: -x[1]),
    }
    if before is None and after.get("wsFirst") is not None:
        out["ws first msg"] = after["wsFirst"] - t0_page
    if runs:
        out["server start"] = page_ms(min(r["end"] - r["ms"] / 1000 for r in runs))
        out["server end"] = page_ms(max(r["end"] for r in runs))
        out["server run"] = sum(r["ms"] for r in runs)
        out["delivered after run"] = out["finished heard"] - out["server end"]
    out["drawn after heard"] = out["drawn"] - out["finished heard"]
    for k, v in cpu_after.items():
        out[f"tab {k}"] = v - cpu_before.get(k, 0.0)
    return out


def median_split(samples: list[dict]) -> dict:
    """The median of each number over a figure's ``split_of`` samples (a key missing from some samples
    is the median of those that have it); ``chunks`` from the sample that fetched the most."""
    out: dict = {}
    for key in dict.fromkeys(k for sample in samples for k in sample):
        values = [x[key] for x in samples if isinstance(x.get(key), (int, float))]
        if values:
            out[key] = statistics.median(values)
    chunks = max((x.get("chunks", []) for x in samples), key=len, default=[])
    out["chunks"] = chunks
    return out


#: The split's columns, in the order the time passes, with a word for each (bench.py prints them).
SPLIT_COLUMNS = {
    "cold": [("server start", "server run starts"), ("server end", "server run ends"),
             ("finished heard", "tab hears it finished"), ("drawn", "drawn"), ("js files", "JS files"),
             ("js kB", "JS kB"), ("tab js", "tab JS CPU"), ("tab layout", "layout"), ("tab style", "style"),
             ("long tasks", "long tasks")],
    "action": [("server run", "server run"), ("delivered after run", "heard after run (delivery, or the tab busy)"),
               ("finished heard", "tab hears it finished"), ("drawn after heard", "drawn after heard"),
               ("ws kB", "websocket kB"), ("js files", "JS files fetched"), ("tab js", "tab JS CPU"),
               ("tab layout", "layout"), ("tab style", "style"), ("long tasks", "long tasks")],
}


def split_text(split: dict, kind: str) -> str:
    return " · ".join("—" if split.get(k) is None else f"{split[k]:,.0f}" for k, _w in SPLIT_COLUMNS[kind])


def own_chunks(page: dict, bare: dict) -> tuple[list, list]:
    """The JS files (name, kB) the page fetched that the bare page did not, and those both fetched."""
    theirs = {n for n, _kb in bare.get("chunks", [])}
    chunks = page.get("chunks", [])
    return [c for c in chunks if c[0] not in theirs], [c for c in chunks if c[0] in theirs]


def miss_line(page: dict, bare: dict) -> str:
    """One line for a missed browser figure: how much later than the bare page it was drawn, and which
    parts grew (the server's script run, hearing it finished, the tab's CPU), with the JS chunks only
    this page fetched (10 kB or more)."""
    def diff(key: str) -> str:
        a, b = page.get(key), bare.get(key)
        return "—" if a is None or b is None else f"{a - b:+,.0f}"

    only, _both = own_chunks(page, bare)
    big = ", ".join(f"{n.split('.')[0]} {kb} kB" for n, kb in only if kb >= 10)
    return (f"drawn {diff('drawn')} ms vs bare: server run {diff('server run')}, heard finished "
            f"{diff('finished heard')}, tab JS CPU {diff('tab js')}, layout+style "
            f"{_sum_diff(page, bare, ('tab layout', 'tab style'))}, long tasks {diff('long tasks')}"
            + (f"; JS only here: {big}" if big else ""))


def _sum_diff(page: dict, bare: dict, keys: tuple[str, ...]) -> str:
    if any(page.get(k) is None or bare.get(k) is None for k in keys):
        return "—"
    return f"{sum(page[k] - bare[k] for k in keys):+,.0f}"


def where_text(page: dict, bare: dict, kind: str) -> str:
    """A missed browser figure's profile: each part of the page's time next to the bare page's, the
    JS chunks it fetched, and how much of it is the server's script run (Cobalt's code and the
    Streamlit calls it makes: the AppTest profiles split that by package)."""
    lines = [f"{'part (median ms; kB, files)':34s} {'this page':>10s} {'bare page':>10s} {'difference':>10s}"]
    for key, words in SPLIT_COLUMNS[kind] + ([("html", "HTML arrives"), ("ws first msg", "first websocket msg"),
                                               ("ws kB", "websocket kB"), ("ws msgs", "websocket messages"),
                                               ("tab tasks", "tab busy (all tasks)")] if kind == "cold" else
                                              [("ws msgs", "websocket messages"), ("tab tasks", "tab busy (all tasks)"),
                                               ("drawn", "drawn")]):
        a, b = page.get(key), bare.get(key)
        diff = "" if a is None or b is None else f"{a - b:+,.0f}"
        lines.append(f"  {words:32s} {'—' if a is None else f'{a:,.0f}':>10s} {'—' if b is None else f'{b:,.0f}':>10s} "
                     f"{diff:>10s}")
    total = page.get("drawn")
    run = page.get("server run")
    if total and run is not None:
        lines.append(f"the server's script run is {run:,.0f} ms of {total:,.0f} ms ({100 * run / total:.0f}%); "
                     "the rest is Streamlit's delivery, the tab's JS and drawing")

    only, both = own_chunks(page, bare)
    listed = ", ".join(f"{n} {kb}" for n, kb in only) or "none"
    lines.append(f"JS files only this page fetched (kB decoded): {listed}")
    lines.append("JS files both fetched, 10 kB or more: " + (", ".join(f"{n} {kb}" for n, kb in both if kb >= 10)
                                                            or "none"))
    return "\n".join(lines) + "\n"


async def cold_load(context, url: str, sel: str, res: Results, name: str, server: Server | None = None) -> None:
    """A new tab on ``url`` until drawn; with ``server``, also the parts: the server's script run,
    the first run reported finished in the page, the JS files the page fetched, and the split
    (``split_of``) kept in ``res.details``."""
    page = await context.new_page()
    try:
        cdp = await cdp_session(page) if server is not None else None
        cpu0 = await cdp_metrics(cdp)
        t0 = time.perf_counter()
        since = time.time()
        await page.goto(url, wait_until="commit")
        await ready(page, sel)
        res.add(name, (time.perf_counter() - t0) * 1000)
        if server is not None:
            cpu1 = await cdp_metrics(cdp)
            marks = await page.evaluate(MILESTONES_JS)
            res.add(f"{name}|finished", marks["finished"])
            res.add(f"{name}|after finished", marks["drawn"] - marks["finished"])
            res.add(f"{name}|js files", marks["scripts"])
            runs = server.runs(since, time.time())
            res.add(f"{name}|server run", sum(r["ms"] for r in runs) if runs else None)
            res.add(f"{name}|gc", sum(r.get("gc_ms", 0.0) for r in runs) if runs else None)
            after = await page.evaluate(COUNTERS_JS)
            res.detail(name, split_of(None, after, 0.0, runs, cpu0 if cpu0 else {}, cpu1))
    except Exception as exc:  # noqa: BLE001 - a bench records what failed and goes on
        res.notes.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
    finally:
        await page.close()


# -- a session with the bench case open -------------------------------------------------------


async def open_bench_case(page, base: str) -> None:
    """A new tab on the Case page with the bench case pasted in (an editable, saved case)."""
    from logic.reference import example_cases

    doc = dict(example_cases()[BENCH_CASE], label="bench case")
    await page.goto(base + "/", wait_until="commit")
    await ready(page, KEY["case"], 0, 120_000)
    await page.locator("[data-testid='stExpander'] summary", has_text="Open or save a case file").click()
    area = page.locator(".st-key-case_paste textarea")
    await area.fill(json.dumps(doc))
    await area.blur()
    runs = await observe(page)
    await page.locator(".st-key-case_load_paste button").click()
    await ready(page, KEY["case"], runs, 120_000)


async def go(page, target: Page) -> None:
    """Switch page through the sidebar's navigation (keeps the session and its case)."""
    await page.bring_to_front()  # a tab behind another has its animation frames (and plotly) held back
    runs = await observe(page)
    await page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=target.title, exact=True).click()
    await ready(page, key_of(target.stem), runs)


# -- one typical edit per page ----------------------------------------------------------------


# Each edit reads the current state and changes it to the other value, so that a failed edit
# never leaves the next one with nothing to change.


def _same(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)  # a number input shows 2 as "2.00"
    except ValueError:
        return a.strip() == b.strip()


async def _fill(page, sel: str, values: tuple[str, str], i: int) -> None:
    box = page.locator(sel).first
    now = await box.input_value()
    await box.fill(values[1] if _same(now, values[0]) else values[0])
    await box.press("Enter")


async def _click(page, sel: str, i: int) -> None:
    await page.locator(sel).first.click()


async def _slider(page, sel: str, i: int) -> None:
    thumb = page.locator(sel).first
    value = int(float(await thumb.input_value()))
    await thumb.focus()
    await thumb.press("ArrowRight" if value % 2 == 0 else "ArrowLeft")


async def _reference_set(page, i: int) -> None:
    """Choose the other reference set in the sidebar (a rerun may close the list: then try again)."""
    for attempt in range(3):
        await page.locator(".st-key-app_thresholds_widget button[aria-haspopup='listbox']").click()
        listbox = page.get_by_role("listbox")
        try:
            await listbox.wait_for(timeout=5_000)
            await listbox.locator("[role='option'][aria-selected='false']").first.click(timeout=5_000)
            return
        except Exception:  # noqa: BLE001
            if attempt == 2:
                raise
            await page.keyboard.press("Escape")


@dataclass(frozen=True)
class Edit:
    """One typical edit: what it is, how to make edit number ``i``, and what shows it is done
    (default: the page's key element)."""

    what: str
    act: object  # async (page, i) -> None
    done: str | None = None


EDITS = {
    "bare": Edit("type a value", lambda p, i: _fill(p, ".st-key-bare_value input", ("2", "3"), i)),
    "case": Edit("type a B12 result", lambda p, i: _fill(p, ".st-key-case_lab_b12 input", ("150", "160"), i)),
    "library": Edit("search the list", lambda p, i: _fill(p, ".st-key-lib_search input", ("bench", "case"), i)),
    "diagnosis": Edit("change the reference set", _reference_set),
    "ttp": Edit(
        "quick PLASMIC <-> case",
        lambda p, i: _click(p, ".st-key-ttp_mode button[role='radio'][aria-checked='false']", i),
        done=".st-key-ttp_mode",
    ),
    "regimen": Edit(
        "maintenance knob one step",
        lambda p, i: _slider(p, "[class*='_maintenance_months'] input[type='range']", i),
    ),
    "recovery": Edit(
        "show/hide haemoglobin", lambda p, i: _click(p, ".st-key-rec_extra button >> text=Haemoglobin", i)
    ),
    "evidence": Edit("filter statements", lambda p, i: _click(p, ".st-key-ev_filter button[data-variant='pills']", i)),
    "floor": Edit("type a value", lambda p, i: _fill(p, ".st-key-floor_text_input_0 input", ("150", "160"), i)),
}


async def edit_once(page, stem: str, i: int, timeout_ms: float = 30_000) -> float:
    edit = EDITS[stem]
    await page.bring_to_front()  # a tab behind another has its animation frames (and plotly) held back
    runs = await observe(page)
    t0 = time.perf_counter()
    await edit.act(page, i)
    await ready(page, edit.done or key_of(stem), runs, timeout_ms)
    return (time.perf_counter() - t0) * 1000


# -- the measurements -------------------------------------------------------------------------


BARE_TWO = (Page("bare", "First", ""), Page("bare_second", "Second", "second"))
FLOOR_TWO = (Page("bare", "First", ""), Page("floor", "Floor", "floor"))


async def measure(pages: list[Page], rounds: int, res: Results, env: dict[str, str] | None = None,
                  floor_spec: dict[str, int] | None = None) -> None:
    from playwright.async_api import async_playwright

    from scripts.bench_floor import floor_env

    folder = Path(tempfile.mkdtemp(prefix="cobalt-bench-"))
    servers = {
        "cobalt": Server(ROOT / "serve.py", folder, env=env),  # as deployed (make run, the ward)
        "bare": Server(APPS / "bare.py", folder),
        "bare_two": Server(APPS / "bare_two.py", folder),
    }
    if floor_spec:  # the fair floor: the Case page's widgets on a bare page, second page of a bare app
        servers["floor_two"] = Server(APPS / "floor_two.py", folder, env=floor_env(floor_spec))
    try:
        for s in servers.values():
            s.start()
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            context = await new_context(browser)
            cobalt, bare, two = (servers[k].url for k in ("cobalt", "bare", "bare_two"))
            # warm-up: the frontend bundle and plotly.js in the browser cache, the imports in each server
            await cold_load(context, bare, KEY["bare"], Results(), "warm")
            await cold_load(context, two, KEY["bare"], Results(), "warm")
            if "floor_two" in servers:
                await cold_load(context, servers["floor_two"].url + "/floor", KEY["floor"], Results(), "warm")
            for p in pages:
                await cold_load(context, f"{cobalt}/{p.url_path}", key_of(p.stem), Results(), "warm")
            # one idle session stays open on each server, as other users would be: Streamlit clears its
            # compiled scripts when the last session closes, and a lone tab would pay that compile again
            keepers = []
            for url in (bare, cobalt + "/evidence"):
                keepers.append(await context.new_page())
                await keepers[-1].goto(url, wait_until="commit")
                await ready(keepers[-1], None)
            for _ in range(rounds):
                for p in pages:
                    await cold_load(context, bare, KEY["bare"], res, "cold:bare", servers["bare"])
                    await cold_load(context, f"{cobalt}/{p.url_path}", key_of(p.stem), res, f"cold:{p.stem}",
                                    servers["cobalt"])
            for keeper in keepers:
                await keeper.close()
            await edits_and_switches(context, servers, pages, rounds, res)
            await browser.close()
    finally:
        for s in servers.values():
            s.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _note(res: Results, name: str, exc: Exception) -> None:
    res.notes.append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")


async def _measured(res: Results, name: str, server: Server, action, page=None) -> None:
    """Time ``action`` (a coroutine giving ms) and note the server's script runs and gc meanwhile; with
    ``page`` (the tab acted on), also where the time went (``split_of``, in ``res.details``)."""
    cdp = getattr(page, "_bench_cdp", None)
    if page is not None and cdp is None:
        cdp = page._bench_cdp = await cdp_session(page)  # noqa: SLF001 - one DevTools session per tab
    before = await page.evaluate(COUNTERS_JS) if page is not None else None
    cpu0 = await cdp_metrics(cdp)
    since = time.time()
    t0_page = since * 1000 - before["origin"] if before else 0.0
    res.add(name, await action)
    runs = server.runs(since, time.time())
    res.add(f"{name}|server run", sum(r["ms"] for r in runs))
    res.add(f"{name}|gc", sum(r.get("gc_ms", 0.0) for r in runs))
    if page is not None:
        after = await page.evaluate(COUNTERS_JS)
        res.detail(name, split_of(before, after, t0_page, runs, cpu0, await cdp_metrics(cdp)))


async def edits_and_switches(context, servers: dict[str, Server], pages: list[Page], rounds: int,
                             res: Results) -> None:
    cobalt, bare, two = (servers[k].url for k in ("cobalt", "bare", "bare_two"))
    bare_page = await context.new_page()
    await bare_page.goto(bare, wait_until="commit")
    await ready(bare_page, KEY["bare"])
    two_page = await context.new_page()
    await two_page.goto(two, wait_until="commit")
    await ready(two_page, KEY["bare"])
    floor_page = None
    if "floor_two" in servers:
        floor_page = await context.new_page()
        await floor_page.goto(servers["floor_two"].url, wait_until="commit")
        await ready(floor_page, KEY["bare"])
    page = await context.new_page()
    await open_bench_case(page, cobalt)
    for p in pages:
        if p.stem not in EDITS:
            res.notes.append(f"edit:{p.stem}: no typical edit defined for this page (scripts/bench_browser.py EDITS)")
    flip = 0
    count: dict[str, int] = {}  # edits made per page: each edit changes the value the last one set
    try:
        for _ in range(rounds):
            # a page switch that keeps the case, each page in navigation order, against a bare switch
            for p in pages[1:] + pages[:1]:
                flip = 1 - flip
                await _measured(res, "switch:bare", servers["bare_two"], timed_switch(two_page, BARE_TWO[flip]),
                                two_page)
                try:
                    await _measured(res, f"switch:{p.stem}", servers["cobalt"], timed_switch(page, p), page)
                except Exception as exc:  # noqa: BLE001 - a bench records what failed and goes on
                    _note(res, f"switch:{p.stem}", exc)
                    await open_bench_case(page, cobalt)
                    await go(page, p)
                if p.stem in EDITS:
                    for stem, tab, server in (("bare", bare_page, servers["bare"]), (p.stem, page, servers["cobalt"])):
                        try:
                            action = edit_once(tab, stem, count.setdefault(stem, 0))
                            await _measured(res, f"edit:{stem}", server, action, tab)
                        except Exception as exc:  # noqa: BLE001
                            _note(res, f"edit:{stem}", exc)
                        count[stem] += 1
                if p.stem == "case" and floor_page is not None:  # the floor: switched to, then an edit on it
                    try:
                        await _measured(res, "switch:floor", servers["floor_two"],
                                        timed_switch(floor_page, FLOOR_TWO[1]), floor_page)
                        await _measured(res, "edit:floor", servers["floor_two"],
                                        edit_once(floor_page, "floor", count.setdefault("floor", 0)), floor_page)
                        count["floor"] += 1
                        await go(floor_page, FLOOR_TWO[0])
                    except Exception as exc:  # noqa: BLE001
                        _note(res, "floor", exc)
        await js_profiles(servers, pages, res, {"cobalt": page, "two": two_page, "bare": bare_page,
                                                "floor": floor_page})
    finally:
        for pg in (bare_page, two_page, page, floor_page):
            if pg is not None:
                await pg.close()


async def profile_js(page, action, into: JsProfile) -> None:
    """Run ``action`` (a coroutine) with the tab's sampling profiler on; add the profile to ``into``."""
    cdp = getattr(page, "_bench_cdp", None) or await cdp_session(page)
    if cdp is None:
        await action
        return
    page._bench_cdp = cdp  # noqa: SLF001 - one DevTools session per tab
    await cdp.send("Profiler.enable")
    await cdp.send("Profiler.setSamplingInterval", {"interval": 500})
    await cdp.send("Profiler.start")
    try:
        await action
    finally:
        into.add((await cdp.send("Profiler.stop"))["profile"])


async def js_profiles(servers: dict[str, Server], pages: list[Page], res: Results, tabs: dict, rounds: int = 2) -> None:
    """After the timed figures (the profiler slows the tab): each page's switch and edit, and the bare page's and the
    floor's, profiled ``rounds`` times (``res.js``)."""
    page, two_page, bare_page, floor_page = tabs["cobalt"], tabs["two"], tabs["bare"], tabs.get("floor")
    for i in range(rounds):
        for p in pages:
            other = next(q for q in pages if q.stem != p.stem)
            try:
                await go(page, other)
                await profile_js(page, go(page, p), res.js.setdefault(f"switch:{p.stem}", JsProfile()))
                if p.stem in EDITS:
                    await profile_js(page, edit_once(page, p.stem, 100 + i),
                                     res.js.setdefault(f"edit:{p.stem}", JsProfile()))
            except Exception as exc:  # noqa: BLE001
                _note(res, f"js profile {p.stem}", exc)
        def into(name: str) -> JsProfile:
            return res.js.setdefault(name, JsProfile())

        try:
            await profile_js(two_page, go(two_page, BARE_TWO[1 - i % 2]), into("switch:bare"))
            await profile_js(bare_page, edit_once(bare_page, "bare", 100 + i), into("edit:bare"))
            if floor_page is not None:
                await go(floor_page, FLOOR_TWO[0])
                await profile_js(floor_page, go(floor_page, FLOOR_TWO[1]), into("switch:floor"))
                await profile_js(floor_page, edit_once(floor_page, "floor", 100 + i), into("edit:floor"))
        except Exception as exc:  # noqa: BLE001
            _note(res, "js profile bare", exc)


def run(pages: list[Page], rounds: int = 3, env: dict[str, str] | None = None,
        floor_spec: dict[str, int] | None = None) -> Results:
    """Every browser figure; a missing Chromium or Playwright is a note, not a failure."""
    res = Results()
    if not Path(CHROMIUM).exists():
        res.notes.append(f"browser figures skipped: {CHROMIUM} is missing (make bench installs it as root)")
        return res
    try:
        import playwright  # noqa: F401
    except ImportError:
        res.notes.append("browser figures skipped: the playwright package is missing (requirements-dev.txt)")
        return res
    asyncio.run(measure(pages, rounds, res, env, floor_spec))
    return res


if __name__ == "__main__":
    titles = {"case": ("Case", ""), "diagnosis": ("Diagnosis", "diagnosis"), "regimen": ("Regimen", "regimen")}
    out = run([Page(k, *titles[k]) for k in sys.argv[1:] or titles], rounds=2)
    for k, v in out.samples.items():
        print(f"{k:20s} n={len(v):2d} median {statistics.median(v):8.1f} ms  {[round(x) for x in v]}")
    print("\n".join(out.notes))

"""The command-line half of `make bench`: `python -m logic assess|schedule|convert` as whole processes,
next to `python -c "import json"`, and the in-process time of each command's own work.

Target (issue 13): each command within 2x `import json` plus its own work (load only what it needs).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts.bench_browser import BENCH_CASE, ROOT

BASELINE = ("-c", "import json")
#: The commands run as a user's would: with their compiled .pyc files. PYTHONDONTWRITEBYTECODE (set in some
#: shells and containers) would make every run recompile the whole ``logic`` package, about doubling it.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def commands(folder: Path) -> dict[str, list[str]]:
    """name -> arguments after ``python -m logic`` (the bench case, its CSV, a default schedule)."""
    case = ROOT / "data" / "cases" / f"{BENCH_CASE}.json"
    csv = folder / "bench-case.csv"
    if not csv.exists():
        from logic.__main__ import main

        out = io.StringIO()
        main(["convert", str(case), "--to", "csv"], out=out)
        csv.write_text(out.getvalue())
    return {
        "assess": ["assess", str(case)],
        "schedule": ["schedule", "--start", "2026-11-02"],
        "convert": ["convert", str(csv)],
    }


def _process_ms(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, env=ENV, capture_output=True, check=True)
    return (time.perf_counter() - t0) * 1000


def own_work_ms(args: list[str], rounds: int = 15) -> float:
    """The command's own work in a warm process: ``logic.__main__.main(args)`` with every import done."""
    from logic.__main__ import main

    main(args, out=io.StringIO())
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        main(args, out=io.StringIO())
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def processes(rounds: int = 7) -> tuple[dict[str, list[float]], dict[str, float]]:
    """ms per whole process (``baseline`` is import json), alternating; and each command's own work."""
    folder = Path(tempfile.mkdtemp(prefix="cobalt-bench-cli-"))
    cmds = commands(folder)
    for args in cmds.values():  # warm the file cache and the .pyc files
        _process_ms(["-m", "logic", *args])
    out: dict[str, list[float]] = {"baseline": [], **{k: [] for k in cmds}}
    for _ in range(rounds):
        out["baseline"].append(_process_ms(list(BASELINE)))
        for name, args in cmds.items():
            out[name].append(_process_ms(["-m", "logic", *args]))
    own = {name: own_work_ms(args) for name, args in cmds.items()}
    shutil.rmtree(folder, ignore_errors=True)
    return out, own


def importtime_by_package(stderr: str) -> list[tuple[str, float]]:
    """``-X importtime``'s report: each module's own time (µs), summed by top-level package, in ms,
    the most first."""
    rows: dict[str, float] = {}
    for line in stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if not line.startswith("import time:") or len(parts) != 3 or not parts[0].strip().isdigit():
            continue
        pkg = parts[2].strip().split(".")[0]
        rows[pkg] = rows.get(pkg, 0.0) + int(parts[0]) / 1000
    return sorted(rows.items(), key=lambda kv: -kv[1])


def import_offenders(args: list[str], top: int | None = 6) -> list[tuple[str, float]]:
    """``python -X importtime -m logic ARGS``: the packages whose modules took longest to import
    (the sum of each module's own time, by top-level package, in ms); ``top`` None: all of them."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "logic", *args], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, check=False)
    rows = importtime_by_package(done.stderr)
    return rows if top is None else rows[:top]


if __name__ == "__main__":
    p, own = processes(3)
    print({k: round(statistics.median(v)) for k, v in p.items()}, {k: round(v, 1) for k, v in own.items()})
    for name, args in commands(Path(tempfile.mkdtemp())).items():
        print(name, json.dumps([(k, round(v)) for k, v in import_offenders(args)]))

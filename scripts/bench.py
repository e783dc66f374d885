"""Cobalt's benchmark: server-side time of the hot paths. Run with `make bench`.

Prints medians; it asserts nothing (speed is measured here, not in timed tests).
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ANALYTES = [("platelets", "10^9/L", 40, 4), ("reticulocytes_pct", "%", 1, 0.3), ("hemoglobin", "g/dL", 6, 0.05),
            ("ldh", "U/L", 3000, -10), ("mcv", "fL", 115, -0.1)]


def big_case(n: int) -> dict:
    """A case with ``n`` observations over months (deterministic)."""
    start = date(2026, 1, 1)
    obs = [{"date": start.isoformat(), "analyte": "b12", "value": 120, "unit": "pg/mL"}]
    i = 0
    while len(obs) < n:
        name, unit, base, step = ANALYTES[i % len(ANALYTES)]
        day = start + timedelta(days=i // len(ANALYTES))
        value = max(0.1, base + step * (i // len(ANALYTES)))
        obs.append({"date": day.isoformat(), "analyte": name, "value": round(value, 2), "unit": unit})
        i += 1
    return {"format": "b12-case/1", "label": "benchmark", "history": {"pernicious_anemia": True},
            "treatment_start": "2026-01-02", "observations": obs}


def timeit(fn, repeat: int = 20) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from logic.assess import assess
    from logic.case import parse_case

    doc = big_case(500)
    print(f"parse_case, 500 observations:      {timeit(lambda: parse_case(doc)):7.1f} ms")
    case = parse_case(doc)
    print(f"assess, 500 observations:          {timeit(lambda: assess(case)):7.1f} ms")
    path = ROOT / "var" / "bench-case.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(doc))
    cli = timeit(lambda: subprocess.run([sys.executable, "-m", "logic", "assess", str(path)], cwd=ROOT,
                                        capture_output=True, check=True), repeat=5)
    print(f"python -m logic assess, 500 obs:   {cli:7.1f} ms (whole process)")

    from streamlit.testing.v1 import AppTest

    for page in sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app_pages").glob("*.py")):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["case_doc"] = json.loads((ROOT / "data/cases/pseudo_tma_plasmic4.json").read_text())
        at.run()
        at.switch_page(page).run()
        print(f"rerun {page:22s} (AppTest):  {timeit(lambda at=at: at.run(), repeat=10):7.1f} ms")


if __name__ == "__main__":
    main()

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
ANALYTES = [
    ("platelets", "10^9/L", 40, 4),
    ("reticulocytes_pct", "%", 1, 0.3),
    ("hemoglobin", "g/dL", 6, 0.05),
    ("ldh", "U/L", 3000, -10),
    ("mcv", "fL", 115, -0.1),
]


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
    return {
        "format": "b12-case/1",
        "label": "benchmark",
        "history": {"pernicious_anemia": True},
        "treatment_start": "2026-01-02",
        "observations": obs,
    }


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
    cli = timeit(
        lambda: subprocess.run(
            [sys.executable, "-m", "logic", "assess", str(path)], cwd=ROOT, capture_output=True, check=True
        ),
        repeat=5,
    )
    print(f"python -m logic assess, 500 obs:   {cli:7.1f} ms (whole process)")

    from streamlit.testing.v1 import AppTest

    from ui.session import SESSION_KEY, OpenCase

    pages = {"app_pages/recovery.py": "manabe_course"}
    for page in sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app_pages").glob("*.py")):
        example = pages.get(page, "pseudo_tma_composite")
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state[SESSION_KEY] = OpenCase(doc=json.loads((ROOT / f"data/cases/{example}.json").read_text()))
        at.run()
        at.switch_page(page).run()
        print(f"rerun {page:26s} (AppTest, {example}): {timeit(lambda at=at: at.run(), repeat=10):7.1f} ms")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("app_pages/regimen.py").run()
    at.slider(key="reg_fda_label_1000_maintenance_months").set_value(120).run()
    print(f"rerun regimen, ten-year schedule (AppTest):        {timeit(lambda: at.run(), repeat=10):7.1f} ms")
    at.slider(key="reg_fda_label_1000_maintenance_months").set_value(119)
    print(f"regimen knob change, ten-year schedule (AppTest):  {timeit(lambda: at.run(), repeat=1):7.1f} ms "
          "(first build of a new plan)")
    big = long_course()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state[SESSION_KEY] = OpenCase(doc=big)
    at.run()
    at.switch_page("app_pages/recovery.py").run()
    n = len(big["observations"])
    print(f"rerun recovery, 2 years of monthly doses and {n} draws: {timeit(lambda: at.run(), repeat=5):7.1f} ms")


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
    return {"label": "benchmark course", "treatment_start": start.isoformat(), "observations": obs, "doses": doses}


if __name__ == "__main__":
    main()

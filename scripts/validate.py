"""Cobalt against published case reports (`make validate`): prints the table of logic/tma/validation.py.

Reads data/validation/cases/*.json, assesses each case at presentation (ADAMTS13 sent, result pending)
and, when its paper gives one, with the ADAMTS13 result, and prints per truth group how Cobalt leans,
the two shares and every miss. A reading of case reports, not a validation of a score. It asserts
nothing; tests/test_validation.py is the test that fails on a TTP case Cobalt leaves unflagged.

    PYTHONPATH=. .venv/bin/python scripts/validate.py [--cases] [--thresholds ID]
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from logic.tma.validation import (  # noqa: E402
    about,
    case_rows,
    group_columns,
    group_rows,
    miss_rows,
    run,
)


def text_table(rows: list[dict], columns: list[str], width: int | None = None) -> str:
    """A plain-text table; a missing value is a dash; ``width`` wraps the last column."""
    cells = [[("—" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    sizes = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    if width:
        sizes[-1] = min(sizes[-1], width)
    lines = ["  ".join(c.ljust(sizes[i]) for i, c in enumerate(columns)).rstrip(),
             "  ".join("-" * s for s in sizes)]
    for row in cells:
        last = (textwrap.wrap(row[-1], sizes[-1]) or [""]) if width else [row[-1]]
        head = "  ".join(v.ljust(sizes[i]) for i, v in enumerate(row[:-1]))
        lines.append(f"{head}  {last[0]}".rstrip() if row[:-1] else last[0])
        pad = " " * (len(head) + 2)
        lines += [f"{pad}{more}" for more in last[1:]]
    return "\n".join(lines)


def report(show_cases: bool = False, thresholds: str | None = None) -> str:
    """The whole report as text."""
    a = about()
    table = run(thresholds)
    out = [a["title"], "=" * len(a["title"]), textwrap.fill(a["statement"], 100), "",
           textwrap.fill(a["method"], 100), "",
           f"{table.cases} cases ({table.new_cases} new, {table.cases - table.new_cases} from the shared set); "
           f"reference set {table.thresholds_id}.", "",
           "How Cobalt leans at presentation, per truth group:",
           text_table(group_rows(table), group_columns()), "",
           f"{a['shares']['ttp']}: {table.ttp_share}",
           f"{a['shares']['b12']}: {table.b12_share}", ""]
    not_eligible = [r for r in table.results if r.case.truth == "b12_pseudo_tma" and not r.eligible_b12]
    if not_eligible:
        out.append("B12 pseudo-TMA cases outside that share (what their data do not show):")
        out += [f"  {r.case.id}: {r.why_not_eligible}" for r in not_eligible]
        out.append("")
    out.append(f"Misses ({len(table.misses)}):")
    rows = miss_rows(table)
    for label in dict.fromkeys(r["miss"] for r in rows):
        out += ["", f"{label}:", text_table([r for r in rows if r["miss"] == label], ["case", "Cobalt", "source"],
                                            width=70)]
    if rows:
        out += ["", "Sources of the misses:", *(f"  {r['case']}: {r['link']}" for r in rows if r["link"])]
    else:
        out.append("  none")
    if show_cases:
        out += ["", "Every case:", text_table(case_rows(table), ["case", "truth", "at presentation", "with ADAMTS13",
                                                                  "B12 share", "source"], width=50)]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Cobalt against published case reports (not a validated score).")
    parser.add_argument("--cases", action="store_true", help="also list every case with both readings")
    parser.add_argument("--thresholds", default=None, help="a reference set id (default: the app's default)")
    args = parser.parse_args(argv)
    sys.stdout.write(report(args.cases, args.thresholds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

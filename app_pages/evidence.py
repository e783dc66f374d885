"""Article and evidence: every statement of the source article, where Cobalt shows it, and what the
primary evidence says (supported, qualified or unsourced); every threshold in use with its source; and
Cobalt against published case reports (logic/tma/validation.py), a reading of case reports, not a
validated score."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from logic.reference import load_json, reference, threshold_set
from logic.tma import validation
from ui.common import esc, md_table, short, why, why_each
from ui.session import thresholds_id

STATUS = {
    "supported": ("supported", "green"),
    "qualified": ("qualified by the evidence", "orange"),
    "unsourced": ("no primary source", "red"),
}

st.title("Article and evidence")
st.caption(
    "Cobalt was specified from a clinical summary article. Each of its statements is listed with where it "
    "appears in the app and what the primary sources say. Where the evidence qualifies the article, Cobalt "
    "follows the evidence."
)
statements = load_json("article_map.json")["statements"]
counts = {k: sum(s["status"] == k for s in statements) for k in STATUS}
c = st.columns(3)
for col, (key, (label, _colour)) in zip(c, STATUS.items(), strict=True):
    col.metric(label.capitalize(), counts[key])
show = st.pills(
    "Show",
    list(STATUS),
    selection_mode="multi",
    default=list(STATUS),
    key="ev_filter",
    format_func=lambda k: STATUS[k][0],
)
shown = [s for s in statements if s["status"] in (show or [])]
for section in dict.fromkeys(s["section"] for s in shown):
    mine = [s for s in shown if s["section"] == section]
    with st.container(border=True):
        # one block and one "Why?" per section of the article (were a block and a popover per statement: 78
        # elements for the browser to draw on every run of the page); each statement with its badge, where
        # Cobalt shows it and the evidence; the sources listed under each statement's first words
        st.markdown(f"#### {section}\n\n" + "\n\n---\n\n".join(
            f":{STATUS[s['status']][1]}-badge[{STATUS[s['status']][0]}] {s['text']}\n\n"
            f"*In Cobalt:* {'; '.join(s['where'])}\n\n{s['evidence']}" for s in mine))
        why_each([(short(s["text"]), s["refs"]) for s in mine], key=f"why_ev_{mine[0]['id']}")

t = threshold_set(thresholds_id())
st.subheader(f"Thresholds in use: {t.name}")
st.caption(t.about)
rows = [
    {
        "threshold": th.label,
        "value": f"{th.value:g} {th.unit}",
        "source": "; ".join(reference(r)["citation"].split(".")[0] for r in th.refs),
        "note": th.caveat or "",
    }
    for th in t.values.values()
]
# a static table, not st.dataframe: no data grid to load in the browser, and every note in full
st.table(pd.DataFrame(rows).map(esc), hide_index=True, border="horizontal")
why(sorted({r for th in t.values.values() for r in th.refs}), key="why_thresholds")


@st.cache_resource(show_spinner=False)
def _case_reports() -> validation.ValidationTable:
    """The reading of the published case reports, once per server process (the set and the logic are fixed
    while it runs; `make validate` prints the same table)."""
    return validation.run()


def _source(text: str, url: str | None) -> str:
    """A source as a markdown link (the text escaped, the address made safe for a link target)."""
    if not url:
        return esc(text)
    target = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    return f"[{esc(text)}]({target})"


v = validation.about()
st.subheader(v["title"])
st.info(v["statement"])
table = _case_reports()
st.caption(v["table_caption"])
st.markdown(md_table(validation.group_rows(table), validation.group_columns(),
                     right=("cases", *map(validation.leaning_label, validation.LEANING_ORDER), "critical alert")))
st.markdown(
    f"**{esc(v['shares']['ttp'])}:** {table.ttp_share}  \n"
    f"**{esc(v['shares']['b12'])}:** {table.b12_share}"
)
st.caption(f"{esc(v['method'])} {table.cases} cases ({table.new_cases} new); reference set {esc(table.thresholds_id)}.")
misses_box = st.expander(f"Misses ({len(table.misses)})", key="ev_misses", on_change="rerun")
if misses_box.open:  # drawn only while open (opening it reruns the page)
    blocks = []
    for kind in validation.MISS_KINDS:
        misses = [m for m in table.misses if m.kind == kind]
        if misses:
            label = v["misses"][kind]
            blocks.append(f"**{esc(label[:1].upper() + label[1:])}** ({len(misses)})")
            blocks.append("\n".join(f"- {esc(m.case_id)}: {esc(m.detail)}. {_source(m.source, m.link)}"
                                    for m in misses))
    misses_box.markdown("\n\n".join(blocks) or "None.")
cases_box = st.expander("Every case, its two readings and its source", key="ev_cases", on_change="rerun")
if cases_box.open:  # drawn only while open: 46 cases and their links
    lines = []
    for r in table.results:
        p, w = r.presentation, r.with_adamts13
        reading = f"at presentation {validation.leaning_label(p.leaning)}"
        reading += f" ({', '.join(p.critical)})" if p.critical else ""
        reading += f"; with ADAMTS13 {validation.leaning_label(w.leaning)}" if w else ""
        lines.append(f"- {esc(r.case.id)} ({esc(v['truth_groups'][r.case.truth])}): {esc(reading)}. "
                     f"{_source(r.case.source.short, r.case.source.link)}")
    cases_box.markdown("\n".join(lines))

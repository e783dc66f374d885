"""Article and evidence: every statement of the source article, where Cobalt shows it, and what the
primary evidence says (supported, qualified or unsourced); every threshold in use with its source; and
Cobalt against published case reports (logic/tma/validation.py), a reading of case reports, not a
validated score."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from logic.reference import load_json, reference, threshold_set
from logic.tma import validation
from ui.common import esc, md_table, why
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
for s in statements:
    if s["status"] not in (show or []):
        continue
    label, colour = STATUS[s["status"]]
    with st.container(border=True):
        # the badge, the statement, where Cobalt shows it and the evidence in one block (were four elements)
        st.markdown(
            f":{colour}-badge[{label}]\n\n**{s['section']}.** {s['text']}\n\n"
            f"*In Cobalt:* {'; '.join(s['where'])}\n\n{s['evidence']}"
        )
        why(s["refs"], key=f"why_ev_{s['id']}")

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
with st.expander(f"Misses ({len(table.misses)})"):
    blocks = []
    for kind in validation.MISS_KINDS:
        misses = [m for m in table.misses if m.kind == kind]
        if misses:
            label = v["misses"][kind]
            blocks.append(f"**{esc(label[:1].upper() + label[1:])}** ({len(misses)})")
            blocks.append("\n".join(f"- {esc(m.case_id)}: {esc(m.detail)}. {_source(m.source, m.link)}"
                                    for m in misses))
    st.markdown("\n\n".join(blocks) or "None.")
with st.expander("Every case, its two readings and its source"):
    lines = []
    for r in table.results:
        p, w = r.presentation, r.with_adamts13
        reading = f"at presentation {validation.leaning_label(p.leaning)}"
        reading += f" ({', '.join(p.critical)})" if p.critical else ""
        reading += f"; with ADAMTS13 {validation.leaning_label(w.leaning)}" if w else ""
        lines.append(f"- {esc(r.case.id)} ({esc(v['truth_groups'][r.case.truth])}): {esc(reading)}. "
                     f"{_source(r.case.source.short, r.case.source.link)}")
    st.markdown("\n".join(lines))

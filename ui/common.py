"""Rendering helpers every page uses: sources ("Why?"), alerts, safe text, small markdown tables, the results
table, a page's failure in words. (The sidebar: :mod:`ui.sidebar`; above the page: :mod:`ui.banner`.)"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import traceback

import streamlit as st

from logic.case import Case
from logic.reference import reference, statements
from logic.results import Alert
from ui.perf import ByIdentity

log = logging.getLogger("cobalt.pages")
DISCLAIMER = statements.text("common.disclaimer")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
SEVERITY_ICON = {"critical": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}


def esc(text: str | None) -> str:
    """User-entered text made inert for st.markdown (no links, images or formatting)."""
    return _MD_SPECIAL.sub(r"\\\1", text or "")


def md_table(rows: list[dict], columns: list[str], right: tuple[str, ...] = ()) -> str:
    """A small static table as markdown: drawn with the page's text, so the browser loads no table code
    (st.table and st.dataframe fetch about 1 MB of Arrow and grid scripts on first use; issue 13). Every
    cell is escaped (a cell's text is never read as markdown) and shown in full, a missing value as a dash;
    ``right``: columns aligned right (numbers)."""

    def cell(value) -> str:
        if value is None:
            return "—"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return esc(" ".join(str(value).split()))

    head = "| " + " | ".join(esc(c) for c in columns) + " |"
    rule = "|" + "|".join(" ---: " if c in right else " --- " for c in columns) + "|"
    return "\n".join([head, rule, *("| " + " | ".join(cell(r.get(c)) for c in columns) + " |" for r in rows)])


def ref_markdown(ref_id: str) -> str:
    ref = reference(ref_id)
    line = ref["citation"]
    ids = []
    if ref.get("doi"):
        ids.append(f"[doi:{ref['doi']}](https://doi.org/{ref['doi']})")
    if ref.get("pmid"):
        ids.append(f"[PMID {ref['pmid']}](https://pubmed.ncbi.nlm.nih.gov/{ref['pmid']}/)")
    if ref.get("url") and not ids:
        ids.append(f"[link]({ref['url']})")
    if ids:
        line += " " + " · ".join(ids)
    if ref.get("kind") == "cobalt-default":
        line = ":orange-badge[no primary source] " + line
    out = f"- {line}"
    if ref.get("note"):
        out += f"\n\n  *{ref['note']}*"
    return out


def why(refs, key: str, label: str = "Why?", extra: str | None = None) -> None:
    """A small popover listing the sources behind a statement."""
    why_each([("", refs)], key=key, label=label, extra=extra)


def why_each(statements_refs, key: str, label: str = "Why?", extra: str | None = None) -> None:
    """One popover for a section: the sources of each statement in it, under the statement's name
    (``statements_refs``: (name, refs) pairs; a pair named "" lists its sources without a name).
    One popover, one markdown block: fewer elements for the browser to lay out than one per statement."""
    groups = [(name, list(dict.fromkeys(refs))) for name, refs in statements_refs]
    groups = [(name, refs) for name, refs in groups if refs]
    if not groups and not extra:
        return
    parts = [extra] if extra else []
    for name, refs in groups:
        lines = "\n".join(ref_markdown(r) for r in refs)
        parts.append(f"**{name}**\n\n{lines}" if name else lines)
    with st.popover(label, icon=":material/menu_book:", key=key):
        st.markdown("\n\n".join(parts))


def short(text: str, words: int = 8) -> str:
    """The first few words of a statement, to name it in a section's "Why?"."""
    cut = text.split()
    return " ".join(cut[:words]) + (" …" if len(cut) > words else "")


def alert_box(alert: Alert, key: str, sources: bool = True) -> None:
    """One alert, coloured by severity, with its sources (``sources=False``: the section's own "Why?"
    lists them, through :func:`alert_sources`)."""
    box = {"critical": st.error, "warning": st.warning}.get(alert.severity, st.info)
    box(alert.message, icon=SEVERITY_ICON[alert.severity])
    if sources:
        # the message in the key: two alerts of one kind (a unit slip in two results) are two widgets
        why(alert.refs, key=f"why_{key}_{alert.id}_{hashlib.sha1(alert.message.encode()).hexdigest()[:8]}")


def alert_sources(alerts) -> list[tuple[str, tuple[str, ...]]]:
    """(name, refs) pairs for :func:`why_each`: each alert named by its first words."""
    return [(short(a.message), a.refs) for a in alerts]


_TABLES = ByIdentity(64)  # case -> its results table


def _results_arrow(case: Case):
    """The results table as an Arrow table, made once per case value (``current_case`` keeps one Case per
    document): a rerun that changes nothing builds no DataFrame and converts nothing again."""
    hit = _TABLES.get(case)
    if hit is not None:
        return hit
    import pyarrow as pa

    base = case.baseline()
    start = case.treatment_start
    rows = [
        {
            "Date": o.date,
            "Test": o.label,
            "Result": o.display(),
            "Course": "baseline"
            if base.get(o.analyte) is o
            else ("recovery" if start and o.date > start else "earlier"),
        }
        for o in sorted(case.observations, key=lambda o: (o.date, o.index))
    ]
    table = pa.Table.from_pylist(rows)
    _TABLES.put(case, table)
    return table


def results_table(case: Case) -> None:
    """Every result on file, with whether it is the baseline, an earlier value or the recovery course."""
    if not case.observations:
        st.caption("No results yet.")
        return
    table = _results_arrow(case)
    st.dataframe(table, hide_index=True, width="stretch", height=min(400, 38 + 35 * table.num_rows))


_VARIABLE = re.compile(r"'[^']*'|\"[^\"]*\"|[0-9][0-9.,:/-]*")
SHOWN_PROBLEMS = 20  # problems listed in full; the rest are counted by kind


def problem_kind(message: str) -> str:
    """What a problem says, without the values it names (quoted text, numbers and dates): the kind it is."""
    return " ".join(_VARIABLE.sub("…", message).split())[:100]


def problem_list(problems, title: str = "") -> None:
    """Problems (``Problem`` values or text) in one box: the first :data:`SHOWN_PROBLEMS` in full, the rest
    counted by kind, so a junk file of thousands of rows is summarised, not drawn as thousands of boxes
    (issue 21: a 1.9 MB junk Bundle drew 8,915 error boxes over 10-12 s)."""
    items = list(problems)
    if not items:
        return
    lines = [f"- {esc(str(p))}" for p in items[:SHOWN_PROBLEMS]]
    rest = items[SHOWN_PROBLEMS:]
    if rest:
        from collections import Counter

        kinds = Counter(problem_kind(getattr(p, "message", str(p))) for p in rest).most_common()
        named = "; ".join(f"{n:,} × {esc(kind)}" for kind, n in kinds[:5])
        others = sum(n for _, n in kinds[5:])
        lines.append(f"- … and **{len(rest):,} more** ({len(items):,} in all): {named}"
                     + (f"; {others:,} of other kinds" if others else ""))
    st.error((f"{title}\n\n" if title else "") + "\n".join(lines), icon=":material/error:")


def focus_field(key: str | None) -> None:
    """Put the cursor back in a field after an error in it, once, and only if the user has not moved on: when
    nothing has the focus (the page itself) and the element focused last was that field (ui/browser.py records
    it). A user who pressed Tab or clicked another field or control keeps the focus there, so what they type
    next lands where they are typing (issue 21: the refused field took the focus back 250 ms later and swallowed
    the next field's keystrokes). The refused text stays in its field, with its message under it."""
    if not key:
        return
    safe = re.sub(r"[^A-Za-z0-9_-]", "", key)
    st.html(
        "<script>setTimeout(() => { const doc = document; const a = doc.activeElement;"
        " if (a && a !== doc.body && a !== doc.documentElement) return;"  # the user is somewhere: stay there
        f" const want = 'st-key-{safe}'; const el = doc.querySelector('.' + want + ' input, .' + want + ' textarea');"
        # the last element focused (ui/browser.py records it): another one means the user has moved on
        " const last = window.__cobaltLastFocus;"
        " const box = last && last.closest && last.closest('[class*=\"st-key-\"]');"
        " if (last && !(box && box.classList.contains(want))) return;"
        " if (el) el.focus(); }, 250);</script>",
        unsafe_allow_javascript=True,
        width=1,
    )


def page_failed(title: str, exc: BaseException) -> None:
    """The page edge: what went wrong in words and what to do next; the details go to the server log."""
    # the stack without the exception's message: a database error's message holds the statement and its
    # parameters (case labels among them), which must not reach the log
    log.error("page %s failed: %s\n%s", title, type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))
    st.error(
        f"This page could not be shown ({type(exc).__name__}). Nothing you typed is lost: the case is kept "
        "and saved as before. Try another page and come back, or reload; if it happens again, tell the "
        "person who runs Cobalt what you were doing.",
        icon=":material/error:",
    )
    if os.environ.get("COBALT_PAGE_ERRORS") == "raise":  # the page tests (tests/conftest.py): a failure fails
        raise exc

"""The fair floor of `make bench`: a bare page with the same number and kinds of widgets as the page it stands
beside (the Case page), and nothing else: no Cobalt code, no logic, no sidebar of its own.

Which widgets: the JSON in ``$BENCH_FLOOR`` ({kind: count}; kinds are the ``st`` functions named in KINDS), made
by scripts/bench_floor.py from the Case page's element tree in AppTest. Every widget has a key, as Cobalt's do,
and a fixed label; each expander and popover is a widget (keyed, ``on_change="rerun"``) with one line in it.
``$BENCH_FLOOR_KEYS``: that many plain session keys besides (0 unless a reproduction asks for them: the cost of
Streamlit's text, number, radio and select widgets grows with every session key, see scripts/bench_floor.py).
"""

import json
import os

import streamlit as st

ss = st.session_state
spec: dict[str, int] = json.loads(os.environ.get("BENCH_FLOOR") or '{"text_input": 1}')
for i in range(int(os.environ.get("BENCH_FLOOR_KEYS") or 0)):
    ss.setdefault(f"floor_plain_{i}", i)
OPTIONS = ("Unknown", "Yes", "No")

st.title("Floor")
for kind, count in spec.items():
    for i in range(count):
        key = f"floor_{kind}_{i}"
        label = f"{kind} {i}"
        if kind == "text_input":
            st.text_input(label, key=key)
        elif kind == "text_area":
            st.text_area(label, key=key, height=80)
        elif kind == "number_input":
            st.number_input(label, key=key, value=None, min_value=0.0)
        elif kind == "radio":
            st.radio(label, OPTIONS, key=key, horizontal=True)
        elif kind == "selectbox":
            st.selectbox(label, OPTIONS, key=key)
        elif kind == "multiselect":
            st.multiselect(label, OPTIONS, key=key)
        elif kind == "pills":
            st.pills(label, OPTIONS, key=key, selection_mode="multi")
        elif kind == "segmented_control":
            st.segmented_control(label, OPTIONS, key=key)
        elif kind == "toggle":
            st.toggle(label, key=key)
        elif kind == "checkbox":
            st.checkbox(label, key=key)
        elif kind == "button":
            st.button(label, key=key)
        elif kind == "download_button":
            st.download_button(label, b"floor", file_name="floor.txt", key=key, on_click="ignore")
        elif kind == "file_uploader":
            st.file_uploader(label, key=key)
        elif kind == "expander":
            with st.expander(label, key=key, on_change="rerun"):
                st.caption("inside")
        elif kind == "popover":
            with st.popover(label, key=key):
                st.caption("inside")

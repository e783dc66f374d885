"""The current case in ``st.session_state`` and cached parsing of it."""

from __future__ import annotations

import copy
import json
from typing import Any

import streamlit as st

from logic.case import Case, CaseError, parse_case
from logic.entry import blank_case
from logic.reference import DEFAULT_THRESHOLDS, example_cases

CASE_KEY = "case_doc"
THRESHOLDS_KEY = "app_thresholds"


def current_doc() -> dict[str, Any]:
    if CASE_KEY not in st.session_state:
        st.session_state[CASE_KEY] = blank_case()
    return st.session_state[CASE_KEY]


@st.cache_data(max_entries=64, show_spinner=False)
def _parse(doc_json: str) -> Case:
    return parse_case(json.loads(doc_json))


def current_case() -> Case:
    """The current case as a value (the stored document is always valid)."""
    doc = current_doc()
    try:
        return _parse(json.dumps(doc, sort_keys=True))
    except CaseError:  # cannot happen for documents set through set_doc; recover rather than crash
        st.session_state[CASE_KEY] = blank_case()
        return parse_case(blank_case())


def set_doc(doc: dict[str, Any]) -> Case:
    """Validate and make ``doc`` the current case; raises CaseError and changes nothing if invalid."""
    case = parse_case(doc)
    st.session_state[CASE_KEY] = copy.deepcopy(doc)
    st.session_state["case_rev"] = st.session_state.get("case_rev", 0) + 1
    return case


def load_example(example_id: str) -> None:
    set_doc(copy.deepcopy(example_cases()[example_id]))


def thresholds_id() -> str:
    return st.session_state.get(THRESHOLDS_KEY, DEFAULT_THRESHOLDS)

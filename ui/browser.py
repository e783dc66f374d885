"""What runs in the browser itself: the click guard that keeps a typed value, and the unit-system cookie.

The click guard. A text field commits its value when it loses the focus; a click on a sidebar link or a
button takes the focus and sends its own request at once, and Streamlit (1.67) folds the two into one
rerun of the page the value was typed on: the value may be lost and the click is lost (issue 12: 10 of
10 values and 6 of 10 navigations). The guard holds such a click for a moment: it takes the focus from
the field first (committing it as Enter does), waits until the run that takes the value is over, and
then clicks again. Only a click that follows typing in a field is held (for that run, usually a few
hundred milliseconds); every other click passes untouched.

The cookie. The unit system chosen on the Case page is remembered for this browser in a first-party
cookie (``cobalt_units=si|conventional``, no patient data, SameSite=Strict), read back through
``st.context.cookies`` when a new session starts. Streamlit has no API to set a cookie, so the same
script sets it.
"""

from __future__ import annotations

import streamlit as st

from ui.session import UNITS_COOKIE, browser_units

_GUARD = """
(function () {
  const w = window;
  if (!w.__cobaltClickGuard) {
    w.__cobaltClickGuard = true;
    const doc = w.document;
    const dirty = new WeakSet();
    let pending = null;
    const isField = (el) => !!el && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" &&
      !["checkbox", "radio", "button", "submit", "file", "range"].includes(el.type)));
    doc.addEventListener("input", (e) => { if (isField(e.target)) dirty.add(e.target); }, true);
    // the element focused last: a refused field takes the focus back only if the user has not moved on
    doc.addEventListener("focusin", (e) => { w.__cobaltLastFocus = e.target; }, true);
    doc.addEventListener("keydown", (e) => {
      if (isField(e.target) && (e.key === "Enter" || e.key === "Tab")) dirty.delete(e.target);
    }, true);
    doc.addEventListener("pointerdown", (e) => {
      const el = doc.activeElement;
      pending = isField(el) && dirty.has(el) && !el.contains(e.target) ? el : null;
      if (pending && pending.tagName === "INPUT") {
        // commit now, as Enter does: a commit left to the blur is sent with the click and can be dropped
        pending.dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", code: "Enter", keyCode: 13,
                                                              which: 13, bubbles: true, cancelable: true}));
      }
    }, true);
    doc.addEventListener("click", (e) => {
      const field = pending;
      pending = null;
      if (!field || !e.isTrusted) return;
      dirty.delete(field);
      const target = e.target.closest("a, button, [role='tab'], summary, label");
      if (!target) return;
      e.preventDefault();
      e.stopImmediatePropagation();
      if (doc.activeElement === field) field.blur();
      // click again once the run that takes the field's value is over: a navigation sent while that
      // run is still queued is folded into it by the server, and the value is dropped
      const started = Date.now();
      let sawRunning = false;
      const again = () => {
        const app = doc.querySelector("[data-testid='stApp']");
        const state = app ? app.getAttribute("data-test-script-state") : "notRunning";
        const waited = Date.now() - started;
        if (state !== "notRunning") sawRunning = true;
        if (waited < 4000 && (state !== "notRunning" || (!sawRunning && waited < 800))) {
          setTimeout(again, 20);
          return;
        }
        target.click();
      };
      setTimeout(again, 20);
    }, true);
  }
  COOKIE
})();
"""


def browser_script() -> None:
    """Install the click guard (once per page load) and keep the unit-system cookie."""
    units = browser_units()
    cookie = (
        f'document.cookie = "{UNITS_COOKIE}={units}; path=/; max-age=31536000; SameSite=Strict";'
        if units in ("si", "conventional")
        else ""
    )
    st.html("<script>" + _GUARD.replace("COOKIE", cookie) + "</script>", unsafe_allow_javascript=True, width=1)

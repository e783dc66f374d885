"""What runs in the browser itself: the click guard that keeps a typed value, the page that opens at its
top, text pasted with a broken character, and where the focus was last.

The click guard. A text field commits its value when it loses the focus; a click on a sidebar link or a
button takes the focus and sends its own request at once, and Streamlit (1.67) folds the two into one
rerun of the page the value was typed on: the value may be lost and the click is lost (issue 12: 10 of
10 values and 6 of 10 navigations). The guard holds such a click for a moment: it takes the focus from
the field first (committing it as Enter does), waits until the run that takes the value is over, and
then clicks again. Only a click that follows typing in a field is held (for that run, usually a few
hundred milliseconds); every other click passes untouched.

The page's top. Streamlit keeps the scroll position of the main area when another page of the app opens
(it is one scrolling element): after work low on the Case page, TTP or B12? opened 2,000-2,800 px down in
5 of 15 runs, its leaning out of view (issue 21). When the address's path changes (a page switch: a link, a
``st.switch_page``, the browser's back button), the main area is put at its top, and kept there until the
new page's run is over, unless the user scrolls meanwhile (nothing is held after that run).

Broken characters. Text holding a lone surrogate (half of a character, e.g. pasted from a damaged
document) cannot be encoded as UTF-8: Streamlit's server refused every message of the session from then on
(a protobuf decode error), so every widget froze and later edits were never saved. Such a half character
is replaced by U+FFFD (the replacement character, shown as a question mark in a diamond) as it enters any
field, before the value leaves the browser; the page then refuses it with a message where it must
(the Case label) and the session lives on.

The last focus. ``window.__cobaltLastFocus`` is the element focused last; a refused field takes the
focus back only if the user has not moved on (``ui.common.focus_field``).
"""

from __future__ import annotations

import streamlit as st

_GUARD = r"""
(function () {
  const w = window;
  if (!w.__cobaltClickGuard) {
    w.__cobaltClickGuard = true;
    const doc = w.document;
    const dirty = new WeakSet();
    let pending = null;
    const isField = (el) => !!el && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" &&
      !["checkbox", "radio", "button", "submit", "file", "range"].includes(el.type)));
    // text with a lone surrogate made well formed (each half character becomes U+FFFD)
    const wellFormed = (text) => {
      if (typeof text.toWellFormed === "function") return text.isWellFormed() ? null : text.toWellFormed();
      let out = "", broken = false;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { out += text[i] + text[++i]; }
        else if ((c & 0xf800) === 0xd800) { out += "\ufffd"; broken = true; }
        else out += text[i];
      }
      return broken ? out : null;
    };
    doc.addEventListener("input", (e) => {
      const el = e.target;
      if (!isField(el)) return;
      dirty.add(el);
      const fixed = wellFormed(el.value);
      if (fixed !== null) {  // a lone surrogate: not UTF-8, the server would refuse the session's messages
        const proto = el.tagName === "TEXTAREA" ? w.HTMLTextAreaElement.prototype : w.HTMLInputElement.prototype;
        // the native setter: React reads the cleaned value when this event reaches it
        Object.getOwnPropertyDescriptor(proto, "value").set.call(el, fixed);
      }
    }, true);
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
    // the page's top when another page opens (see the module docstring)
    const main = () => doc.querySelector("[data-testid='stMain']");
    let path = w.location.pathname;
    let holding = 0;
    const letGo = () => { holding = 0; };
    for (const kind of ["wheel", "touchmove", "keydown", "mousedown"]) doc.addEventListener(kind, letGo, true);
    const toTop = () => {
      if (w.location.pathname === path) return;  // the same page (a query parameter changed)
      path = w.location.pathname;
      const started = holding = Date.now();
      let sawRunning = false;
      const top = () => {
        const area = main();
        if (area && area.scrollTop) area.scrollTop = 0;
        if (doc.scrollingElement && doc.scrollingElement.scrollTop) doc.scrollingElement.scrollTop = 0;
      };
      const hold = () => {  // at the top now, and once more when the new page's run is over
        if (holding !== started) return;  // the user scrolled, or another page opened meanwhile
        top();
        const app = doc.querySelector("[data-testid='stApp']");
        const running = app && app.getAttribute("data-test-script-state") !== "notRunning";
        sawRunning = sawRunning || running;
        const waited = Date.now() - started;
        if ((running || !sawRunning) && waited < (sawRunning ? 8000 : 1500)) setTimeout(hold, 40);
        else holding = 0;
      };
      hold();
    };
    for (const name of ["pushState", "replaceState"]) {
      const original = w.history[name];
      w.history[name] = function (...args) { const out = original.apply(this, args); toTop(); return out; };
    }
    w.addEventListener("popstate", toTop);
  }
})();
"""


#: A phone (issue 21: at 390 px the TTP or B12? page's critical alert started below the first screen and the
#: PLASMIC table's last column was cut off): less space above the page's title and between elements, and
#: markdown tables (``ui.common.md_table``) that fit the screen, a cell wrapping anywhere rather than pushing a
#: column off its edge. At every width, the history lists' chips show their whole item, on more lines if need be
#: (cut, "Neurological symptoms (neuropathy, ataxia, cognitive …" hid the rest of the item). Only style: sent alone,
#: it takes no place on the page.
_NARROW = """<style>
[class*="st-key-case_hist_"] [data-tag] { height: auto; min-height: 28px; }
[class*="st-key-case_hist_"] [data-tag] > span { white-space: normal; overflow: visible; text-overflow: clip; }
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 3.75rem; }
  [data-testid="stMainBlockContainer"] [data-testid="stHeading"] h1 { font-size: 2rem; padding: 0.5rem 0 0.25rem; }
  [data-testid="stMainBlockContainer"] h3 { font-size: 1.375rem; }
  [data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] { gap: 0.625rem; }
  [data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] table {
    width: 100%; font-size: 0.8125rem; display: block; overflow-x: auto;
  }
  [data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] :is(th, td) {
    overflow-wrap: break-word; hyphens: auto; padding: 0.25rem 0.375rem;
  }
}
</style>"""


def browser_script() -> None:
    """Install the click guard, the page's top, the broken-character guard and the focus record (once per page
    load: the script returns at once when they are there)."""
    st.html("<script>" + _GUARD + "</script>", unsafe_allow_javascript=True, width=1)
    st.html(_NARROW)

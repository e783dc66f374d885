"""Process-level speed: what the imported libraries cost each script run, and how it is avoided.

After every script run Streamlit collects garbage over the whole process (``runner.postScriptGC``,
a full ``gc.collect(2)``). The collector walks every tracked object, and almost all of them belong to
the imported libraries (plotly's figure classes, pandas, pyarrow, SQLAlchemy), which live as long as the
process: measured in the bench, that walk was most of a page's server time (Regimen 528 of 783 ms on a
page switch). ``gc.freeze()`` moves the objects alive now to a permanent generation the collector
skips; the post-run collection then walks only what the runs made, and still frees it.
"""

from __future__ import annotations

import gc
import sys
import threading

_lock = threading.Lock()
_frozen_at = 0  # len(sys.modules) at the last freeze


def freeze_imports() -> None:
    """After a run that imported modules (the first runs of each page): collect, then freeze what is left.

    Called at the end of every run; it does nothing unless ``sys.modules`` has grown since the last
    freeze, so it runs a handful of times per process. What is frozen is never freed by the cycle
    collector (reference counting still frees it): the modules, and the few objects that runs held at
    that moment, which is why the garbage is collected first.
    """
    global _frozen_at
    if len(sys.modules) == _frozen_at:
        return
    with _lock:
        if len(sys.modules) == _frozen_at:
            return
        _frozen_at = len(sys.modules)
        gc.collect()
        gc.freeze()


class ByIdentity:
    """A value made from an object that is never changed in place, kept until that object is seen again.

    Found by identity: each entry holds the object itself, so its ``id`` cannot be reused while the entry is
    there. Bounded: when full, the older half goes (dicts keep insertion order). For the open case's parsed
    ``Case`` (one per document) and the tables made from a ``Case``.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: dict[int, tuple[object, object]] = {}
        self._lock = threading.Lock()

    def get(self, obj: object) -> object | None:
        hit = self._entries.get(id(obj))
        return hit[1] if hit is not None and hit[0] is obj else None

    def put(self, obj: object, value: object) -> None:
        with self._lock:
            if len(self._entries) >= self._size:
                for key in list(self._entries)[: self._size // 2]:
                    del self._entries[key]
            self._entries[id(obj)] = (obj, value)

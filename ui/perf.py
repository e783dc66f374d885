"""Process-level speed: what the imported libraries cost each script run, and how it is avoided; caches that never
outlive the sessions that filled them.

After every script run Streamlit collects garbage over the whole process (``runner.postScriptGC``,
a full ``gc.collect(2)``). The collector walks every tracked object, and almost all of them belong to
the imported libraries (plotly's figure classes, pandas, pyarrow, SQLAlchemy), which live as long as the
process: measured in the bench, that walk was most of a page's server time (Regimen 528 of 783 ms on a
page switch). ``gc.freeze()`` moves the objects alive now to a permanent generation the collector
skips; the post-run collection then walks only what the runs made, and still frees it.

The freeze is made once, by :func:`warm_up`, before any browser session exists: serve.py calls it when the
server has started and before it takes a connection (its ``lifespan``: Streamlit's runtime, the web server and the
configuration are made by then, and frozen with the libraries), the page tests when they start
(tests/conftest.py). It first imports
what the pages use. A freeze made while a session is open would pin it: an object frozen is never collected by
the cycle collector, and a session's state is a container that everything the session makes is put in (its
case, its saver, its figures), so all of it would stay in the process after the session closed (issue 24: the
freeze app.py made after a run that imported modules kept 7,554 objects of one closed session, its saver among
them). Inside a session warm_up only imports; ``streamlit run app.py`` on its own therefore runs unfrozen.
"""

from __future__ import annotations

import gc
import importlib
import pkgutil
import threading
import weakref

_lock = threading.Lock()
_warm = False

#: What the pages import after their first run (measured: 400 modules, 42,000 objects), imported by warm_up so
#: that the freeze covers them; a module missing in another version of a library is passed over.
WARM_MODULES = (
    "numpy", "pandas", "pyarrow", "pyarrow.compute", "pyarrow.ipc", "pyarrow.pandas_compat", "dateutil.parser",
    "dateutil.relativedelta", "dateutil.tz", "zoneinfo", "plotly.graph_objects", "plotly.io", "plotly.io._json",
    "plotly.offline", "plotly.tools", "plotly.graph_objs._figure", "plotly.graph_objs._scatter",
    "plotly.graph_objs.scatter", "plotly.graph_objs._bar", "plotly.graph_objs.bar", "plotly.graph_objs.layout",
    "plotly.graph_objs.layout.annotation", "plotly.graph_objs.layout.shape", "plotly.graph_objs.layout.title",
    "plotly.graph_objs.layout.xaxis", "plotly.graph_objs.layout.yaxis", "plotly.graph_objs.layout._legend",
    "plotly.graph_objs.layout._margin", "plotly.graph_objs.layout._annotation", "plotly.graph_objs.layout._shape",
    "plotly.graph_objs.layout._title", "plotly.graph_objs.layout._xaxis", "plotly.graph_objs.layout._yaxis",
    "plotly.graph_objs.layout.annotation._font", "plotly.graph_objs.layout.shape._line",
    "plotly.graph_objs.layout.title._font", "plotly.graph_objs.layout.xaxis._title",
    "plotly.graph_objs.layout.yaxis._title", "plotly.graph_objs.scatter._line", "plotly.graph_objs.bar._marker",
    "plotly.graph_objs.bar.marker._line", "plotly.graph_objs.bar.marker._pattern", "plotly.animation",
    "PIL.Image", "PIL.PngImagePlugin", "PIL.JpegImagePlugin", "PIL.GifImagePlugin", "PIL.BmpImagePlugin",
    "PIL.PpmImagePlugin", "PIL.ImageSequence", "PIL.ImageChops", "pandas.core.methods.to_dict", "statistics",
    "sqlalchemy.dialects.sqlite", "sqlalchemy.dialects.postgresql", "streamlit.material_icon_names",
    "streamlit.runtime.scriptrunner.magic_funcs", "streamlit.components.v2.manifest_scanner",
)
#: This repository's packages, imported whole (every page imports some of them).
WARM_PACKAGES = ("logic", "ui", "store", "ehr")


def warm_up() -> None:
    """Once per process, before any browser session exists: import what the pages use (``WARM_MODULES`` and
    ``WARM_PACKAGES``), collect, then freeze what is alive. Later calls return at once; a call made inside a
    session imports and does not freeze (see the module docstring)."""
    global _warm
    if _warm:
        return
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    in_session = get_script_run_ctx(suppress_warning=True) is not None
    with _lock:
        if _warm:
            return
        for name in WARM_MODULES:
            try:
                importlib.import_module(name)
            except ImportError:
                pass
        for package in WARM_PACKAGES:
            try:
                root = importlib.import_module(package)
            except ImportError:
                continue
            for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
                if info.name.endswith("__main__") or ".migrations" in info.name:  # scripts, not libraries
                    continue
                try:
                    importlib.import_module(info.name)
                except Exception:  # noqa: BLE001 - an optional module that cannot load here is loaded (or not) on use
                    pass
        if in_session:
            return  # imported; frozen by a call made before the sessions, or never
        gc.collect()
        gc.freeze()
        _warm = True


class ByIdentity:
    """A value made from an object that is never changed in place, kept while that object lives.

    Found by identity, and held weakly: an entry goes when its object does (a ``Case`` of a session that has
    closed takes its table with it), so nothing here outlives the sessions that made it. Bounded besides: when
    full, the older half goes (dicts keep insertion order). Only for objects that take weak references (a
    dataclass such as ``Case``; not a dict: for those, :class:`Memo` in the session's own state).
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: dict[int, tuple[weakref.ref, object]] = {}
        self._lock = threading.RLock()  # re-entrant: an entry's weak reference may be cleared inside a locked block

    def get(self, obj: object) -> object | None:
        hit = self._entries.get(id(obj))
        return hit[1] if hit is not None and hit[0]() is obj else None

    def put(self, obj: object, value: object) -> None:
        key = id(obj)

        def gone(ref: weakref.ref, key: int = key) -> None:
            with self._lock:
                if (held := self._entries.get(key)) is not None and held[0] is ref:
                    del self._entries[key]

        with self._lock:
            if len(self._entries) >= self._size:
                for old in list(self._entries)[: self._size // 2]:
                    del self._entries[old]
            self._entries[key] = (weakref.ref(obj, gone), value)

    def __len__(self) -> int:
        return len(self._entries)


class Memo:
    """Values made from objects that are never changed in place, for one browser session: kept in the session's
    own state (``OpenCase.memo``), so they go with the session. A few slots per name, found by identity (each
    slot holds its object, so its ``id`` cannot be reused while it is there)."""

    __slots__ = ("_slots",)
    SLOTS = 4

    def __init__(self) -> None:
        self._slots: dict[str, list[tuple[object, object]]] = {}

    def get(self, name: str, obj: object) -> object | None:
        for held, value in self._slots.get(name, ()):
            if held is obj:
                return value
        return None

    def put(self, name: str, obj: object, value: object) -> None:
        slots = self._slots.setdefault(name, [])
        slots.insert(0, (obj, value))
        del slots[self.SLOTS:]

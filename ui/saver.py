"""Background saving of the open case: one version per burst of edits, retried until the database answers.

A ``Saver`` belongs to one open case in one browser session. ``submit(doc)`` hands it the document as it
now stands; after ``quiet_s`` seconds without another edit (at most ``max_delay_s`` after the first one)
a worker thread writes it as one new version, so ten rapid edits make one version, and a document
identical to the one saved (or about to be) is never saved again. The worker saves on the server
whether or not the browser is still there; pending documents are flushed at interpreter exit.

A save the database refuses for a passing reason (locked, unreachable) is retried with growing pauses
and reported as "not saved" with that reason (never the SQL or its parameters); a save another
session beat (``ConflictError``) stops saving and is reported as a conflict; the document stays with
the caller in every case. ``quiet_s`` of 0 saves synchronously in ``submit`` (the page tests).

No Streamlit here: the pages read ``snapshot()`` on their next run.
"""

from __future__ import annotations

import atexit
import copy
import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

log = logging.getLogger("cobalt.saver")

#: A save in flight longer than this is reported as "not saved yet" (the database has not answered).
SLOW_S = 2.0
BACKOFF_S = (1.0, 2.0, 4.0, 8.0)


class SaveState(StrEnum):
    NEW = "new"  # nothing saved yet and nothing to save
    SAVED = "saved"
    PENDING = "pending"  # an edit waits for the burst to end, or a save is in flight
    FAILED = "failed"  # the last attempt failed for a passing reason; retrying
    CONFLICT = "conflict"  # another session saved first; nothing is saved until resolved


@dataclass(frozen=True)
class SaveSnapshot:
    state: SaveState
    case_id: str | None
    version: int | None
    message: str | None = None  # why the edits are not saved (for the user: no SQL, no parameters)
    waiting_s: float = 0.0  # how long the current edits have waited to be saved

    @property
    def busy(self) -> bool:
        """Whether something is still to be saved (the page should look again soon)."""
        return self.state in (SaveState.PENDING, SaveState.FAILED)


def reason(exc: BaseException) -> str:
    """Why a save failed, in words for the user: never the statement or its parameters."""
    from logic.case import CaseError

    if isinstance(exc, CaseError):
        return "the case cannot be stored: " + "; ".join(p.message for p in exc.problems)[:300]
    text = f"{type(exc).__name__} {getattr(exc, 'orig', '')}".lower()
    if "locked" in text or "busy" in text:
        return "the database is busy (locked by another program or a backup)"
    if any(w in text for w in ("operational", "connect", "timeout", "refused", "interface")):
        return "the database cannot be reached"
    return f"the database refused it ({type(exc).__name__})"


_LIVE: weakref.WeakSet[Saver] = weakref.WeakSet()


class Saver:
    """Saves one case's document in the background (see the module docstring)."""

    def __init__(
        self,
        store: Any,
        case_id: str | None = None,
        version: int | None = None,
        saved_doc: dict[str, Any] | None = None,
        *,
        actor: Any = None,
        quiet_s: float = 1.5,
        max_delay_s: float = 8.0,
        on_saved: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._store = store
        self._actor = actor  # who saves (fixed for the session that made this saver; store/ audit)
        self._case_id = case_id
        self._version = version
        self._saved = copy.deepcopy(saved_doc) if case_id else None
        self._quiet = quiet_s
        self._max_delay = max_delay_s
        self._on_saved = on_saved
        self._clock = clock
        self._cond = threading.Condition()
        self._pending: dict[str, Any] | None = None
        self._first_edit = self._last_edit = 0.0
        self._inflight: dict[str, Any] | None = None
        self._inflight_since = 0.0
        self._failures = 0
        self._retry_at = 0.0
        self._message: str | None = None
        self._conflict: str | None = None
        self._flush = False
        self._worker: threading.Thread | None = None
        _LIVE.add(self)

    # -- what callers see -----------------------------------------------------------

    @property
    def case_id(self) -> str | None:
        with self._cond:
            return self._case_id

    def snapshot(self) -> SaveSnapshot:
        with self._cond:
            now = self._clock()
            if self._conflict:
                return SaveSnapshot(SaveState.CONFLICT, self._case_id, self._version, self._conflict)
            waiting = now - self._first_edit if (self._pending is not None or self._inflight is not None) else 0.0
            if self._message and (self._pending is not None or self._inflight is not None):
                return SaveSnapshot(SaveState.FAILED, self._case_id, self._version, self._message, waiting)
            if self._inflight is not None and now - self._inflight_since > SLOW_S:
                slow = f"waiting for the database ({now - self._inflight_since:.0f} s)"
                return SaveSnapshot(SaveState.PENDING, self._case_id, self._version, slow, waiting)
            if self._pending is not None or self._inflight is not None:
                return SaveSnapshot(SaveState.PENDING, self._case_id, self._version, None, waiting)
            if self._case_id is None:
                return SaveSnapshot(SaveState.NEW, None, None)
            return SaveSnapshot(SaveState.SAVED, self._case_id, self._version)

    # -- edits --------------------------------------------------------------------------

    def submit(self, doc: dict[str, Any]) -> None:
        """The document as it now stands; saved once the burst of edits ends (unless identical)."""
        doc = copy.deepcopy(doc)
        with self._cond:
            if self._conflict:
                return
            target = self._pending if self._pending is not None else (self._inflight or self._saved)
            if doc == target:
                return  # identical to what is (or is about to be) saved: never saved twice
            now = self._clock()
            if self._inflight is None and doc == self._saved:
                self._pending = None  # back to the saved document: nothing to save
                self._message = None
                self._cond.notify_all()
                return
            if self._pending is None and self._inflight is None:
                self._first_edit = now
            self._pending, self._last_edit = doc, now
            self._cond.notify_all()
            synchronous = self._quiet <= 0 and self._inflight is None and self._worker is None
            if not synchronous:
                self._start_worker()
        if synchronous:
            self._save_pending()
            with self._cond:
                if self._pending is not None:  # failed: retry in the background
                    self._start_worker()

    def flush(self, timeout: float = 5.0) -> SaveSnapshot:
        """Save what is pending now (not waiting for the burst to end); wait up to ``timeout`` seconds."""
        deadline = self._clock() + timeout
        with self._cond:
            if self._pending is None and self._inflight is None:
                return self._snapshot_unlocked()
            self._flush = True
            self._retry_at = 0.0
            self._start_worker()
            self._cond.notify_all()
            while (self._pending is not None or self._inflight is not None) and not self._conflict:
                left = deadline - self._clock()
                if left <= 0:
                    break
                self._cond.wait(min(left, 0.1))
        return self.snapshot()

    def _snapshot_unlocked(self) -> SaveSnapshot:
        self._cond.release()
        try:
            return self.snapshot()
        finally:
            self._cond.acquire()

    # -- the worker ------------------------------------------------------------------

    def _start_worker(self) -> None:  # holding the lock
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._run, name="cobalt-saver", daemon=True)
            self._worker.start()

    def _due(self) -> float:  # holding the lock
        if self._flush:
            return max(self._retry_at, 0.0) if self._failures else 0.0
        burst_end = min(self._last_edit + self._quiet, self._first_edit + self._max_delay)
        return max(burst_end, self._retry_at)

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._pending is None or self._conflict:
                        self._flush = False
                        self._worker = None
                        self._cond.notify_all()
                        return
                    wait = self._due() - self._clock()
                    if wait <= 0:
                        break
                    self._cond.wait(min(wait, 0.5))
            self._save_pending()

    def _save_pending(self) -> None:
        from store import ConflictError

        with self._cond:
            doc, self._pending = self._pending, None
            if doc is None:
                return
            self._inflight, self._inflight_since = doc, self._clock()
            case_id, version = self._case_id, self._version
        try:
            if case_id is None:
                rec = self._store.create_case(doc, actor=self._actor)
            else:
                rec = self._store.save(case_id, doc, expected_version=version, actor=self._actor)
        except ConflictError as exc:
            with self._cond:
                self._conflict = str(exc)
                self._inflight = None
                self._pending = self._pending or doc
                self._cond.notify_all()
            return
        except Exception as exc:  # noqa: BLE001 - any failure is reported and retried, never raised into a page
            why = reason(exc)
            log.warning("case not saved (%s); retrying", type(exc).__name__)  # no statement, no parameters
            with self._cond:
                self._message = why
                self._failures += 1
                self._retry_at = self._clock() + BACKOFF_S[min(self._failures - 1, len(BACKOFF_S) - 1)]
                self._inflight = None
                if self._pending is None:
                    self._pending = doc  # a newer edit replaces it; otherwise it is retried
                self._cond.notify_all()
            return
        with self._cond:
            self._case_id, self._version, self._saved = rec.id, rec.version, doc
            self._inflight, self._message, self._failures, self._retry_at = None, None, 0, 0.0
            if self._pending == doc:
                self._pending = None
            if self._pending is None:
                self._flush = False
            self._cond.notify_all()
        if self._on_saved is not None:
            self._on_saved()


def flush_case(case_id: str, timeout: float = 3.0) -> None:
    """Save now what any session of this process still holds for ``case_id`` (before another opens it)."""
    for saver in list(_LIVE):
        if saver.case_id == case_id:
            saver.flush(timeout)


def flush_all(timeout: float = 5.0) -> None:
    """Save every pending document now (at exit: nothing typed is lost to a stop of the server)."""
    for saver in list(_LIVE):
        saver.flush(timeout)


atexit.register(flush_all)

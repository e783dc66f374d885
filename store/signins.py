"""Ended sign-ins, kept in the case database so that every app process sees a sign-out.

A sign-in is named by a digest (``ui.signins.sign_in_id``: 64 hex characters, nothing about the
user); ending it adds one row, which is never changed or removed by the app (its database role may
only insert and read: store/roles.py). Adding the same sign-in twice keeps the first row.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from store.records import SUBJECT_MAX, StoreError
from store.schema import ENDED_SIGN_INS

_SIGN_IN = re.compile(r"[0-9a-f]{64}")


def _checked(sign_in: str) -> str:
    if not isinstance(sign_in, str) or not _SIGN_IN.fullmatch(sign_in):
        raise StoreError("a sign-in is named by 64 lower-case hex characters")
    return sign_in


def _insert_ignoring_duplicates(engine: Engine) -> sa.Insert:
    """INSERT that keeps the existing row of the same sign-in (needs only the INSERT privilege)."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(ENDED_SIGN_INS).on_conflict_do_nothing(index_elements=["sign_in"])


class SignInRecords:
    """The store's record of ended sign-ins (mixed into :class:`store.Store`)."""

    _engine: Engine

    def _now(self) -> datetime:  # the Store's clock (overridden there)
        return datetime.now(UTC)

    def end_sign_in(self, sign_in: str, subject: str, expires_at: datetime | None = None) -> None:
        """Record that ``sign_in`` (of ``subject``) has ended: from now on it is refused everywhere."""
        sign_in = _checked(sign_in)
        if not isinstance(subject, str) or not subject or len(subject) > SUBJECT_MAX:
            raise StoreError(f"a subject is 1 to {SUBJECT_MAX} characters")
        if expires_at is not None and expires_at.tzinfo is None:
            raise StoreError("expires_at must be an aware datetime (UTC)")
        statement = _insert_ignoring_duplicates(self._engine).values(
            sign_in=sign_in, subject=subject, ended_at=self._now(), expires_at=expires_at
        )
        with self._engine.connect() as conn:
            conn.execution_options(cobalt_write=True)
            with conn.begin():
                conn.execute(statement)

    def sign_in_ended(self, sign_in: str) -> bool:
        """Whether ``sign_in`` has ended (a sign-out was recorded for it)."""
        sign_in = _checked(sign_in)
        query = sa.select(ENDED_SIGN_INS.c.sign_in).where(ENDED_SIGN_INS.c.sign_in == sign_in)
        with self._engine.connect() as conn, conn.begin():
            return conn.execute(query).first() is not None

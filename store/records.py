"""The store's values and errors: who acts (:class:`Actor`), what a case, a version and an audit entry are.

Plain frozen values, no database code: pages and tests import them without opening a store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from logic.case import Case, parse_case

#: The subject that owns every case when sign-in is off (the laptop default, one user), and the owner
#: the ownership migration gives to cases saved before cases had owners.
LOCAL_SUBJECT = "local"
SUBJECT_MAX = 255
TEAM_MAX = 120
NAME_MAX = 255

# -- errors -------------------------------------------------------------------


class StoreError(Exception):
    """Base of the store's errors."""


class NotFoundError(StoreError, LookupError):
    """No case (or no such version of it) with that id that this actor may see.

    Another user's case is refused with this same error and message, so that an id tried in the
    address says nothing about whether it exists.
    """


class ConflictError(StoreError):
    """The save was refused because the case changed since the caller loaded it.

    Nothing was written; the caller still holds its edits and should keep them on screen.
    """

    def __init__(self, case_id: str, expected_version: int, current_version: int, saved_at: datetime):
        self.case_id = case_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.saved_at = saved_at
        super().__init__(self._message())

    def _message(self) -> str:
        when = self.saved_at.strftime("%Y-%m-%d %H:%M UTC")
        return (
            f"Not saved: this case was changed in another session at {when} (version {self.current_version}) "
            f"after you opened version {self.expected_version}. Your edits are kept here: reload the case "
            "to see the other changes, or save yours as a new case."
        )


class CaseDeletedError(ConflictError):
    """The save was refused because another session deleted the case."""

    def _message(self) -> str:
        return (
            "Not saved: this case was deleted in another session. Your edits are kept here: "
            "restore the case first, or save yours as a new case."
        )


# -- who acts -----------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who calls the store: every call names one, and the store allows or refuses by it.

    ``subject`` is the identity provider's stable ``sub`` claim (never an e-mail address, which can
    change hands), or :data:`LOCAL_SUBJECT` with sign-in off. ``team`` (a ward) is optional: a case
    made by a member of a team is also open to the other members of that team. ``name`` is only
    shown (in the audit view and the versions list); access never depends on it.
    """

    subject: str
    team: str | None = None
    name: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.subject, str) or not self.subject.strip() or len(self.subject) > SUBJECT_MAX:
            raise StoreError(f"an actor needs a subject of 1 to {SUBJECT_MAX} characters")
        team_ok = self.team is None or (isinstance(self.team, str) and self.team.strip() and len(self.team) <= TEAM_MAX)
        if not team_ok:
            raise StoreError(f"an actor's team is absent or 1 to {TEAM_MAX} characters")
        if self.name is not None and (not isinstance(self.name, str) or len(self.name) > NAME_MAX):
            raise StoreError(f"an actor's name is absent or up to {NAME_MAX} characters")

    @property
    def shown(self) -> str:
        """How the actor appears in the versions list and the audit view."""
        return self.name or self.subject


#: The actor with sign-in off: owns everything, as before cases had owners.
LOCAL = Actor(LOCAL_SUBJECT, None, LOCAL_SUBJECT)


class AuditAction(StrEnum):
    """What an audit row records."""

    CREATE = "create"  # the case was made (new, imported or a duplicate of another case)
    VIEW = "view"  # the case (or one version of it) was opened
    SAVE = "save"  # a new version was saved
    REVERT = "revert"  # an old version was restored as a new version
    COPY = "copy"  # a duplicate was made from this case
    EXPORT = "export"  # the case was downloaded (detail: the format)
    DELETE = "delete"  # soft delete
    RESTORE = "restore"  # undelete
    DENIED = "denied"  # someone who may not see the case asked for it; nothing was shown or changed


# -- values -------------------------------------------------------------------


@dataclass(frozen=True)
class CaseSummary:
    """A case as the picker lists it (no document). Times are UTC."""

    id: str
    version: int
    label: str | None
    treatment_start: date | None
    last_observation: date | None
    created_at: datetime
    updated_at: datetime
    deleted: bool
    deleted_at: datetime | None
    owner: str
    team: str | None


@dataclass(frozen=True)
class CaseRecord(CaseSummary):
    """A case's current version with its document (a fresh dict on every load)."""

    document: dict[str, Any]

    def case(self) -> Case:
        """The document as a :class:`logic.case.Case`."""
        return parse_case(self.document)


@dataclass(frozen=True)
class VersionInfo:
    """One saved version: when, by whom, how (create / save / revert / duplicate) and its label."""

    case_id: str
    version: int
    saved_at: datetime
    action: str
    label: str | None
    source_version: int | None  # for a revert: the version it copies
    saved_by: str  # the subject who saved it
    saved_by_name: str | None  # as shown when it was saved


@dataclass(frozen=True)
class CaseVersion(VersionInfo):
    """One saved version with its document."""

    document: dict[str, Any]


@dataclass(frozen=True)
class AuditEntry:
    """One row of a case's audit trail (append-only)."""

    case_id: str
    seq: int  # increases with every row of the store
    at: datetime
    actor: str  # subject
    actor_name: str | None
    action: AuditAction
    version: int | None  # the version it concerned, where there is one
    detail: str | None  # the export format, or the other case of a copy

"""The store's tables as SQLAlchemy sees them (created and upgraded only by the Alembic migrations).

``cases`` holds each case's current version, owner and indexed columns; ``case_versions`` every saved
version with who saved it; ``case_audit`` one append-only row per view, save, restore, export or
delete; ``ended_sign_ins`` one row per sign-out. The append-only rule is also in the database (triggers
made by migration 0002 refuse UPDATE and DELETE on ``case_audit`` and ``case_versions``, and on PostgreSQL
the app's own role has no right to change them or their triggers: store/roles.py), not only in the absence
of an API.
"""

from __future__ import annotations

import sqlalchemy as sa

from store.records import LOCAL_SUBJECT, NAME_MAX, SUBJECT_MAX, TEAM_MAX, AuditAction

METADATA = sa.MetaData()

ACTIVE = "active"
DELETED = "deleted"
AUDIT_ACTIONS = tuple(a.value for a in AuditAction)

CASES = sa.Table(
    "cases",
    METADATA,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("label", sa.String(120), nullable=True),
    sa.Column("label_key", sa.String(480), nullable=True),  # casefolded label, for search
    sa.Column("treatment_start", sa.Date, nullable=True),
    sa.Column("last_observation", sa.Date, nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
    # the default only marks the cases saved before cases had owners; the repository always sets it
    sa.Column("owner", sa.String(SUBJECT_MAX), nullable=False, server_default=LOCAL_SUBJECT),
    sa.Column("team", sa.String(TEAM_MAX), nullable=True),
    sa.CheckConstraint("status IN ('active', 'deleted')", name="ck_cases_status"),
    sa.Index("ix_cases_label_key", "label_key"),
    sa.Index("ix_cases_status_updated_at", "status", "updated_at"),
    sa.Index("ix_cases_owner_updated_at", "owner", "updated_at"),
    sa.Index("ix_cases_team_updated_at", "team", "updated_at"),
)

CASE_VERSIONS = sa.Table(
    "case_versions",
    METADATA,
    sa.Column("case_id", sa.String(32), sa.ForeignKey("cases.id", name="fk_case_versions_case_id"), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("source_version", sa.Integer, nullable=True),
    sa.Column("label", sa.String(120), nullable=True),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("saved_by", sa.String(SUBJECT_MAX), nullable=False, server_default=LOCAL_SUBJECT),
    sa.Column("saved_by_name", sa.String(NAME_MAX), nullable=True),
)

CASE_AUDIT = sa.Table(
    "case_audit",
    METADATA,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.String(32), sa.ForeignKey("cases.id", name="fk_case_audit_case_id"), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(SUBJECT_MAX), nullable=False),
    sa.Column("actor_name", sa.String(NAME_MAX), nullable=True),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("detail", sa.String(64), nullable=True),
    sa.CheckConstraint(
        "action IN ('create', 'view', 'save', 'revert', 'copy', 'export', 'delete', 'restore', 'denied')",
        name="ck_case_audit_action",
    ),
    sa.Index("ix_case_audit_case_id_seq", "case_id", "seq"),
)

#: Sign-ins that have ended (a sign-out), by the digest of the sign-in (ui/signins.py): a copy of the
#: sign-in cookie taken before the sign-out is refused on every process. The app may add rows and read
#: them, never change or remove one (store/roles.py).
ENDED_SIGN_INS = sa.Table(
    "ended_sign_ins",
    METADATA,
    sa.Column("sign_in", sa.String(64), primary_key=True),
    sa.Column("subject", sa.String(SUBJECT_MAX), nullable=False),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),  # when it would have ended anyway
)

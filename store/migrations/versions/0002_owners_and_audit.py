"""Owners and an audit trail: cases.owner/team, case_versions.saved_by, case_audit (append-only).

Cases and versions saved before this migration get the local owner ("local"), the actor of the
laptop default with sign-in off, so nothing changes for a single user. The database refuses UPDATE
and DELETE on case_audit and case_versions (triggers; on PostgreSQL TRUNCATE too).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCAL = "local"

# DDL is fixed text: no value is ever put into these statements.
SQLITE_TRIGGERS = (
    "CREATE TRIGGER case_audit_no_update BEFORE UPDATE ON case_audit "
    "BEGIN SELECT RAISE(ABORT, 'case_audit is append-only'); END",
    "CREATE TRIGGER case_audit_no_delete BEFORE DELETE ON case_audit "
    "BEGIN SELECT RAISE(ABORT, 'case_audit is append-only'); END",
    "CREATE TRIGGER case_versions_no_update BEFORE UPDATE ON case_versions "
    "BEGIN SELECT RAISE(ABORT, 'case_versions is append-only'); END",
    "CREATE TRIGGER case_versions_no_delete BEFORE DELETE ON case_versions "
    "BEGIN SELECT RAISE(ABORT, 'case_versions is append-only'); END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS case_audit_no_update",
    "DROP TRIGGER IF EXISTS case_audit_no_delete",
    "DROP TRIGGER IF EXISTS case_versions_no_update",
    "DROP TRIGGER IF EXISTS case_versions_no_delete",
)
POSTGRES_TRIGGERS = (
    "CREATE FUNCTION cobalt_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$",
    "CREATE TRIGGER case_audit_append_only BEFORE UPDATE OR DELETE ON case_audit "
    "FOR EACH ROW EXECUTE FUNCTION cobalt_append_only()",
    "CREATE TRIGGER case_audit_no_truncate BEFORE TRUNCATE ON case_audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION cobalt_append_only()",
    "CREATE TRIGGER case_versions_append_only BEFORE UPDATE OR DELETE ON case_versions "
    "FOR EACH ROW EXECUTE FUNCTION cobalt_append_only()",
    "CREATE TRIGGER case_versions_no_truncate BEFORE TRUNCATE ON case_versions "
    "FOR EACH STATEMENT EXECUTE FUNCTION cobalt_append_only()",
)
POSTGRES_DROP = (
    "DROP TRIGGER IF EXISTS case_audit_append_only ON case_audit",
    "DROP TRIGGER IF EXISTS case_audit_no_truncate ON case_audit",
    "DROP TRIGGER IF EXISTS case_versions_append_only ON case_versions",
    "DROP TRIGGER IF EXISTS case_versions_no_truncate ON case_versions",
    "DROP FUNCTION IF EXISTS cobalt_append_only()",
)


def _statements(sqlite: Sequence[str], postgres: Sequence[str]) -> Sequence[str]:
    name = op.get_bind().dialect.name
    if name == "sqlite":
        return sqlite
    if name == "postgresql":
        return postgres
    raise NotImplementedError(f"no append-only triggers for {name}")


def upgrade() -> None:
    # New NOT NULL columns with the local owner as default: existing rows get it in place.
    op.add_column("cases", sa.Column("owner", sa.String(255), nullable=False, server_default=LOCAL))
    op.add_column("cases", sa.Column("team", sa.String(120), nullable=True))
    op.create_index("ix_cases_owner_updated_at", "cases", ["owner", "updated_at"])
    op.create_index("ix_cases_team_updated_at", "cases", ["team", "updated_at"])
    op.add_column("case_versions", sa.Column("saved_by", sa.String(255), nullable=False, server_default=LOCAL))
    op.add_column("case_versions", sa.Column("saved_by_name", sa.String(255), nullable=True))
    op.create_table(
        "case_audit",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(32), sa.ForeignKey("cases.id", name="fk_case_audit_case_id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("actor_name", sa.String(255), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=True),
        sa.Column("detail", sa.String(64), nullable=True),
        sa.CheckConstraint(
            "action IN ('create', 'view', 'save', 'revert', 'copy', 'export', 'delete', 'restore', 'denied')",
            name="ck_case_audit_action",
        ),
    )
    op.create_index("ix_case_audit_case_id_seq", "case_audit", ["case_id", "seq"])
    for statement in _statements(SQLITE_TRIGGERS, POSTGRES_TRIGGERS):
        op.execute(statement)


def downgrade() -> None:
    for statement in _statements(SQLITE_DROP, POSTGRES_DROP):
        op.execute(statement)
    op.drop_index("ix_case_audit_case_id_seq", table_name="case_audit")
    op.drop_table("case_audit")
    with op.batch_alter_table("case_versions") as batch:
        batch.drop_column("saved_by_name")
        batch.drop_column("saved_by")
    op.drop_index("ix_cases_team_updated_at", table_name="cases")
    op.drop_index("ix_cases_owner_updated_at", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("team")
        batch.drop_column("owner")

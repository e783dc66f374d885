"""Initial schema: cases (current version and indexed columns) and case_versions (every save).

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("label", sa.String(120), nullable=True),
        sa.Column("label_key", sa.String(480), nullable=True),
        sa.Column("treatment_start", sa.Date, nullable=True),
        sa.Column("last_observation", sa.Date, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('active', 'deleted')", name="ck_cases_status"),
    )
    op.create_index("ix_cases_label_key", "cases", ["label_key"])
    op.create_index("ix_cases_status_updated_at", "cases", ["status", "updated_at"])
    op.create_table(
        "case_versions",
        sa.Column("case_id", sa.String(32), sa.ForeignKey("cases.id", name="fk_case_versions_case_id"),
                  primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("source_version", sa.Integer, nullable=True),
        sa.Column("label", sa.String(120), nullable=True),
        sa.Column("document", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("case_versions")
    op.drop_index("ix_cases_status_updated_at", table_name="cases")
    op.drop_index("ix_cases_label_key", table_name="cases")
    op.drop_table("cases")

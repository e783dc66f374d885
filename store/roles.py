"""The app's own PostgreSQL role: exactly what the app does, nothing that could rewrite the record.

On a ward two roles use the database. The **owner** (who runs ``python -m store migrate``) owns the
tables, the triggers and the trigger function; the **app** role (in ``$COBALT_DATABASE_URL`` of every
app process) gets only what the repository uses:

- ``cases``: read, add, and change the columns a save, a delete or a restore changes (never
  ``id``, ``owner``, ``team`` or ``created_at``: handing a case to someone else is an owner's act);
- ``case_versions``, ``case_audit``, ``ended_sign_ins``: read and add, never change or remove (the
  triggers of migration 0002 refuse it too, for every role but their owner's ``ALTER TABLE``);
- ``alembic_version``: read (the app checks that the schema is current; it never migrates).

Not owning anything, the app role cannot ``ALTER TABLE … DISABLE TRIGGER``, drop or replace the
trigger function, drop, rename or truncate a table, or create one. A superuser bypasses every check,
so the app role must not be one (refused here). SQLite, the laptop default, has no roles: one user.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from store.records import StoreError

#: Columns a save, a delete or a restore changes (store/repository.py: the only UPDATEs are of ``cases``).
CASE_UPDATE_COLUMNS = (
    "version", "label", "label_key", "treatment_start", "last_observation", "status", "updated_at", "deleted_at",
)
APP_PRIVILEGES: Mapping[str, str] = {
    "alembic_version": "SELECT",
    "cases": "SELECT, INSERT, UPDATE ({})".format(", ".join(CASE_UPDATE_COLUMNS)),
    "case_versions": "SELECT, INSERT",
    "case_audit": "SELECT, INSERT",
    "ended_sign_ins": "SELECT, INSERT",
}
#: Sequences the app draws from when it inserts (table, serial column).
APP_SEQUENCES = (("case_audit", "seq"),)
_ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _role(name: str) -> str:
    if not isinstance(name, str) or not _ROLE.fullmatch(name):
        raise StoreError("a role name is 1 to 63 lower-case letters, digits or underscores, not starting with a digit")
    return name


def grant_app_role(conn: Connection, role: str) -> list[str]:
    """Give ``role`` exactly :data:`APP_PRIVILEGES` on the connection's current schema (after revoking
    whatever it had there); returns the statements run. Run as the owner of the tables, after the
    migrations (``python -m store migrate --app-role ROLE`` does both)."""
    if conn.dialect.name != "postgresql":
        raise StoreError("database roles are PostgreSQL's; the SQLite file has one user")
    role = _role(role)
    found = conn.execute(
        sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).first()
    if found is None:
        raise StoreError(f"there is no database role {role!r}: create it first (README, 'Deploying for a ward')")
    if found.rolsuper:
        raise StoreError(f"{role!r} is a superuser, which bypasses every right: the app needs an ordinary role")
    if conn.execute(sa.text("SELECT current_user")).scalar_one() == role:
        raise StoreError("the app role must not be the role that owns the tables (the one migrating now)")
    quote = conn.dialect.identifier_preparer.quote
    schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
    who = quote(role)
    # Identifiers cannot be bound parameters: the role is checked above, table names are constants here.
    statements = [f"GRANT USAGE ON SCHEMA {quote(schema)} TO {who}"]
    for table, privileges in APP_PRIVILEGES.items():
        name = f"{quote(schema)}.{quote(table)}"
        statements += [f"REVOKE ALL ON TABLE {name} FROM {who}", f"GRANT {privileges} ON TABLE {name} TO {who}"]
    for table, column in APP_SEQUENCES:
        sequence = conn.execute(
            sa.text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": f"{quote(schema)}.{quote(table)}", "column": column},
        ).scalar_one()
        statements.append(f"GRANT USAGE ON SEQUENCE {sequence} TO {who}")
    for statement in statements:
        conn.exec_driver_sql(statement)
    return statements

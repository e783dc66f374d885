"""``python -m store migrate [--url URL] [--app-role ROLE]``: upgrade the case database's schema.

Run as the database's owner (``--url``, else ``$COBALT_DATABASE_URL``): on a ward, before the app
processes start (deploy/systemd/cobalt-migrate.service, the Kubernetes init container). With
``--app-role`` it then gives that PostgreSQL role exactly what the app needs (store/roles.py), in the
same transaction. Prints the revision and, with a role, the grants; exit status 2 on an error.
"""

from __future__ import annotations

import argparse
import sys

from store.engine import make_engine
from store.migrations import current_revision, locked_connection, upgrade_engine
from store.records import StoreError
from store.roles import grant_app_role


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m store", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    migrate = sub.add_parser("migrate", help="upgrade the schema to head (as the owner), then grant the app role")
    migrate.add_argument("--url", help="the database, as its owner (default: $COBALT_DATABASE_URL)")
    migrate.add_argument("--app-role", help="the PostgreSQL role the app processes connect as")
    args = parser.parse_args(argv)
    engine = make_engine(args.url)
    try:
        upgrade_engine(engine)
        print(f"schema at revision {current_revision(engine)}")
        if args.app_role:
            with locked_connection(engine) as conn:
                statements = grant_app_role(conn, args.app_role)
            print("\n".join(statements))
    except StoreError as exc:
        print(f"python -m store: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

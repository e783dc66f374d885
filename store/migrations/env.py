"""Alembic environment for the case store (used by ``upgrade()`` and by the ``alembic`` command)."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from store.engine import make_engine
from store.migrations import locked_connection
from store.schema import METADATA

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=METADATA,
        transactional_ddl=True,  # SQLite too: SQLAlchemy emits BEGIN itself (store.repository)
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str | None:
    return context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url") or None


if context.is_offline_mode():
    from store.engine import resolve_url

    context.configure(url=resolve_url(_url()), target_metadata=METADATA, literal_binds=True, transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()
elif config.attributes.get("connection") is not None:
    _run(config.attributes["connection"])  # from store.migrations.upgrade_engine, already locked
else:
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    engine = make_engine(_url())
    try:
        with locked_connection(engine) as conn:
            _run(conn)
    finally:
        engine.dispose()

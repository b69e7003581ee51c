"""Alembic environment for the web tables: same database as the incidents tables, its
own version table, and only `web_` tables in view."""
import os

from alembic import context
from sqlalchemy import create_engine

from services.common.db import normalize_url
from services.web.models import Base

VERSION_TABLE = "alembic_version_web"
config = context.config
url = config.attributes.get("database_url") or os.environ.get("DATABASE_URL")
if not url:
    raise SystemExit("DATABASE_URL is not set: say which database to migrate")
url = normalize_url(url)


def include_name(name, type_, parent_names):  # noqa: ANN001, ANN201
    # Autogenerate must never propose dropping the incidents service's tables.
    return type_ != "table" or name.startswith("web_")


def options() -> dict:
    return {"target_metadata": Base.metadata, "version_table": VERSION_TABLE,
            "include_name": include_name, "render_as_batch": url.startswith("sqlite")}


def run_offline() -> None:
    context.configure(url=url, literal_binds=True, **options())
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, **options())
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()

"""Alembic environment: the URL is given by `migrate.upgrade` or DATABASE_URL."""
import os

from alembic import context
from sqlalchemy import create_engine

from services.common.db import normalize_url
from services.incidents.models import Base

config = context.config
url = config.attributes.get("database_url") or os.environ.get("DATABASE_URL")
if not url:
    raise SystemExit("DATABASE_URL is not set: say which database to migrate")
url = normalize_url(url)


def run_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True,
                      render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()

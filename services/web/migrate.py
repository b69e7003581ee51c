"""The web tables' schema goes through Alembic only: `incident-bot migrate`."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

INI = Path(__file__).with_name("alembic.ini")


def alembic_config(database_url: str) -> AlembicConfig:
    cfg = AlembicConfig(str(INI))
    cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)

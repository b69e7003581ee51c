"""web accounts: users, API tokens, login attempts, audit log, instance secrets

Revision ID: web0001
Revises:
Create Date: 2026-11-26 17:30:00
"""
import sqlalchemy as sa
from alembic import op

import services.common.timeutil

revision = "web0001"
down_revision = None
branch_labels = None
depends_on = None

UTC = services.common.timeutil.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "web_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("last_login_at", UTC, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "web_api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("last_used_at", UTC, nullable=True),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["web_users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "web_login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_web_login_attempts_email", "web_login_attempts", ["email", "at"])
    op.create_index("ix_web_login_attempts_ip", "web_login_attempts", ["ip", "at"])
    op.create_index("ix_web_login_attempts_at", "web_login_attempts", ["at"])
    op.create_table(
        "web_audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=128), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_web_audit_log_at", "web_audit_log", ["at"])
    op.create_table(
        "web_instance_secrets",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("web_instance_secrets")
    op.drop_index("ix_web_audit_log_at", table_name="web_audit_log")
    op.drop_table("web_audit_log")
    op.drop_index("ix_web_login_attempts_at", table_name="web_login_attempts")
    op.drop_index("ix_web_login_attempts_ip", table_name="web_login_attempts")
    op.drop_index("ix_web_login_attempts_email", table_name="web_login_attempts")
    op.drop_table("web_login_attempts")
    op.drop_table("web_api_tokens")
    op.drop_table("web_users")

"""incident source message (declared from a reaction)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 16:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch_op:
        batch_op.add_column(sa.Column("source_channel_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("source_ts", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch_op:
        batch_op.drop_column("source_ts")
        batch_op.drop_column("source_channel_id")

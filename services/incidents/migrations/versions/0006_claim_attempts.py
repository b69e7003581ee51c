"""claim attempts: retried work gives up after a bound

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("delivery_claims") as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False,
                                      server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("delivery_claims") as batch_op:
        batch_op.drop_column("attempts")

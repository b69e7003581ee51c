"""update reminders: when the next one is due

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 16:45:00
"""
import sqlalchemy as sa
from alembic import op

import services.common.timeutil

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch_op:
        batch_op.add_column(sa.Column("next_reminder_at",
                                      services.common.timeutil.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column("reminders_sent", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.create_index("ix_incidents_next_reminder", ["next_reminder_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch_op:
        batch_op.drop_index("ix_incidents_next_reminder")
        batch_op.drop_column("reminders_sent")
        batch_op.drop_column("next_reminder_at")

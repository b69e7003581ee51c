"""indexes for the web: the newest-first incident list and time to resolve

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 17:30:00
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The unfiltered list orders by declared_at (the status index cannot serve it).
    op.create_index("ix_incidents_declared", "incidents", ["declared_at", "id"])
    # Time to resolve by severity reads recently resolved incidents only.
    op.create_index("ix_incidents_resolved", "incidents", ["resolved_at"])


def downgrade() -> None:
    op.drop_index("ix_incidents_resolved", table_name="incidents")
    op.drop_index("ix_incidents_declared", table_name="incidents")

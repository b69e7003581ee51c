"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 15:53:13.982253
"""
from alembic import op
import sqlalchemy as sa
import services.common.timeutil


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delivery_claims',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('claimed_at', services.common.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lease_until', services.common.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', services.common.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=64), nullable=False),
    sa.Column('is_private', sa.Boolean(), nullable=False),
    sa.Column('reporter_id', sa.String(length=64), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('idempotency_key', sa.String(length=255), nullable=True),
    sa.Column('channel_id', sa.String(length=32), nullable=True),
    sa.Column('channel_name', sa.String(length=80), nullable=True),
    sa.Column('digest_channel_id', sa.String(length=32), nullable=True),
    sa.Column('digest_ts', sa.String(length=32), nullable=True),
    sa.Column('control_panel_ts', sa.String(length=32), nullable=True),
    sa.Column('meeting_url', sa.String(length=1024), nullable=True),
    sa.Column('declared_at', services.common.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', services.common.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('severity_changed_at', services.common.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', services.common.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_update_at', services.common.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel_id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_severity', ['severity'], unique=False)
        batch_op.create_index('ix_incidents_status_declared', ['status', 'declared_at'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', services.common.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', services.common.timeutil.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_unpublished', ['published_at', 'created_at'], unique=False)

    op.create_table('pinned_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('message_ts', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('author_id', sa.String(length=64), nullable=True),
    sa.Column('permalink', sa.String(length=1024), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('mimetype', sa.String(length=128), nullable=True),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('pinned_by', sa.String(length=64), nullable=True),
    sa.Column('pinned_at', services.common.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('incident_id', 'message_ts', name='uq_pin_per_message')
    )
    op.create_table('role_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('assigned_by', sa.String(length=64), nullable=True),
    sa.Column('assigned_at', services.common.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('incident_id', 'role', name='uq_role_per_incident')
    )
    op.create_table('status_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('impacted', sa.Text(), nullable=True),
    sa.Column('author_id', sa.String(length=64), nullable=True),
    sa.Column('posted_at', services.common.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('status_updates', schema=None) as batch_op:
        batch_op.create_index('ix_status_updates_incident', ['incident_id', 'posted_at'], unique=False)

    op.create_table('timeline_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', services.common.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', services.common.timeutil.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.create_index('ix_timeline_incident_time', ['incident_id', 'occurred_at', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.drop_index('ix_timeline_incident_time')

    op.drop_table('timeline_events')
    with op.batch_alter_table('status_updates', schema=None) as batch_op:
        batch_op.drop_index('ix_status_updates_incident')

    op.drop_table('status_updates')
    op.drop_table('role_assignments')
    op.drop_table('pinned_items')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_unpublished')

    op.drop_table('outbox')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_status_declared')
        batch_op.drop_index('ix_incidents_severity')

    op.drop_table('incidents')
    op.drop_table('delivery_claims')

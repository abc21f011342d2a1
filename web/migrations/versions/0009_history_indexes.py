"""history indexes: closed alerts by closing time, SMS in and out by time (the history and SMS log pages)

Revision ID: 0009_history_indexes
Revises: 0003
Create Date: 2026-12-03 16:30:00.000000
"""
from alembic import op


revision = '0009_history_indexes'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index('ix_alert_resolved_at', ['resolved_at'], unique=False)
    with op.batch_alter_table('inbound_sms', schema=None) as batch_op:
        batch_op.create_index('ix_inbound_sms_received_at', ['received_at'], unique=False)
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_channel_created_at', ['channel', 'created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_channel_created_at')
    with op.batch_alter_table('inbound_sms', schema=None) as batch_op:
        batch_op.drop_index('ix_inbound_sms_received_at')
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_resolved_at')

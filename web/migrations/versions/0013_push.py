"""web push subscriptions and idempotency keys (the offline tutor page's "Fatto" sent again)

Revision ID: 0013_push
Revises: 0003
Create Date: 2026-12-03 19:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import centrale.db


revision = '0013_push'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('push_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('p256dh', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('auth', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('user_agent', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('created_at', centrale.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_success_at', centrale.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['operator_id'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('endpoint')
    )
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_subscription_operator_id'), ['operator_id'], unique=False)

    op.create_table('idempotent_outcome',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('scope', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('created_at', centrale.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('operator_id', 'key', name='uq_idempotent_outcome_key')
    )
    with op.batch_alter_table('idempotent_outcome', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotent_outcome_operator_id'), ['operator_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('idempotent_outcome', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotent_outcome_operator_id'))
    op.drop_table('idempotent_outcome')
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_subscription_operator_id'))
    op.drop_table('push_subscription')

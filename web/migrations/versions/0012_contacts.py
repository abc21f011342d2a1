"""contact methods: extra phones, quiet hours and per-severity rules; voice and push notifications, due times

Revision ID: 0012_contacts
Revises: 0003
Create Date: 2026-12-03 19:40:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import centrale.db


revision = '0012_contacts'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('operator_phone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('sms', sa.Boolean(), nullable=False),
    sa.Column('voice', sa.Boolean(), nullable=False),
    sa.Column('created_at', centrale.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['operator_id'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('operator_id', 'number', name='uq_operator_phone_number')
    )
    with op.batch_alter_table('operator_phone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operator_phone_operator_id'), ['operator_id'], unique=False)
    op.create_table('contact_settings',
    sa.Column('operator_id', sa.Integer(), nullable=False),
    sa.Column('quiet_start', sa.Time(), nullable=True),
    sa.Column('quiet_end', sa.Time(), nullable=True),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('updated_at', centrale.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['operator_id'], ['operator.id'], ),
    sa.PrimaryKeyConstraint('operator_id')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', centrale.db.UTCDateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TYPE channel ADD VALUE IF NOT EXISTS 'VOCE'")
        op.execute("ALTER TYPE channel ADD VALUE IF NOT EXISTS 'PUSH'")


def downgrade() -> None:
    # PostgreSQL cannot drop an enum's value: VOCE and PUSH stay in the type, unused
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('due_at')
    op.drop_table('contact_settings')
    with op.batch_alter_table('operator_phone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operator_phone_operator_id'))
    op.drop_table('operator_phone')

"""handover: the digests of the shift hand-offs and the outgoing operators' notes

Revision ID: 0011_handover
Revises: 0003
Create Date: 2026-12-03 19:40:00.000000
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import centrale.db

revision = '0011_handover'
down_revision = '0003'
branch_labels = None
depends_on = None

#: the operators' role type exists already (operator.role): reuse it, do not create it again
ROLE = postgresql.ENUM(
    'COORDINATORE', 'CASE_MANAGER', 'OPERATORE_PUA', 'MMG', 'TUTOR', 'OPERATORE_ETS', 'ANALISTA', 'AMMINISTRATORE',
    name='role', create_type=False,
)


def upgrade() -> None:
    op.create_table(
        'handover',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('role', ROLE, nullable=False),
        sa.Column('incoming_id', sa.Integer(), nullable=False),
        sa.Column('outgoing_id', sa.Integer(), nullable=True),
        sa.Column('handoff_at', centrale.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('digest', sa.JSON(), nullable=False),
        sa.Column('notes', sa.String(length=2000), nullable=True),
        sa.Column('prepared_at', centrale.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('prepared_by', sa.Integer(), nullable=True),
        sa.Column('acknowledged_at', centrale.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('acknowledged_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['incoming_id'], ['operator.id']),
        sa.ForeignKeyConstraint(['outgoing_id'], ['operator.id']),
        sa.ForeignKeyConstraint(['prepared_by'], ['operator.id']),
        sa.ForeignKeyConstraint(['acknowledged_by'], ['operator.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('role', 'incoming_id', 'handoff_at'),
    )
    with op.batch_alter_table('handover', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_role'), ['role'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_incoming_id'), ['incoming_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_handoff_at'), ['handoff_at'], unique=False)
    op.create_table(
        'handover_note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('role', ROLE, nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.String(length=2000), nullable=False),
        sa.Column('updated_at', centrale.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('handed_at', centrale.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['operator.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('handover_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_note_role'), ['role'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_note_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_note_handed_at'), ['handed_at'], unique=False)


def downgrade() -> None:
    op.drop_table('handover_note')
    op.drop_table('handover')

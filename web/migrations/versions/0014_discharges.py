"""protected discharges: the transition, its milestones and the hospitals' client credentials

Revision ID: 0014_discharges
Revises: 0003
Create Date: 2026-12-03 19:30:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import centrale.db


revision = '0014_discharges'
down_revision = '0003'
branch_labels = None
depends_on = None

MILESTONES = ('NOTIFICA', 'UVM_PRENOTATA', 'UVM_SVOLTA', 'PIANO_APPROVATO', 'DIMISSIONE', 'PRIMA_VISITA',
              'TELEFONATA_CONTROLLO')


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("ALTER TYPE alertsource ADD VALUE IF NOT EXISTS 'DIMISSIONE_PROTETTA'")
        op.execute("ALTER TYPE orgkind ADD VALUE IF NOT EXISTS 'OSPEDALE'")
    op.create_table('hospital_client',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('secret_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('cert_fingerprint', sqlmodel.sql.sqltypes.AutoString(length=95), nullable=True),
    sa.Column('hospital_org_id', sa.Integer(), nullable=False),
    sa.Column('receiving_org_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', centrale.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hospital_org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['receiving_org_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('cert_fingerprint')
    )
    with op.batch_alter_table('hospital_client', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hospital_client_client_id'), ['client_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_hospital_client_hospital_org_id'), ['hospital_org_id'], unique=False)
    op.create_table('discharge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('hospital_org_id', sa.Integer(), nullable=False),
    sa.Column('ward', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('expected_date', sa.Date(), nullable=False),
    sa.Column('first_expected_date', sa.Date(), nullable=False),
    sa.Column('needs', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('hospital_contact', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('hospital_ref', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('state', sa.Enum('IN_CORSO', 'COMPLETATA', 'ANNULLATA', name='dischargestate'), nullable=False),
    sa.Column('source', sa.Enum('PAGINA', 'FHIR', name='dischargesource'), nullable=False),
    sa.Column('notified_at', centrale.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('notified_by_id', sa.Integer(), nullable=True),
    sa.Column('discharged_at', centrale.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', centrale.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('updated_at', centrale.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], ),
    sa.ForeignKeyConstraint(['hospital_org_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['notified_by_id'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hospital_org_id', 'hospital_ref', name='uq_discharge_hospital_ref')
    )
    with op.batch_alter_table('discharge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discharge_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_discharge_hospital_org_id'), ['hospital_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_discharge_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_discharge_state'), ['state'], unique=False)
        batch_op.create_index('ix_discharge_state_expected', ['state', 'expected_date'], unique=False)
    op.create_table('discharge_milestone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('discharge_id', sa.Integer(), nullable=False),
    sa.Column('milestone', sa.Enum(*MILESTONES, name='milestone'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('due_at', centrale.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('done_at', centrale.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('overdue_alert_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['discharge_id'], ['discharge.id'], ),
    sa.ForeignKeyConstraint(['done_by_id'], ['operator.id'], ),
    sa.ForeignKeyConstraint(['overdue_alert_id'], ['alert.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('discharge_id', 'milestone', name='uq_discharge_milestone')
    )
    with op.batch_alter_table('discharge_milestone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discharge_milestone_discharge_id'), ['discharge_id'], unique=False)
        batch_op.create_index('ix_discharge_milestone_due', ['done_at', 'due_at'], unique=False)


def downgrade() -> None:
    # PostgreSQL cannot drop an enum's value: DIMISSIONE_PROTETTA and OSPEDALE stay in their types, unused
    op.drop_table('discharge_milestone')
    op.drop_table('discharge')
    op.drop_table('hospital_client')
    if op.get_bind().dialect.name == 'postgresql':
        for name in ('milestone', 'dischargesource', 'dischargestate'):
            op.execute(f'DROP TYPE IF EXISTS {name}')

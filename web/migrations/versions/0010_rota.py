"""rota: weekly layers per role, covers and swaps, hand-offs done; the operators' on-duty flag goes

Revision ID: 0010_rota
Revises: 0003
Create Date: 2026-12-03 19:45:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

import centrale.db

revision = "0010_rota"
down_revision = "0003"
branch_labels = None
depends_on = None

#: the operators' role type exists already (operator.role): reuse it, do not create it again
ROLE = postgresql.ENUM(
    "COORDINATORE",
    "CASE_MANAGER",
    "OPERATORE_PUA",
    "MMG",
    "TUTOR",
    "OPERATORE_ETS",
    "ANALISTA",
    "AMMINISTRATORE",
    name="role",
    create_type=False,
)
NEW_TYPES = ("holidayrule", "rotation", "overridekind")


def upgrade() -> None:
    op.create_table(
        "rota_layer",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("role", ROLE, nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("handoffs", sa.JSON(), nullable=False),
        sa.Column("ends_at", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=True),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("holidays", sa.Enum("ANCHE", "ESCLUSI", "SOLO", name="holidayrule"), nullable=False),
        sa.Column("rotation", sa.Enum("TURNO", "GIORNO", "SETTIMANA", name="rotation"), nullable=False),
        sa.Column("operator_ids", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", centrale.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", centrale.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "rota_override",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", ROLE, nullable=False),
        sa.Column("kind", sa.Enum("COPERTURA", "SCAMBIO", name="overridekind"), nullable=False),
        sa.Column("starts_at", centrale.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", centrale.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=False),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("pair_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", centrale.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", centrale.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["operator_id"], ["operator.id"]),
        sa.ForeignKeyConstraint(["replaces_id"], ["operator.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["operator.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("rota_override", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rota_override_role"), ["role"], unique=False)
        batch_op.create_index(batch_op.f("ix_rota_override_starts_at"), ["starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_rota_override_ends_at"), ["ends_at"], unique=False)
    op.create_table(
        "rota_handoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role", ROLE, nullable=False),
        sa.Column("at", centrale.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("incoming_ids", sa.JSON(), nullable=False),
        sa.Column("outgoing_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", centrale.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("role", "at", name="uq_rota_handoff"),
    )
    with op.batch_alter_table("operator", schema=None) as batch_op:
        batch_op.drop_column("on_duty")


def downgrade() -> None:
    with op.batch_alter_table("operator", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_duty", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.drop_table("rota_handoff")
    op.drop_table("rota_override")
    op.drop_table("rota_layer")
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for name in NEW_TYPES:
            op.execute(f"DROP TYPE IF EXISTS {name}")

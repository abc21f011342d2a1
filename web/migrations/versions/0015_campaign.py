"""campaigns: check-ins sent spread over a window (planned and actual send times), the sending rate's
counters in the database for instances without Redis

Revision ID: 0015_campaign
Revises: 0003
Create Date: 2026-12-03 19:50:00.000000
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import centrale.db

revision = "0015_campaign"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sms_rate_window",
        sa.Column("window", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", "window"),
    )
    with op.batch_alter_table("checkin_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("send_at", centrale.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sent_at", centrale.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_checkin_request_send_at"), ["send_at"], unique=False)
    # requests issued before: already sent at their due time, their window already running from it
    op.execute("UPDATE checkin_request SET send_at = due_at, sent_at = due_at")


def downgrade() -> None:
    with op.batch_alter_table("checkin_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkin_request_send_at"))
        batch_op.drop_column("sent_at")
        batch_op.drop_column("send_at")
    op.drop_table("sms_rate_window")

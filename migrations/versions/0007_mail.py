"""e-mail states: the class and time of a delivery's last failure, the outbox worker's heartbeat

Revision ID: 0007_mail
Revises: 0006_audit_log

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_mail'
down_revision = '0006_audit_log'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_heartbeats',
    sa.Column('runner', sa.String(length=20), nullable=False),
    sa.Column('last_run_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('runner', name=op.f('pk_outbox_heartbeats'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_code', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('last_attempt_at', sa.DateTime(), nullable=True))
    # Until now queueing marked a draft `sent`: undo that for the invitations whose e-mail no
    # mail server ever accepted and that were not answered (a letter marked delivered by hand
    # has no outbox message at all, and keeps `sent`).
    op.execute(
        "UPDATE outbox_messages SET error_code = 'other' "
        "WHERE last_error IS NOT NULL AND status IN ('queued', 'failed')"
    )
    never_delivered = (
        "EXISTS (SELECT 1 FROM outbox_messages m WHERE m.invitation_id = invitations.id) "
        "AND NOT EXISTS (SELECT 1 FROM outbox_messages m WHERE m.invitation_id = invitations.id "
        "AND m.status = 'sent')"
    )
    op.execute("UPDATE invitations SET status = 'draft' WHERE status = 'sent' AND " + never_delivered)
    op.execute("UPDATE invitations SET first_emailed_at = NULL WHERE " + never_delivered)


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('last_attempt_at')
        batch_op.drop_column('error_code')
    op.drop_table('outbox_heartbeats')

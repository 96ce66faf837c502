"""scans told "replaced" (a code of the invitee's once the pass is an approved deputy's) are
recorded among the check-in attempts like every other scan; the index the door's counter reads

Revision ID: 0020_scan
Revises: 0019_deputy_email

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020_scan'
down_revision = '0019_deputy_email'
branch_labels = None
depends_on = None

OLD = "result IN ('checked_in', 'already_checked_in', 'unknown', 'other_workshop', 'undone')"
NEW = ("result IN ('checked_in', 'already_checked_in', 'unknown', 'other_workshop', 'undone',"
       " 'replaced')")


def upgrade():
    with op.batch_alter_table('checkin_attempts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_checkin_attempts_result'), type_='check')
        batch_op.create_check_constraint(op.f('ck_checkin_attempts_result'), NEW)
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index('ix_invitations_door_count',
                              ['workshop_id', 'walk_in', 'status', 'deputy_state'], unique=False)


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_invitations_door_count')
    # The older schema has no name for these scans: they go (they checked nobody in).
    op.execute("DELETE FROM checkin_attempts WHERE result = 'replaced'")
    with op.batch_alter_table('checkin_attempts', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_checkin_attempts_result'), type_='check')
        batch_op.create_check_constraint(op.f('ck_checkin_attempts_result'), OLD)

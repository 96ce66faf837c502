"""answers and letter numbers safe under concurrency

The invitation's deputy belongs to the "delegated" answer only (existing rows that kept a deputy
with another answer lose it), and each workshop counts the letter numbers it has given.

Revision ID: 0009_races
Revises: 0008_door

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009_races'
down_revision = '0008_door'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE invitations SET delegate_name = NULL, delegate_title = NULL, delegate_phone = NULL "
        "WHERE status <> 'delegated'"
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_check_constraint(
            op.f('ck_invitations_deputy_only_delegated'),
            "status = 'delegated' OR (delegate_name IS NULL AND delegate_title IS NULL"
            " AND delegate_phone IS NULL)",
        )
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_invitation_number', sa.Integer(), nullable=False,
                                      server_default='0'))
    op.execute(
        "UPDATE workshops SET last_invitation_number = (SELECT COALESCE(MAX(letter_number), 0) "
        "FROM invitations WHERE invitations.workshop_id = workshops.id)"
    )


def downgrade():
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('last_invitation_number')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_invitations_deputy_only_delegated'), type_='check')

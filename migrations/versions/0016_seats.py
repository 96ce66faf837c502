"""the seat of each invitation in the hall: row (0 the head table) and place

Revision ID: 0016_seats
Revises: 0015_tasks

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_seats'
down_revision = '0015_tasks'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seat_row', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('seat_number', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            op.f('uq_invitations_workshop_id_seat_row_seat_number'),
            ['workshop_id', 'seat_row', 'seat_number'])
        batch_op.create_check_constraint(
            op.f('ck_invitations_seat_whole'), "(seat_row IS NULL) = (seat_number IS NULL)")
        batch_op.create_check_constraint(
            op.f('ck_invitations_seat_range'),
            "seat_row IS NULL OR (seat_row >= 0 AND seat_number >= 1)")


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_invitations_seat_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_invitations_seat_whole'), type_='check')
        batch_op.drop_constraint(
            op.f('uq_invitations_workshop_id_seat_row_seat_number'), type_='unique')
        batch_op.drop_column('seat_number')
        batch_op.drop_column('seat_row')

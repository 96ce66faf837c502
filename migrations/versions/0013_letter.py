"""the giấy mời: one register number per workshop, its contact and contribution deadline, the
previous edition of a series; how each invitee (and each agency's leader) is addressed

Revision ID: 0013_letter
Revises: 0012_report

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_letter'
down_revision = '0012_report'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('letter_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('contact_name', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('contribution_deadline', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('previous_code', sa.String(length=40), nullable=True))
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('salutation', sa.String(length=10), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_invitations_salutation'), "salutation IS NULL OR salutation IN ('Ông', 'Bà')")
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leader_salutation', sa.String(length=10), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_organizations_leader_salutation'), "leader_salutation IS NULL OR leader_salutation IN ('Ông', 'Bà')")


def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_organizations_leader_salutation'), type_='check')
        batch_op.drop_column('leader_salutation')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_invitations_salutation'), type_='check')
        batch_op.drop_column('salutation')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('previous_code')
        batch_op.drop_column('contribution_deadline')
        batch_op.drop_column('contact_phone')
        batch_op.drop_column('contact_name')
        batch_op.drop_column('letter_number')

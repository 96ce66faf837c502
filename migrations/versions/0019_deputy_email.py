"""the deputy's e-mail, to send them their own pass on approval

Revision ID: 0019_deputy_email
Revises: 0018_team

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_deputy_email'
down_revision = '0018_team'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('deputy_nominations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('deputy_nominations', schema=None) as batch_op:
        batch_op.drop_column('email')

"""summary versions carry the host's proposals, the report's number and date, and a published
version's frozen snapshot

Revision ID: 0012_report
Revises: 0011_minutes

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_report'
down_revision = '0011_minutes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('summary_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposals', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('report_number', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('report_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('snapshot', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('summary_versions', schema=None) as batch_op:
        batch_op.drop_column('snapshot')
        batch_op.drop_column('report_date')
        batch_op.drop_column('report_number')
        batch_op.drop_column('proposals')

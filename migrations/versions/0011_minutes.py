"""the biên bản (minutes) and the thông báo kết luận with its items

Revision ID: 0011_minutes
Revises: 0010_hall

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011_minutes'
down_revision = '0010_hall'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('minutes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('chair_name', sa.String(length=255), nullable=False),
    sa.Column('chair_title', sa.String(length=255), nullable=True),
    sa.Column('secretary_name', sa.String(length=255), nullable=True),
    sa.Column('secretary_title', sa.String(length=255), nullable=True),
    sa.Column('started', sa.Text(), nullable=False),
    sa.Column('place', sa.Text(), nullable=False),
    sa.Column('participants', sa.Text(), nullable=False),
    sa.Column('proceedings', sa.Text(), nullable=False),
    sa.Column('conclusions', sa.Text(), nullable=False),
    sa.Column('closing', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('finalized_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('draft', 'final')", name=op.f('ck_minutes_status')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_minutes_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_minutes_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_minutes')),
    sa.UniqueConstraint('workshop_id', name=op.f('uq_minutes_workshop_id'))
    )
    op.create_table('conclusion_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('opening', sa.Text(), nullable=False),
    sa.Column('signer_authority', sa.String(length=100), nullable=True),
    sa.Column('signer_title', sa.String(length=100), nullable=True),
    sa.Column('signer_name', sa.String(length=255), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_conclusion_notices_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conclusion_notices')),
    sa.UniqueConstraint('workshop_id', name=op.f('uq_conclusion_notices_workshop_id'))
    )
    op.create_table('conclusion_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workshop_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_conclusion_items_organization_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'], name=op.f('fk_conclusion_items_workshop_id_workshops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conclusion_items'))
    )
    with op.batch_alter_table('conclusion_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conclusion_items_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conclusion_items_workshop_id'), ['workshop_id'], unique=False)


def downgrade():
    with op.batch_alter_table('conclusion_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conclusion_items_workshop_id'))
        batch_op.drop_index(batch_op.f('ix_conclusion_items_organization_id'))

    op.drop_table('conclusion_items')
    op.drop_table('conclusion_notices')
    op.drop_table('minutes')

"""deputies approved by the organizer, with their own pass; the history of deputies named

Revision ID: 0017_deputy
Revises: 0016_seats

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_deputy'
down_revision = '0016_seats'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deputy_approval', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deputy_state', sa.String(length=10), nullable=True))
        batch_op.create_check_constraint(
            'deputy_state',
            "deputy_state IS NULL OR (status = 'delegated'"
            " AND deputy_state IN ('pending', 'approved', 'refused'))")
    op.create_table('deputy_nominations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('named_at', sa.DateTime(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('pass_token', sa.String(length=64), nullable=True),
    sa.Column('replaced_pass_token', sa.String(length=64), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'approved', 'refused', 'withdrawn')", name=op.f('ck_deputy_nominations_state')),
    sa.CheckConstraint("state IN ('pending', 'withdrawn') OR decided_at IS NOT NULL", name=op.f('ck_deputy_nominations_decided')),
    sa.CheckConstraint("state <> 'refused' OR reason IS NOT NULL", name=op.f('ck_deputy_nominations_refused_reason')),
    sa.CheckConstraint("pass_token IS NULL OR (decided_at IS NOT NULL AND replaced_pass_token IS NOT NULL)", name=op.f('ck_deputy_nominations_pass_on_approval')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_deputy_nominations_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_deputy_nominations_invitation_id_invitations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deputy_nominations')),
    sa.UniqueConstraint('pass_token', name=op.f('uq_deputy_nominations_pass_token'))
    )
    with op.batch_alter_table('deputy_nominations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deputy_nominations_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deputy_nominations_replaced_pass_token'), ['replaced_pass_token'], unique=False)


def downgrade():
    with op.batch_alter_table('deputy_nominations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deputy_nominations_replaced_pass_token'))
        batch_op.drop_index(batch_op.f('ix_deputy_nominations_invitation_id'))
    op.drop_table('deputy_nominations')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_invitations_deputy_state'), type_='check')
        batch_op.drop_column('deputy_state')
    with op.batch_alter_table('workshops', schema=None) as batch_op:
        batch_op.drop_column('deputy_approval')

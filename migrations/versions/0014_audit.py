"""the audit log written by each operation: an action name and its detail instead of the request

Revision ID: 0014_audit
Revises: 0013_letter

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_audit'
down_revision = '0013_letter'
branch_labels = None
depends_on = None

# The endpoints the request-level log recorded, as the operations they were. A page and the API
# doing the same thing are one action now; endpoints not named here keep their name.
ACTIONS = {
    "api.create_organization": "directory.create",
    "api.import_organizations": "directory.import",
    "directory.confirm_import": "directory.import",
    "api.create_workshop": "events.create_workshop",
    "api.update_workshop": "events.edit_workshop",
    "api.add_session": "events.add_session",
    "api.create_invitation": "invitations.invite_person",
    "invitations.edit_invitation": "invitations.edit",
    "invitations.delete_invitation": "invitations.delete",
    "api.send_invitation_emails": "outbox.send",
    "api.create_checkin": "checkin.check_in",
    "api.delete_checkin": "checkin.undo",
    "api.update_question": "questions.set_status",
    "api.answer_question": "questions.answer",
    "api.assign_question": "questions.assign",
    "api.merge_question": "questions.merge",
    "api.set_current_question": "questions.set_current",
    "api.put_conclusions": "summary.save",
    "api.publish_summary": "summary.publish",
}


def upgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('detail', sa.String(length=255), nullable=True))
    entries = sa.table('audit_entries', sa.column('action', sa.String), sa.column('endpoint', sa.String))
    op.execute(entries.update().values(action=sa.func.substr(entries.c.endpoint, 1, 60)))
    for endpoint, action in ACTIONS.items():
        op.execute(entries.update().where(entries.c.endpoint == endpoint).values(action=action))
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.alter_column('action', existing_type=sa.String(length=60), nullable=False)
        batch_op.drop_column('status')
        batch_op.drop_column('path')
        batch_op.drop_column('endpoint')
        batch_op.drop_column('method')


def downgrade():
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('method', sa.String(length=10), nullable=False, server_default='POST'))
        batch_op.add_column(sa.Column('endpoint', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('path', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('status', sa.Integer(), nullable=False, server_default='200'))
    entries = sa.table('audit_entries', sa.column('action', sa.String), sa.column('endpoint', sa.String))
    op.execute(entries.update().values(endpoint=entries.c.action))
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_column('detail')
        batch_op.drop_column('action')

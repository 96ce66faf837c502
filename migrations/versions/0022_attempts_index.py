"""checkin_attempts: the index of workshop_id alone dropped; the unique index of (workshop_id,
client_id) serves every lookup by workshop and is the one a resent scan must be found by

Revision ID: 0022_attempts_index
Revises: 0021_door_groups

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0022_attempts_index'
down_revision = '0021_door_groups'
branch_labels = None
depends_on = None


def upgrade():
    # With both, PostgreSQL's planner, whose statistics of a table filling up during the morning
    # are of an empty one, took the narrower index for the door's read and then filtered every
    # attempt of the workshop for the client_id: a resent scan cost more the more scans there
    # had been. A batch on SQLite would copy the table and drop the door's triggers
    # (workshop/models/door.py): a plain DROP INDEX needs neither.
    op.drop_index('ix_checkin_attempts_workshop_id', table_name='checkin_attempts')


def downgrade():
    op.create_index('ix_checkin_attempts_workshop_id', 'checkin_attempts', ['workshop_id'],
                    unique=False)

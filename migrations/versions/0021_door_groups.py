"""the door's counter kept by the database: door_groups, the workshop's invitations grouped by
walk_in, status and deputy_state with how many checked in, kept by triggers (see
workshop/models/door.py)

Revision ID: 0021_door_groups
Revises: 0020_scan

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_door_groups'
down_revision = '0020_scan'
branch_labels = None
depends_on = None

# The first key of the workshop advisory locks the triggers take on PostgreSQL (the second is
# the workshop's id): no other lock of the application uses this number.
COUNTER_LOCK = 13_000


def upgrade():
    op.create_table(
        'door_groups',
        sa.Column('workshop_id', sa.Integer(), nullable=False),
        sa.Column('walk_in', sa.Boolean(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('deputy_state', sa.String(length=10), nullable=False),
        sa.Column('invited', sa.Integer(), nullable=False),
        sa.Column('arrived', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['workshop_id'], ['workshops.id'],
                                name=op.f('fk_door_groups_workshop_id_workshops'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('workshop_id', 'walk_in', 'status', 'deputy_state',
                                name=op.f('pk_door_groups')),
    )
    connection = op.get_bind()
    install(connection)
    recount(connection)
    # The scan counted every invitation through this index; it reads door_groups now. Not in
    # batch mode: on SQLite that would rebuild invitations and drop the triggers just made.
    op.drop_index('ix_invitations_door_count', table_name='invitations')


def downgrade():
    op.create_index('ix_invitations_door_count', 'invitations',
                    ['workshop_id', 'walk_in', 'status', 'deputy_state'], unique=False)
    uninstall(op.get_bind())
    op.drop_table('door_groups')


# The group of an invitation row (OLD or NEW), as the key of door_groups.
def _key(row: str) -> str:
    return (f"{row}.workshop_id, {row}.walk_in, {row}.status, "
            f"coalesce({row}.deputy_state, '')")


_MATCH = "(workshop_id, walk_in, status, deputy_state) = ({key})"
_ADD = ("INSERT INTO door_groups (workshop_id, walk_in, status, deputy_state, invited,"
        " arrived) VALUES ({key}, {invited}, {arrived})"
        " ON CONFLICT (workshop_id, walk_in, status, deputy_state)"
        " DO UPDATE SET invited = door_groups.invited + excluded.invited,"
        " arrived = door_groups.arrived + excluded.arrived")
# Taking away never makes a row: a workshop being deleted has its rows deleted too.
_TAKE = ("UPDATE door_groups SET invited = invited - {invited}, arrived = arrived - {arrived}"
         " WHERE " + _MATCH)
_INVITATION_OF = ("(SELECT workshop_id, walk_in, status, coalesce(deputy_state, '')"
                  " FROM invitations WHERE id = {row}.invitation_id)")
_ARRIVED = "(SELECT count(*) FROM checkins WHERE invitation_id = {row}.id)"
_CHANGED = ("OLD.workshop_id IS DISTINCT FROM NEW.workshop_id"
            " OR OLD.walk_in IS DISTINCT FROM NEW.walk_in"
            " OR OLD.status IS DISTINCT FROM NEW.status"
            " OR OLD.deputy_state IS DISTINCT FROM NEW.deputy_state")

# name: (timing and event, table, condition or None, statements)
_TRIGGERS = {
    "door_groups_invitation_insert": (
        "AFTER INSERT", "invitations", None,
        [_ADD.format(key=_key("NEW"), invited=1, arrived=0)]),
    "door_groups_invitation_update": (
        "AFTER UPDATE OF workshop_id, walk_in, status, deputy_state", "invitations", _CHANGED,
        [_TAKE.format(key=_key("OLD"), invited=1, arrived=_ARRIVED.format(row="NEW")),
         _ADD.format(key=_key("NEW"), invited=1, arrived=_ARRIVED.format(row="NEW"))]),
    # Not when the workshop is being deleted (its rows go with it): PostgreSQL would check
    # the kept row's reference to the workshop gone.
    "door_groups_invitation_delete": (
        "BEFORE DELETE", "invitations", None,
        [_TAKE.format(key=_key("OLD"), invited=1, arrived=_ARRIVED.format(row="OLD"))
         + " AND EXISTS (SELECT 1 FROM workshops WHERE id = OLD.workshop_id)"]),
    "door_groups_checkin_insert": (
        "AFTER INSERT", "checkins", None,
        [_TAKE.format(key=_INVITATION_OF.format(row="NEW"), invited=0, arrived="(-1)")]),
    "door_groups_checkin_update": (
        "AFTER UPDATE OF invitation_id", "checkins",
        "OLD.invitation_id IS DISTINCT FROM NEW.invitation_id",
        [_TAKE.format(key=_INVITATION_OF.format(row="OLD"), invited=0, arrived=1),
         _TAKE.format(key=_INVITATION_OF.format(row="NEW"), invited=0, arrived="(-1)")]),
    "door_groups_checkin_delete": (
        "AFTER DELETE", "checkins", None,
        [_TAKE.format(key=_INVITATION_OF.format(row="OLD"), invited=0, arrived=1)]),
}

# The workshops whose rows a trigger changes, locked in id order (PostgreSQL).
_LOCKED = {
    "invitations": ("OLD.workshop_id", "NEW.workshop_id"),
    "checkins": ("(SELECT workshop_id FROM invitations WHERE id = OLD.invitation_id)",
                 "(SELECT workshop_id FROM invitations WHERE id = NEW.invitation_id)"),
}


def _sqlite(name: str) -> list[str]:
    when, table, condition, statements = _TRIGGERS[name]
    # SQLite writes IS NOT, not IS DISTINCT FROM (3.39 knows both; older ones only IS NOT).
    condition = condition.replace("IS DISTINCT FROM", "IS NOT") if condition else None
    body = "".join(f" {statement};" for statement in statements)
    return [f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW"
            + (f" WHEN {condition}" if condition else "") + f" BEGIN{body} END"]


def _postgresql(name: str) -> list[str]:
    when, table, condition, statements = _TRIGGERS[name]
    old, new = _LOCKED[table]
    if when.startswith("AFTER INSERT") or when.startswith("BEFORE INSERT"):
        workshops = [new]
    elif "DELETE" in when:
        workshops = [old]
    else:
        workshops = [old, new]
    # The advisory lock of each workshop concerned, lowest id first; NULL (no invitation any
    # more: the cascade of its deletion) locks nothing.
    locks = "".join(
        f" PERFORM pg_advisory_xact_lock({COUNTER_LOCK}, w) FROM (SELECT DISTINCT w FROM"
        f" (VALUES {', '.join(f'(({workshop})::int)' for workshop in workshops)}) AS v(w)"
        f" WHERE w IS NOT NULL ORDER BY w) AS locked;")
    body = "".join(f" {statement};" for statement in statements)
    result = "OLD" if when.startswith("BEFORE DELETE") else "NULL"
    return [
        f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN{locks}{body}"
        f" RETURN {result}; END $$",
        f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW"
        + (f" WHEN ({condition})" if condition else "") + f" EXECUTE FUNCTION {name}()",
    ]


def install(connection) -> None:
    """Create the triggers (again: after a batch migration of invitations or checkins)."""
    uninstall(connection)
    build = _postgresql if connection.dialect.name == "postgresql" else _sqlite
    for name in _TRIGGERS:
        for statement in build(name):
            connection.exec_driver_sql(statement)


def uninstall(connection) -> None:
    for name, (_when, table, _condition, _statements) in _TRIGGERS.items():
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}"
                                   + (f" ON {table}" if connection.dialect.name == "postgresql"
                                      else ""))
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {name}()")


def recount(connection) -> None:
    """Every workshop's rows counted again from the invitations and check-ins (the migration
    fills the table so; TRUNCATE would need it). On PostgreSQL the two tables are locked
    against writers while it runs."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE invitations, checkins IN SHARE MODE")
    connection.exec_driver_sql("DELETE FROM door_groups")
    connection.exec_driver_sql(
        "INSERT INTO door_groups (workshop_id, walk_in, status, deputy_state, invited, arrived)"
        " SELECT i.workshop_id, i.walk_in, i.status, coalesce(i.deputy_state, ''), count(*),"
        " count(c.id) FROM invitations AS i LEFT OUTER JOIN checkins AS c"
        " ON c.invitation_id = i.id"
        " GROUP BY i.workshop_id, i.walk_in, i.status, coalesce(i.deputy_state, '')")

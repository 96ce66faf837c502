"""The door's counter, kept by the database: a workshop's invitations grouped by what the
counting rules ask of an invitation (walk_in, status, deputy_state), how many there are
(`invited`) and how many of them checked in (`arrived`). It is attendance.door_recount's
grouping, kept instead of counted at each scan: a scan reads a workshop's few rows by key
(attendance.door_count) and applies the rules to them (workshop/attendance.py, their one home).

Kept by triggers, not by the application: imports, the tests' factories and the bench write
invitations and check-ins with Core statements that no ORM hook sees. The triggers hold no
business rule: each change of an invitation or a check-in adds or takes away one in the group
of the row before and after. Both databases:

- a new invitation adds one to its group (the group row is made when it is the first);
- an invitation that changes workshop, walk_in, status or deputy_state moves from its old group
  to its new one, with its check-in when it has one;
- a deleted invitation leaves its group, with its check-in (BEFORE DELETE: the check-in is
  still there to be seen; the cascade that deletes it then finds no invitation, and changes
  nothing);
- a check-in added or deleted adds or takes one to its invitation's group's `arrived`.

On PostgreSQL each trigger first takes the workshop's transaction-long advisory lock
(the migration's COUNTER_LOCK, the workshop id): a scan's check-in and an organizer's change
of the same invitation's status would otherwise each miss the other's uncommitted row and
file the check-in in the wrong group for good (the concurrent test caught it so, two runs in
three, without the lock). With the lock, the second waits for the first's commit and its
statements (a fresh snapshot each, in plpgsql) see it. The lock also orders the updates of a
workshop's rows, so that two transactions never take them in opposite orders. It holds from a
scan's check-in to its commit (the attempt and the audit row): a workshop's scans commit one
after the other, as they would on its hot rows anyway. A draft's deletion at the instant its
pass is scanned takes the invitation's row lock before its DELETE's trigger takes this one, in
the scan's order (invitations/inviting.py delete_invitation): no deadlock between the two.
SQLite serialises writers anyway.

`deputy_state` is '' here for none: a key column cannot be NULL on PostgreSQL, and '' is
no state the rules name.

Alembic's batch mode on SQLite recreates a table it alters and drops its triggers: a migration
that alters `invitations` or `checkins` with batch mode must call `install(op.get_bind())`
again afterwards, with a copy of the triggers' definition (tests/checkin/test_door_counter.py
fails otherwise). TRUNCATE fires no row trigger: the migration's recount() after one.
"""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

# The triggers, by name: their one definition is the migration that made them
# (migrations/versions/0021_door_groups.py; migrations import nothing of the app).
TRIGGERS = ("door_groups_invitation_insert", "door_groups_invitation_update",
            "door_groups_invitation_delete", "door_groups_checkin_insert",
            "door_groups_checkin_update", "door_groups_checkin_delete")


class DoorGroup(db.Model):
    __tablename__ = "door_groups"

    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True
    )
    walk_in: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    deputy_state: Mapped[str] = mapped_column(String(10), primary_key=True)
    invited: Mapped[int] = mapped_column(Integer)
    arrived: Mapped[int] = mapped_column(Integer)

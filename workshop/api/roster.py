"""API row for the door's offline roster (workshop/checkin/roster.py)."""
from __future__ import annotations

from ..checkin.roster import RosterSchema, roster_of
from ..events.services import workshop_or_404
from .access import allow, bp, refuses


@bp.route("/workshops/<code>/roster", methods=["GET"])
@allow("staff")
@bp.response(200, RosterSchema)
@refuses({404: "No workshop has this code"})
def get_roster(code: str):
    """The scanner's roster for offline scans.

    One entry per pass: `h` (the first 32 hex digits of the SHA-256 of the pass token), the
    name, title, agency and seat the door shows; `revoked`: hashes of passes refused at the
    door. No token and nothing the pass does not show."""
    return roster_of(workshop_or_404(code))

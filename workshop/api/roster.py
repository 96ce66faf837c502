"""API row for the door's offline roster (workshop/checkin/roster.py)."""
from __future__ import annotations

from flask import jsonify, request

from ..checkin.roster import RosterSchema, roster_etag, roster_of
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
    door. No token and nothing the pass does not show. Sends an `ETag`; answers 304 to
    `If-None-Match` while the roster is the same, so that the scanner's refreshes cost nothing."""
    roster = roster_of(workshop_or_404(code))
    etag = roster_etag(roster)
    if etag in request.if_none_match:
        response = jsonify()
        response.status_code = 304
    else:
        response = jsonify(RosterSchema().dump(roster))
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response

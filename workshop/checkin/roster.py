"""The door's roster for offline scans: for each pass of a workshop, a hash of its token with
what the pass itself shows (name, title, agency) and the seat, so that a scanner without a
network says at once who stands there; the scan still waits in its queue and the server
applies it once when it syncs.

The roster carries no token: a hash of the 192-bit pass token (its first 128 bits of SHA-256)
identifies a pass that is scanned, but a lost phone's roster opens nothing and checks nobody
in. `revoked` lists the hashes of passes that the door must refuse even offline.
"""
from __future__ import annotations

import hashlib
import json

from marshmallow import fields
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import DeputyNomination, Invitation, Workshop
from ..schemas import Answer, Str
from ..timeutil import isoformat, utcnow

HASH_LENGTH = 32  # hex digits: 128 bits


def pass_hash(token: str) -> str:
    """What the scanner computes from a scanned code (static/js/scanner/roster.js)."""
    return hashlib.sha256(token.strip().encode()).hexdigest()[:HASH_LENGTH]


def revoked_hashes(workshop: Workshop) -> list[str]:
    """Passes the door refuses: those replaced by a deputy's own pass, and a deputy's own pass
    taken back when the invitee named someone else or answered otherwise (the door answers
    them `replaced` online), unless one is an invitation's pass again."""
    def earlier(column):
        return (select(column).join(Invitation)
                .where(Invitation.workshop_id == workshop.id, column.is_not(None),
                       column != Invitation.pass_token))

    replaced = db.session.scalars(
        earlier(DeputyNomination.replaced_pass_token)
        .union(earlier(DeputyNomination.pass_token)))
    return sorted(pass_hash(token) for token in replaced)


def roster_of(workshop: Workshop) -> dict:
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.workshop_id == workshop.id)
        .options(selectinload(Invitation.organization))).all()
    return {
        "workshop": workshop.code,
        "generated_at": isoformat(utcnow()),
        "entries": [{
            "h": pass_hash(invitation.pass_token),
            "name": invitation.attendee_name,
            "title": invitation.attendee_title,
            "organization": invitation.organization.name if invitation.organization else None,
            "delegate_for": invitation.stands_in_for,
            "seat": invitation.seat_label,
        } for invitation in invitations],
        "revoked": revoked_hashes(workshop),
    }


def roster_etag(roster: dict) -> str:
    """The same for the same people, seats and refusals (whenever the roster was made)."""
    content = json.dumps([roster["entries"], roster["revoked"]], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(content.encode()).hexdigest()[:32]


class RosterEntrySchema(Answer):
    h = fields.String(required=True, metadata={"description": "First 32 hex digits of the "
                                               "SHA-256 of the pass token"})
    name = fields.String(required=True)
    title = Str()
    organization = Str()
    delegate_for = Str()
    seat = Str()


class RosterSchema(Answer):
    workshop = fields.String(required=True)
    generated_at = fields.String(required=True, metadata={"format": "date-time"})
    entries = fields.List(fields.Nested(RosterEntrySchema), required=True)
    revoked = fields.List(fields.String(), required=True)

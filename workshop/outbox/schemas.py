"""The JSON shapes of e-mailing invitations."""
from __future__ import annotations

from marshmallow import fields

from ..schemas import Answer, Body, IdList


class SendBody(Body):
    """`{ids?}`; the whole body may be left out: the default selection."""

    optional_body = True
    ids = IdList()


class QueuedSchema(Answer):
    queued = fields.Integer(required=True)
    batch = fields.String(allow_none=True)

"""A save the service refused, shown on the page that sent it: the biên bản, the thông báo kết
luận and the summary's conclusions answer a stale revision or a bad value the same way."""
from __future__ import annotations

from flask import flash

# Someone saved in between, or the document no longer changes: 409, the page shown again with
# the newer revision; any other refusal is a bad value (422).
CONFLICTS = ("conflict", "final")


class Refusal(ValueError):
    """A save a service refused: `message` in the user's language, `field` the input at fault
    (None: the whole form), `code` "invalid", "conflict" (someone saved in between) or "final"
    (the document no longer changes)."""

    def __init__(self, message: str, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message, self.field, self.code = message, field, code


def show_refusal(form, error: Refusal, *, revision_field: str, revision: int, row=None) -> int:
    """Put `error` under the field it names (of `row`, one row of the form, when given), else
    at the top of the page; set the form's `revision_field` to the `revision` the writer is now
    shown, so that saving again is deliberate. Returns the status to answer with."""
    target = row if row is not None else form
    field = getattr(target, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")
    getattr(form, revision_field).data = str(revision)
    return 409 if error.code in CONFLICTS else 422

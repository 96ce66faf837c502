"""The contract's JSON error shape, `{"error": {"code", "message", "fields"?}}` (CONTRACT.md).

Neutral ground: the API answers with it, and so do the pages that answer JSON (the scanner's
search and walk-in, the board, an expired session), without importing the API."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import jsonify
from flask_babel import gettext as _


class ApiError(Exception):
    """Raised by a view or a helper to answer with the contract's JSON error."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = str(message)
        self.extra = extra


def json_error(status: int, code: str, message: str, **extra: Any):
    body = {"error": {"code": code, "message": str(message), **extra}}
    return jsonify(body), status


def handle_api_error(error: ApiError):
    return json_error(error.status, error.code, error.message, **error.extra)


def validation_error(errors: Mapping[str, Iterable[Any]]) -> ApiError:
    """The 422 that names every field in error, one entry per problem."""
    problems = [
        {"field": name, "message": str(message)}
        for name, messages in errors.items()
        for message in messages
    ]
    return ApiError(422, "invalid", _("Dữ liệu không hợp lệ."), fields=problems)


def field_error(field: str, message: str) -> ApiError:
    """A 422 about one field, its message also the error's."""
    return ApiError(422, "invalid", message, fields=[{"field": field, "message": str(message)}])

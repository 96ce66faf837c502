"""The API's error shape: {"error": {"code": "...", "message": "..."}} (CONTRACT.md)."""
from __future__ import annotations

from typing import Any

from flask import jsonify


class ApiError(Exception):
    """Raised anywhere under /api/v1 to answer with the contract's JSON error."""

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

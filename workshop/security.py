"""The security headers of every answer: no sniffing, no framing, same-origin referrers and a
Content-Security-Policy that allows only this site's own scripts and styles."""
from __future__ import annotations

from flask import Flask

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
}


def allowing_style(digest: str) -> str:
    """The policy, also allowing the one inline stylesheet whose SHA-256 is `digest` (base64):
    a self-contained print page, as its PDF is made from."""
    return SECURITY_HEADERS["Content-Security-Policy"].replace(
        "style-src 'self'", f"style-src 'self' 'sha256-{digest}'")


def init_app(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

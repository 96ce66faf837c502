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


_BY_KEY = {name.lower(): (name, value) for name, value in SECURITY_HEADERS.items()}


def init_app(app: Flask) -> None:
    @app.after_request
    def security_headers(response):
        # A header a view set itself (a print page's policy) stays. One pass over the headers:
        # `setdefault` looks through all of them for each of ours, a tenth of /healthz's CPU.
        headers = response.headers
        present = {name.lower() for name, _value in headers}
        for key, (name, value) in _BY_KEY.items():
            if key not in present:
                headers.add(name, value)
        return response

"""Access logs without the secrets that links carry.

A personal link (/i/<token>/...), a task link (/t/<token>), a projector link
(/screen/<secret>/...) and any `?token=` in a query string are keys: whoever reads the log could
open them. The access log keeps the rest of the line and writes `***` in their place: gunicorn
through `RedactingGunicornLogger` (gunicorn.conf.py names it), the development server through
`RedactingFilter`.

gunicorn's master process loads this module: it needs nothing of the app.
"""
from __future__ import annotations

import logging
import re

REDACTED = "***"
# The path segment after a prefix whose next segment is a secret.
_SECRET_SEGMENT = re.compile(r"(/(?:i|screen|t)/)[^/?#\s\"]+")
# A query parameter whose name says it is a token, a secret or a key (in a URL, or at the start
# of a bare query string).
_SECRET_PARAMETER = re.compile(r"((?:^|[?&;])[^=&#\s\"/?]*(?:token|secret|key)=)[^&#\s\"]*",
                               re.IGNORECASE)


def redact(text: str) -> str:
    """`text` (a request line, a path, a query string, a URL) with its link secrets hidden."""
    text = _SECRET_SEGMENT.sub(rf"\g<1>{REDACTED}", text)
    return _SECRET_PARAMETER.sub(rf"\g<1>{REDACTED}", text) if "=" in text else text


class RedactingFilter(logging.Filter):
    """For werkzeug's request log (`flask run`): its arguments hold the request line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def install_werkzeug_filter() -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(existing, RedactingFilter) for existing in logger.filters):
        logger.addFilter(RedactingFilter())


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - gunicorn is a dependency, but not of every tool
    _GunicornLogger = None

if _GunicornLogger is not None:

    class RedactingGunicornLogger(_GunicornLogger):
        """gunicorn's logger, with the request's path, query and referrer redacted in every atom
        of the access log format."""

        REDACTED_ATOMS = ("r", "U", "q", "f", "{referer}i", "{raw_uri}e", "{path_info}e",
                          "{query_string}e", "{request_uri}e", "{http_referer}e")

        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            for name in self.REDACTED_ATOMS:
                if isinstance(atoms.get(name), str):
                    atoms[name] = redact(atoms[name])
            return atoms

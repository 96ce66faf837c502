"""PDF from a print page: the A4 HTML that the browser prints, laid out by WeasyPrint.

The page's own print CSS (`@page { size: A4 }`, the "Times New Roman", "Liberation Serif" font
stack) decides the layout, so the PDF shows exactly what the print page shows. WeasyPrint embeds
a subset of each font and keeps the text as text, so the file can be searched, copied from and
signed by the agency's digital signature tool.

Nothing is fetched over the network: stylesheets and images under /static/ are read from the
app's static folder, and every other address is refused.
"""
from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app

from ..assets import source_name

PDF_MIMETYPE = "application/pdf"


class RefusedUrl(ValueError):
    """A print page asked for something other than a file of the static folder."""


def _static_root() -> Path:
    return Path(current_app.static_folder or "static").resolve()


def static_file(url: str, root: Path, prefix: str = "/static/") -> Path:
    """The file of the static folder `root` that `url` names (`/static/css/letter.css`, or the
    same as a file: URL under `root`), else RefusedUrl: nothing outside the folder is read."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if parts.scheme == "file" and path.startswith(str(root) + "/"):
        relative = path[len(str(root)) + 1:]
    elif parts.scheme in ("file", "http", "https", "") and path.startswith(prefix):
        relative = path[len(prefix):]
    else:
        raise RefusedUrl(url)
    # The pages name their styles by hashed names (workshop/assets.py): the same bytes as the
    # source file, which is what is read.
    candidate = (root / source_name(relative)).resolve()
    if not candidate.is_file() or not candidate.is_relative_to(root):
        raise RefusedUrl(url)
    return candidate


def _fetcher(root: Path, prefix: str):
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFetcher(URLFetcher):
        """Files of the static folder, read from disk; inline data: URLs; nothing else."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)  # the bytes are in the URL: nothing to fetch
            path = static_file(url, root, prefix)
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": kind})

    return StaticFetcher(allowed_protocols=("data",))  # what it leaves to WeasyPrint: data: only


def html_to_pdf(html: str) -> bytes:
    """The PDF of a print page's HTML (A4 by its own `@page` rule; fonts embedded as subsets)."""
    from weasyprint import HTML  # heavy import (Pango): only when a PDF is asked for

    root = _static_root()
    prefix = (current_app.static_url_path or "/static").rstrip("/") + "/"
    # WeasyPrint warns of each CSS property it does not know (screen-only rules of app.css):
    # those are not problems of the document.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=_fetcher(root, prefix),
                    media_type="print")
    return document.write_pdf()

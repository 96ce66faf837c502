"""Message catalogs: Vietnamese source strings, compiled on start when the .mo is missing or old."""
from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def compile_catalogs(directory: Path) -> None:
    """Compile every messages.po whose messages.mo is missing or older.

    `make` compiles them too; this keeps a server started any other way (gunicorn from a
    fresh clone) from ever running without its English catalog.
    """
    for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        tmp_path = mo_path.with_suffix(".mo.tmp")
        with tmp_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
        tmp_path.replace(mo_path)

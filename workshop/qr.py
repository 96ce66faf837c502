"""QR codes as SVG (inline in pages and letters) and PNG (to save, and in DOCX letters)."""
from __future__ import annotations

import io
from functools import lru_cache

import qrcode
from markupsafe import Markup
from qrcode.constants import ERROR_CORRECT_M

BORDER = 2  # modules of white around the code (the standard asks 4; the page's card adds more)
# The SVGs drawn last, by what they encode: a personal page is opened again and again on the
# day, and drawing its pass (the library tries all 8 masks) costs more than the rest of the page.
# What they encode is a pass token or a link the server already holds; a few KB each.
SVG_CACHE_SIZE = 2048


def _code(data: str) -> qrcode.QRCode:
    # Medium error correction survives a cracked screen or a creased letter.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=BORDER)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_svg(data: str) -> Markup:
    """SVG markup on a white ground that scales to its container (CSS sets the size).

    Safe to place in a page as it is: it draws only squares, and `data` is encoded in the
    pattern, never written into the markup."""
    # Generated squares only, no input text inside.
    return Markup(_svg(data))  # nosec B704


@lru_cache(maxsize=SVG_CACHE_SIZE)
def _svg(data: str) -> str:
    """One path of the dark modules, a row's neighbours joined in one rectangle: a third of the
    size of a square per module, and no hairlines between squares when the phone scales it."""
    modules = _code(data).modules
    size = len(modules) + 2 * BORDER
    runs = []
    for y, row in enumerate(modules, start=BORDER):
        x, end = 0, len(row)
        while x < end:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < end and row[x]:
                x += 1
            runs.append(f"M{start + BORDER},{y}h{x - start}v1h-{x - start}z")
    return (f'<svg class="qr" role="img" version="1.1" viewBox="0 0 {size} {size}" '
            f'xmlns="http://www.w3.org/2000/svg"><rect fill="white" x="0" y="0" width="100%" '
            f'height="100%"/><path d="{"".join(runs)}" fill="#000000"/></svg>')


def qr_png(data: str, box_size: int = 10) -> bytes:
    code = _code(data)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()

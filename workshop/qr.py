"""QR codes as SVG (inline in pages and letters) and PNG (to save, and in DOCX letters)."""
from __future__ import annotations

import io
import re

import qrcode
import qrcode.image.svg
from markupsafe import Markup
from qrcode.constants import ERROR_CORRECT_M


def _code(data: str) -> qrcode.QRCode:
    # Medium error correction survives a cracked screen or a creased letter.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    return code


_FIXED_SIZE = re.compile(r' (width|height)="[^"]*mm"')


def qr_svg(data: str) -> Markup:
    """SVG markup on a white ground that scales to its container (CSS sets the size).

    Safe to place in a page as it is: the qrcode library draws only squares, and `data` is
    encoded in the pattern, never written into the markup."""
    image = _code(data).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    svg = image.to_string(encoding="unicode")
    svg = _FIXED_SIZE.sub("", svg, count=2).replace("<svg ", '<svg class="qr" role="img" ', 1)
    # Generated squares only, no input text inside.
    return Markup(svg)  # nosec B704


def qr_png(data: str, box_size: int = 10) -> bytes:
    code = _code(data)
    code.box_size = box_size
    buffer = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()

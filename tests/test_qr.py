"""The QR codes: the code the qrcode library makes (its mask, chosen faster), drawn as SVG with
exactly its dark modules on a white ground."""
import re
import secrets

import qrcode
from qrcode import util
from qrcode.constants import ERROR_CORRECT_M

from workshop.qr import BORDER, _code, _lines, _score, qr_svg


def drawn(svg: str) -> set[tuple[int, int]]:
    """The modules the path covers, from its rectangles "Mx,yhWv1h-Wz"."""
    covered = set()
    path = re.search(r'<path d="([^"]*)"', svg).group(1)
    for x, y, width, back in re.findall(r"M(\d+),(\d+)h(\d+)v1h-(\d+)z", path):
        assert width == back
        covered |= {(int(x) + dx, int(y)) for dx in range(int(width))}
    assert re.sub(r"M\d+,\d+h\d+v1h-\d+z", "", path) == ""  # nothing else drawn
    return covered


def test_the_svg_draws_the_dark_modules_and_nothing_else():
    for data in [secrets.token_urlsafe(24) for _ in range(5)] + ["https://hoithao.example/i/abc"]:
        modules = _code(data).modules
        svg = str(qr_svg(data))
        dark = {(x + BORDER, y + BORDER) for y, row in enumerate(modules)
                for x, on in enumerate(row) if on}
        assert drawn(svg) == dark
        size = len(modules) + 2 * BORDER
        assert svg.startswith(f'<svg class="qr" role="img" version="1.1" viewBox="0 0 {size} {size}"')
        assert '<rect fill="white"' in svg and data not in svg


def library_code(data: str) -> qrcode.QRCode:
    """The code as the qrcode library makes it, trying each mask module by module."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=BORDER)
    code.add_data(data)
    code.make(fit=True)
    return code


def test_the_mask_is_the_library_s_choice_and_each_score_its_score():
    # Passes and personal links (versions 3 to 5), and longer texts up to version 9, where the
    # version number is drawn too.
    samples = ([secrets.token_urlsafe(24) for _ in range(60)]
               + [f"https://hoithao.example/i/{secrets.token_urlsafe(32)}" for _ in range(20)]
               + ["Đ" * n for n in range(1, 120, 9)])
    for data in samples:
        library = library_code(data)
        assert _code(data).modules == library.modules, data
        size = len(library.modules)
        for mask in range(8):
            library.makeImpl(True, mask)
            rows, columns = _lines(library.modules)
            assert _score(rows, columns, size) == util.lost_point(library.modules), (data, mask)

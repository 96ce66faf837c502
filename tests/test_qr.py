"""The QR codes drawn as SVG: exactly the dark modules of the code, on a white ground."""
import re
import secrets

from workshop.qr import BORDER, _code, qr_svg


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

"""QR codes as SVG (inline in pages and letters) and PNG (to save, and in DOCX letters)."""
from __future__ import annotations

import io
import logging
from functools import cache, lru_cache
from pathlib import Path

import qrcode
from cachelib import FileSystemCache
from flask import Flask, current_app, has_app_context
from markupsafe import Markup
from qrcode.constants import ERROR_CORRECT_M

BORDER = 2  # modules of white around the code (the standard asks 4; the page's card adds more)
# The SVGs drawn last, by what they encode: a personal page is opened again and again on the
# day, and drawing its pass (the library tries all 8 masks) costs more than the rest of the page.
# What they encode is a pass token or a link the server already holds; a few KB each.
SVG_CACHE_SIZE = 2048
# A pass is drawn once for all the server's processes: the first worker to need it keeps its SVG
# in the instance folder, where the others read it (~0.02 ms instead of ~0.7 ms of drawing; a
# phone's next visit usually lands on another gunicorn worker). A few KB a pass: past this many
# files, the folder is emptied when a worker starts (the passes still needed are drawn again).
# Bump DRAWING_VERSION when the drawing changes, so that no SVG drawn by the old code is served.
PASS_CACHE_FILES = 20000
DRAWING_VERSION = 1
_log = logging.getLogger(__name__)


def _code(data: str) -> qrcode.QRCode:
    """The code of `data`, module for module as `QRCode.make(fit=True)` makes it, with the
    library's choice of mask found in a fraction of its time (`_best_mask`)."""
    # Medium error correction survives a cracked screen or a creased letter.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=BORDER)
    code.add_data(data)
    code.best_fit()
    code.makeImpl(True, 0)  # the drawing with mask 0, format modules left light
    mask = _best_mask(code.version, code.modules)
    # The drawing with the chosen mask is that one with the mask's flips, and its format (and
    # version) modules written: what makeImpl(False, mask) would draw again from the start.
    modules = code.modules
    for row, column in _mask_flips(code.version)[mask][2]:
        modules[row][column] = not modules[row][column]
    code.setup_type_info(False, mask)
    if code.version >= 7:
        code.setup_type_number(False)
    code.mask_pattern = mask
    return code


# --- the mask ----------------------------------------------------------------------------------
# The library draws the code 8 times, once per mask, and scores each drawing module by module
# (qrcode.util.lost_point): most of a pass's cost. Here all the rows of a drawing are one
# integer (row i at bits i * stride and up, bit c being module c; as much for the columns), and
# a mask only flips data modules, so each drawing is the first one XOR the flips of its mask, and
# the four penalty rules of ISO/IEC 18004 are a few dozen operations on two integers. The
# scores are the library's, to the point (tests/test_qr.py compares them).

_GAP = 16  # light bits between two lines: rule 3 looks up to 10 modules ahead


def _lines(modules) -> tuple[int, int]:
    """The rows and the columns of a drawing, each packed into one integer."""
    size = len(modules)
    gap = "0" * _GAP
    rows = "".join(gap + "".join("1" if dark else "0" for dark in reversed(row))
                   for row in reversed(modules))
    columns = "".join(gap + "".join("1" if modules[r][c] else "0" for r in range(size - 1, -1, -1))
                      for c in range(size - 1, -1, -1))
    return int(rows, 2), int(columns, 2)


@cache
def _masks(size: int) -> tuple[int, int, int]:
    """Packed masks: every module of every line; the places where 11 modules fit; the lines
    that have a line below them."""
    stride = size + _GAP
    every = sum(((1 << size) - 1) << (i * stride) for i in range(size))
    fits = sum(((1 << (size - 10)) - 1) << (i * stride) for i in range(size))
    above = every & ((1 << ((size - 1) * stride)) - 1)
    return every, fits, above


@cache
def _mask_flips(version: int) -> list[tuple[int, int, tuple[tuple[int, int], ...]]]:
    """Per mask, the modules it flips that mask 0 does not (packed rows, packed columns, and
    as (row, column) pairs): a property of the version alone, read off the drawings of a blank
    code of that version."""
    code = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M)
    code.add_data("")
    code.makeImpl(True, 0)
    first = [list(row) for row in code.modules]
    first_rows, first_columns = _lines(first)
    flips = []
    for mask in range(8):
        code.makeImpl(True, mask)
        rows, columns = _lines(code.modules)
        cells = tuple((r, c) for r, row in enumerate(code.modules) for c, dark in enumerate(row)
                      if dark != first[r][c])
        flips.append((rows ^ first_rows, columns ^ first_columns, cells))
    return flips


def _penalty(lines: int, every: int, fits: int) -> int:
    """Rules 1 and 3 along one direction (rows, or columns read as rows)."""
    light = ~lines & every
    # d[k], l[k]: at bit c, whether module c + k of the same line is dark, light.
    d = [lines >> k for k in range(11)]
    l = [light >> k for k in range(11)]  # noqa: E741
    points = 0
    # Rule 1: a run of n >= 5 modules of one colour costs n - 2 (the n - 4 places where five
    # in a row start, and 2 for the run).
    for run in (d[0] & d[1] & d[2] & d[3] & d[4], l[0] & l[1] & l[2] & l[3] & l[4]):
        points += run.bit_count() + 2 * (run & ~(run << 1)).bit_count()
    # Rule 3: 1011101 (dark-light-dark-dark-dark-light-dark) with four light modules after it
    # or before it costs 40.
    core = l[1] & d[4] & l[5] & d[6] & l[9] & fits
    after = core & d[0] & d[2] & d[3] & l[7] & l[8] & l[10]
    before = core & l[0] & l[2] & l[3] & d[7] & d[8] & d[10]
    return points + 40 * (after | before).bit_count()


def _score(rows: int, columns: int, size: int) -> int:
    every, fits, above = _masks(size)
    # Rule 2: each 2x2 block of one colour costs 3.
    below = rows >> (size + _GAP)
    dark, light = rows & below & above, ~(rows | below) & above
    blocks = 3 * ((dark & dark >> 1).bit_count() + (light & light >> 1).bit_count())
    # Rule 4, as the library reckons it: 10 per 5% the dark share is away from half.
    balance = int(abs(float(rows.bit_count()) / size**2 * 100 - 50) / 5) * 10
    return _penalty(rows, every, fits) + _penalty(columns, every, fits) + blocks + balance


def _best_mask(version: int, first_drawing) -> int:
    """The mask of least penalty (the first of equals), given the drawing with mask 0."""
    rows, columns = _lines(first_drawing)
    size = len(first_drawing)
    scores = [_score(rows ^ flip_rows, columns ^ flip_columns, size)
              for flip_rows, flip_columns, _cells in _mask_flips(version)]
    return scores.index(min(scores))


def qr_svg(data: str) -> Markup:
    """SVG markup on a white ground that scales to its container (CSS sets the size).

    Safe to place in a page as it is: it draws only squares, and `data` is encoded in the
    pattern, never written into the markup."""
    # Generated squares only, no input text inside.
    return Markup(_svg(data))  # nosec B704


def pass_svg(pass_token: str) -> Markup:
    """The pass of `pass_token` as `qr_svg` draws it, drawn once for all the server's processes
    (`init_app`). Only for our random pass tokens: the SVG kept on disk carries nothing else."""
    # Generated squares only, no input text inside.
    return Markup(_kept_svg(pass_token))  # nosec B704


def init_app(app: Flask) -> None:
    """The passes' shared store, `instance/pass-qr`; without it (a folder that cannot be made)
    each process draws its passes itself, as before."""
    folder = Path(app.instance_path) / "pass-qr"
    try:
        # Never expire: a pass token's drawing never changes. The files are written atomically
        # (a temporary file renamed), so a reader never sees half of one. No threshold: the
        # library would then count the files in a file of its own at every write, read and
        # written again (~0.25 ms, four times the write itself); the count is taken here once.
        store = FileSystemCache(str(folder), threshold=0, default_timeout=0, mode=0o600)
        if sum(1 for _ in folder.iterdir()) > PASS_CACHE_FILES:
            store.clear()
        app.extensions["pass_qr"] = store
    except OSError:
        _log.warning("Passes drawn in each process: %s cannot be used", folder, exc_info=True)


@lru_cache(maxsize=SVG_CACHE_SIZE)
def _kept_svg(pass_token: str) -> str:
    store = current_app.extensions.get("pass_qr") if has_app_context() else None
    if store is None:
        return _svg.__wrapped__(pass_token)  # the drawing, without keeping it twice
    key = f"pass-svg-{DRAWING_VERSION}:{pass_token}"  # the file is named by its SHA-256
    svg = store.get(key)
    if not isinstance(svg, str):
        svg = _svg.__wrapped__(pass_token)
        # False when the disk is full or the folder read-only (the library logs why): the page
        # is served all the same, and the next process draws the pass again.
        store.set(key, svg)
    return svg


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

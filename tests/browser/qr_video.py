"""A Y4M video of a QR code, for Chromium's fake camera (`--use-file-for-fake-video-capture`).

Written by hand, no ffmpeg: the QR image is scaled onto a white frame with Pillow, converted from
RGB to YUV 4:2:0 (BT.601 full range, Y4M's `C420jpeg`) and repeated frame after frame.
"""
from __future__ import annotations

from pathlib import Path

import qrcode
from PIL import Image

WIDTH, HEIGHT = 640, 480


def qr_frame(data: str, width: int = WIDTH, height: int = HEIGHT) -> Image.Image:
    """The QR code of `data`, black on white, as large as fits in the middle of the frame."""
    code = qrcode.QRCode(border=4, box_size=1)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(fill_color="black", back_color="white").convert("RGB")
    side = (min(width, height) * 4 // 5) // image.size[0] * image.size[0]  # whole pixels per module
    image = image.resize((side, side), Image.Resampling.NEAREST)
    frame = Image.new("RGB", (width, height), "white")
    frame.paste(image, ((width - side) // 2, (height - side) // 2))
    return frame


def _clamp(value: float) -> int:
    return 0 if value < 0 else 255 if value > 255 else int(round(value))


def i420(frame: Image.Image) -> bytes:
    """One frame as I420: the full-size Y plane, then U and V averaged over 2×2 pixel blocks."""
    width, height = frame.size
    pixels = frame.load()
    luma = bytearray(width * height)
    blue = [[0.0] * width for _ in range(height)]
    red = [[0.0] * width for _ in range(height)]
    for y in range(height):
        for x in range(width):
            r, g, b = pixels[x, y]
            luma[y * width + x] = _clamp(0.299 * r + 0.587 * g + 0.114 * b)
            blue[y][x] = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
            red[y][x] = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    u_plane, v_plane = bytearray(), bytearray()
    for y in range(0, height, 2):
        for x in range(0, width, 2):
            u_plane.append(_clamp((blue[y][x] + blue[y][x + 1] + blue[y + 1][x] + blue[y + 1][x + 1]) / 4))
            v_plane.append(_clamp((red[y][x] + red[y][x + 1] + red[y + 1][x] + red[y + 1][x + 1]) / 4))
    return bytes(luma) + bytes(u_plane) + bytes(v_plane)


def write_qr_video(path: Path, data: str, frames: int = 30) -> Path:
    """A one-second, 30 fps video of the QR code of `data`; Chromium loops it."""
    frame = i420(qr_frame(data))
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F30:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            video.write(b"FRAME\n")
            video.write(frame)
    return path

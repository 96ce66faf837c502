"""The biên bản and the thông báo kết luận's print pages in a real Chromium, printed to PDF as the
PDF documents are made: A4 pages, the Vietnamese text selectable, the signature blocks together."""
from __future__ import annotations

import subprocess  # nosec B404: poppler's tools on files of our own
from pathlib import Path

from workshop.demo.services import DEMO_CODE

from .test_scanner import sign_in

A4_POINTS = (595, 842)


def pdf_text(pdf: Path) -> tuple[int, str, tuple[int, int]]:
    """Pages, text (layout kept) and the first page's size in points, by poppler."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout  # nosec
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    size = next(line for line in info.splitlines() if line.startswith("Page size:")).split()
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # nosec
    return pages, text, (round(float(size[2])), round(float(size[4])))


def test_both_documents_print_on_a4(runner, users, live_server, browser_context, tmp_path):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    chair = users["chair"]
    page = browser_context(viewport={"width": 1200, "height": 900}).new_page()
    sign_in(page, live_server, chair, f"/workshops/{DEMO_CODE}/minutes/print")
    documents = {}
    for name in ("minutes", "conclusions"):
        page.goto(f"{live_server}/workshops/{DEMO_CODE}/{name}/print")
        assert page.locator("body").evaluate("b => getComputedStyle(b).fontFamily").startswith(
            '"Times New Roman"')  # the inline style is allowed by its hash
        pdf = tmp_path / f"{name}.pdf"
        page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
        documents[name] = pdf_text(pdf)
        out = Path("/tmp") / f"minutes-check-{name}"
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(out)], check=True)  # nosec

    pages, text, size = documents["minutes"]
    assert size == A4_POINTS and 3 <= pages <= 8
    flat = " ".join(text.split())
    assert "BIÊN BẢN" in flat and "Chủ trì (chủ tọa): Nguyễn Hữu Phúc" in flat
    assert "Sở Giáo dục và Đào tạo (có báo vắng)" in flat
    assert flat.index("Trần Quốc Hưng") < flat.index("Bùi Thị Hạnh") < flat.index("5. Kết luận hội thảo")
    last_page = text.split("\f")[pages - 1]
    assert "THƯ KÝ" in last_page and "CHỦ TỌA" in last_page  # the blocks side by side, together
    assert "Toolbar" not in text and "Tải DOCX" not in text  # the toolbar is not printed

    pages, text, size = documents["conclusions"]
    flat = " ".join(text.split())
    assert size == A4_POINTS and pages <= 2
    last_page = text.split("\f")[pages - 1]
    # The closing line, "Nơi nhận" and the signer stay together.
    assert "thông báo để các cơ quan" in " ".join(last_page.split()) and "Nguyễn Hữu Phúc" in last_page
    assert "THÔNG BÁO" in flat and "trước ngày 29/08/2014" in flat
    assert "Nơi nhận:" in flat and "KT. GIÁM ĐỐC" in flat

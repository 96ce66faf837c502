"""The report's print page in a real Chromium, printed to PDF as a văn thư would: A4 pages,
numbered from page 2, the appendix on a page of its own, Vietnamese text intact."""
from __future__ import annotations

import re
import subprocess
from shutil import which

import pytest

from tests import factories
from workshop.summary import services

from .test_scanner import sign_in


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page (poppler's pdftotext)."""
    if which("pdftotext") is None:
        pytest.skip("pdftotext is absent (apt-get install poppler-utils)")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    return text.split("\f")[:-1]


def test_the_printed_report_has_numbered_a4_pages(ctx, live_server, users, browser_context):
    reviewed = factories.make_reviewed_workshop()
    workshop = reviewed.workshop
    services.save_conclusions(workshop, "Kết luận của chủ trì.", users["chair"], final=True)
    page = browser_context().new_page()
    target = f"/workshops/{workshop.code}/summary/print"
    sign_in(page, live_server, users["chair"], target)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert re.search(rb"/MediaBox \[0 0 59[45]\.\d+ 841\.\d+\]", pdf)  # A4 in points
    pages = pdf_pages(pdf)
    assert len(pages) >= 2
    assert "BÁO CÁO" in pages[0] and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pages[0]
    first_lines = [page_text.strip().splitlines()[0].strip() for page_text in pages]
    assert first_lines[1:] == [str(number) for number in range(2, len(pages) + 1)]
    assert not re.fullmatch(r"\d+", first_lines[0])  # no number on page 1
    appendix = next(index for index, text in enumerate(pages) if "Phụ lục" in text)
    assert "Nơi nhận:" in "".join(pages[:appendix]) and "Nơi nhận:" not in pages[appendix]
    for text in pages:  # a heading, or a line that announces a list, never ends a page
        body = [line.strip() for line in text.strip().splitlines() if line.strip()]
        assert not re.match(r"^(I|II|III|IV|V|\d)\. [A-ZĐ]", body[-1]), body[-1]
        assert not body[-1].endswith(":"), body[-1]

"""The giấy mời printed by Chromium: one A4 page per letter, the signature block on it; a long
agenda on one attached page. Set LETTER_PDF_DIR to keep the PDFs for a look."""
from __future__ import annotations

import os
import re
import subprocess
from datetime import datetime, timedelta

from tests import factories
from tests.browser.test_scanner import sign_in
from workshop.demo.services import DEMO_CODE, load_demo
from workshop.extensions import db
from workshop.models import Invitation, WorkshopSession
from workshop.timeutil import LOCAL_TZ


def pdf_pages(data: bytes) -> int:
    """The page objects of a PDF as Chromium (Skia) writes it: uncompressed dictionaries."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def page_texts(data: bytes, tmp_path) -> list[str]:
    """The text of each page (poppler's pdftotext: pages end with a form feed)."""
    path = tmp_path / "letters.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,  # nosec B603 B607
                          capture_output=True).stdout.decode()
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def print_pdf(page, url: str, name: str) -> bytes:
    page.goto(url)
    page.emulate_media(media="print")
    data = page.pdf(format="A4", prefer_css_page_size=True)
    if os.environ.get("LETTER_PDF_DIR"):
        with open(os.path.join(os.environ["LETTER_PDF_DIR"], name), "wb") as output:
            output.write(data)
    return data


def test_every_demo_letter_prints_on_one_page(ctx, live_server, users, browser_context, tmp_path):
    """The record's 35 letters: each on one page with its signature block, "Nơi nhận" and QR
    code, then its programme page (the five long sessions do not fit the letter)."""
    load_demo()
    letters = db.session.query(Invitation).join(Invitation.workshop).filter_by(code=DEMO_CODE).filter(
        Invitation.walk_in.is_(False)).count()
    page = browser_context().new_page()
    target = f"/workshops/{DEMO_CODE}/letters"
    sign_in(page, live_server, users["organizer"], target)
    data = print_pdf(page, f"{live_server}{target}", "demo-letters.pdf")
    assert letters == 35
    assert pdf_pages(data) == 2 * letters  # was 70 with the signatures alone on every page 2
    pages = page_texts(data, tmp_path)
    for letter, programme in zip(pages[::2], pages[1::2], strict=True):
        for text in ("GIẤY MỜI", "Số: 125/GM-SKHCN", "Kính gửi:", "Đầu mối liên hệ: Bà Lê Thu Hà",
                     "Nơi nhận:", "Lưu: VT.", "KT. GIÁM ĐỐC", "Nguyễn Hữu Phúc", "Mã xác nhận"):
            assert text in letter, text
        assert "Ông/Bà" not in letter
        assert programme.startswith("2 CHƯƠNG TRÌNH HỘI THẢO (Kèm theo Giấy mời số 125/GM-SKHCN")
        assert "Kết luận hội thảo" in programme


def test_a_short_agenda_stays_in_the_letter(ctx, live_server, users, browser_context, tmp_path):
    starts = datetime(2030, 8, 12, 8, 0, tzinfo=LOCAL_TZ)
    workshop = factories.make_letter_workshop(starts_at=starts)
    assert len(workshop.sessions) == 2  # the factory's, then three more: five in all
    for index, title in enumerate(("Báo cáo kết quả áp dụng ISO 9001 tại các sở", "Thảo luận",
                                   "Kết luận"), start=3):
        db.session.add(WorkshopSession(workshop=workshop, position=index, title=title,
                                       starts_at=starts + timedelta(minutes=30 * index)))
    db.session.commit()
    agency = factories.make_organization("Sở Công Thương")
    factories.make_invitee(workshop, "Vũ Thị Giang", title="Giám đốc Sở", organization=agency)
    factories.make_invitee(workshop, "Ông Văn Bảo", title="Chi cục trưởng", salutation="Ông",
                           organization=factories.make_organization("Chi cục Thú y"))
    page = browser_context().new_page()
    target = f"/workshops/{workshop.code}/letters"
    sign_in(page, live_server, users["organizer"], target)
    data = print_pdf(page, f"{live_server}{target}", "short-agenda.pdf")
    pages = page_texts(data, tmp_path)
    assert len(pages) == pdf_pages(data) == 2
    assert "Kính gửi: Giám đốc Sở Công Thương" in pages[0]
    assert "Kính gửi: Ông Ông Văn Bảo, Chi cục trưởng Chi cục Thú y" in pages[1]
    for letter in pages:
        assert "Số: ……/GM-SKHCN" in letter and "Báo cáo kết quả áp dụng ISO 9001" in letter
        assert "Nguyễn Hữu Phúc" in letter and "CHƯƠNG TRÌNH" not in letter


def test_a_long_agenda_goes_to_one_attached_page(ctx, live_server, users, browser_context,
                                                 tmp_path):
    starts = datetime(2030, 8, 12, 8, 0, tzinfo=LOCAL_TZ)
    workshop = factories.make_letter_workshop(starts_at=starts, letter_number="125/GM-SKHCN",
                                              contact_name="Bà Lê Thu Hà, Văn phòng Sở",
                                              contact_phone="0208 3855 123")
    for index in range(8):
        db.session.add(WorkshopSession(
            workshop=workshop, position=index, title=f"Tham luận số {index + 1} về kết quả áp dụng "
            "Hệ thống quản lý chất lượng tại cơ quan hành chính nhà nước",
            starts_at=starts + timedelta(minutes=30 * index),
            ends_at=starts + timedelta(minutes=30 * index + 30), presenter="Sở Nội vụ"))
    db.session.commit()
    for name in ("Lê Văn Cường", "Trần Thị Bình"):
        factories.make_invitee(workshop, name, title="Giám đốc Sở",
                               organization=factories.make_organization("Sở Tư pháp"))
    page = browser_context().new_page()
    target = f"/workshops/{workshop.code}/letters"
    sign_in(page, live_server, users["organizer"], target)
    data = print_pdf(page, f"{live_server}{target}", "long-agenda.pdf")
    assert pdf_pages(data) == 4  # two letters, each with its programme page
    pages = page_texts(data, tmp_path)
    for letter, programme in zip(pages[::2], pages[1::2], strict=True):
        assert "Nơi nhận:" in letter and "Nguyễn Hữu Phúc" in letter
        assert "Nội dung: Theo Chương trình hội thảo gửi kèm theo Giấy mời này." in letter
        assert "Đầu mối liên hệ: Bà Lê Thu Hà, Văn phòng Sở, điện thoại 0208 3855 123." in letter
        assert programme.startswith("2 CHƯƠNG TRÌNH HỘI THẢO (Kèm theo Giấy mời số 125/GM-SKHCN ngày")
        assert "Tham luận số 8" in programme

"""The documents as PDF and DOCX (CONTRACT.md "Documents and exports"): A4 pages, the fonts
embedded, the Vietnamese text extractable as written, one letter's pages adding up to all
letters', and the readers of each document."""
import io
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests import factories
from workshop.extensions import db
from workshop.office.pdf import RefusedUrl, static_file
from workshop.summary import services as summary_services

A4 = (595, 842)  # points, rounded


def letter_world():
    workshop = factories.make_letter_workshop()
    trade = factories.make_organization("Sở Công Thương")
    justice = factories.make_organization("Sở Tư pháp")
    first = factories.make_invitee(workshop, "Vũ Thị Giang", title="Giám đốc Sở", organization=trade)
    second = factories.make_invitee(workshop, "Lê Văn Cường", title="Giám đốc Sở", organization=justice)
    return workshop, first, second


def pdf(response) -> PdfReader:
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(response.data))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """Extracted text with its line breaks and repeated spaces made single spaces."""
    return re.sub(r"\s+", " ", text)


def fonts_of(reader: PdfReader) -> dict[str, object]:
    """Every font used by the pages, by its base name."""
    fonts = {}
    for page in reader.pages:
        resources = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    return fonts


def font_file(font) -> object | None:
    """The embedded font program of a font (a Type 0 font keeps it in its descendant)."""
    if "/DescendantFonts" in font:
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font["/FontDescriptor"].get_object()
    return next((descriptor[key] for key in ("/FontFile2", "/FontFile3", "/FontFile") if key in descriptor),
                None)


def api(client, api_headers, role, workshop, name, **query):
    return client.get(f"/api/v1/workshops/{workshop.code}/documents/{name}", headers=api_headers(role),
                      query_string=query)


def test_a_letter_is_an_a4_pdf_with_embedded_fonts_and_the_vietnamese_text(ctx, client, api_headers):
    workshop, first, _second = letter_world()
    first.salutation = "Bà"  # addressed by name (without one, by position alone)
    db.session.commit()
    response = api(client, api_headers, "organizer", workshop, "letters.pdf", invitation_id=first.id)
    reader = pdf(response)
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4
    fonts = fonts_of(reader)
    assert fonts, "the text is drawn with fonts, not as pictures"
    assert all(font_file(font) is not None for font in fonts.values()), list(fonts)
    # The font stack of the print CSS: Times New Roman, else Liberation Serif (same metrics).
    assert any("Liberation-Serif" in name or "Times" in name for name in fonts), list(fonts)
    text = flat(text_of(reader))
    for line in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "GIẤY MỜI",
                 "Kính gửi:", "Bà Vũ Thị Giang", "Giám đốc Sở Công Thương", "Thái Nguyên, ngày",
                 "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Nơi nhận:"):
        assert line in text, line
    assert "Lê Văn Cường" not in text  # one letter: only its invitee
    assert response.headers["Cache-Control"] == "no-store"


def test_all_letters_are_the_sum_of_each_letters_pages(ctx, client, api_headers):
    workshop, first, second = letter_world()
    pages = [len(pdf(api(client, api_headers, "organizer", workshop, "letters.pdf",
                         invitation_id=invitation.id)).pages) for invitation in (first, second)]
    everything = pdf(api(client, api_headers, "organizer", workshop, "letters.pdf"))
    assert len(everything.pages) == sum(pages)
    text = flat(text_of(everything))
    assert text.count("GIẤY MỜI") == 2
    # Without a salutation, each is addressed by position at its agency.
    assert "Giám đốc Sở Công Thương" in text and "Giám đốc Sở Tư pháp" in text


def test_the_file_has_its_vietnamese_name(ctx, client, api_headers):
    workshop, first, _second = letter_world()
    response = api(client, api_headers, "organizer", workshop, "letters.pdf", invitation_id=first.id)
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    ascii_name = re.search(r'filename="([^"]*)"', disposition).group(1)
    assert ascii_name.isascii() and ascii_name.endswith(".pdf") and workshop.code in ascii_name
    utf8_name = unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1))
    assert utf8_name == f"Giấy mời {workshop.code} {first.letter_number}.pdf"


def test_the_report_pdf_is_read_by_the_chair(ctx, client, api_headers):
    workshop, _first, _second = letter_world()
    reader = pdf(api(client, api_headers, "chair", workshop, "report.pdf"))
    assert all((round(float(p.mediabox.width)), round(float(p.mediabox.height))) == A4 for p in reader.pages)
    assert all(font_file(font) is not None for font in fonts_of(reader).values())
    text = flat(text_of(reader))
    assert "BÁO CÁO" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert workshop.title in text


def test_a_published_version_of_the_report(ctx, client, api_headers, users, client_as):
    workshop, _first, _second = letter_world()
    summary_services.save_conclusions(workshop, "Kết luận đã công bố của chủ trì", users["chair"])
    final = summary_services.publish(workshop, users["chair"])
    draft = summary_services.save_conclusions(workshop, "Bản nháp viết sau khi công bố", users["chair"])
    published = flat(text_of(pdf(api(client, api_headers, "chair", workshop, "report.pdf",
                                     version=final.version))))
    assert "Kết luận đã công bố của chủ trì" in published
    assert "Bản nháp viết sau khi công bố" not in published
    base = f"/workshops/{workshop.code}"
    page = client_as("chair").get(f"{base}/summary/versions/{final.version}").get_data(as_text=True)
    assert f'href="{base}/documents/report.pdf?version={final.version}"' in page
    page = client_as("chair").get(f"{base}/summary/versions/{draft.version}").get_data(as_text=True)
    assert "documents/report.pdf" not in page
    # A draft is no published version; nor is a number never saved.
    for number in (draft.version, 99):
        response = api(client, api_headers, "chair", workshop, "report.pdf", version=number)
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(("role", "name", "status"), [
    ("staff", "letters", 403), ("chair", "letters", 403), ("organizer", "letters", 200),
    ("staff", "report", 403), ("chair", "report", 200), ("organizer", "report", 200),
])
def test_who_may_read_each_document(ctx, client, api_headers, client_as, role, name, status):
    workshop, _first, _second = letter_world()
    for kind in ("docx", "pdf"):
        response = api(client, api_headers, role, workshop, f"{name}.{kind}")
        assert response.status_code == status, (kind, response.data[:200])
        if status == 403:
            assert response.get_json()["error"]["code"] == "forbidden"
        page = client_as(role).get(f"/workshops/{workshop.code}/documents/{name}.{kind}")
        assert page.status_code == status


def test_signed_out_callers_are_asked_to_sign_in(ctx, client):
    workshop, _first, _second = letter_world()
    assert client.get(f"/api/v1/workshops/{workshop.code}/documents/report.pdf").status_code == 401
    page = client.get(f"/workshops/{workshop.code}/documents/report.pdf")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


@pytest.mark.parametrize("name", ["unknown", "letters.pdf"])
def test_documents_not_registered_are_not_found(ctx, client, api_headers, client_as, name):
    workshop, _first, _second = letter_world()
    for kind in ("docx", "pdf"):
        response = api(client, api_headers, "organizer", workshop, f"{name}.{kind}")
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
        page = client_as("organizer").get(f"/workshops/{workshop.code}/documents/{name}.{kind}")
        assert page.status_code == 404


def test_a_letter_of_another_workshop_or_a_bad_id(ctx, client, api_headers):
    workshop, _first, _second = letter_world()
    other, stranger, _ = letter_world()
    response = api(client, api_headers, "organizer", workshop, "letters.pdf", invitation_id=stranger.id)
    assert response.status_code == 404
    response = api(client, api_headers, "organizer", workshop, "letters.pdf", invitation_id="abc")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"][0]["field"] == "invitation_id"
    response = api(client, api_headers, "organizer", workshop, "letters.docx", status="nonsense")
    assert response.status_code == 422
    assert api(client, api_headers, "organizer", other, "letters.pdf", invitation_id=stranger.id
               ).status_code == 200
    assert client.get("/api/v1/workshops/no-such-code/documents/report.pdf",
                      headers=api_headers("organizer")).status_code == 404


def test_the_docx_documents_are_the_existing_ones(ctx, client, api_headers):
    workshop, first, _second = letter_world()
    response = api(client, api_headers, "organizer", workshop, "letters.docx", invitation_id=first.id)
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs)
    assert "GIẤY MỜI" in text
    report = api(client, api_headers, "chair", workshop, "report.docx")
    assert report.status_code == 200 and report.headers["Cache-Control"] == "no-store"
    docx.Document(io.BytesIO(report.data))


def test_the_openapi_document_lists_the_documents(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for kind in ("docx", "pdf"):
        operation = paths[f"/api/v1/workshops/{{code}}/documents/{{name}}.{kind}"]["get"]
        path = paths[f"/api/v1/workshops/{{code}}/documents/{{name}}.{kind}"]
        assert {p["name"] for p in path["parameters"]} == {"code", "name"}
        assert "404" in operation["responses"]


def test_the_pages_offer_pdf_beside_docx(ctx, client_as):
    workshop, first, _second = letter_world()
    organizer = client_as("organizer")
    base = f"/workshops/{workshop.code}"
    one = organizer.get(f"{base}/invitations/{first.id}/letter").get_data(as_text=True)
    assert f'href="{base}/documents/letters.pdf?invitation_id={first.id}"' in one
    every = organizer.get(f"{base}/letters").get_data(as_text=True)
    assert f'href="{base}/documents/letters.pdf"' in every
    listing = organizer.get(f"{base}/invitations").get_data(as_text=True)
    assert f'href="{base}/documents/letters.pdf"' in listing
    assert f'href="{base}/documents/letters.pdf?invitation_id={first.id}"' in listing
    for page in ("summary", "summary/print"):
        html = client_as("chair").get(f"{base}/{page}").get_data(as_text=True)
        assert f'href="{base}/documents/report.pdf"' in html
    # The button's file is there.
    assert organizer.get(f"{base}/documents/letters.pdf").mimetype == "application/pdf"


@pytest.mark.parametrize("url", [
    "http://example.org/static/../../etc/passwd", "file:///etc/passwd", "https://example.org/x.css",
    "/static/../workshop/office/pdf.py", "/static/css/missing.css", "ftp://example.org/static/css/app.css",
])
def test_the_pdf_reads_nothing_outside_the_static_folder(app, url):
    with app.app_context(), pytest.raises(RefusedUrl):
        static_file(url, Path(app.static_folder).resolve())


def test_the_pdf_reads_the_static_files_from_disk(app):
    root = Path(app.static_folder).resolve()
    assert static_file("/static/css/letter.css", root) == root / "css" / "letter.css"
    assert static_file((root / "css" / "report.css").as_uri(), root) == root / "css" / "report.css"


def test_an_api_call_gets_no_session_cookie(ctx, client, api_headers):
    workshop, first, _second = letter_world()
    response = api(client, api_headers, "organizer", workshop, "letters.pdf", invitation_id=first.id)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_the_demo_record_in_pdf(runner, ctx, client, api_headers):
    """The reference case: every letter of `iso9001-2014` in one PDF, and its report."""
    from workshop.demo.services import DEMO_CODE
    from workshop.letters.services import letters_for
    from workshop.models import Workshop

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    workshop = db.session.scalar(select(Workshop).where(Workshop.code == DEMO_CODE))
    letters = letters_for(workshop)
    response = api(client, api_headers, "organizer", workshop, "letters.pdf")
    reader = pdf(response)
    assert all((round(float(p.mediabox.width)), round(float(p.mediabox.height))) == A4 for p in reader.pages)
    assert all(font_file(font) is not None for font in fonts_of(reader).values())
    # poppler's pdftotext (.ci/run installs poppler-utils): pages apart by form feeds.
    text = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True,
                          check=True).stdout.decode()
    pages = [flat(page) for page in text.split("\f")[:len(reader.pages)]]
    starts = [index for index, text in enumerate(pages) if "GIẤY MỜI" in text]
    assert len(starts) == len(letters) >= 35
    for start, letter in zip(starts, letters, strict=True):
        assert letter.addressee in pages[start]  # each letter to its own invitee, in order
        assert letter.short_code in pages[start]
    report = flat(text_of(pdf(api(client, api_headers, "chair", workshop, "report.pdf"))))
    assert "BÁO CÁO" in report and "Sở Khoa học và Công nghệ" in report
    minutes = flat(text_of(pdf(api(client, api_headers, "chair", workshop, "minutes.pdf"))))
    assert "BIÊN BẢN" in minutes and "THƯ KÝ" in minutes and "CHỦ TỌA" in minutes
    notice = pdf(api(client, api_headers, "chair", workshop, "conclusions.pdf"))
    assert all(font_file(font) is not None for font in fonts_of(notice).values())
    assert "THÔNG BÁO" in flat(text_of(notice))
    for name in ("minutes", "conclusions"):
        docx = api(client, api_headers, "chair", workshop, f"{name}.docx")
        assert docx.status_code == 200 and docx.data.startswith(b"PK")
        assert api(client, api_headers, "staff", workshop, f"{name}.pdf").status_code == 403


def test_a_pdf_leaves_the_pending_messages_to_the_next_page(ctx, client_as):
    workshop, _first, _second = letter_world()
    chair = client_as("chair")
    with chair.session_transaction() as session:
        session["_flashes"] = [("success", "Đã lưu bản nháp kết luận (phiên bản 1).")]
    assert chair.get(f"/workshops/{workshop.code}/documents/report.pdf").status_code == 200
    assert "Đã lưu bản nháp kết luận (phiên bản 1)." in chair.get(
        f"/workshops/{workshop.code}/summary").get_data(as_text=True)


def test_a_print_page_gets_its_styles_from_disk_and_nothing_from_the_network(app, monkeypatch):
    import socket

    from workshop.office.pdf import html_to_pdf

    calls = []

    def no_network(*args, **kwargs):
        calls.append(args)
        raise OSError("no network in a PDF")

    monkeypatch.setattr(socket, "create_connection", no_network)
    html = ('<link rel="stylesheet" href="/static/css/letter.css">'
            '<img src="http://example.org/logo.png" alt=""><img src="file:///etc/hostname" alt="">'
            '<article class="letter"><p>Kính gửi: Bà Vũ Thị Giang</p></article>')
    with app.test_request_context():
        reader = PdfReader(io.BytesIO(html_to_pdf(html)))
    assert not calls
    # The letter's font stack comes from static/css/letter.css, read from the static folder.
    assert any("Liberation-Serif" in name or "Times" in name for name in fonts_of(reader))
    assert "Kính gửi: Bà Vũ Thị Giang" in flat(text_of(reader))


def test_a_workshop_without_letters_says_so(ctx, client, api_headers, client_as):
    workshop = factories.make_letter_workshop()
    response = api(client, api_headers, "organizer", workshop, "letters.pdf")
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "Không có giấy mời nào để tải về."
    page = client_as("organizer").get(f"/workshops/{workshop.code}/documents/letters.pdf")
    assert page.status_code == 404 and "Không có giấy mời nào để tải về." in page.get_data(as_text=True)


def test_the_letters_qr_caption_lines_never_overlap(ctx, client, api_headers):
    """The short code, its note and the link under the QR are drawn one under the other: as a
    flex column, WeasyPrint once drew the note's wrapped last line over the link."""
    workshop, first, _second = letter_world()
    response = api(client, api_headers, "organizer", workshop, "letters.pdf", invitation_id=first.id)
    assert response.status_code == 200
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", "-", "-"], input=response.data,
                          capture_output=True, check=True).stdout.decode()
    words = [(float(y_min), float(y_max), word) for y_min, y_max, word in re.findall(
        r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', html)]
    note_bottom = max(y_max for _y_min, y_max, word in words if word.startswith("thoại"))
    link_top = min(y_min for y_min, _y_max, word in words if word.startswith("http"))
    assert note_bottom <= link_top + 0.5

"""One letterhead, one signature row, one way to number pages and name the file: every official
DOCX (giấy mời, báo cáo, biên bản, thông báo kết luận) is written by workshop/office."""
from __future__ import annotations

import io

import pytest
from docx import Document as WordDocument

from workshop.demo.services import DEMO_CODE
from workshop.events.services import get_workshop
from workshop.office.letterhead import NATIONAL_MOTTO, NATIONAL_TITLE

DOCUMENTS = ("letters", "report", "minutes", "conclusions")


@pytest.fixture
def demo(runner, ctx):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return get_workshop(DEMO_CODE)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_document_has_the_one_letterhead_signature_and_properties(client_as, demo, name):
    response = client_as("organizer").get(f"/workshops/{demo.code}/documents/{name}.docx")
    assert response.status_code == 200
    word = WordDocument(io.BytesIO(response.data))
    agency, nation = (cell.paragraphs for cell in word.tables[0].rows[0].cells)
    assert [p.text for p in nation][:2] == [NATIONAL_TITLE, NATIONAL_MOTTO]
    assert all(run.bold for p in nation[:2] for run in p.runs)
    assert "SỞ KHOA HỌC VÀ CÔNG NGHỆ" in [p.text for p in agency]
    assert any(p.text.startswith("Số:") for p in agency)
    # The short rules under the agency and the motto: a bottom border, nothing else in them.
    assert sum('w:bottom w:val="single"' in p._p.xml for p in agency + nation) == 2

    section = word.sections[0]
    assert section.different_first_page_header_footer  # numbered from page 2
    assert "PAGE" in section.header._element.xml
    properties = word.core_properties
    assert properties.author == "Sở Khoa học và Công nghệ"  # not python-docx's template
    assert properties.title and "python-docx" not in (properties.title + properties.author)

    # The signer's cell: authority, title, the room for the signature and the seal, the name,
    # all bold and centred, in a row never split over two pages.
    signers = [cell for table in word.tables for cell in table.rows[0].cells
               if len(cell.paragraphs) >= 3 and cell.paragraphs[-1].text == demo.signer_name]
    assert signers
    for cell in signers:
        lines = cell.paragraphs
        assert all(run.bold for p in lines for run in p.runs)
        assert lines[-2].paragraph_format.space_after.pt >= 60
        assert "w:cantSplit" in cell._tc.getparent().xml


@pytest.mark.parametrize(("page", "prefix"), [
    ("letters", "letter-"), ("summary/print", "report-"), ("minutes/print", ""),
    ("conclusions/print", ""),
])
def test_every_print_page_has_the_one_letterhead_and_signer(client_as, demo, page, prefix):
    html = client_as("organizer").get(f"/workshops/{demo.code}/{page}").get_data(as_text=True)
    assert f'<header class="{prefix}head">' in html
    assert f'<p class="{prefix}national-title">{NATIONAL_TITLE}</p>' in html
    assert f'<p class="{prefix}motto">{NATIONAL_MOTTO}</p>' in html
    assert f'<hr class="{prefix}rule short">' in html and f'<hr class="{prefix}rule long">' in html
    assert f'<p class="{prefix}number">Số:' in html
    assert f'<div class="{prefix}signature" aria-hidden="true"></div>' in html

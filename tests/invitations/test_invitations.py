"""Choosing invitees from the directory, tracking their answers, and the organizer's pages."""
import base64
import html
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests import factories
from workshop.attendance import attendance
from workshop.checkin import services as checkin_services
from workshop.extensions import db
from workshop.invitations import inviting, rsvp, services, sharing, tracking
from workshop.links import personal_url
from workshop.models import CheckIn, Invitation, Organization


def directory():
    """Two departments (one without a leader's name), two districts, one sub-department."""
    return {
        "tu_phap": factories.make_organization(
            "Sở Tư pháp", "department", leader_name="Trần Văn Bình", leader_title="Giám đốc Sở",
            email="stp@thainguyen.gov.vn", phone="0208 3855 123"),
        "noi_vu": factories.make_organization("Sở Nội vụ", "department", leader_title="Giám đốc Sở"),
        "pho_yen": factories.make_organization(
            "UBND thị xã Phổ Yên", "district", leader_name="Lê Thị Hoa",
            leader_title="Chủ tịch UBND thị xã", email="phoyen@thainguyen.gov.vn"),
        "dai_tu": factories.make_organization("UBND huyện Đại Từ", "district",
                                              leader_name="Hoàng Văn Sơn"),
        "chi_cuc": factories.make_organization("Chi cục Tiêu chuẩn Đo lường Chất lượng",
                                               "subdepartment", leader_name="Phạm Minh Đức"),
    }


def test_invite_by_kind_gives_each_agency_one_invitation_for_its_leader(ctx):
    workshop = factories.make_workshop()
    agencies = directory()

    result = inviting.invite_organizations(workshop, kinds=["district"])

    assert result.skipped == []
    assert [i.organization_id for i in result.created] == [agencies["dai_tu"].id, agencies["pho_yen"].id]
    pho_yen = result.created[1]
    assert (pho_yen.name, pho_yen.title, pho_yen.email, pho_yen.phone) == (
        "Lê Thị Hoa", "Chủ tịch UBND thị xã", "phoyen@thainguyen.gov.vn", None)
    assert pho_yen.status == "draft"
    assert [i.letter_number for i in result.created] == [1, 2]


def test_already_invited_agencies_are_skipped_and_reported(ctx):
    workshop = factories.make_workshop()
    agencies = directory()
    inviting.invite_organizations(workshop, organization_ids=[agencies["tu_phap"].id])

    result = inviting.invite_organizations(workshop, kinds=["department"],
                                           organization_ids=[agencies["chi_cuc"].id])

    assert [o.name for o in result.skipped] == ["Sở Tư pháp"]
    assert [i.organization.name for i in result.created] == [
        "Sở Nội vụ", "Chi cục Tiêu chuẩn Đo lường Chất lượng"]
    assert [i.letter_number for i in result.created] == [2, 3]
    # Without a leader's name in the directory the letter goes to the agency's leadership.
    assert result.created[0].name == "Lãnh đạo Sở Nội vụ"
    assert db.session.scalar(select(func.count(Invitation.id))) == 3
    # Another workshop invites the same agencies afresh, numbered from 1.
    other = inviting.invite_organizations(factories.make_workshop(), kinds=["department"])
    assert [i.letter_number for i in other.created] == [1, 2] and other.skipped == []


def test_tokens_are_random_long_distinct_and_never_an_id(ctx):
    workshop = factories.make_workshop()
    for n in range(12):
        factories.make_organization(f"UBND xã {n}", "district", leader_name=f"Người {n}")
    created = inviting.invite_organizations(workshop, kinds=["district"]).created

    secrets = [i.token for i in created] + [i.pass_token for i in created]
    assert len(set(secrets)) == len(secrets)
    for invitation in created:
        for token in (invitation.token, invitation.pass_token):
            assert len(base64.urlsafe_b64decode(token + "==")) * 8 >= 128
            assert str(invitation.id) != token and not token.isdigit()
        assert personal_url(invitation).endswith(f"/i/{invitation.token}")


def test_letter_numbers_never_reuse_a_number_given_outside_the_counter(ctx):
    """A number written into the table by other means (here a raw INSERT, as an older import
    did) is never given again: the counter starts above the highest number held."""
    workshop = factories.make_workshop()
    inviting.invite_person(workshop, "Nguyễn Văn An")
    with db.engine.connect() as connection:
        connection.execute(Invitation.__table__.insert().values(
            workshop_id=workshop.id, name="Người của ban tổ chức khác", letter_number=2,
            token="t-other", pass_token="p-other", short_code="OTHER2"))
        connection.commit()

    invitation = inviting.invite_person(workshop, "Lê Thị Bình")

    assert invitation.letter_number == 3
    numbers = db.session.scalars(select(Invitation.letter_number).order_by(Invitation.letter_number))
    assert list(numbers) == [1, 2, 3]


def test_invite_update_and_delete_a_person(ctx):
    workshop = factories.make_workshop()
    agency = factories.make_organization("Sở Y tế")
    invitation = inviting.invite_person(workshop, "  Đỗ Văn Hải ", "Phó Giám đốc", agency.id,
                                        "hai@example.org", "0912 345 678")
    assert (invitation.name, invitation.organization_id, invitation.letter_number) == (
        "Đỗ Văn Hải", agency.id, 1)

    with pytest.raises(services.InvitationError) as refused:
        inviting.invite_person(workshop, "Ai đó", organization_id=9999)
    assert "organization_id" in refused.value.errors

    inviting.update_invitation(invitation, "Đỗ Văn Hải", "Giám đốc", None, None, None)
    assert (invitation.title, invitation.organization_id, invitation.email) == ("Giám đốc", None, None)

    rsvp.respond(invitation, "accept")
    with pytest.raises(services.InvitationError):
        inviting.delete_invitation(invitation)
    assert db.session.get(Invitation, invitation.id) is not None

    draft = inviting.invite_person(workshop, "Người sẽ bị xóa")
    inviting.delete_invitation(draft)
    assert db.session.get(Invitation, draft.id) is None


def test_a_draft_whose_invitee_checked_in_stays(ctx):
    """A letter handed over without being marked sent: its invitee may come and be checked in
    (counted as unannounced). Deleting that draft would delete the check-in with it (and used
    to fail with an error page, the check-in's invitation set to NULL): refused, in words."""
    workshop = factories.make_workshop()
    draft = inviting.invite_person(workshop, "Người đến mà chưa gửi giấy")
    assert checkin_services.check_in(workshop, draft.pass_token).result == "checked_in"

    with pytest.raises(services.InvitationError) as refused:
        inviting.delete_invitation(draft)

    assert "đã điểm danh" in refused.value.message
    db.session.expire_all()
    assert db.session.get(Invitation, draft.id) is not None
    assert db.session.scalar(select(func.count(CheckIn.id))) == 1
    assert attendance(workshop).unannounced == 1


def _answer(workshop, organization, status, **fields):
    invitation = inviting.invite_person(workshop, f"Đại biểu {status}", organization_id=organization.id)
    if status != "draft":
        response = rsvp.RESPONSE_OF_STATUS.get(status)
        if response:
            rsvp.respond(invitation, response, **fields)
        else:
            invitation.status = status
            db.session.commit()
    return invitation


def test_counts_by_status_and_kind_and_the_agencies_nobody_represents(ctx):
    workshop = factories.make_workshop()
    agencies = directory()
    _answer(workshop, agencies["tu_phap"], "accepted")
    _answer(workshop, agencies["noi_vu"], "declined")
    _answer(workshop, agencies["noi_vu"], "sent")
    _answer(workshop, agencies["pho_yen"], "declined")
    _answer(workshop, agencies["pho_yen"], "delegated", delegate_name="Vũ Văn Phó")
    unanswered_but_came = _answer(workshop, agencies["dai_tu"], "sent")
    db.session.add(CheckIn(invitation=unanswered_but_came, workshop_id=workshop.id))
    _answer(workshop, agencies["chi_cuc"], "draft")
    inviting.invite_person(workshop, "Khách mời tự do")  # outside the directory: kind "other"
    walk_in = Invitation(workshop_id=workshop.id, name="Đến trực tiếp", status="accepted",
                         walk_in=True, organization_id=agencies["chi_cuc"].id)
    db.session.add(walk_in)
    db.session.add(CheckIn(invitation=walk_in, workshop_id=workshop.id))
    db.session.commit()

    counts = attendance(workshop)

    assert counts.by_status == {"draft": 2, "sent": 2, "accepted": 1, "declined": 2,
                                "delegated": 1}
    assert (counts.invited, counts.unanswered, counts.expected) == (8, 4, 2)
    assert list(counts.invited_kinds) == ["department", "district", "subdepartment", "other"]
    assert counts.invited_kinds["district"].by_status == {"draft": 0, "sent": 1, "accepted": 0,
                                                          "declined": 1, "delegated": 1}
    # Sở Nội vụ: one declined, one unanswered. The walk-in of the Chi cục came in person (not
    # an invitation, but someone of the agency is here); Đại Từ never answered but checked in.
    not_coming = counts.without_anyone
    assert [(a.organization.name, a.declined, a.unanswered) for a in not_coming] == [
        ("Sở Nội vụ", 1, 1)]


def test_share_message_is_formal_vietnamese_with_the_personal_link(ctx):
    host = factories.make_organization("Sở Khoa học và Công nghệ")
    workshop = factories.make_workshop(title="Hội thảo đánh giá 05 năm áp dụng ISO 9001:2008",
                                       host_organization=host, venue="Hội trường Sở KH&CN")
    invitation = inviting.invite_person(workshop, "Trần Văn Bình")

    message = sharing.share_message(invitation)

    assert message.startswith("Sở Khoa học và Công nghệ trân trọng kính mời ông/bà Trần Văn Bình dự "
                              "Hội thảo đánh giá 05 năm áp dụng ISO 9001:2008 lúc 08:00 Thứ Hai, "
                              "12/08/2030 tại Hội trường Sở KH&CN.")
    assert message.endswith(personal_url(invitation))


def test_tracking_xlsx_opens_and_has_every_row(ctx):
    workshop = factories.make_workshop()
    agencies = directory()
    inviting.invite_organizations(workshop, kinds=["department", "district"])
    delegated = services.list_invitations(workshop, query="pho yen")[0]
    rsvp.respond(delegated, "delegate", "Vũ Văn Phó", "Phó Chủ tịch", "0987 654 321")

    book = load_workbook(io.BytesIO(tracking.tracking_xlsx(workshop)))

    rows = list(book["Giấy mời"].iter_rows(min_row=2, values_only=True))  # under the title row
    assert rows[0][:4] == ("Số giấy mời", "Cơ quan, đơn vị", "Loại cơ quan", "Người được mời")
    assert len(rows) == 1 + 4
    pho_yen = next(row for row in rows if row[1] == agencies["pho_yen"].name)
    assert pho_yen[3] == "Lê Thị Hoa" and pho_yen[7] == "Cử người dự thay"
    assert pho_yen[8:11] == ("Vũ Văn Phó", "Phó Chủ tịch", "0987 654 321")
    summary = {row[0]: row[1] for row in book["Tổng hợp"].iter_rows(min_row=3, values_only=True)}
    assert summary == {"Sở, Ban, Ngành": 2, "UBND cấp huyện": 2, "Tổng cộng": 4}
    assert len(list(book["Chưa có ai dự"].iter_rows(min_row=3))) == 3


def test_list_filters_by_status_kind_and_text_without_accents(ctx):
    workshop = factories.make_workshop()
    directory()
    inviting.invite_organizations(workshop, kinds=["department", "district", "subdepartment"])
    hoa = services.list_invitations(workshop, query="le thi hoa")
    assert [i.name for i in hoa] == ["Lê Thị Hoa"]
    rsvp.respond(hoa[0], "decline")

    assert [i.name for i in services.list_invitations(workshop, status="declined")] == ["Lê Thị Hoa"]
    assert len(services.list_invitations(workshop, status="unanswered")) == 4
    assert {i.organization.kind for i in services.list_invitations(workshop, kind="district")} == {"district"}
    assert [i.name for i in services.list_invitations(workshop, query="DAI TU")] == ["Hoàng Văn Sơn"]


# --- pages ------------------------------------------------------------------------------------


def test_invite_page_counts_kinds_previews_leaders_and_creates(ctx, client_as):
    workshop = factories.make_workshop()
    agencies = directory()
    inviting.invite_organizations(workshop, organization_ids=[agencies["tu_phap"].id])
    client = client_as("organizer")

    page = client.get(f"/workshops/{workshop.code}/invite").get_data(as_text=True)
    assert "Sở, Ban, Ngành (2)" in page and "UBND cấp huyện (2)" in page and "Chi cục (1)" in page
    assert "đã mời 1" in page

    preview = client.post(f"/workshops/{workshop.code}/invite",
                          data={"kinds": ["department", "district"], "action": "preview"})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Sẽ mời 3 đại biểu" in text and "Lê Thị Hoa" in text and "Lãnh đạo Sở Nội vụ" in text
    assert "Bỏ qua các cơ quan đã được mời" in text
    assert db.session.scalar(select(func.count(Invitation.id))) == 1  # a preview creates nothing

    created = client.post(f"/workshops/{workshop.code}/invite",
                          data={"kinds": ["department", "district"], "action": "create"},
                          follow_redirects=True)
    text = created.get_data(as_text=True)
    assert "Đã tạo 3 giấy mời." in text and "Bỏ qua các cơ quan đã được mời: Sở Tư pháp." in text
    assert db.session.scalar(select(func.count(Invitation.id))) == 4

    nothing = client.post(f"/workshops/{workshop.code}/invite", data={"action": "create"})
    assert nothing.status_code == 422
    assert "Vui lòng chọn ít nhất một loại cơ quan hoặc một cơ quan." in nothing.get_data(as_text=True)


def test_invite_a_person_outside_the_directory_keeps_what_was_typed(ctx, client_as):
    workshop = factories.make_workshop()
    client = client_as("organizer")
    url = f"/workshops/{workshop.code}/invite/person"

    bad = client.post(url, data={"name": "Ngô Thị Lan", "email": "khong-phai-email",
                                 "phone": "12ab"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "Địa chỉ e-mail không hợp lệ." in text and "Số điện thoại không hợp lệ" in text
    assert 'value="Ngô Thị Lan"' in text
    assert db.session.scalar(select(func.count(Invitation.id))) == 0

    good = client.post(url, data={"name": "Ngô Thị Lan", "title": "Chuyên gia",
                                  "email": "lan@example.org", "phone": "+84 912 345 678"})
    assert good.status_code == 302
    invitation = db.session.scalar(select(Invitation))
    assert (invitation.name, invitation.title, invitation.organization_id) == (
        "Ngô Thị Lan", "Chuyên gia", None)


def test_invitations_page_rows_counts_filters_and_actions(ctx, client_as):
    workshop = factories.make_workshop()
    directory()
    inviting.invite_organizations(workshop, kinds=["department", "district"])
    hoa = services.list_invitations(workshop, query="le thi hoa")[0]
    rsvp.respond(hoa, "delegate", "Vũ Văn Phó")
    client = client_as("organizer")
    url = f"/workshops/{workshop.code}/invitations"

    page = client.get(url).get_data(as_text=True)
    assert "Trần Văn Bình" in page and "Vũ Văn Phó" in page and "Cử người dự thay" in page
    assert "Cơ quan chưa có ai dự (4)" not in page and "Cơ quan chưa có ai dự (3)" in page
    binh = services.list_invitations(workshop, query="tran van binh")[0]
    message = sharing.share_message(binh)
    assert message[:message.index("http")] in page  # the page's link has the request's origin
    # Hoa's deputy, approved at once (no approval asked for this workshop): her row's message
    # is the deputy's, with their own pass.
    message = sharing.deputy_message(hoa)
    assert html.escape(message[:message.index("http")]) in page
    assert f"/pass/{hoa.pass_token}" in page
    assert f"/i/{hoa.token}" in page  # her personal page, still linked
    assert f"/workshops/{workshop.code}/invitations/{hoa.id}" in page
    assert "Xuất Excel" in page

    filtered = client.get(url, query_string={"q": "pho yen"}).get_data(as_text=True)
    assert "Lê Thị Hoa" in filtered and "Trần Văn Bình" not in filtered
    by_status = client.get(url, query_string={"status": "delegated"}).get_data(as_text=True)
    assert "Lê Thị Hoa" in by_status and "Hoàng Văn Sơn" not in by_status
    by_kind = client.get(url, query_string={"kind": "department"}).get_data(as_text=True)
    assert "Trần Văn Bình" in by_kind and "Hoàng Văn Sơn" not in by_kind

    export = client.get(f"{url}.xlsx")
    assert export.status_code == 200
    assert len(list(load_workbook(io.BytesIO(export.data))["Giấy mời"].iter_rows())) == 1 + 5


def test_staff_read_the_list_without_personal_links_and_cannot_invite(ctx, client_as):
    workshop = factories.make_workshop()
    invitation = inviting.invite_person(workshop, "Trần Văn Bình")
    staff = client_as("staff")

    page = staff.get(f"/workshops/{workshop.code}/invitations")
    assert page.status_code == 200 and "Trần Văn Bình" in page.get_data(as_text=True)
    assert invitation.token not in page.get_data(as_text=True)
    assert staff.get(f"/workshops/{workshop.code}/invite").status_code == 403
    assert staff.post(f"/workshops/{workshop.code}/invite/person", data={"name": "X"}).status_code == 403
    assert staff.get(f"/workshops/{workshop.code}/invitations/{invitation.id}").status_code == 403
    assert client_as("chair").get(f"/workshops/{workshop.code}/invite").status_code == 403


def test_edit_and_delete_pages(ctx, client_as):
    workshop = factories.make_workshop()
    invitation = inviting.invite_person(workshop, "Trần Văn Bình")
    sent = inviting.invite_person(workshop, "Lê Thị Hoa")
    sent.status = "sent"
    db.session.commit()
    client = client_as("organizer")
    edit_url = f"/workshops/{workshop.code}/invitations/{invitation.id}"

    assert client.post(edit_url, data={"name": ""}).status_code == 422
    saved = client.post(edit_url, data={"name": "Trần Văn Bình", "title": "Giám đốc Sở"})
    assert saved.status_code == 302
    db.session.refresh(invitation)
    assert invitation.title == "Giám đốc Sở"

    refused = client.post(f"/workshops/{workshop.code}/invitations/{sent.id}/delete",
                          follow_redirects=True)
    assert "Chỉ xóa được giấy mời chưa gửi." in refused.get_data(as_text=True)
    assert db.session.get(Invitation, sent.id) is not None
    assert client.post(f"{edit_url}/delete").status_code == 302
    assert db.session.get(Invitation, invitation.id) is None
    # An invitation of another workshop is not reachable through this one.
    other = inviting.invite_person(factories.make_workshop(), "Người khác")
    assert client.get(f"/workshops/{workshop.code}/invitations/{other.id}").status_code == 404


def test_html_in_names_is_escaped_on_the_organizer_pages(ctx, client_as):
    workshop = factories.make_workshop(title="<i>Hội thảo</i>")
    factories.make_organization("<b>Sở</b> Tư pháp", "department",
                                leader_name="<script>alert(1)</script>")
    inviting.invite_organizations(workshop, kinds=["department"])
    client = client_as("organizer")

    for url in (f"/workshops/{workshop.code}/invite", f"/workshops/{workshop.code}/invitations"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page and "<b>Sở</b>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<i>Hội thảo</i>" not in page
    preview = client.post(f"/workshops/{workshop.code}/invite",
                          data={"kinds": ["department"], "action": "preview"})
    assert "<b>Sở</b>" not in preview.get_data(as_text=True)


def test_unknown_workshop_is_a_404(ctx, client_as):
    client = client_as("organizer")
    assert client.get("/workshops/khong-co/invitations").status_code == 404
    assert client.get("/workshops/khong-co/invite").status_code == 404


def test_the_list_is_in_vietnamese_alphabetical_order(ctx, client_as):
    """By person in Vietnamese order (workshop/collation.py), not by letter number."""
    workshop = factories.make_workshop()
    for name in ("Người một", "Người hai", "Người ba", "Người đến", "Người dự"):
        inviting.invite_person(workshop, name)
    page = client_as("organizer").get(f"/workshops/{workshop.code}/invitations").get_data(as_text=True)
    assert re.findall(r"Người (một|hai|ba|đến|dự)</strong>", page) == ["ba", "dự", "đến", "hai", "một"]


def test_mark_sent_moves_only_drafts(ctx):
    """Letters delivered by hand: draft → sent, answers untouched, walk-ins left alone."""
    from workshop.invitations.inviting import mark_sent
    from workshop.models import Invitation

    workshop = factories.make_workshop()
    draft = Invitation(workshop=workshop, name="A")
    answered = Invitation(workshop=workshop, name="B", status="accepted")
    walk_in = Invitation(workshop=workshop, name="C", walk_in=True)
    db.session.add_all([draft, answered, walk_in])
    db.session.commit()
    assert mark_sent(workshop) == 1
    db.session.expire_all()
    assert (draft.status, answered.status, walk_in.status) == ("sent", "accepted", "draft")
    assert mark_sent(workshop) == 0


def test_organizer_marks_hand_delivered_letters_sent(ctx, client_as):
    from workshop.models import Invitation

    workshop = factories.make_workshop()
    invitation = Invitation(workshop=workshop, name="Người nhận")
    db.session.add(invitation)
    db.session.commit()
    assert client_as("staff").post(
        f"/workshops/{workshop.code}/invitations/mark-sent").status_code == 403
    response = client_as("organizer").post(f"/workshops/{workshop.code}/invitations/mark-sent")
    assert response.status_code == 302
    db.session.expire_all()
    assert invitation.status == "sent"


def test_who_stands_at_the_door_is_one_rule_in_python_and_in_sql(ctx):
    """The deputy's name and title when one was sent, the invitee's otherwise; the SQL form of
    `attendee_name` (for queries that load no invitations) answers as the property does."""
    workshop = factories.make_workshop()
    coming = factories.make_invitee(workshop, "Lê Văn Cường", title="Giám đốc Sở",
                                    status="accepted")
    deputy = factories.make_invitee(workshop, "Trần Thị Lan", title="Chủ tịch",
                                    status="delegated", delegate_name="Vũ Văn Phó",
                                    delegate_title="Phó Chủ tịch")
    silent = factories.make_invitee(workshop, "Hoàng Văn Sơn", title="Trưởng phòng")

    assert (coming.attendee_name, coming.attendee_title, coming.stands_in_for) == (
        "Lê Văn Cường", "Giám đốc Sở", None)
    assert (deputy.attendee_name, deputy.attendee_title, deputy.stands_in_for) == (
        "Vũ Văn Phó", "Phó Chủ tịch", "Trần Thị Lan")
    assert deputy.has_deputy and not coming.has_deputy and not silent.has_deputy
    assert [coming.is_expected, deputy.is_expected, silent.is_expected] == [True, True, False]
    assert [coming.is_answered, deputy.is_answered, silent.is_answered] == [True, True, False]
    in_sql = dict(db.session.execute(
        select(Invitation.id, Invitation.attendee_name).where(Invitation.workshop_id == workshop.id)
    ).all())
    assert in_sql == {coming.id: "Lê Văn Cường", deputy.id: "Vũ Văn Phó",
                      silent.id: "Hoàng Văn Sơn"}


def test_an_invitee_outside_the_directory_counts_with_the_other_agencies(ctx):
    """`Invitation.agency_kind`, in Python and in SQL: the agency's kind, "other" without one."""
    workshop = factories.make_workshop()
    district = factories.make_invitee(
        workshop, organization=factories.make_organization("UBND huyện Đại Từ", "district"))
    guest = factories.make_invitee(workshop, "Khách mời tự do")
    assert (district.agency_kind, guest.agency_kind) == ("district", "other")
    in_sql = dict(db.session.execute(
        select(Invitation.id, Invitation.agency_kind)
        .outerjoin(Organization, Invitation.organization_id == Organization.id)
        .where(Invitation.workshop_id == workshop.id)
    ).all())
    assert in_sql == {district.id: "district", guest.id: "other"}
    assert services.list_invitations(workshop, None, "other", "") == [guest]

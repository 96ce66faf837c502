"""The invitee's personal page /i/<token>: the workshop, the answer, and the QR pass."""
from datetime import datetime, timedelta

import pytest

from tests import factories
from workshop.auth.identity import SESSION_INVITATION_KEY
from workshop.extensions import db
from workshop.invitations import inviting, rsvp, services
from workshop.qr import qr_svg
from workshop.timeutil import LOCAL_TZ, utcnow


def workshop_with_host(**fields):
    host = factories.make_organization("Sở Khoa học và Công nghệ", phone="0208 3856 789",
                                       email="skhcn@thainguyen.gov.vn")
    values = {"title": "Hội thảo đánh giá 05 năm áp dụng ISO 9001:2008", "host_organization": host,
              "venue": "Hội trường Sở Khoa học và Công nghệ",
              "rsvp_deadline": datetime(2030, 8, 8, 17, 0, tzinfo=LOCAL_TZ)}
    values.update(fields)
    return factories.make_workshop(**values)


def invite(workshop, name="Trần Văn Bình", **fields):
    agency = factories.make_organization("Sở Tư pháp")
    return inviting.invite_person(workshop, name, "Giám đốc Sở", agency.id, **fields)


def close(workshop):
    """Move the RSVP deadline into the past."""
    workshop.rsvp_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()


def page(client, invitation):
    response = client.get(f"/i/{invitation.token}")
    return response, response.get_data(as_text=True)


def test_personal_page_shows_the_workshop_the_answers_and_the_pass(ctx, client):
    workshop = workshop_with_host()
    invitation = invite(workshop)

    response, text = page(client, invitation)

    assert response.status_code == 200
    assert "Sở Khoa học và Công nghệ trân trọng kính mời" in text
    assert "Trần Văn Bình" in text and "Sở Tư pháp" in text
    assert "Hội thảo đánh giá 05 năm áp dụng ISO 9001:2008" in text
    assert "08:00" in text and "Thứ Hai, 12/08/2030" in text
    assert "Hội trường Sở Khoa học và Công nghệ" in text
    assert "https://www.google.com/maps/search/?api=1&amp;query=H%E1%BB%99i+tr%C6%B0%E1%BB%9Dng" in text
    assert "Phiên 1" in text and "Phiên 2" in text
    for button in ("Tôi sẽ tham dự", "Cử người dự thay", "Không tham dự"):
        assert button in text
    assert "Có thể đổi câu trả lời đến 17:00 Thứ Năm, 08/08/2030." in text
    # The pass: the QR code of the pass token itself, the short code, the person and agency.
    assert qr_svg(invitation.pass_token) in text
    assert invitation.short_code in text and "Lưu ảnh" in text
    assert f"/i/{invitation.token}/pass.png" in text
    assert "0208 3856 789" in text  # the organizer's contact
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]
    with client.session_transaction() as session:
        assert session[SESSION_INVITATION_KEY] == invitation.token


def test_accept_then_change_to_a_deputy_then_decline(ctx, client):
    workshop = workshop_with_host()
    invitation = invite(workshop)
    url = f"/i/{invitation.token}"

    accepted = client.post(url, data={"response": "accept"}, follow_redirects=True)
    text = accepted.get_data(as_text=True)
    assert "Đã ghi nhận câu trả lời" in text and "Ông/Bà đã xác nhận: Tham dự." in text
    assert "Đổi câu trả lời" in text
    db.session.refresh(invitation)
    assert invitation.status == "accepted" and invitation.responded_at is not None

    delegated = client.post(url, data={"response": "delegate", "delegate_name": "Vũ Văn Phó",
                                       "delegate_title": "Phó Giám đốc Sở",
                                       "delegate_phone": "0987 654 321"}, follow_redirects=True)
    text = delegated.get_data(as_text=True)
    assert "Ông/Bà đã cử người dự thay:" in text and "Vũ Văn Phó" in text
    assert 'class="pass-name">Vũ Văn Phó<' in text and "Dự thay ông/bà Trần Văn Bình" in text
    db.session.refresh(invitation)
    assert (invitation.status, invitation.delegate_title, invitation.delegate_phone) == (
        "delegated", "Phó Giám đốc Sở", "0987 654 321")
    assert invitation.attendee_name == "Vũ Văn Phó"

    declined = client.post(url, data={"response": "decline"}, follow_redirects=True)
    text = declined.get_data(as_text=True)
    assert "Ông/Bà đã trả lời: Không tham dự." in text
    db.session.refresh(invitation)
    assert invitation.status == "declined" and invitation.delegate_name is None
    # Declined: no pass on the page, no image to save.
    assert "<svg" not in text and "Lưu ảnh" not in text
    assert client.get(f"{url}/pass.png").status_code == 404


def test_pass_png_is_an_image_to_save(ctx, client):
    invitation = invite(workshop_with_host())
    response = client.get(f"/i/{invitation.token}/pass.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_a_deputy_needs_a_name_and_a_valid_phone(ctx, client):
    invitation = invite(workshop_with_host())
    url = f"/i/{invitation.token}"

    nameless = client.post(url, data={"response": "delegate", "delegate_title": "Phó Giám đốc"})
    text = nameless.get_data(as_text=True)
    assert nameless.status_code == 422
    assert "Vui lòng nhập họ và tên người dự thay." in text
    assert 'value="Phó Giám đốc"' in text  # the form keeps what was typed
    assert "<details class=\"deputy\" open>" in text

    bad_phone = client.post(url, data={"response": "delegate", "delegate_name": "Vũ Văn Phó",
                                       "delegate_phone": "gọi tôi"})
    assert bad_phone.status_code == 422
    assert "Số điện thoại không hợp lệ" in bad_phone.get_data(as_text=True)
    db.session.refresh(invitation)
    assert invitation.status == "draft" and invitation.delegate_name is None


def test_after_the_deadline_the_answer_is_refused_and_nothing_changes(ctx, client):
    workshop = workshop_with_host()
    invitation = invite(workshop)
    rsvp.respond(invitation, "accept")
    answered_at = invitation.responded_at
    close(workshop)

    _response, text = page(client, invitation)
    assert "Đã hết hạn xác nhận tham dự" in text
    assert "Tôi sẽ tham dự" not in text and "Đổi câu trả lời" not in text
    assert "Ông/Bà đã xác nhận: Tham dự." in text and "<svg" in text  # the pass stays

    late = client.post(f"/i/{invitation.token}", data={"response": "decline"})
    assert late.status_code == 409
    assert "Đã hết hạn xác nhận tham dự" in late.get_data(as_text=True)
    db.session.refresh(invitation)
    assert invitation.status == "accepted" and invitation.responded_at == answered_at


def test_respond_service_rules(ctx):
    workshop = workshop_with_host(rsvp_deadline=None)
    invitation = invite(workshop)
    # Without an RSVP deadline, answers may change until the workshop starts.
    assert rsvp.answer_deadline(workshop) == workshop.starts_at
    rsvp.respond(invitation, "delegate", "  Vũ Văn Phó ", "", None,
                 now=workshop.starts_at - timedelta(minutes=1))
    assert (invitation.delegate_name, invitation.delegate_title) == ("Vũ Văn Phó", None)

    with pytest.raises(services.AnswerClosed) as closed:
        rsvp.respond(invitation, "decline", now=workshop.starts_at + timedelta(minutes=1))
    assert "Đã hết hạn xác nhận tham dự (08:00 Thứ Hai, 12/08/2030)" in closed.value.message
    with pytest.raises(services.InvitationError) as nameless:
        rsvp.respond(invitation, "delegate", "   ", delegate_phone="12")
    assert set(nameless.value.errors) == {"delegate_name", "delegate_phone"}
    with pytest.raises(services.InvitationError):
        rsvp.respond(invitation, "maybe")
    db.session.refresh(invitation)
    assert invitation.status == "delegated" and invitation.delegate_name == "Vũ Văn Phó"


def test_an_unknown_link_is_a_plain_404(ctx, client):
    invite(workshop_with_host())
    for url in ("/i/khong-dung", "/i/" + "x" * 43, "/i/khong-dung/pass.png"):
        response = client.get(url)
        text = response.get_data(as_text=True)
        assert response.status_code == 404
        assert "Đường link giấy mời không đúng hoặc không còn hiệu lực" in text
        assert "Traceback" not in text
        assert response.headers["Referrer-Policy"] == "no-referrer"
    assert client.post("/i/khong-dung", data={"response": "accept"}).status_code == 404


def test_a_token_never_shows_someone_elses_invitation(ctx, client):
    workshop = workshop_with_host()
    mine = invite(workshop, "Trần Văn Bình")
    theirs = invite(workshop, "Lê Thị Hoa")
    rsvp.respond(theirs, "delegate", "Người Dự Thay Bí Mật")

    _response, text = page(client, mine)
    assert "Trần Văn Bình" in text
    assert "Lê Thị Hoa" not in text and "Người Dự Thay Bí Mật" not in text
    assert theirs.pass_token not in text and theirs.short_code not in text
    # Answering through my link changes only my invitation.
    client.post(f"/i/{mine.token}", data={"response": "decline"})
    db.session.refresh(theirs)
    assert theirs.status == "delegated"


def test_html_in_names_is_escaped_on_the_personal_page(ctx, client):
    host = factories.make_organization("<b>Sở</b> KH&CN")
    workshop = factories.make_workshop(title="<i>Hội thảo</i>", venue="<u>Hội trường</u>",
                                       host_organization=host)
    invitation = inviting.invite_person(workshop, "<script>alert(1)</script>",
                                        organization_id=factories.make_organization("<em>Sở</em>").id)
    rsvp.respond(invitation, "delegate", "<img src=x onerror=alert(2)>", "<s>Phó</s>")

    _response, text = page(client, invitation)

    for raw in ("<script>alert(1)</script>", "<img src=x", "<b>Sở</b>", "<i>Hội thảo</i>",
                "<u>Hội trường</u>", "<em>Sở</em>", "<s>Phó</s>"):
        assert raw not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(2)&gt;" in text


def test_the_personal_page_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    with app.app_context():
        invitation = invite(workshop_with_host())
        token = invitation.token
    # CONTRACT.md: at least 120 calls a minute per token.
    statuses = [client.get(f"/i/{token}").status_code for _n in range(121)]
    assert statuses[:120] == [200] * 120
    assert statuses[120] == 429
    refused = client.get(f"/i/{token}")
    assert "Traceback" not in refused.get_data(as_text=True)
    assert refused.headers["Referrer-Policy"] == "no-referrer"

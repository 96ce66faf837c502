"""The deputy on the pages: the organizer's decision on the invitations page, the invitee's
personal page, the deputy's own pass image."""
import html
import json
import re

from tests import factories
from workshop.extensions import db
from workshop.invitations import rsvp
from workshop.models import AuditEntry, DeputyNomination


def pending(**workshop_fields):
    workshop = factories.make_workshop(deputy_approval=True, **workshop_fields)
    invitation = factories.make_invitee(workshop, "Trần Văn Bình", status="sent")
    rsvp.respond(invitation, "delegate", "Lê Thị Hoa", "Phó Giám đốc Sở", "0912 345 678")
    return invitation


def decide_url(invitation):
    return f"/workshops/{invitation.workshop.code}/invitations/{invitation.id}/deputy"


def test_organizer_approves_on_the_invitations_page(ctx, client_as):
    invitation = pending()
    organizer = client_as("organizer")
    page = organizer.get(f"/workshops/{invitation.workshop.code}/invitations").get_data(as_text=True)
    assert "Chờ Ban tổ chức duyệt" in page and "Duyệt người dự thay" in page
    old_pass = invitation.pass_token

    done = organizer.post(decide_url(invitation), data={"decision": "approve"})

    assert done.status_code == 302
    db.session.refresh(invitation)
    assert invitation.deputy_state == "approved" and invitation.pass_token != old_pass
    assert "invitations.approve_deputy" in db.session.scalars(db.select(AuditEntry.action)).all()
    page = organizer.get(f"/workshops/{invitation.workshop.code}/invitations").get_data(as_text=True)
    assert "Đã được duyệt" in page and "Duyệt người dự thay" not in page


def row_of(page, invitation):
    return re.search(rf'<tr id="invitation-{invitation.id}">(.*?)</tr>', page, re.S).group(1)


def test_after_approval_the_row_copies_the_deputys_pass_and_confirms_in_the_row(ctx, client_as):
    invitation = pending()
    organizer = client_as("organizer")
    list_url = f"/workshops/{invitation.workshop.code}/invitations"
    before = row_of(organizer.get(list_url).get_data(as_text=True), invitation)
    assert f"/i/{invitation.token}" in html.unescape(before)  # the invitee's message, until then

    done = organizer.post(decide_url(invitation), data={"decision": "approve"})
    assert done.headers["Location"].endswith(f"decided={invitation.id}#invitation-{invitation.id}")
    page = organizer.get(done.headers["Location"]).get_data(as_text=True)
    db.session.refresh(invitation)
    row = html.unescape(row_of(page, invitation))
    share = re.search(r'<textarea id="share-\d+"[^>]*>(.*?)</textarea>', row, re.S).group(1)
    assert share.startswith("Kính gửi ông/bà Lê Thị Hoa")
    assert f"/pass/{invitation.pass_token}" in share and f"/i/{invitation.token}" not in share
    assert "Sao chép tin nhắn Zalo/SMS cho người dự thay" in row
    # The confirmation sits in the row the page scrolls to, not at the top out of sight.
    assert 'class="flash flash-success row-flash" role="status">Đã duyệt người dự thay.' in row
    assert page.count("Đã duyệt người dự thay.") == 1
    # Without a decision just made, messages stay at the top as on every page.
    again = organizer.get(list_url).get_data(as_text=True)
    assert "row-flash" not in again


def test_refusal_on_the_page_needs_a_reason_and_staff_cannot_decide(ctx, client_as):
    invitation = pending()
    assert client_as("staff").post(decide_url(invitation),
                                   data={"decision": "approve"}).status_code == 403
    organizer = client_as("organizer")

    without = organizer.post(decide_url(invitation), data={"decision": "refuse"},
                             follow_redirects=True)
    assert "Vui lòng nêu lý do" in without.get_data(as_text=True)
    db.session.refresh(invitation)
    assert invitation.deputy_state == "pending"

    organizer.post(decide_url(invitation), data={"decision": "refuse",
                                                 "reason": "Đề nghị lãnh đạo Sở trực tiếp dự."})
    db.session.refresh(invitation)
    assert invitation.deputy_state == "refused"
    nomination = db.session.scalars(db.select(DeputyNomination)).one()
    assert nomination.reason == "Đề nghị lãnh đạo Sở trực tiếp dự."
    assert "invitations.refuse_deputy" in db.session.scalars(db.select(AuditEntry.action)).all()


def test_personal_page_tells_pending_and_gives_the_approved_deputy_their_pass(ctx, client):
    invitation = pending()
    page = client.get(f"/i/{invitation.token}").get_data(as_text=True)
    assert "Ban tổ chức đang xem xét người dự thay" in page
    assert "Người dự thay chưa được Ban tổ chức duyệt." in page
    # Nothing to save for the deputy yet: the pass shown is replaced on approval.
    assert "thẻ này khi đó không còn dùng được" in page
    assert "Lưu ảnh" not in page
    # No pass of the deputy's own before approval.
    assert client.get(f"/pass/{invitation.pass_token}.png").status_code == 404

    from workshop.invitations import deputies
    deputies.decide(invitation, True, actor=factories.make_user("organizer"))

    page = client.get(f"/i/{invitation.token}").get_data(as_text=True)
    assert "Ban tổ chức đang xem xét" not in page
    assert "Lưu ảnh" in page
    assert "Kính gửi ông/bà Lê Thị Hoa" in page
    # The text to send links the deputy's own pass page: the pass as the personal page shows
    # it, and nothing else of the invitee's page.
    assert f"/pass/{invitation.pass_token}</textarea>" in page
    own = client.get(f"/pass/{invitation.pass_token}")
    assert own.status_code == 200 and own.headers["Referrer-Policy"] == "no-referrer"
    own_page = own.get_data(as_text=True)
    assert 'class="pass-name">Lê Thị Hoa<' in own_page
    assert "Dự thay ông/bà Trần Văn Bình" in own_page and "<svg" in own_page
    assert invitation.token not in own_page  # the invitee's link stays the invitee's
    assert "Đổi câu trả lời" not in own_page and "Đặt câu hỏi" not in own_page
    assert 'class="pass-code"' not in own_page  # the letter's short code stays the invitee's
    assert f"/pass/{invitation.pass_token}.png" in own_page  # "Lưu ảnh"
    image = client.get(f"/pass/{invitation.pass_token}.png")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data.startswith(b"\x89PNG")
    history = db.session.scalars(db.select(DeputyNomination)).one()
    assert client.get(f"/pass/{history.replaced_pass_token}.png").status_code == 404
    assert client.get(f"/pass/{history.replaced_pass_token}").status_code == 404


def test_workshop_form_sets_deputy_approval(ctx, client_as):
    workshop = factories.make_workshop()
    organizer = client_as("organizer")
    page = organizer.get(f"/workshops/{workshop.code}/edit")
    assert "Người dự thay phải được Ban tổ chức duyệt" in page.get_data(as_text=True)
    form = {"title": workshop.title, "starts_at": "2030-08-12T08:00", "venue": workshop.venue}

    assert organizer.post(f"/workshops/{workshop.code}/edit",
                          data={**form, "deputy_approval": "y"}).status_code == 302
    db.session.refresh(workshop)
    assert workshop.deputy_approval is True
    organizer.post(f"/workshops/{workshop.code}/edit", data=form)  # unticked
    db.session.refresh(workshop)
    assert workshop.deputy_approval is False


def test_scanner_page_carries_the_amber_words_for_a_replaced_pass(ctx, client_as):
    workshop = factories.make_workshop()
    page = client_as("staff").get(f"/workshops/{workshop.code}/scan/").get_data(as_text=True)
    words = json.loads(html.unescape(re.search(r"data-messages='([^']*)'", page).group(1)))
    assert words["replaced"] == "Giấy mời đã chuyển cho người dự thay: {name}"


def test_organizer_reads_the_history_of_deputies_on_the_invitation(ctx, client_as):
    invitation = pending()
    organizer = factories.make_user("organizer", name="Nguyễn Quyết Định")
    from workshop.invitations import deputies
    deputies.decide(invitation, False, "Cần cấp lãnh đạo Sở.", actor=organizer)
    rsvp.respond(invitation, "delegate", "Phạm Quốc Hùng", "Giám đốc Sở", None)

    page = client_as("organizer").get(
        f"/workshops/{invitation.workshop.code}/invitations/{invitation.id}").get_data(as_text=True)

    history = page[page.index("Người dự thay đã được cử"):]
    assert history.index("Lê Thị Hoa") < history.index("Phạm Quốc Hùng")
    assert "Không được chấp thuận" in history and "Cần cấp lãnh đạo Sở." in history
    assert "Nguyễn Quyết Định" in history and "Chờ Ban tổ chức duyệt" in history

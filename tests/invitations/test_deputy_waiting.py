"""The organizer learns that deputies wait for a decision: the dashboard and the invitations page
count them and lead to the list of those only, where each is approved or refused."""
from tests import factories
from workshop.extensions import db
from workshop.invitations import deputies, rsvp

NOTICE = "Người dự thay chờ Ban tổ chức duyệt: %d"


def hall():
    workshop = factories.make_workshop(deputy_approval=True)
    waiting = factories.make_invitee(workshop, "Trần Văn Bình", status="sent")
    rsvp.respond(waiting, "delegate", "Lê Thị Hoa", "Phó Giám đốc Sở", "0912 345 678")
    coming = factories.make_invitee(workshop, "Nguyễn Thị Đến", status="accepted")
    return workshop, waiting, coming


def test_the_dashboard_counts_the_deputies_waiting_and_links_to_them(ctx, client_as, users):
    workshop, waiting, _coming = hall()
    list_url = f"/workshops/{workshop.code}/invitations?deputy=pending#invitation-list"
    page = client_as("organizer").get(f"/workshops/{workshop.code}/").get_data(as_text=True)
    assert NOTICE % 1 in page
    assert f'href="{list_url}">Xem và duyệt</a>' in page
    staff_page = client_as("staff").get(f"/workshops/{workshop.code}/").get_data(as_text=True)
    assert f'href="{list_url}">Xem</a>' in staff_page  # staff see them, the organizer decides

    deputies.decide(waiting, True, actor=users["organizer"])
    page = client_as("organizer").get(f"/workshops/{workshop.code}/").get_data(as_text=True)
    assert "Người dự thay chờ Ban tổ chức duyệt" not in page


def test_the_invitations_page_shows_the_waiting_deputies_only_when_asked(ctx, client_as):
    workshop, waiting, coming = hall()
    organizer = client_as("organizer")
    everyone = organizer.get(f"/workshops/{workshop.code}/invitations").get_data(as_text=True)
    assert NOTICE % 1 in everyone and coming.name in everyone

    only = organizer.get(f"/workshops/{workshop.code}/invitations?deputy=pending")
    body = only.get_data(as_text=True)
    assert only.status_code == 200
    assert "Chỉ hiện người dự thay chờ Ban tổ chức duyệt." in body
    assert waiting.name in body and "Duyệt người dự thay" in body
    assert coming.name not in body
    assert NOTICE % 1 not in body  # the call to act is not repeated on the list it leads to
    assert 'name="deputy" value="pending"' in body  # the search keeps to them
    assert "Bỏ lọc" in body


def test_each_cell_of_the_list_is_labelled_for_the_phone_cards(ctx, client_as):
    """On a phone the table is a card per invitation: each cell says what it holds."""
    workshop, waiting, _coming = hall()
    db.session.expire_all()
    body = client_as("organizer").get(f"/workshops/{workshop.code}/invitations").get_data(as_text=True)
    row = body[body.index(f'id="invitation-{waiting.id}"'):]
    row = row[:row.index("</tr>")]
    for label in ("Số", "Cơ quan, đơn vị", "Người được mời", "Trạng thái", "E-mail gần nhất",
                  "Người dự thay"):
        assert f'data-label="{label}"' in row, label


def test_a_refused_deputy_gets_no_pass_on_the_invitees_page(ctx, client, users):
    """Refused, the deputy is not coming: the page gives the reason and no pass in their name
    (a pass with a seat would say they are expected); answering again brings the pass back."""
    workshop, waiting, _coming = hall()
    deputies.decide(waiting, False, "Đề nghị lãnh đạo Sở trực tiếp dự.", actor=users["organizer"])
    body = client.get(f"/i/{waiting.token}").get_data(as_text=True)
    assert "Ban tổ chức không chấp thuận người dự thay." in body
    assert "Đề nghị lãnh đạo Sở trực tiếp dự." in body
    assert 'id="pass"' not in body and "Lê Thị Hoa</p>" not in body
    assert "answer-deputy-refused" in body  # not the green of an answer that stands

    rsvp.respond(waiting, "accept")
    body = client.get(f"/i/{waiting.token}").get_data(as_text=True)
    assert 'id="pass"' in body and '<p class="pass-name">Trần Văn Bình</p>' in body


def test_a_pending_deputy_is_shown_waiting_not_as_settled(ctx, client):
    _workshop, waiting, _coming = hall()
    body = client.get(f"/i/{waiting.token}").get_data(as_text=True)
    assert "answer-deputy-pending" in body
    assert "Ban tổ chức đang xem xét người dự thay" in body

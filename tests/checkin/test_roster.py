"""The door's roster for offline scans: one entry per pass, by a hash of its token, with what
the pass shows and the seat; never a token."""
import hashlib
import json

from tests import factories
from workshop.seating import services as seating


def test_the_roster_names_each_pass_by_hash_with_its_seat_and_no_token(ctx, client, api_headers):
    workshop = factories.make_letter_workshop()
    district = factories.make_organization("UBND huyện Đại Từ", kind="district")
    deputy = factories.make_invitee(workshop, "Hà Văn Sơn", organization=district, status="delegated",
                                    delegate_name="Lương Thị Thuỷ", delegate_title="Trưởng phòng Nội vụ")
    plain = factories.make_invitee(workshop, "Vũ Thị Giang", title="Giám đốc Sở")
    elsewhere = factories.make_invitee(factories.make_workshop(), "Người Hội Thảo Khác")
    seating.set_seat(workshop, deputy.id, 2, 5)
    response = client.get(f"/api/v1/workshops/{workshop.code}/roster", headers=api_headers("staff"))
    assert response.status_code == 200, response.json
    body = response.json
    by_hash = {entry["h"]: entry for entry in body["entries"]}
    assert set(by_hash) == {hashlib.sha256(person.pass_token.encode()).hexdigest()[:32]
                            for person in (deputy, plain)}
    assert by_hash[hashlib.sha256(deputy.pass_token.encode()).hexdigest()[:32]] == {
        "h": hashlib.sha256(deputy.pass_token.encode()).hexdigest()[:32], "name": "Lương Thị Thuỷ",
        "title": "Trưởng phòng Nội vụ", "organization": "UBND huyện Đại Từ", "delegate_for": "Hà Văn Sơn",
        "seat": "Hàng 2, ghế 5"}
    assert body["revoked"] == []
    text = json.dumps(body, ensure_ascii=False)
    for person in (deputy, plain, elsewhere):
        assert person.pass_token not in text and person.token not in text and person.short_code not in text
    assert "Người Hội Thảo Khác" not in text
    assert "@" not in text  # no e-mail, no phone
    assert client.get(f"/api/v1/workshops/{workshop.code}/roster",
                      headers=factories.attendee_headers(workshop)).status_code == 401
    assert client.get("/api/v1/workshops/khong-co/roster", headers=api_headers("staff")).status_code == 404


def test_the_scanner_page_gives_the_roster_address(ctx, client_as):
    workshop = factories.make_workshop()
    page = client_as("staff").get(f"/workshops/{workshop.code}/scan/").get_data(as_text=True)
    assert f'data-roster-url="/api/v1/workshops/{workshop.code}/roster"' in page
    assert f'data-roster-key="checkin-roster:{workshop.code}"' in page


def test_the_roster_answers_304_while_nothing_changed(ctx, client, api_headers):
    workshop = factories.make_workshop()
    person = factories.make_invitee(workshop, "Vũ Thị Giang")
    url = f"/api/v1/workshops/{workshop.code}/roster"
    headers = api_headers("staff")
    first = client.get(url, headers=headers)
    etag = first.headers["ETag"]
    again = client.get(url, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    seating.set_seat(workshop, person.id, 1, 1)
    changed = client.get(url, headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.json["entries"][0]["seat"] == "Hàng 1, ghế 1"
    assert changed.headers["ETag"] != etag

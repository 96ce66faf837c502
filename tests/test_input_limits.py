"""Values the database could never hold are refused clearly, on SQLite and PostgreSQL alike."""
from sqlalchemy import func, select

from tests import factories
from tests.factories import attendee_headers
from workshop.extensions import db
from workshop.models import Question

BIG = 2**63


def test_an_id_past_any_row_is_not_found_in_a_path(ctx, client, api_headers):
    workshop = factories.make_workshop()
    assert client.post(f"/api/v1/questions/{BIG}/vote", headers=attendee_headers(workshop)).status_code == 404
    assert client.patch(f"/api/v1/questions/{BIG}", headers=api_headers("chair"),
                        json={"status": "hidden"}).status_code == 404


def test_a_huge_number_in_json_is_a_422_naming_the_field(ctx, client):
    workshop = factories.make_workshop()
    response = client.post(f"/api/v1/workshops/{workshop.code}/questions",
                           headers=attendee_headers(workshop), json={"session_id": BIG, "text": "x"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"][0]["field"] == "session_id"


def test_a_huge_id_typed_as_text_changes_nothing(ctx, client):
    workshop = factories.make_workshop()
    response = client.post(f"/api/v1/workshops/{workshop.code}/questions",
                           headers=attendee_headers(workshop), json={"session_id": str(BIG), "text": "x"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_a_nul_character_is_refused_in_json_and_in_forms(ctx, client, api_headers):
    workshop = factories.make_workshop()
    response = client.post(f"/api/v1/workshops/{workshop.code}/checkins",
                           headers=api_headers("staff"), json={"token": "abc\x00def"})
    assert response.status_code == 422
    response = client.post(f"/api/v1/workshops/{workshop.code}/questions",
                           headers=attendee_headers(workshop),
                           json={"session_id": workshop.sessions[0].id, "text": "a\x00b"})
    assert response.status_code == 422
    page = client.post("/login", data={"email": "a\x00@b.vn", "password": "x"})
    assert page.status_code == 400
    assert "ký tự không hợp lệ" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0
    # In a query string too, of a page or of a call.
    assert client.get("/login?next=%00").status_code == 400
    response = client.get(f"/api/v1/workshops/{workshop.code}/attendance?x=a%00",
                          headers=api_headers("staff"))
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"

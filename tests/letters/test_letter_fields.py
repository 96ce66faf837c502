"""The giấy mời's fields of a workshop (register number, contact, contribution deadline, the
earlier edition) through the API and the pages, and how each invitee is addressed."""
import io

from tests import factories
from tests.api.test_api_workshops import BODY, problems
from workshop.extensions import db
from workshop.models import Invitation, Organization, Workshop

LETTER = {"letter_number": "125/GM-SKHCN", "contact_name": "Bà Lê Thu Hà, Văn phòng Sở",
          "contact_phone": "0208 3850 014", "contribution_deadline": "2030-08-05T17:00"}


def test_post_and_get_carry_the_letter_fields(client, api_headers):
    headers = api_headers("organizer")
    created = client.post("/api/v1/workshops", json={**BODY, **LETTER}, headers=headers)
    assert created.status_code == 201
    body = client.get(f"/api/v1/workshops/{created.get_json()['code']}", headers=headers).get_json()
    assert {key: body[key] for key in ("letter_number", "contact_name", "contact_phone")} == {
        key: LETTER[key] for key in ("letter_number", "contact_name", "contact_phone")}
    assert body["contribution_deadline"] == "2030-08-05T17:00:00+07:00"
    assert body["previous_code"] is None


def test_patch_changes_only_what_it_names(client, api_headers):
    headers = api_headers("organizer")
    code = client.post("/api/v1/workshops", json={**BODY, **LETTER}, headers=headers).get_json()["code"]
    response = client.patch(f"/api/v1/workshops/{code}", json={"letter_number": "126/GM-SKHCN",
                                                               "contact_phone": None},
                            headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert body["letter_number"] == "126/GM-SKHCN" and body["contact_phone"] is None
    assert body["title"] == BODY["title"] and body["contact_name"] == LETTER["contact_name"]
    assert body["starts_at"] == "2030-08-12T08:00:00+07:00"
    assert body["contribution_deadline"] == "2030-08-05T17:00:00+07:00"
    assert db.session.scalar(db.select(Workshop.letter_number).where(Workshop.code == code)) == \
        "126/GM-SKHCN"


def test_patch_refuses_bad_values_and_changes_nothing(client, api_headers):
    headers = api_headers("organizer")
    code = client.post("/api/v1/workshops", json={**BODY, **LETTER}, headers=headers).get_json()["code"]
    for body, field in (({"title": None}, "title"), ({"code": "khac-2030"}, "code"),
                        ({"letter_number": "số một"}, "letter_number"),
                        ({"contact_phone": "abc"}, "contact_phone"),
                        ({"previous_code": "khong-co"}, "previous_code"),
                        ({"previous_code": code}, "previous_code"),
                        ({"contribution_deadline": "2030-09-01T08:00"}, "contribution_deadline")):
        assert field in problems(client.patch(f"/api/v1/workshops/{code}", json=body,
                                              headers=headers)), body
    assert client.get(f"/api/v1/workshops/{code}", headers=headers).get_json()["letter_number"] == \
        "125/GM-SKHCN"
    assert client.patch("/api/v1/workshops/nope", json={}, headers=headers).status_code == 404
    assert client.patch(f"/api/v1/workshops/{code}", json={"title": "x"},
                        headers=api_headers("chair")).status_code == 403


def test_previous_code_names_an_existing_workshop(client, api_headers):
    headers = api_headers("organizer")
    earlier = factories.make_workshop(code="iso9001-2014")
    response = client.post("/api/v1/workshops", json={**BODY, "previous_code": earlier.code},
                           headers=headers)
    assert response.status_code == 201 and response.get_json()["previous_code"] == "iso9001-2014"
    assert "previous_code" in problems(client.post(
        "/api/v1/workshops", json={**BODY, "previous_code": "iso9001-1999"}, headers=headers))


def test_a_typed_so_prefix_is_not_doubled(client, api_headers):
    response = client.post("/api/v1/workshops", json={**BODY, "letter_number": "Số: 125/GM-SKHCN"},
                           headers=api_headers("organizer"))
    assert response.get_json()["letter_number"] == "125/GM-SKHCN"


def test_the_workshop_page_edits_the_letter_fields(client_as, ctx):
    workshop = factories.make_letter_workshop()
    client = client_as("organizer")
    page = client.get(f"/workshops/{workshop.code}/edit").get_data(as_text=True)
    for name in ("letter_number", "contact_name", "contact_phone", "contribution_deadline",
                 "previous_code"):
        assert f'name="{name}"' in page, name
    response = client.post(f"/workshops/{workshop.code}/edit", data={
        "title": workshop.title, "starts_at": "2030-08-12T08:00", "venue": workshop.venue,
        "letter_number": "125/GM-SKHCN", "contact_name": "Bà Lê Thu Hà",
        "contact_phone": "0208 3850 014"})
    assert response.status_code == 302
    db.session.refresh(workshop)
    assert (workshop.letter_number, workshop.contact_phone) == ("125/GM-SKHCN", "0208 3850 014")


def test_invitation_salutation_from_the_api(client, api_headers, ctx):
    workshop = factories.make_letter_workshop()
    headers = api_headers("organizer")
    url = f"/api/v1/workshops/{workshop.code}/invitations"
    response = client.post(url, json={"name": "Vũ Thị Giang", "salutation": "Bà"}, headers=headers)
    assert response.status_code == 201
    assert db.session.get(Invitation, response.get_json()["id"]).salutation == "Bà"
    for wrong in ("Ông/Bà", "Mr", "ông bà"):
        assert "salutation" in problems(client.post(url, json={"name": "X", "salutation": wrong},
                                                    headers=headers))
    listed = client.get(url, headers=headers).get_json()["items"]
    assert [item["salutation"] for item in listed] == ["Bà"]


def test_the_directory_gives_the_leaders_salutation(client, api_headers, ctx):
    workshop = factories.make_letter_workshop()
    agency = factories.make_organization("Sở Công Thương", leader_name="Vũ Thị Giang",
                                         leader_title="Giám đốc Sở", leader_salutation="Bà")
    url = f"/api/v1/workshops/{workshop.code}/invitations"
    headers = api_headers("organizer")
    leader = client.post(url, json={"name": "Vũ Thị Giang", "organization_id": agency.id},
                         headers=headers).get_json()
    other = client.post(url, json={"name": "Trần Văn Bình", "organization_id": agency.id},
                        headers=headers).get_json()
    assert db.session.get(Invitation, leader["id"]).salutation == "Bà"
    assert db.session.get(Invitation, other["id"]).salutation is None  # by position


def test_the_directory_imports_an_optional_salutation_column(client, api_headers, ctx):
    csv = ("code,name,kind,leader_name,leader_title,leader_salutation\n"
           "SCT,Sở Công Thương,department,Vũ Thị Giang,Giám đốc Sở,bà\n"
           "STP,Sở Tư pháp,department,Lê Văn Cường,Giám đốc Sở,\n").encode()
    headers = api_headers("organizer")
    response = client.post("/api/v1/organizations/import", headers=headers,
                           data={"file": (io.BytesIO(csv), "danh-ba.csv")})
    assert response.status_code == 200, response.get_json()
    salutations = dict(db.session.execute(
        db.select(Organization.code, Organization.leader_salutation)).all())
    assert salutations["SCT"] == "Bà" and salutations["STP"] is None
    bad = csv.replace(",bà\n".encode(), ",Cô\n".encode())
    response = client.post("/api/v1/organizations/import", headers=headers,
                           data={"file": (io.BytesIO(bad), "danh-ba.csv")})
    assert response.status_code == 422
    assert response.get_json()["error"]["rows"][0]["field"] == "leader_salutation"

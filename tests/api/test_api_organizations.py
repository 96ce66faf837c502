"""POST and GET /api/v1/organizations (CONTRACT.md); the import row is in test_directory_import."""
from __future__ import annotations

from sqlalchemy import func, select

from tests import factories
from workshop.extensions import db
from workshop.models import Organization


def organization_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Organization))


def test_organizer_adds_an_agency(client, api_headers):
    parent = factories.make_organization("Sở Y tế", code="SYT")
    response = client.post("/api/v1/organizations", headers=api_headers("organizer"), json={
        "name": "Chi cục An toàn vệ sinh thực phẩm", "kind": "subdepartment", "parent_id": parent.id,
        "email": "cc-atvstp@example.org", "phone": "0208 3856 007", "address": "Phường Phan Đình Phùng",
    })
    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] > parent.id
    assert body["name"] == "Chi cục An toàn vệ sinh thực phẩm"
    assert body["kind"] == "subdepartment"
    assert body["parent_id"] == parent.id
    assert body["email"] == "cc-atvstp@example.org"
    assert body["address"] == "Phường Phan Đình Phùng"
    assert body["code"] == f"CQ-{body['id']}"
    assert db.session.get(Organization, body["id"]).parent.code == "SYT"


def test_bad_input_lists_every_field_and_adds_nothing(client, api_headers):
    response = client.post("/api/v1/organizations", headers=api_headers("organizer"), json={
        "kind": "huyen", "email": "khong-phai-email", "parent_id": 4242, "phone": "0" * 65,
    })
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert {f["field"] for f in error["fields"]} == {"name", "kind", "email", "parent_id", "phone"}
    assert "Cơ quan cấp trên không có trong danh bạ." in {f["message"] for f in error["fields"]}

    not_a_number = client.post("/api/v1/organizations", headers=api_headers("organizer"),
                               json={"name": "Sở Y tế", "kind": "department", "parent_id": "abc"})
    assert not_a_number.status_code == 422
    assert not_a_number.get_json()["error"]["fields"] == [
        {"field": "parent_id", "message": "Cơ quan cấp trên không hợp lệ."}]
    assert organization_count() == 0


def test_only_organizers_add_agencies(client, api_headers):
    body = {"name": "Sở Y tế", "kind": "department"}
    refused = client.post("/api/v1/organizations", headers=api_headers("staff"), json=body)
    assert refused.status_code == 403
    # In the office's register, addressing nobody as "bạn".
    assert refused.get_json()["error"]["message"] == "Tài khoản không có quyền thực hiện thao tác này."
    assert client.post("/api/v1/organizations", headers=api_headers("chair"), json=body).status_code == 403
    assert client.post("/api/v1/organizations", json=body).status_code == 401
    assert client.get("/api/v1/organizations").status_code == 401
    assert organization_count() == 0


def test_search_ignores_vietnamese_accents(client, api_headers):
    factories.make_organization("UBND huyện Phổ Yên", kind="district")
    factories.make_organization("UBND huyện Đồng Hỷ", kind="district")
    factories.make_organization("Sở Y tế")
    headers = api_headers("staff")

    def names(query: str) -> list[str]:
        response = client.get("/api/v1/organizations", headers=headers, query_string={"q": query})
        assert response.status_code == 200
        return [item["name"] for item in response.get_json()["items"]]

    assert names("pho yen") == ["UBND huyện Phổ Yên"]
    assert names("DONG HY") == ["UBND huyện Đồng Hỷ"]
    assert sorted(names("ubnd huyen")) == ["UBND huyện Phổ Yên", "UBND huyện Đồng Hỷ"]
    assert names("100%") == []
    listing = client.get("/api/v1/organizations?kind=department&limit=1", headers=headers).get_json()
    assert listing["total"] == 1
    assert listing["items"][0]["name"] == "Sở Y tế"


def test_openapi_describes_the_directory_rows(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    body = paths["/api/v1/organizations"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert set(body["required"]) == {"name", "kind"}
    assert body["properties"]["kind"]["enum"] == [
        "department", "district", "subdepartment", "provincial_agency", "other"]
    assert body["properties"]["parent_id"]["type"] == "integer"
    assert body["properties"]["email"]["format"] == "email"
    assert "multipart" in paths["/api/v1/organizations/import"]["post"]["description"]

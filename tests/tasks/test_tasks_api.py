"""The API rows of follow-up tasks (CONTRACT.md "Follow-up tasks"): who may make and list them,
what a task link may do, and the input refused with nothing changed."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from workshop.extensions import db
from workshop.models import Task, TaskReport, hash_token
from workshop.tasks import services

TOMORROW = (date.today() + timedelta(days=2)).isoformat()


@pytest.fixture
def world(ctx):
    workshop = factories.make_workshop()
    other_workshop = factories.make_workshop()
    agency = factories.make_organization("Sở Nội vụ")
    neighbour = factories.make_organization("Sở Tư pháp")
    return {"workshop": workshop, "other_workshop": other_workshop,
            "agency": agency, "neighbour": neighbour}


def body(world, **changes):
    return {"text": "Rà soát, cập nhật hệ thống quản lý chất lượng theo TCVN ISO 9001:2008.",
            "organization_id": world["agency"].id, "due_on": TOMORROW, **changes}


def make(world, organization="agency", workshop="workshop", text="Nhiệm vụ thử nghiệm"):
    return services.create_task(world[workshop], text, world[organization].id,
                                date.today() + timedelta(days=30))


def fields_of(response) -> dict[str, str]:
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    return {problem["field"]: problem["message"] for problem in error["fields"]}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_chair_creates_a_task_and_only_the_hash_of_its_link_is_kept(client, api_headers, world):
    response = client.post(f"/api/v1/workshops/{world['workshop'].code}/tasks",
                           json=body(world), headers=api_headers("chair"))
    assert response.status_code == 201
    answer = response.get_json()
    assert answer["status"] == "open"
    assert answer["url"].endswith(f"/t/{answer['token']}") and len(answer["token"]) >= 40
    stored = db.session.get(Task, answer["id"])
    assert stored.token_hash == hash_token(answer["token"])
    assert answer["token"] not in repr(factories.database_snapshot())


def test_organizer_creates_staff_cannot_and_nobody_without_credentials(client, api_headers, world):
    url = f"/api/v1/workshops/{world['workshop'].code}/tasks"
    assert client.post(url, json=body(world), headers=api_headers("organizer")).status_code == 201
    assert client.post(url, json=body(world), headers=api_headers("staff")).status_code == 403
    assert client.post(url, json=body(world)).status_code == 401
    assert count(Task) == 1


@pytest.mark.parametrize("changes,field", [
    ({"text": ""}, "text"),
    ({"text": "   \u200b "}, "text"),
    ({"text": "Nhiệm vụ\x07 có ký tự chuông"}, "text"),
    ({"due_on": "2014-08-12"}, "due_on"),
    ({"due_on": (date.today() - timedelta(days=1)).isoformat()}, "due_on"),
    ({"due_on": "ngày mai"}, "due_on"),
    ({"due_on": "2031-02-30"}, "due_on"),
    ({"due_on": None}, "due_on"),
    ({"organization_id": 987654}, "organization_id"),
    ({"organization_id": "Sở Nội vụ"}, "organization_id"),
    ({"organization_id": None}, "organization_id"),
])
def test_bad_input_is_422_naming_the_field_and_changes_nothing(client, api_headers, world,
                                                               changes, field):
    before = factories.database_snapshot(ignore=("api_tokens",))
    response = client.post(f"/api/v1/workshops/{world['workshop'].code}/tasks",
                           json=body(world, **changes), headers=api_headers("chair"))
    problems = fields_of(response)
    assert field in problems and problems[field]
    assert factories.database_snapshot(ignore=("api_tokens",)) == before


def test_staff_list_tasks_with_state_agency_deadline_and_reports(client, api_headers, world):
    task, token = make(world)
    done, _ = make(world, organization="neighbour", text="Nhiệm vụ đã xong")
    services.add_report(done, "Đã hoàn thành việc rà soát.", done=True)
    late, _ = make(world, text="Nhiệm vụ quá hạn")
    late.due_on = date.today() - timedelta(days=3)
    db.session.commit()
    make(world, workshop="other_workshop", text="Nhiệm vụ của hội thảo khác")
    response = client.get(f"/api/v1/workshops/{world['workshop'].code}/tasks",
                          headers=api_headers("staff"))
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["total"] == 3
    by_text = {item["text"]: item for item in answer["items"]}
    assert set(by_text) == {"Nhiệm vụ thử nghiệm", "Nhiệm vụ đã xong", "Nhiệm vụ quá hạn"}
    assert by_text["Nhiệm vụ quá hạn"]["status"] == "overdue"
    assert by_text["Nhiệm vụ thử nghiệm"]["status"] == "open"
    assert by_text["Nhiệm vụ đã xong"]["status"] == "done"
    assert by_text["Nhiệm vụ đã xong"]["reports"][0]["text"] == "Đã hoàn thành việc rà soát."
    assert by_text["Nhiệm vụ thử nghiệm"]["organization"]["name"] == "Sở Nội vụ"
    assert by_text["Nhiệm vụ thử nghiệm"]["due_on"] == task.due_on.isoformat()
    assert "token" not in by_text["Nhiệm vụ thử nghiệm"]
    overdue = client.get(f"/api/v1/workshops/{world['workshop'].code}/tasks?status=overdue",
                         headers=api_headers("staff")).get_json()
    assert [item["text"] for item in overdue["items"]] == ["Nhiệm vụ quá hạn"]
    assert client.get(f"/api/v1/workshops/{world['workshop'].code}/tasks").status_code == 401


def test_a_task_link_reports_then_done_then_409_until_reopened(client, world):
    task, token = make(world)
    headers = {"X-Task-Token": token}
    first = client.post("/api/v1/tasks/reports", json={"text": "Đã hoàn thành 60%."},
                        headers=headers)
    assert first.status_code == 201
    assert first.get_json()["task"]["status"] == "reported"
    done = client.post("/api/v1/tasks/reports", json={"text": "Đã xong.", "done": True},
                       headers=headers)
    assert done.status_code == 201 and done.get_json()["task"]["status"] == "done"
    again = client.post("/api/v1/tasks/reports", json={"text": "Bổ sung."}, headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "task_done"
    assert count(TaskReport) == 2
    services.reopen(db.session.get(Task, task.id))
    assert client.post("/api/v1/tasks/reports", json={"text": "Bổ sung số liệu."},
                       headers=headers).status_code == 201
    texts = [report.text for report in db.session.get(Task, task.id).reports]
    assert texts == ["Đã hoàn thành 60%.", "Đã xong.", "Bổ sung số liệu."]


def test_a_task_link_acts_on_its_own_task_only(client, world):
    mine, token = make(world)
    theirs, _ = make(world, organization="neighbour")
    client.post("/api/v1/tasks/reports", json={"text": "Báo cáo của Sở Nội vụ."},
                headers={"X-Task-Token": token})
    db.session.expire_all()
    assert [r.text for r in db.session.get(Task, mine.id).reports] == ["Báo cáo của Sở Nội vụ."]
    assert db.session.get(Task, theirs.id).reports == []
    assert db.session.get(Task, theirs.id).status == "open"


@pytest.mark.parametrize("headers", [{}, {"X-Task-Token": "sai-ma-nhiem-vu"},
                                     {"X-Task-Token": ""}])
def test_a_wrong_or_missing_task_token_is_401(client, world, headers, api_headers):
    make(world)
    response = client.post("/api/v1/tasks/reports", json={"text": "Báo cáo."}, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_task_token"
    # a staff credential is no task link either
    assert client.post("/api/v1/tasks/reports", json={"text": "Báo cáo."},
                       headers=api_headers("organizer")).status_code == 401
    assert count(TaskReport) == 0


@pytest.mark.parametrize("payload,field", [
    ({"text": ""}, "text"), ({"text": "a\x00b"}, "text"), ({"text": "Báo\x1b cáo"}, "text"),
    ({"text": "Báo cáo", "done": "yes"}, "done"), ({"text": "Báo cáo", "done": 1}, "done"),
])
def test_a_bad_report_is_422_and_changes_nothing(client, world, payload, field):
    task, token = make(world)
    before = factories.database_snapshot()
    response = client.post("/api/v1/tasks/reports", json=payload, headers={"X-Task-Token": token})
    assert field in fields_of(response)
    assert factories.database_snapshot() == before


def test_task_calls_are_limited_per_link_not_per_address(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        workshop = factories.make_workshop()
        agency = factories.make_organization()
        _, token = services.create_task(workshop, "Nhiệm vụ", agency.id,
                                        date.today() + timedelta(days=5))
        _, other = services.create_task(workshop, "Nhiệm vụ khác", agency.id,
                                        date.today() + timedelta(days=5))
    client = app.test_client()
    statuses = [client.post("/api/v1/tasks/reports", json={"text": ""},
                            headers={"X-Task-Token": token}).status_code for _ in range(121)]
    assert statuses[:120] == [422] * 120 and statuses[120] == 429
    # the same address, another link: its own budget
    assert client.post("/api/v1/tasks/reports", json={"text": ""},
                       headers={"X-Task-Token": other}).status_code == 422


def test_a_task_from_a_conclusion_item_of_another_workshop_is_refused(client, api_headers, world):
    from workshop.models import ConclusionItem

    item = ConclusionItem(workshop_id=world["other_workshop"].id, position=1, text="Kết luận khác.")
    mine = ConclusionItem(workshop_id=world["workshop"].id, position=1, text="Kết luận của tôi.")
    db.session.add_all([item, mine])
    db.session.commit()
    url = f"/api/v1/workshops/{world['workshop'].code}/tasks"
    refused = client.post(url, json=body(world, conclusion_item_id=item.id),
                          headers=api_headers("chair"))
    assert "conclusion_item_id" in fields_of(refused)
    assert count(Task) == 0
    made = client.post(url, json=body(world, conclusion_item_id=mine.id), headers=api_headers("chair"))
    assert made.status_code == 201 and made.get_json()["conclusion_item_id"] == mine.id


def test_a_task_made_and_reopened_is_in_the_audit_log_with_its_change(client, api_headers, users,
                                                                      world):
    """The row is written by the operation, in its transaction: a refused task leaves none."""
    from workshop.models import AuditEntry

    url = f"/api/v1/workshops/{world['workshop'].code}/tasks"
    assert client.post(url, json=body(world, text=""), headers=api_headers("chair")).status_code == 422
    assert count(AuditEntry) == 0
    answer = client.post(url, json=body(world), headers=api_headers("chair")).get_json()
    entry = db.session.scalars(select(AuditEntry)).one()
    assert (entry.action, entry.user_id, entry.workshop_id) == (
        "tasks.create", users["chair"].id, world["workshop"].id)
    task = db.session.get(Task, answer["id"])
    services.add_report(task, "Đã hoàn thành rà soát.", True)
    services.reopen(task)  # no request, no actor: the CLI and the demo record nothing
    assert count(AuditEntry) == 1

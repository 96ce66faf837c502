"""Check-in at the door: one per invitation, retries answered the same, every attempt audited."""
import json
import threading
import urllib.error
import urllib.request
from datetime import datetime, timedelta

from sqlalchemy import func, select

from tests import factories
from workshop.checkin import services
from workshop.extensions import db
from workshop.models import CheckIn, CheckInAttempt
from workshop.timeutil import LOCAL_TZ, utcnow


def scan(client, headers, code, **body):
    return client.post(f"/api/v1/workshops/{code}/checkins", json=body, headers=headers)


def test_scan_checks_in_once_then_says_when(ctx, client, api_headers):
    workshop = factories.make_workshop()
    agency = factories.make_organization("Sở Nội vụ")
    invitation = factories.make_invitee(workshop, "Nguyễn Văn An", title="Giám đốc Sở",
                                      organization=agency)
    headers = api_headers("staff")

    first = scan(client, headers, workshop.code, token=invitation.pass_token)
    assert first.status_code == 200
    body = first.get_json()
    assert body["result"] == "checked_in"
    assert body["attendee"] == {"name": "Nguyễn Văn An", "title": "Giám đốc Sở",
                                "organization": "Sở Nội vụ", "delegate_for": None,
                                "walk_in": False, "seat": None}
    assert body["checked_in_at"].endswith("+07:00")

    second = scan(client, headers, workshop.code, token=invitation.pass_token)
    assert second.status_code == 200
    assert second.get_json()["result"] == "already_checked_in"
    assert second.get_json()["checked_in_at"] == body["checked_in_at"]
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_personal_link_and_short_code_also_check_in(ctx, client, api_headers):
    workshop = factories.make_workshop()
    by_link = factories.make_invitee(workshop, name="A")
    by_code = factories.make_invitee(workshop, name="B")
    headers = api_headers("staff")
    url = f"https://hoithao.example.gov.vn/i/{by_link.token}"
    assert scan(client, headers, workshop.code, token=url).get_json()["result"] == "checked_in"
    typed = by_code.short_code.lower()
    assert scan(client, headers, workshop.code, token=typed).get_json()["result"] == "checked_in"


def test_unknown_and_other_workshop_are_refused_and_audited(ctx, client, api_headers):
    workshop, other = factories.make_workshop(), factories.make_workshop()
    elsewhere = factories.make_invitee(other)
    headers = api_headers("staff")

    unknown = scan(client, headers, workshop.code, token="khong-phai-ma-nao")
    assert unknown.status_code == 404
    assert unknown.get_json()["result"] == "unknown"
    assert unknown.get_json()["error"]["code"] == "unknown"

    wrong = scan(client, headers, workshop.code, token=elsewhere.pass_token)
    assert wrong.status_code == 409
    assert wrong.get_json()["result"] == "other_workshop"
    assert "attendee" not in wrong.get_json()

    results = db.session.scalars(select(CheckInAttempt.result).order_by(CheckInAttempt.id)).all()
    assert results == ["unknown", "other_workshop"]
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


def test_same_client_id_gets_the_first_answer_again(ctx, client, api_headers):
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop)
    headers = api_headers("staff")
    first = scan(client, headers, workshop.code, token=invitation.pass_token, client_id="scan-1")
    again = scan(client, headers, workshop.code, token=invitation.pass_token, client_id="scan-1")
    assert first.get_json()["result"] == again.get_json()["result"] == "checked_in"
    assert first.get_json()["checked_in_at"] == again.get_json()["checked_in_at"]
    other_phone = scan(client, headers, workshop.code, token=invitation.pass_token,
                       client_id="scan-2")
    assert other_phone.get_json()["result"] == "already_checked_in"
    assert db.session.scalar(select(func.count()).select_from(CheckInAttempt)) == 2


def test_offline_scan_keeps_its_time_but_never_a_future_one(ctx, client, api_headers):
    starts_at = datetime.now(LOCAL_TZ).replace(second=0, microsecond=0) - timedelta(hours=1)
    workshop = factories.make_workshop(starts_at=starts_at, ends_at=starts_at + timedelta(hours=4))
    early, future = factories.make_invitee(workshop, name="A"), factories.make_invitee(workshop, name="B")
    headers = api_headers("staff")
    before = starts_at - timedelta(minutes=8)
    response = scan(client, headers, workshop.code, token=early.pass_token,
                    scanned_at=before.strftime("%Y-%m-%dT%H:%M:%S"))
    assert response.get_json()["checked_in_at"] == before.isoformat()
    # A clock a few minutes fast is taken as now; a day ahead is refused (CONTRACT.md).
    ahead = (datetime.now(LOCAL_TZ) + timedelta(minutes=3)).isoformat()
    response = scan(client, headers, workshop.code, token=future.pass_token, scanned_at=ahead)
    checked = datetime.fromisoformat(response.get_json()["checked_in_at"])
    assert checked <= datetime.now(LOCAL_TZ)
    tomorrow = (datetime.now(LOCAL_TZ) + timedelta(days=1)).isoformat()
    response = scan(client, headers, workshop.code, token=early.pass_token, scanned_at=tomorrow)
    assert response.status_code == 422


def test_deputy_checks_in_on_the_delegated_invitation(ctx, client, api_headers):
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop, "Nguyễn Văn An", status="delegated",
                                        delegate_name="Trần Thị Bình", delegate_title="Phó Giám đốc Sở")
    body = scan(client, api_headers("staff"), workshop.code, token=invitation.pass_token).get_json()
    assert body["attendee"]["name"] == "Trần Thị Bình"
    assert body["attendee"]["title"] == "Phó Giám đốc Sở"
    assert body["attendee"]["delegate_for"] == "Nguyễn Văn An"


def test_staff_undoes_a_mistaken_check_in(ctx, client, api_headers):
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop)
    headers = api_headers("staff")
    scan(client, headers, workshop.code, token=invitation.pass_token)
    url = f"/api/v1/workshops/{workshop.code}/invitations/{invitation.id}/checkin"
    assert client.delete(url, headers=headers).status_code == 200
    assert client.delete(url, headers=headers).status_code == 404
    assert scan(client, headers, workshop.code,
                token=invitation.pass_token).get_json()["result"] == "checked_in"
    assert "undone" in db.session.scalars(select(CheckInAttempt.result)).all()


def test_walk_in_is_registered_and_checked_in_in_one_step(ctx):
    workshop = factories.make_workshop()
    answer = services.register_walk_in(workshop, "Hoàng Văn Nam", "Chuyên viên", None)
    assert answer.result == "checked_in"
    assert answer.invitation.walk_in and answer.invitation.name == "Hoàng Văn Nam"
    numbers = services.attendance(workshop)
    assert (numbers.invited, numbers.checked_in, numbers.walk_ins) == (0, 1, 1)


def test_attendance_by_kind_and_absent_agencies(ctx, client, api_headers):
    workshop = factories.make_workshop()
    so = factories.make_organization("Sở Tư pháp", kind="department")
    huyen = factories.make_organization("UBND huyện Phổ Yên", kind="district")
    here = factories.make_invitee(workshop, organization=so, status="accepted")
    factories.make_invitee(workshop, organization=huyen, status="declined")
    factories.make_invitee(workshop, name="Khách mời", status="delegated", delegate_name="Người thay")
    factories.make_invitee(workshop, name="Chưa gửi")
    services.check_in(workshop, here.pass_token)

    body = client.get(f"/api/v1/workshops/{workshop.code}/attendance",
                      headers=api_headers("staff")).get_json()
    assert (body["invited"], body["accepted"], body["declined"], body["delegated"],
            body["checked_in"]) == (4, 1, 1, 1, 1)
    v1 = {kind: {"invited": row["invited"], "checked_in": row["checked_in"]}
          for kind, row in body["by_kind"].items()}
    assert v1 == {"department": {"invited": 1, "checked_in": 1},
                  "district": {"invited": 1, "checked_in": 0},
                  "other": {"invited": 2, "checked_in": 0}}
    assert [a["name"] for a in body["absent"]] == ["UBND huyện Phổ Yên"]


def test_check_in_needs_staff(ctx, client, api_headers):
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop)
    assert scan(client, {}, workshop.code, token=invitation.pass_token).status_code == 401
    assert scan(client, api_headers("chair"), workshop.code,
                token=invitation.pass_token).status_code == 200


def test_many_phones_scanning_one_pass_at_once_make_one_check_in(ctx, live_server, api_headers):
    """Against a running threaded server: 24 simultaneous scans of one pass, one check-in."""
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop)
    headers = {**api_headers("staff"), "Content-Type": "application/json"}
    url = f"{live_server}/api/v1/workshops/{workshop.code}/checkins"
    pass_token = invitation.pass_token
    barrier = threading.Barrier(24)
    answers, errors = [], []

    def phone(n: int) -> None:
        body = json.dumps({"token": pass_token, "client_id": f"phone-{n}"}).encode()
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answers.append(json.load(response)["result"])
        except urllib.error.HTTPError as error:  # pragma: no cover - shown if it happens
            errors.append((error.code, error.read()))

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(answers) == ["already_checked_in"] * 23 + ["checked_in"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 1
    assert db.session.scalar(select(func.count()).select_from(CheckInAttempt)) == 24
    assert utcnow() - db.session.scalar(select(CheckIn.recorded_at)) < timedelta(minutes=1)

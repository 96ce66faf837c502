"""Counters that add up: present against expected, walk-ins and unannounced arrivals apart, and
one definition of the agencies without anyone, the same on the scanner, the board, the dashboard,
the workshop list, the invitations page, the summary and the API."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories
from workshop.attendance import agencies_without_anyone, attendance
from workshop.checkin import services as checkin
from workshop.demo.services import DEMO_CODE
from workshop.extensions import db
from workshop.models import CheckIn, Workshop
from workshop.timeutil import utcnow

NEW_FIELDS = ("invited", "accepted", "delegated", "declined", "unanswered", "expected", "present",
              "walk_ins", "unannounced", "checked_in")


def surfaces(client, headers, code: str) -> dict:
    """What every page and answer says about one workshop's attendance."""
    api = client.get(f"/api/v1/workshops/{code}/attendance", headers=headers).get_json()
    summary = client.get(f"/api/v1/workshops/{code}/summary", headers=headers).get_json()
    board = client.get(f"/workshops/{code}/board.json").get_json()
    return {
        "api": api,
        "summary": summary["attendance"],
        "board": board,
        "scanner": client.get(f"/workshops/{code}/scan/").get_data(as_text=True),
        "dashboard": client.get(f"/workshops/{code}/").get_data(as_text=True),
        "list": client.get("/workshops/").get_data(as_text=True),
        "invitations": client.get(f"/workshops/{code}/invitations").get_data(as_text=True),
        "summary_page": client.get(f"/workshops/{code}/summary").get_data(as_text=True),
    }


def assert_agree(seen: dict, present: int, expected: int, walk_ins: int, unannounced: int,
                 absent: list[str]) -> None:
    for name in ("api", "summary", "board"):
        numbers = seen[name]
        assert (numbers["present"], numbers["expected"], numbers["walk_ins"],
                numbers["unannounced"]) == (present, expected, walk_ins, unannounced), name
        assert numbers["invited"] == (numbers["accepted"] + numbers["delegated"]
                                      + numbers["declined"] + numbers["unanswered"]), name
        assert numbers["checked_in"] == present + walk_ins + unannounced, name
        assert [agency["name"] for agency in numbers["absent"]] == absent, name
    assert {key: seen["api"][key] for key in NEW_FIELDS} == {
        key: seen["summary"][key] for key in NEW_FIELDS}
    extra = f"+ {walk_ins} đến trực tiếp, {unannounced} chưa đăng ký trước"
    assert f"Có mặt {present}/{expected}" in seen["scanner"]
    assert f'<span class="stat">{present}/{expected}</span>' in seen["dashboard"]
    assert f'data-label="Có mặt">{present}/{expected}' in seen["list"]
    for page in ("scanner", "dashboard", "list"):
        assert (extra in seen[page]) == bool(walk_ins or unannounced), page
    assert f"Cơ quan chưa có ai dự ({len(absent)})" in seen["invitations"]
    assert f"Cơ quan, đơn vị không có đại biểu tham dự ({len(absent)})" in seen["summary_page"]
    for name in absent:
        assert name in seen["invitations"] and name in seen["summary_page"]


@pytest.fixture
def constructed(ctx):
    """Today's workshop: two expected of three came; a decliner and a silent invitee came all
    the same; a walk-in; two agencies with nobody expected or present."""
    workshop = factories.make_workshop(starts_at=utcnow() - timedelta(hours=1),
                                       ends_at=utcnow() + timedelta(hours=3))

    def person(agency: str, status: str, came: bool, kind: str = "department", **fields):
        organization = factories.make_organization(agency, kind=kind)
        invitation = factories.make_invitee(workshop, organization=organization, status=status,
                                            **fields)
        if came:
            checkin.check_in(workshop, invitation.pass_token)
        return invitation

    person("Sở Nội vụ", "accepted", True)
    person("Sở Tư pháp", "accepted", False)
    person("UBND huyện Đại Từ", "delegated", True, kind="district", delegate_name="Vũ Văn Phó")
    person("Sở Y tế", "declined", True)
    person("Sở Xây dựng", "sent", True)
    person("Sở Công Thương", "draft", False)
    person("Sở Tài chính", "declined", False)
    checkin.register_walk_in(workshop, "Đỗ Văn Khách", None,
                             factories.make_organization("Sở Giáo dục và Đào tạo").id)
    return workshop


def test_a_small_workshop_counts_the_same_everywhere(constructed, client_as, api_headers):
    seen = surfaces(client_as("organizer"), api_headers("organizer"), constructed.code)
    assert_agree(seen, present=2, expected=3, walk_ins=1, unannounced=2,
                 absent=["Sở Công Thương", "Sở Tài chính"])  # directory order, accents folded
    assert (seen["summary"]["invited"], seen["summary"]["unanswered"]) == (7, 2)
    assert seen["api"]["by_kind"]["department"]["present"] == 1
    assert seen["api"]["by_kind"]["district"]["present"] == 1
    assert seen["board"]["kinds"][0]["expected"] == 2


def test_the_demo_record_counts_the_same_everywhere(runner, ctx, client_as, api_headers):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    workshop = db.session.scalar(select(Workshop).where(Workshop.code == DEMO_CODE))
    numbers = attendance(workshop)
    # 23 accepted + 7 deputies expected, 28 of them came, and one walk-in; nobody unannounced.
    assert (numbers.expected, numbers.present, numbers.walk_ins, numbers.unannounced) == (30, 28, 1, 0)
    seen = surfaces(client_as("organizer"), api_headers("organizer"), DEMO_CODE)
    assert_agree(seen, 28, 30, 1, 0, [organization.name for organization in numbers.absent])
    # The record is over: the two leaders who accepted and never came leave their agencies
    # without anyone, beside the three that declined and the one that never answered.
    assert len(numbers.absent) == 6


def test_expected_people_count_until_the_workshop_ends(ctx):
    workshop = factories.make_workshop()  # 12/08/2030 08:00–11:30
    agency = factories.make_organization("Sở Tư pháp")
    factories.make_invitee(workshop, organization=agency, status="accepted")
    assert agencies_without_anyone(workshop, now=workshop.starts_at) == []
    after = agencies_without_anyone(workshop, now=workshop.ends_at)
    assert [(a.organization.name, a.no_show) for a in after] == [("Sở Tư pháp", 1)]


def test_an_undone_walk_in_is_nobody(ctx):
    workshop = factories.make_workshop(starts_at=utcnow(), ends_at=None)
    answer = checkin.register_walk_in(workshop, "Người Nhầm", None, None)
    checkin.undo_check_in(answer.invitation)
    numbers = attendance(workshop)
    assert (numbers.walk_ins, numbers.checked_in, numbers.invited) == (0, 0, 0)


def test_the_scanner_script_words_fill_the_extra_line(constructed, client_as):
    page = client_as("staff").get(f"/workshops/{constructed.code}/scan/").get_data(as_text=True)
    assert re.search(r'id="scan-extra"[^>]*>\+ 1 đến trực tiếp, 2 chưa đăng ký trước<', page)
    assert "+ {walk_ins} " in page and "{unannounced} " in page  # the script fills these in


def test_one_count_by_kind_for_the_tracking_list_the_board_and_the_summary(ctx):
    """The tracking list's rows by kind, the board's and the summary's come from the one
    grouped count: a kind someone only walked in from is on the board, not among the invited."""
    from workshop.summary.services import compile_summary

    workshop = factories.make_workshop()
    department = factories.make_organization("Sở Tư pháp", "department")
    district = factories.make_organization("UBND huyện Đại Từ", "district")
    factories.make_invitee(workshop, organization=department, status="accepted")
    factories.make_invitee(workshop, organization=department, status="sent")
    walk_in = factories.make_invitee(workshop, organization=district, status="accepted",
                                     walk_in=True, letter_number=None)
    db.session.add(CheckIn(invitation=walk_in, workshop_id=workshop.id))
    db.session.commit()

    numbers = attendance(workshop)
    assert list(numbers.kinds) == ["department", "district"]
    assert list(numbers.invited_kinds) == ["department"]
    assert numbers.kinds["department"].by_status["sent"] == 1
    assert numbers.kinds["department"].label == "Sở, Ban, Ngành"
    assert numbers.by_kind["district"] == {**dict.fromkeys(NEW_FIELDS, 0), "walk_ins": 1,
                                           "checked_in": 1}
    summary = compile_summary(workshop)
    assert [(row.kind, row.invited, row.walk_ins) for row in summary.by_kind] == [
        ("department", 2, 0), ("district", 0, 1)]

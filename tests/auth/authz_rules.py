"""The authorization matrix's table: for every route and method, what each actor gets.

`tests/auth/test_authorization.py` walks `app.url_map` and checks every cell of this table against the
running app; a route that has no entry in `RULES` fails `test_every_route_has_a_rule`. To add a
route: add `"METHOD /rule"` to `RULES` with who may use it (one of the profiles below, or `but()`
of one), and a valid-looking `form` (pages) or `json` (API) body for an unsafe method, so that the
request reaches the authorization and the route's own checks rather than stopping at validation.

Values written "{name}" are filled from the test's world: workshop A (the one under test, with
its attendee, questions, feedback, contribution, check-ins, an outbox batch, a summary version)
and workshop B (the other attendee's). URL arguments default to A's records of the same name.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

ANONYMOUS = "anonymous"
ATTENDEE = "attendee"  # invited to workshop A; holds A's personal link
OTHER_ATTENDEE = "other_attendee"  # invited to workshop B only; holds B's personal link
STAFF, CHAIR, ORGANIZER = "staff", "chair", "organizer"
STAFF_ROLES = (STAFF, CHAIR, ORGANIZER)  # lowest first
# Accounts of a workshop team (auth/rights.py): a chair account in A's team as chair, and staff
# and chair accounts in B's team only. The three roles above belong to no team.
TEAM_CHAIR, B_STAFF, B_CHAIR = "team_chair", "b_staff", "b_chair"
TEAM_ACTORS = {TEAM_CHAIR: CHAIR, B_STAFF: STAFF, B_CHAIR: CHAIR}  # actor -> account role
ACCOUNTS = (*STAFF_ROLES, *TEAM_ACTORS)
ACTORS = (ANONYMOUS, ATTENDEE, OTHER_ATTENDEE, STAFF, CHAIR, ORGANIZER, *TEAM_ACTORS)

ALLOW = "allow"  # gets in: 2xx, 304 or a redirect, or 400/409/422 when the input is refused
REFUSED = "refused"  # reaches a page that is open to them, but what they send changes nothing
LOGIN = "login"  # must sign in: redirect to /login?next=… (pages), 401 (API, the scripts' JSON)
FORBID = "forbid"  # 403: signed in or identified, but not allowed
NOT_FOUND = "not_found"  # 404: a secret URL that is not theirs reveals nothing, not even existence


@dataclass(frozen=True)
class Rule:
    who: dict[str, str]
    args: dict[str, str] = field(default_factory=dict)  # URL arguments that are not A's defaults
    query: dict[str, str] = field(default_factory=dict)  # added to the URL: probes for A's data
    form: dict | None = None  # form fields of a page; (filename, bytes) is an uploaded file
    json: dict | None = None  # body of an API call


def signed_in(minimum: str) -> dict[str, str]:
    """A staff page or API call: `minimum` and the roles above it."""
    rank = STAFF_ROLES.index(minimum)
    return {ANONYMOUS: LOGIN, ATTENDEE: LOGIN, OTHER_ATTENDEE: LOGIN,
            **{role: ALLOW if index >= rank else FORBID for index, role in enumerate(STAFF_ROLES)}}


def but(who: dict[str, str], **changes: str) -> dict[str, str]:
    unknown = set(changes) - set(ACTORS)
    assert not unknown, f"not actors: {unknown}"
    return {**who, **changes}


PUBLIC = dict.fromkeys(ACTORS, ALLOW)
STAFF_UP, CHAIR_UP, ORGANIZER_ONLY = signed_in(STAFF), signed_in(CHAIR), signed_in(ORGANIZER)
# The attendee API about the caller's own invitation: each attendee gets their own.
OWN_INVITATION = {ANONYMOUS: LOGIN, ATTENDEE: ALLOW, OTHER_ATTENDEE: ALLOW,
                  STAFF: FORBID, CHAIR: FORBID, ORGANIZER: FORBID}
# The attendee API acting in workshop A: only A's attendee.
ATTENDEE_OF_A = but(OWN_INVITATION, other_attendee=FORBID)
# Pages under a personal link /i/<token>: each attendee opens their own link, the organizer holds
# every link (he hands them out); anybody else can only guess one.
PERSONAL_LINK = {ANONYMOUS: NOT_FOUND, ATTENDEE: ALLOW, OTHER_ATTENDEE: ALLOW,
                 STAFF: NOT_FOUND, CHAIR: NOT_FOUND, ORGANIZER: ALLOW}
# The projector's secret link, shown on the staff's dashboard only.
PROJECTOR = {**dict.fromkeys((ANONYMOUS, ATTENDEE, OTHER_ATTENDEE), NOT_FOUND),
             **dict.fromkeys(STAFF_ROLES, ALLOW)}

# Which secret URL argument each actor holds (the world's value of that name); the others try a
# guessed one.
HELD = {
    "token": {ATTENDEE: "attendee_token", OTHER_ATTENDEE: "other_token", ORGANIZER: "attendee_token"},
    "screen_token": dict.fromkeys((*STAFF_ROLES, TEAM_CHAIR), "screen_token"),
}
# Who may ever read each secret in a response (or a Location header).
SECRETS = {
    "attendee_token": (ATTENDEE, ORGANIZER),
    "attendee_pass_token": (ATTENDEE, ORGANIZER),
    "neighbour_token": (ORGANIZER,),  # another invitee of A
    "neighbour_pass_token": (ORGANIZER,),
    "other_token": (OTHER_ATTENDEE, ORGANIZER),
    "screen_token": (*STAFF_ROLES, TEAM_CHAIR),
    "task_token": (),  # shown once, when made; nobody reads it back
}
# What an actor must never be shown (groups of the world's `private`): "A" and "B", each
# workshop's people, visible questions and the attendee's own feedback; "A_contacts", the e-mail
# addresses of A's other invitees; "A_moderated", A's hidden and merged questions;
# "A_unpublished", the chair's draft conclusions and the other invitees' feedback and
# contributions. Staff roles work for every workshop (CONTRACT.md "Roles"); summary and feedback
# are the chair's.
PRIVATE_TO_A = ("A_contacts", "A_moderated", "A_unpublished")
FOREIGN = {
    ANONYMOUS: ("A", "B", *PRIVATE_TO_A),
    ATTENDEE: ("B", *PRIVATE_TO_A),
    OTHER_ATTENDEE: ("A", *PRIVATE_TO_A),
    STAFF: ("A_unpublished",),
    TEAM_CHAIR: ("B",),
    B_STAFF: ("A", *PRIVATE_TO_A),
    B_CHAIR: ("A", *PRIVATE_TO_A),
}

IMPORT_CSV = ("danh-ba.csv", "name,kind\nSở Thử nghiệm Ma trận,department\n".encode())
QUESTION = {"session_id": "{session_id}", "text": "Xin hỏi lộ trình chuyển đổi sang ISO 9001:2015?"}
FEEDBACK = {"category": "lesson", "text": "Cần đào tạo cán bộ đầu mối định kỳ.",
            "session_id": "{session_id}", "rating": "4"}
NEW_WORKSHOP = {"title": "Hội thảo sơ kết ma trận phân quyền", "starts_at": "2031-03-10T08:00",
                "venue": "Hội trường UBND tỉnh"}
NEW_SESSION = {"title": "Phiên thảo luận bổ sung"}
PERSON = {"name": "Vũ Thị Khách Mời", "title": "Chuyên viên"}
ORGANIZATION = {"name": "Sở Thử nghiệm Phân quyền", "kind": "department"}

RULES: dict[str, Rule] = {
    # --- pages for everybody ---
    "GET /": Rule(PUBLIC),
    "GET /healthz": Rule(PUBLIC),
    "GET /readyz": Rule(PUBLIC),
    "GET /lang/<code>": Rule(PUBLIC, args={"code": "en"}),
    "GET /login": Rule(PUBLIC),
    "POST /login": Rule(PUBLIC, form={"email": "{staff_email}", "password": "sai-mat-khau"}),
    "POST /logout": Rule(PUBLIC, form={}),
    "GET /q/<code>": Rule(PUBLIC),
    "GET /workshops/<code>/self-checkin": Rule(PUBLIC),
    # Only a browser that opened A's personal link checks in by one tap; nobody else, typing no code.
    "POST /workshops/<code>/self-checkin": Rule(
        {**dict.fromkeys(ACTORS, REFUSED), ATTENDEE: ALLOW}, form={"code": ""}),
    "GET /api/v1/openapi.json": Rule(PUBLIC),
    # --- the personal link ---
    "GET /i/<token>": Rule(PERSONAL_LINK),
    "POST /i/<token>": Rule(PERSONAL_LINK, form={"response": "accept"}),
    "GET /i/<token>/pass.png": Rule(PERSONAL_LINK),
    # An approved deputy's own pass: its token is the key; a guessed one reveals nothing.
    "GET /pass/<pass_token>.png": Rule(dict.fromkeys(ACTORS, NOT_FOUND),
                                       args={"pass_token": "doan-bua-ma-the"}),
    "GET /pass/<pass_token>": Rule(dict.fromkeys(ACTORS, NOT_FOUND),
                                   args={"pass_token": "doan-bua-ma-the"}),
    # B's attendee asks their own page for a session of A: still only B's questions.
    "GET /i/<token>/questions": Rule(PERSONAL_LINK, query={"session": "{session_id}"}),
    # B's attendee, on B's own link, names a session of A: refused.
    "POST /i/<token>/questions": Rule(but(PERSONAL_LINK, other_attendee=REFUSED), form=QUESTION),
    "POST /i/<token>/questions/<int:question_id>/vote": Rule(
        but(PERSONAL_LINK, other_attendee=NOT_FOUND), form={}),
    "GET /i/<token>/feedback": Rule(PERSONAL_LINK),
    "POST /i/<token>/feedback": Rule(but(PERSONAL_LINK, other_attendee=REFUSED), form=FEEDBACK),
    "GET /i/<token>/contribution": Rule(PERSONAL_LINK),
    "POST /i/<token>/contribution": Rule(PERSONAL_LINK, form={
        "results": "Đã chuẩn hóa 100% thủ tục.", "lessons": "Lãnh đạo phải trực tiếp chỉ đạo."}),
    # --- the task link: nobody in the world holds one (a guess, or an invitation's token) ---
    "GET /t/<token>": Rule(dict.fromkeys(ACTORS, NOT_FOUND)),
    "POST /t/<token>": Rule(dict.fromkeys(ACTORS, NOT_FOUND),
                            form={"task_id": "{task_id}", "text": "Đã xong."}),
    # --- the projector ---
    "GET /screen/<screen_token>": Rule(PROJECTOR),
    "GET /screen/<screen_token>/feed": Rule(PROJECTOR),
    # --- directory ---
    "GET /directory/": Rule(STAFF_UP),
    "GET /directory/export": Rule(STAFF_UP),
    "GET /directory/new": Rule(ORGANIZER_ONLY),
    "POST /directory/new": Rule(ORGANIZER_ONLY, form=ORGANIZATION),
    "GET /directory/<int:organization_id>/edit": Rule(ORGANIZER_ONLY),
    "POST /directory/<int:organization_id>/edit": Rule(
        ORGANIZER_ONLY, form={"name": "Sở Nội vụ tỉnh Thái Nguyên", "kind": "department"}),
    "GET /directory/import": Rule(ORGANIZER_ONLY),
    "POST /directory/import": Rule(ORGANIZER_ONLY, form={"file": IMPORT_CSV}),
    "GET /directory/import/<token>": Rule(ORGANIZER_ONLY, args={"token": "{import_token}"}),
    "POST /directory/import/confirm": Rule(ORGANIZER_ONLY, form={"token": "{import_token}"}),
    # --- workshops and agenda ---
    "GET /workshops/": Rule(STAFF_UP),
    "GET /workshops/new": Rule(ORGANIZER_ONLY),
    "POST /workshops/new": Rule(ORGANIZER_ONLY, form=NEW_WORKSHOP),
    "GET /workshops/<code>/": Rule(STAFF_UP),
    "GET /workshops/<code>/edit": Rule(ORGANIZER_ONLY),
    "POST /workshops/<code>/edit": Rule(ORGANIZER_ONLY, form={
        "title": "Hội thảo tổng kết 05 năm áp dụng ISO 9001:2008", "starts_at": "{starts_at}",
        "venue": "Hội trường tầng 3"}),
    "GET /workshops/<code>/sessions/new": Rule(ORGANIZER_ONLY),
    "POST /workshops/<code>/sessions/new": Rule(ORGANIZER_ONLY, form=NEW_SESSION),
    "GET /workshops/<code>/sessions/<int:session_id>/edit": Rule(ORGANIZER_ONLY),
    "POST /workshops/<code>/sessions/<int:session_id>/edit": Rule(
        ORGANIZER_ONLY, form={"title": "Phiên 1: Báo cáo tổng kết", "chair_id": ""}),
    "POST /workshops/<code>/sessions/<int:session_id>/move/<any(up, down):direction>": Rule(
        ORGANIZER_ONLY, args={"direction": "down"}, form={}),
    "POST /workshops/<code>/sessions/<int:session_id>/questions/<any(open, closed):state>": Rule(
        ORGANIZER_ONLY, args={"state": "open"}, form={}),
    "POST /workshops/<code>/sessions/<int:session_id>/delete": Rule(
        ORGANIZER_ONLY, args={"session_id": "{second_session_id}"}, form={}),
    # --- invitations, letters, e-mail ---
    "GET /workshops/<code>/invitations": Rule(STAFF_UP),
    "GET /workshops/<code>/invitations.xlsx": Rule(STAFF_UP),
    "POST /workshops/<code>/invitations/mark-sent": Rule(ORGANIZER_ONLY, form={}),
    "POST /workshops/<code>/invitations/<int:invitation_id>/deputy": Rule(
        ORGANIZER_ONLY, form={"decision": "approve"}),
    "GET /workshops/<code>/invite": Rule(ORGANIZER_ONLY),
    "POST /workshops/<code>/invite": Rule(ORGANIZER_ONLY, form={"kinds": ["district"]}),
    "POST /workshops/<code>/invite/person": Rule(ORGANIZER_ONLY, form=PERSON),
    "GET /workshops/<code>/invitations/<int:invitation_id>": Rule(ORGANIZER_ONLY),
    "POST /workshops/<code>/invitations/<int:invitation_id>": Rule(
        ORGANIZER_ONLY, args={"invitation_id": "{spare_invitation_id}"},
        form={"name": "Phạm Thị Hà", "title": "Chi cục trưởng"}),
    "POST /workshops/<code>/invitations/<int:invitation_id>/delete": Rule(
        ORGANIZER_ONLY, args={"invitation_id": "{spare_invitation_id}"}, form={}),
    "GET /workshops/<code>/invitations/<int:invitation_id>/letter": Rule(ORGANIZER_ONLY),
    "GET /workshops/<code>/invitations/<int:invitation_id>/letter.docx": Rule(ORGANIZER_ONLY),
    "GET /workshops/<code>/letters": Rule(ORGANIZER_ONLY),
    "GET /workshops/<code>/letters.docx": Rule(ORGANIZER_ONLY),
    "GET /workshops/<code>/outbox": Rule(ORGANIZER_ONLY),
    "POST /workshops/<code>/outbox": Rule(ORGANIZER_ONLY, form={"ids": "{spare_invitation_id}"}),
    "POST /workshops/<code>/outbox/reminders": Rule(ORGANIZER_ONLY, form={}),
    "POST /workshops/<code>/outbox/resend-failed": Rule(ORGANIZER_ONLY, form={}),
    "GET /workshops/<code>/outbox/<batch>": Rule(ORGANIZER_ONLY),
    "GET /workshops/<code>/outbox/<batch>/progress": Rule(ORGANIZER_ONLY),
    "POST /workshops/<code>/outbox/<batch>/deliver": Rule(ORGANIZER_ONLY, form={}),
    # --- check-in desk ---
    "GET /workshops/<code>/scan/": Rule(STAFF_UP),
    "GET /workshops/<code>/scan/sw.js": Rule(STAFF_UP),
    "GET /workshops/<code>/scan/search": Rule(STAFF_UP),
    "POST /workshops/<code>/scan/walk-in": Rule(STAFF_UP, form={"name": "Đinh Văn Vãng Lai"}),
    "GET /workshops/<code>/board": Rule(STAFF_UP),
    "GET /workshops/<code>/board.json": Rule(STAFF_UP),
    "GET /workshops/<code>/sign-in-sheet": Rule(STAFF_UP),
    "GET /workshops/<code>/attendance.xlsx": Rule(STAFF_UP),
    "GET /workshops/<code>/poster": Rule(STAFF_UP),
    "GET /workshops/<code>/poster/qr.svg": Rule(STAFF_UP),
    "GET /workshops/<code>/poster.json": Rule(STAFF_UP),
    # --- staff audit log ---
    "GET /audit": Rule(ORGANIZER_ONLY),
    "GET /workshops/<code>/audit": Rule(ORGANIZER_ONLY),
    # --- the workshop's team ---
    "GET /workshops/<code>/team": Rule(ORGANIZER_ONLY),
    "POST /workshops/<code>/team": Rule(ORGANIZER_ONLY, form={"email": "{staff_email}", "role": "staff"}),
    "POST /workshops/<code>/team/<int:member_id>/delete": Rule(ORGANIZER_ONLY, form={}),
    # --- questions, feedback, summary ---
    "GET /workshops/<code>/questions/console": Rule(CHAIR_UP),
    "GET /workshops/<code>/questions/console/feed": Rule(CHAIR_UP),
    "GET /workshops/<code>/feedback": Rule(CHAIR_UP),
    "POST /workshops/<code>/feedback/closing": Rule(ORGANIZER_ONLY, form={"feedback_closes_at": ""}),
    "GET /workshops/<code>/contributions/<int:contribution_id>/attachment": Rule(CHAIR_UP),
    "GET /workshops/<code>/summary": Rule(CHAIR_UP),
    "POST /workshops/<code>/summary": Rule(CHAIR_UP, form={
        "conclusions": "Hội thảo thống nhất duy trì ISO tại mọi cơ quan.", "base_version": "{number}"}),
    "POST /workshops/<code>/summary/publish": Rule(CHAIR_UP, form={}),
    "GET /workshops/<code>/summary/versions/<int:number>": Rule(CHAIR_UP),
    "GET /workshops/<code>/summary/print": Rule(CHAIR_UP),
    "GET /workshops/<code>/summary.docx": Rule(CHAIR_UP),
    "GET /workshops/<code>/summary.xlsx": Rule(CHAIR_UP),
    # --- biên bản (the organizer writes it, the chair reads it) and thông báo kết luận ---
    "GET /workshops/<code>/minutes": Rule(CHAIR_UP),
    "POST /workshops/<code>/minutes": Rule(ORGANIZER_ONLY, form={
        "chair_name": "Nguyễn Hữu Phúc", "started": "08 giờ 00, ngày 12 tháng 8 năm 2014.",
        "place": "Hội trường tầng 3", "proceedings": "1. Khai mạc hội thảo", "revision": "0"}),
    "POST /workshops/<code>/minutes/redraft": Rule(ORGANIZER_ONLY, form={"revision": "0"}),
    "GET /workshops/<code>/minutes/print": Rule(CHAIR_UP),
    "GET /workshops/<code>/minutes.docx": Rule(CHAIR_UP),
    "GET /workshops/<code>/conclusions": Rule(CHAIR_UP),
    "GET /workshops/<code>/tasks": Rule(STAFF_UP),
    "GET /tasks": Rule(STAFF_UP),
    "POST /workshops/<code>/tasks": Rule(CHAIR_UP, form={
        "text": "Rà soát quy trình ISO tại cơ quan.", "organization_id": "{organization_id}",
        "due_on": "2099-12-31"}),
    "POST /workshops/<code>/tasks/from-conclusions": Rule(CHAIR_UP, form={"due_on": "2099-12-31"}),
    "POST /workshops/<code>/tasks/<int:task_id>/link": Rule(ORGANIZER_ONLY, form={}),
    "POST /workshops/<code>/tasks/<int:task_id>/reopen": Rule(ORGANIZER_ONLY, form={}),
    "POST /workshops/<code>/tasks/send": Rule(ORGANIZER_ONLY, form={}),
    "POST /workshops/<code>/tasks/remind": Rule(ORGANIZER_ONLY, form={}),
    "POST /workshops/<code>/tasks/deliver": Rule(ORGANIZER_ONLY, form={}),
    "GET /workshops/<code>/tasks.xlsx": Rule(STAFF_UP),
    "GET /workshops/<code>/tasks/reports/<int:report_id>/attachment": Rule(STAFF_UP),
    "POST /workshops/<code>/conclusions": Rule(CHAIR_UP, form={
        "opening": "Chủ trì hội thảo kết luận như sau:", "revision": "0",
        "items-0-text": "Giao Sở Nội vụ rà soát quy trình.", "items-0-organization_id": "{organization_id}",
        "items-0-due_on": "2031-04-30"}),
    "GET /workshops/<code>/conclusions/print": Rule(CHAIR_UP),
    "GET /workshops/<code>/conclusions.docx": Rule(CHAIR_UP),
    # --- seating: staff read the plan (they show people to their seats), the organizer arranges
    "GET /workshops/<code>/seating": Rule(STAFF_UP),
    "POST /workshops/<code>/seating/arrange": Rule(ORGANIZER_ONLY, form={"per_row": "10"}),
    "POST /workshops/<code>/seating/<int:invitation_id>": Rule(
        ORGANIZER_ONLY, args={"invitation_id": "{spare_invitation_id}"}, form={"row": "3", "number": "4"}),
    "POST /workshops/<code>/seating/<int:invitation_id>/move": Rule(
        ORGANIZER_ONLY, args={"invitation_id": "{spare_invitation_id}"}, form={"direction": "up"}),
    # The documents: the letters for the organizer, the report for the chair too.
    "GET /workshops/<code>/documents/<name>.pdf": Rule(CHAIR_UP, args={"name": "report"}),
    "GET /workshops/<code>/documents/<name>.docx": Rule(ORGANIZER_ONLY, args={"name": "letters"}),
    # --- JSON API (CONTRACT.md) ---
    "GET /api/v1/me": Rule(OWN_INVITATION),
    "POST /api/v1/rsvp": Rule(OWN_INVITATION, json={"response": "accept"}),
    "GET /api/v1/organizations": Rule(STAFF_UP),
    "POST /api/v1/organizations": Rule(ORGANIZER_ONLY, json=ORGANIZATION),
    "POST /api/v1/organizations/import": Rule(ORGANIZER_ONLY, form={"file": IMPORT_CSV}),
    "GET /api/v1/workshops": Rule(STAFF_UP),
    "POST /api/v1/workshops": Rule(ORGANIZER_ONLY, json=NEW_WORKSHOP),
    "GET /api/v1/workshops/<code>": Rule(STAFF_UP),
    "GET /api/v1/workshops/<code>/team": Rule(ORGANIZER_ONLY),
    "POST /api/v1/workshops/<code>/team": Rule(ORGANIZER_ONLY, json={"email": "{staff_email}",
                                                                    "role": "staff"}),
    # Its own spare member: the page's removal above takes the other (ids are not reused on
    # PostgreSQL, so one spare removed twice would be a 404 the second time).
    "DELETE /api/v1/workshops/<code>/team/<int:member_id>": Rule(
        ORGANIZER_ONLY, args={"member_id": "{api_member_id}"}),
    "PATCH /api/v1/workshops/<code>": Rule(ORGANIZER_ONLY, json={"contact_name": "Bà Lê Thu Hà"}),
    "POST /api/v1/workshops/<code>/sessions": Rule(ORGANIZER_ONLY, json=NEW_SESSION),
    "POST /api/v1/workshops/<code>/invitations": Rule(ORGANIZER_ONLY, json=PERSON),
    "GET /api/v1/workshops/<code>/invitations": Rule(STAFF_UP),
    "POST /api/v1/workshops/<code>/invitations/send": Rule(
        ORGANIZER_ONLY, json={"ids": ["{spare_invitation_id}"]}),
    "POST /api/v1/workshops/<code>/checkins": Rule(STAFF_UP, json={"token": "{attendee_pass_token}"}),
    "DELETE /api/v1/workshops/<code>/invitations/<int:invitation_id>/checkin": Rule(STAFF_UP),
    "POST /api/v1/workshops/<code>/invitations/<int:invitation_id>/deputy": Rule(
        ORGANIZER_ONLY, json={"approve": True}),
    "GET /api/v1/workshops/<code>/attendance": Rule(STAFF_UP),
    "POST /api/v1/workshops/<code>/questions": Rule(ATTENDEE_OF_A, json=QUESTION),
    # Attendees asking for hidden and pending questions still get the visible ones only.
    "GET /api/v1/workshops/<code>/questions": Rule(
        but(ATTENDEE_OF_A, staff=ALLOW, chair=ALLOW, organizer=ALLOW),
        query={"status": "visible,pending,hidden"}),
    # Written like A's hidden question: still only shown questions come back.
    "GET /api/v1/workshops/<code>/sessions/<int:session_id>/questions/similar": Rule(
        but(ATTENDEE_OF_A, staff=ALLOW, chair=ALLOW, organizer=ALLOW),
        query={"text": "Câu hỏi lạc đề đã bị ẩn khỏi danh sách"}),
    "POST /api/v1/questions/<int:question_id>/vote": Rule(ATTENDEE_OF_A, json={}),
    "PATCH /api/v1/questions/<int:question_id>": Rule(CHAIR_UP, json={"status": "visible"}),
    "POST /api/v1/questions/<int:question_id>/answer": Rule(CHAIR_UP, json={
        "answer": "Sở sẽ tổ chức tập huấn trong quý IV.", "answered_by": "Phó Giám đốc Sở KH&CN"}),
    "POST /api/v1/questions/<int:question_id>/assign": Rule(
        CHAIR_UP, json={"assigned_to": "Chi cục trưởng Chi cục TĐC"}),
    "POST /api/v1/questions/<int:question_id>/merge": Rule(
        CHAIR_UP, args={"question_id": "{duplicate_question_id}"}, json={"into": "{question_id}"}),
    "POST /api/v1/sessions/<int:session_id>/current": Rule(CHAIR_UP, json={"question_id": "{question_id}"}),
    "POST /api/v1/workshops/<code>/feedback": Rule(ATTENDEE_OF_A, json=FEEDBACK),
    "GET /api/v1/workshops/<code>/feedback": Rule(CHAIR_UP),
    "GET /api/v1/workshops/<code>/summary": Rule(CHAIR_UP),
    # --- follow-up tasks: nobody in the world holds a task link ---
    "POST /api/v1/workshops/<code>/tasks": Rule(CHAIR_UP, json={
        "text": "Rà soát quy trình ISO tại cơ quan.", "organization_id": "{organization_id}",
        "due_on": "2099-12-31"}),
    "GET /api/v1/workshops/<code>/tasks": Rule(STAFF_UP),
    "POST /api/v1/tasks/reports": Rule(dict.fromkeys(ACTORS, LOGIN), json={"text": "Đã xong."}),
    "GET /api/v1/workshops/<code>/documents/<name>.pdf": Rule(ORGANIZER_ONLY, args={"name": "letters"}),
    "GET /api/v1/workshops/<code>/documents/<name>.docx": Rule(CHAIR_UP, args={"name": "report"}),
    "GET /api/v1/workshops/<code>/roster": Rule(STAFF_UP),
    "GET /api/v1/workshops/<code>/seating": Rule(STAFF_UP),
    "POST /api/v1/workshops/<code>/seating/arrange": Rule(ORGANIZER_ONLY, json={"per_row": 10}),
    "PUT /api/v1/workshops/<code>/seating/<int:invitation_id>": Rule(
        ORGANIZER_ONLY, args={"invitation_id": "{spare_invitation_id}"}, json={"row": 3, "number": 4}),
    "POST /api/v1/workshops/<code>/seating/<int:invitation_id>/move": Rule(
        ORGANIZER_ONLY, args={"invitation_id": "{spare_invitation_id}"}, json={"direction": "up"}),
    "PUT /api/v1/workshops/<code>/summary/conclusions": Rule(
        CHAIR_UP, json={"text": "Kết luận của chủ trì hội thảo."}),
    "POST /api/v1/workshops/<code>/summary/publish": Rule(CHAIR_UP, json={}),
    # Any other path under /api/v1 is a JSON 404 for everybody.
    **{f"{method} /api/v1/<path:unknown>": Rule(dict.fromkeys(ACTORS, NOT_FOUND),
                                                args={"unknown": "khong-co-dau"}, json={})
       for method in ("GET", "POST", "PUT", "PATCH", "DELETE")},
    # --- API: the spreadsheets (CONTRACT.md "Documents and exports") ---
    "GET /api/v1/workshops/<code>/exports/invitations.xlsx": Rule(STAFF_UP),
    "GET /api/v1/workshops/<code>/exports/attendance.xlsx": Rule(STAFF_UP),
    "GET /api/v1/workshops/<code>/exports/summary.xlsx": Rule(CHAIR_UP),
    "GET /api/v1/organizations/export.xlsx": Rule(ORGANIZER_ONLY),
}


# What the team accounts get, from the table above. A team-limited account gets on workshop A
# what an account of its role gets, when A is its team's workshop; when it is B's, every route
# naming A (by its code, a question or a session) that its role would open is a 403, the
# projector's secret link of A is not held (404), and the rest (the directory, the lists, the
# pages of everybody) is as for its role.
NAMES_A_WORKSHOP = ("<code>", "<int:question_id>", "<int:session_id>")


def _team_cell(key: str, who: dict[str, str], actor: str) -> str:
    role_gets = who[TEAM_ACTORS[actor]]
    if actor == TEAM_CHAIR:
        return role_gets
    if "<screen_token>" in key:
        return NOT_FOUND
    staff_route = who[ANONYMOUS] == LOGIN
    if staff_route and role_gets == ALLOW and any(name in key for name in NAMES_A_WORKSHOP):
        return FORBID
    return role_gets


RULES = {key: replace(rule, who={**rule.who, **{actor: _team_cell(key, rule.who, actor)
                                                  for actor in TEAM_ACTORS}})
         for key, rule in RULES.items()}

"""The summary: compiled from everything that happened, the conclusions versioned from draft to
final, the page and the API row for the chair and the organizer, the attendees' published view.

One role per test: the requests of a test share its application context, and with it the
signed-in user that Flask-Login caches in `g`.
"""
from flask import render_template
from sqlalchemy import event, func, select

from tests import factories
from workshop.extensions import db
from workshop.feedback.services import Rating
from workshop.models import Feedback, Question, SummaryVersion
from workshop.summary import services
from workshop.summary.services import SummaryError

LESSONS = ("Người đứng đầu phải trực tiếp chỉ đạo việc áp dụng ISO.",
           "Đánh giá nội bộ định kỳ giúp phát hiện sớm điểm không phù hợp.",
           "Phải gắn ISO với cải cách hành chính của huyện.")


def versions_of(workshop) -> list[tuple[int, str, str]]:
    return [(v.version, v.status, v.conclusions) for v in db.session.scalars(
        select(SummaryVersion).where(SummaryVersion.workshop_id == workshop.id)
        .order_by(SummaryVersion.version))]


# ---- compiling ---------------------------------------------------------------------------------

def test_the_summary_holds_everything_that_happened(ctx):
    reviewed = factories.make_reviewed_workshop()
    summary = services.compile_summary(reviewed.workshop)

    numbers = summary.attendance
    assert (numbers.invited, numbers.accepted, numbers.delegated, numbers.declined,
            numbers.checked_in, numbers.walk_ins) == (4, 1, 1, 1, 3, 1)
    rows = {row.kind: (row.invited, row.accepted, row.delegated, row.declined, row.present,
                       row.walk_ins) for row in summary.by_kind}
    assert rows == {"department": (2, 1, 1, 0, 2, 0), "district": (1, 0, 0, 1, 0, 0),
                    "subdepartment": (1, 0, 0, 0, 0, 0), "other": (0, 0, 0, 0, 0, 1)}
    assert {organization.name for organization in summary.absent} == {
        "UBND thị xã Phổ Yên", "Chi cục Tiêu chuẩn Đo lường Chất lượng"}

    first, second = summary.sessions
    assert [q.text for q in first.questions] == [reviewed.answered.text, reviewed.pending_answer.text]
    assert first.questions[0].answered_by == "Chi cục trưởng Chi cục TĐC"
    assert first.questions[0].agency == "Sở Nội vụ" and first.questions[0].votes == 7
    assert first.questions[1].asker == "Trần Thị Bình"  # the deputy who came, not the invitee
    assert first.questions[1].assigned_to == "Phó Giám đốc Sở Tài chính"
    assert (second.questions[0].asker, second.questions[0].agency) == (None, None)  # anonymous
    assert (summary.question_count, summary.answered_count) == (3, 2)
    assert first.rating == Rating(4.0, 2) and summary.overall_rating == Rating(4.0, 1)

    assert {remark.text for remark in summary.feedback["lesson"]} == set(LESSONS)
    assert [len(summary.feedback[c]) for c in ("result", "obstacle", "lesson", "recommendation")] == [
        2, 1, 3, 1]
    assert [(kind, len(items)) for kind, _label, items in summary.feedback_groups("lesson")] == [
        ("department", 2), ("district", 1)]
    assert summary.version is None and summary.conclusions == "" and summary.published is None


def test_compiling_runs_the_same_queries_whatever_the_size(app, ctx):
    reviewed = factories.make_reviewed_workshop()
    workshop = reviewed.workshop
    statements = []

    def count(*args):
        statements.append(args[2])

    def queries() -> int:
        statements.clear()
        db.session.expire_all()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            summary = services.compile_summary(db.session.get(type(workshop), workshop.id))
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert summary.question_count >= 3
        return len(statements)

    services.save_conclusions(workshop, "Kết luận", factories.make_user("chair"))
    small = queries()
    session = workshop.sessions[0]
    for n in range(60):
        db.session.add(Question(workshop_id=workshop.id, session_id=session.id, text=f"Câu {n}",
                                invitation_id=reviewed.accepted.id, answer=f"Trả lời {n}"))
        db.session.add(Feedback(workshop_id=workshop.id, invitation_id=reviewed.delegated.id,
                                category="lesson", text=f"Bài học {n}", session_id=session.id,
                                rating=5))
    db.session.commit()
    assert queries() == small


# ---- the conclusions ---------------------------------------------------------------------------

def test_every_save_is_a_version_from_draft_to_final(ctx, users):
    workshop = factories.make_workshop()
    chair = users["chair"]
    first = services.save_conclusions(workshop, "Dự thảo kết luận", chair, base_version=0)
    assert (first.version, first.status, first.author_id) == (1, "draft", chair.id)
    assert services.save_conclusions(workshop, "Dự thảo kết luận ", chair) == first  # no change
    services.save_conclusions(workshop, "Kết luận đã sửa", chair, base_version=1)
    final = services.publish(workshop, users["organizer"])
    assert (final.version, final.status, final.conclusions) == (3, "final", "Kết luận đã sửa")
    assert services.publish(workshop, chair) == final  # already final
    services.save_conclusions(workshop, "Sửa sau khi công bố", chair)
    assert versions_of(workshop) == [(1, "draft", "Dự thảo kết luận"), (2, "draft", "Kết luận đã sửa"),
                                     (3, "final", "Kết luận đã sửa"), (4, "draft", "Sửa sau khi công bố")]
    # Attendees keep reading the last published version until the next one is final.
    assert services.published_summary(workshop).conclusions == "Kết luận đã sửa"
    assert services.compile_summary(workshop).conclusions == "Sửa sau khi công bố"


def test_a_save_on_top_of_an_unseen_version_is_refused(ctx, users):
    workshop = factories.make_workshop()
    services.save_conclusions(workshop, "Bản của chủ trì", users["chair"], base_version=0)
    try:
        services.save_conclusions(workshop, "Bản của ban tổ chức", users["organizer"], base_version=0)
    except SummaryError as error:
        assert error.code == "conflict" and users["chair"].name in error.message
    else:
        raise AssertionError("the second save should have been refused")
    assert versions_of(workshop) == [(1, "draft", "Bản của chủ trì")]


def test_nothing_to_publish_without_conclusions(ctx, users):
    workshop = factories.make_workshop()
    for attempt in (lambda: services.publish(workshop, users["chair"]),
                    lambda: services.save_conclusions(workshop, "  ", users["chair"], final=True)):
        try:
            attempt()
        except SummaryError as error:
            assert error.field == "conclusions"
        else:
            raise AssertionError("publishing empty conclusions should be refused")
    assert services.published_summary(workshop) is None
    assert versions_of(workshop) == []


# ---- the page ----------------------------------------------------------------------------------

def test_the_page_holds_every_answer_and_lesson_and_no_hidden_question(ctx, client_as):
    reviewed = factories.make_reviewed_workshop()
    page = client_as("chair").get(f"/workshops/{reviewed.workshop.code}/summary")
    assert page.status_code == 200
    text = page.text
    for question in (reviewed.answered, reviewed.anonymous):
        assert question.text in text and question.answer in text
    assert reviewed.answered.answered_by in text
    assert reviewed.pending_answer.text in text and "Phó Giám đốc Sở Tài chính" in text
    for lesson in LESSONS:
        assert lesson in text
    assert reviewed.hidden.text not in text and reviewed.merged.text not in text
    assert "Chi cục Tiêu chuẩn Đo lường Chất lượng" in text  # not represented
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in text
    assert "<script>alert" not in text
    for label in ("Tải DOCX", "Tải XLSX", "In", "Công bố"):
        assert f">{label}</" in text


def test_the_page_escapes_every_field_of_its_questions_and_remarks(ctx, client_as):
    """The page writes its thousands of rows itself (workshop/summary/page.py): each value
    from the database is escaped there as the template would."""
    workshop = factories.make_workshop()
    agency = factories.make_organization(name='Sở <i>"Nội vụ"</i>')
    asker = factories.make_invitee(workshop, "Lê <u>Văn</u> A", organization=agency,
                                   status="accepted")
    session = workshop.sessions[0]
    db.session.add_all([
        Question(workshop_id=workshop.id, session_id=session.id, invitation_id=asker.id,
                 status="visible", text="Hỏi <b>1</b> & 'một'?", answer="Đáp <em>1</em>",
                 answered_by="Ông <s>B</s>", answered_at=workshop.starts_at),
        Question(workshop_id=workshop.id, session_id=session.id, invitation_id=asker.id,
                 status="visible", text="Hỏi 2", assigned_to="Bà <q>C</q>"),
        Feedback(workshop_id=workshop.id, invitation_id=asker.id, session_id=session.id,
                 category="obstacle", text="Vướng <img src=x> mắc", rating=2),
    ])
    session.title = "Phiên <script>x</script>"
    db.session.commit()
    text = client_as("chair").get(f"/workshops/{workshop.code}/summary").text
    for escaped in ("Hỏi &lt;b&gt;1&lt;/b&gt; &amp; &#39;một&#39;?", "Đáp &lt;em&gt;1&lt;/em&gt;",
                    "Ông &lt;s&gt;B&lt;/s&gt;", "Giao: Bà &lt;q&gt;C&lt;/q&gt;",
                    "Lê &lt;u&gt;Văn&lt;/u&gt; A", "Sở &lt;i&gt;&#34;Nội vụ&#34;&lt;/i&gt;",
                    "Vướng &lt;img src=x&gt; mắc", "Phiên &lt;script&gt;x&lt;/script&gt; · 2/5 điểm"):
        assert escaped in text
    for raw in ("<b>1</b>", "<em>", "<s>", "<q>", "<u>", "<i>", "<img", "<script>x"):
        assert raw not in text


def test_organizers_also_open_the_summary(ctx, client_as):
    workshop = factories.make_workshop()
    assert client_as("organizer").get(f"/workshops/{workshop.code}/summary").status_code == 200


def test_check_in_staff_cannot_open_the_summary(ctx, client_as):
    workshop = factories.make_workshop()
    staff = client_as("staff")
    for path in ("summary", "summary.docx", "summary.xlsx", "summary/print"):
        assert staff.get(f"/workshops/{workshop.code}/{path}").status_code == 403
    assert staff.post(f"/workshops/{workshop.code}/summary", data={"conclusions": "x"}).status_code == 403
    assert staff.post(f"/workshops/{workshop.code}/summary/publish").status_code == 403
    assert versions_of(workshop) == []


def test_the_page_saves_drafts_finishes_and_keeps_the_history(ctx, client_as, users):
    workshop = factories.make_workshop()
    chair = client_as("chair")
    url = f"/workshops/{workshop.code}/summary"
    saved = chair.post(url, data={"conclusions": "Các đơn vị tiếp tục duy trì ISO.", "base_version": "0",
                                  "save": "Lưu bản nháp"})
    assert saved.status_code == 302
    finished = chair.post(url, data={"conclusions": "Các đơn vị duy trì và chuyển đổi ISO 9001:2015.",
                                     "base_version": "1", "finish": "Hoàn thành và công bố"})
    assert finished.status_code == 302
    assert versions_of(workshop) == [(1, "draft", "Các đơn vị tiếp tục duy trì ISO."),
                                     (2, "final", "Các đơn vị duy trì và chuyển đổi ISO 9001:2015.")]
    page = chair.get(url)
    assert "Đã hoàn thành, đã công bố" in page.text
    assert f"{url}/versions/1" in page.text and users["chair"].name in page.text
    old = chair.get(f"{url}/versions/1")
    assert old.status_code == 200 and "Các đơn vị tiếp tục duy trì ISO." in old.text
    assert chair.get(f"{url}/versions/9").status_code == 404


def test_a_stale_save_keeps_what_was_typed(ctx, client_as, users):
    workshop = factories.make_workshop()
    services.save_conclusions(workshop, "Bản của ban tổ chức", users["organizer"])
    response = client_as("chair").post(f"/workshops/{workshop.code}/summary", data={
        "conclusions": "Bản của chủ trì", "base_version": "0", "save": "Lưu bản nháp"})
    assert response.status_code == 409
    assert "Bản của chủ trì" in response.text and "phiên bản 1" in response.text
    assert 'name="base_version" type="hidden" value="1"' in response.text
    assert versions_of(workshop) == [(1, "draft", "Bản của ban tổ chức")]


def test_the_publish_button_makes_the_draft_final(ctx, client_as, users):
    workshop = factories.make_workshop()
    chair = client_as("chair")
    url = f"/workshops/{workshop.code}/summary/publish"
    refused = chair.post(url, follow_redirects=True)
    assert "Vui lòng viết kết luận trước khi hoàn thành báo cáo." in refused.text
    services.save_conclusions(workshop, "Kết luận", users["chair"])
    assert chair.post(url).status_code == 302
    assert versions_of(workshop) == [(1, "draft", "Kết luận"), (2, "final", "Kết luận")]


# ---- the API row -------------------------------------------------------------------------------

def test_api_summary_follows_the_contract(ctx, client, api_headers, users):
    reviewed = factories.make_reviewed_workshop()
    services.save_conclusions(reviewed.workshop, "Kết luận của chủ trì hội thảo.", users["chair"])
    response = client.get(f"/api/v1/workshops/{reviewed.workshop.code}/summary",
                          headers=api_headers("chair"))
    assert response.status_code == 200
    body = response.get_json()
    assert {"workshop", "attendance", "sessions", "feedback", "conclusions"} <= set(body)
    assert body["workshop"]["code"] == reviewed.workshop.code
    assert (body["attendance"]["invited"], body["attendance"]["checked_in"]) == (4, 3)
    assert body["attendance"]["by_kind"]["department"]["delegated"] == 1
    first = body["sessions"][0]
    assert first["title"] == "Phiên 1"
    assert first["questions"][0] == {**first["questions"][0], "text": reviewed.answered.text,
                                     "votes": 7, "answer": reviewed.answered.answer,
                                     "answered_by": "Chi cục trưởng Chi cục TĐC"}
    texts = [q["text"] for session in body["sessions"] for q in session["questions"]]
    assert reviewed.hidden.text not in texts and reviewed.merged.text not in texts
    assert set(body["feedback"]) == {"result", "obstacle", "lesson", "recommendation"}
    assert {item["text"] for item in body["feedback"]["lesson"]} == set(LESSONS)
    assert (body["conclusions"], body["status"], body["version"]) == (
        "Kết luận của chủ trì hội thảo.", "draft", 1)


def test_api_summary_is_for_chairs_and_organizers(ctx, client, api_headers):
    workshop = factories.make_workshop()
    path = f"/api/v1/workshops/{workshop.code}/summary"
    assert client.get(path, headers=api_headers("organizer")).status_code == 200
    assert client.get(path, headers=api_headers("staff")).status_code == 403
    assert client.get(path).status_code == 401
    assert client.get("/api/v1/workshops/khong-co/summary",
                      headers=api_headers("chair")).status_code == 404


# ---- what attendees read -----------------------------------------------------------------------

def test_the_published_partial_shows_the_final_summary_only(app, ctx, users):
    reviewed = factories.make_reviewed_workshop()
    workshop = reviewed.workshop
    with app.test_request_context():
        services.save_conclusions(workshop, "Bản nháp chưa công bố", users["chair"])
        assert services.published_summary(workshop) is None
        assert render_template("summary/_published.html", summary=None).strip() == ""
        services.save_conclusions(workshop, "Kết luận chính thức.", users["chair"], final=True)
        html = render_template("summary/_published.html",
                               summary=services.published_summary(workshop))
    assert "Kết luận chính thức." in html
    assert reviewed.answered.answer in html and LESSONS[0] in html
    assert reviewed.hidden.text not in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert db.session.scalar(select(func.count()).select_from(SummaryVersion)) == 2

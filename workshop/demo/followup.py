"""What came of the 2014 conclusions: the tasks given to named agencies, their reports as they
came in, and the 2015 review that follows the 2014 one (a series), whose recommendations
repeat one of 2014's.

Every deadline of 2014 has long passed, so what was not finished shows as overdue: the
organizer's tasks page has reminders to send."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select

from ..extensions import db
from ..feedback.services import add_feedback
from ..minutes.services import conclusion_items
from ..models import Feedback, Invitation, Organization, Task, Workshop
from ..tasks.services import add_report, create_task
from ..timeutil import LOCAL_TZ

DEMO_DAY = date(2014, 8, 12)
QUARTER_END = date(2014, 12, 31)
REVIEW_CODE = "iso9001-2015"
REVIEW_DAY = date(2015, 8, 11)
REVIEW_TITLE = ("Hội thảo sơ kết 01 năm triển khai Quyết định số 19/2014/QĐ-TTg về áp dụng Hệ thống "
                "quản lý chất lượng theo TCVN ISO 9001:2008 tại các cơ quan hành chính nhà nước tỉnh "
                "Thái Nguyên")
REVIEW_DESCRIPTION = ("Kỳ tiếp theo của hội thảo ngày 12/08/2014: đánh giá việc thực hiện các kết luận "
                      "năm 2014, kết quả chuyển đổi theo Quyết định số 19/2014/QĐ-TTg, bài học kinh "
                      "nghiệm và kiến nghị.")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


# (agency code, item number of the notice (1-based), task text or None for the item's,
#  deadline, [(report day, text, done)])
TASKS = (
    ("CC-TDC", 4, None, date(2014, 8, 29), [
        (_at(date(2014, 8, 20), 16), "Đã trả lời bằng văn bản 9/12 ý kiến chưa được giải đáp tại "
         "hội thảo; đang hoàn thiện báo cáo kết quả hội thảo.", False),
        (_at(date(2014, 8, 28), 10), "Đã trả lời đủ 12 ý kiến; đã trình UBND tỉnh báo cáo kết quả "
         "hội thảo và dự thảo Kế hoạch triển khai Quyết định số 19/2014/QĐ-TTg.", True),
    ]),
    ("SNV", 3, "Rà soát, cập nhật tài liệu của hệ thống quản lý chất lượng theo văn bản pháp luật "
     "và nhân sự mới; cử cán bộ tham gia lớp đào tạo chuyên gia đánh giá nội bộ.", QUARTER_END, [
        (_at(date(2014, 12, 19), 9), "Đã cập nhật 24/24 quy trình; 02 cán bộ đã được cấp chứng chỉ "
         "chuyên gia đánh giá nội bộ.", True),
    ]),
    ("UBND-DT", 3, "Tích hợp quy trình ISO với hoạt động của bộ phận tiếp nhận và trả kết quả của "
     "UBND huyện; rà soát, cập nhật tài liệu của hệ thống.", QUARTER_END, [
        (_at(date(2014, 11, 14), 15), "Đã tích hợp 18/35 quy trình với bộ phận một cửa; đang rà "
         "soát các quy trình còn lại.", False),
    ]),
    ("UBND-PB", 3, "Rà soát, cập nhật tài liệu của hệ thống quản lý chất lượng; cử cán bộ tham gia "
     "lớp đào tạo chuyên gia đánh giá nội bộ.", QUARTER_END, []),
)

# The 2015 review's feedback: (agency code, category, text); the first says again what UBND
# huyện Phú Bình recommended in 2014.
REVIEW_FEEDBACK = (
    ("UBND-PB", "recommendation", "Tiếp tục đề nghị UBND tỉnh bố trí kinh phí cho các huyện duy trì "
     "hệ thống quản lý chất lượng, đào tạo chuyên gia đánh giá nội bộ."),
    ("STTTT", "recommendation", "Đề nghị triển khai phần mềm một cửa điện tử liên thông, kết nối với "
     "hệ thống quản lý chất lượng của các cơ quan."),
    ("SNV", "lesson", "Cập nhật tài liệu ngay khi văn bản pháp luật thay đổi giúp hệ thống không bị "
     "lạc hậu; giao một cán bộ đầu mối theo dõi việc cập nhật."),
)


def _agencies(codes) -> dict[str, int]:
    return dict(db.session.execute(
        select(Organization.code, Organization.id).where(Organization.code.in_(set(codes)))).all())


def record_tasks(workshop: Workshop) -> None:
    """The 2014 tasks and their reports, once."""
    if db.session.scalar(select(Task.id).where(Task.workshop_id == workshop.id).limit(1)):
        return
    items = conclusion_items(workshop)
    agencies = _agencies(code for code, *_rest in TASKS)
    for code, number, text, due_on, reports in TASKS:
        if code not in agencies or number > len(items):
            continue
        item = items[number - 1]
        task, _token = create_task(workshop, text or item.text, agencies[code], due_on,
                                   conclusion_item_id=item.id, on=DEMO_DAY)
        task.created_at = _at(DEMO_DAY, 14)
        db.session.commit()
        for at, report_text, done in reports:
            add_report(task, report_text, done, now=at)


def record_review_feedback(review: Workshop) -> None:
    """The 2015 review's lessons and recommendations, once."""
    if db.session.scalar(select(Feedback.id).where(Feedback.workshop_id == review.id).limit(1)):
        return
    agencies = _agencies(code for code, *_rest in REVIEW_FEEDBACK)
    invitations = {invitation.organization_id: invitation for invitation in db.session.scalars(
        select(Invitation).where(Invitation.workshop_id == review.id))}
    for index, (code, category, text) in enumerate(REVIEW_FEEDBACK):
        invitation = invitations.get(agencies.get(code))
        if invitation is None:
            continue
        add_feedback(review, invitation, category, text, now=_at(REVIEW_DAY, 10, 30 + index))

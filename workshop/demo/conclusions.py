"""The chair's conclusions of 12/08/2014 as the thông báo kết luận's items: the same four points
as the summary's conclusions; the one that asks an agency to act names it, with its deadline."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..minutes.services import ItemInput, conclusion_items, default_notice, notice_of, save_notice
from ..models import Organization, Workshop

ITEMS = (
    ("Sau 05 năm triển khai, 35 cơ quan hành chính nhà nước của tỉnh đã xây dựng, áp dụng hệ thống "
     "quản lý chất lượng; các thủ tục hành chính được chuẩn hóa thành quy trình, công khai, minh "
     "bạch; thời gian giải quyết hồ sơ được rút ngắn; phong cách làm việc của cán bộ, công chức có "
     "chuyển biến tích cực.", None, None),
    ("Bên cạnh kết quả đạt được còn một số tồn tại: tài liệu chưa được cập nhật kịp thời khi văn "
     "bản pháp luật và nhân sự thay đổi; đánh giá nội bộ ở một số nơi còn hình thức; kinh phí duy "
     "trì chưa được bố trí riêng; việc gắn kết với bộ phận tiếp nhận và trả kết quả chưa đồng bộ.",
     None, None),
    ("Đề nghị các cơ quan, đơn vị: người đứng đầu trực tiếp chỉ đạo việc duy trì, cải tiến hệ "
     "thống; rà soát, cập nhật tài liệu trong quý IV/2014; tích hợp quy trình ISO với hoạt động của "
     "bộ phận tiếp nhận và trả kết quả; cử cán bộ tham gia lớp đào tạo chuyên gia đánh giá nội bộ do "
     "Chi cục Tiêu chuẩn Đo lường Chất lượng tổ chức.", None, None),
    ("Giao Chi cục Tiêu chuẩn Đo lường Chất lượng trả lời bằng văn bản các ý kiến chưa được giải "
     "đáp tại hội thảo; tổng hợp ý kiến, hoàn thiện báo cáo kết quả hội thảo và dự thảo Kế hoạch "
     "triển khai Quyết định số 19/2014/QĐ-TTg, trình UBND tỉnh.", "CC-TDC", date(2014, 8, 29)),
)


def record_conclusion_items(workshop: Workshop) -> None:
    """The notice and its items, once (a later load changes nothing)."""
    if notice_of(workshop) is not None or conclusion_items(workshop):
        return
    codes = {code for _text, code, _due in ITEMS if code}
    agencies = dict(db.session.execute(
        select(Organization.code, Organization.id).where(Organization.code.in_(codes))).all())
    items = [ItemInput(text=text, organization_id=agencies.get(code) if code else None,
                       due_on=due if code in agencies else None)
             for text, code, due in ITEMS]
    save_notice(workshop, default_notice(workshop), items, base_revision=0)

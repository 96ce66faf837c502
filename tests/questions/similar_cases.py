"""A labelled set for the duplicate-question suggestions: questions a delegate might send after
the demo's session-4 questions (workshop/demo/record.py QUESTIONS), each with the index of the
demo question it repeats, or None when it asks something else (on the same subject, with the
same words: the hard cases). Written by hand; some without diacritics, some in another order.
README "Duplicate questions" gives the precision measured on it and on the demo itself."""
from __future__ import annotations

REPEATS: tuple[tuple[str, int | None], ...] = (
    # repeats of a demo question
    ("Cán bộ đầu mối ISO bị luân chuyển thì ai cập nhật tài liệu của hệ thống?", 0),
    ("can bo dau moi ISO luan chuyen, tai lieu khong duoc cap nhat thi xu ly the nao", 0),
    ("Kinh phí thuê tư vấn xây dựng ISO lấy từ nguồn nào, mức chi ra sao?", 1),
    ("nguon kinh phi thue to chuc tu van, chuyen gia tu van lay o dau", 1),
    ("Hồ sơ điện tử của hệ thống quản lý chất lượng có được chấp nhận thay hồ sơ giấy không?", 2),
    ("Làm sao tích hợp quy trình ISO với quy trình của bộ phận tiếp nhận và trả kết quả để "
     "tránh trùng lặp biểu mẫu?", 3),
    ("Cơ quan đã có giấy chứng nhận theo Quyết định 118 thì khi nào phải chuyển sang tự công bố "
     "theo Quyết định 19?", 4),
    ("Có được mời chuyên gia cơ quan khác hoặc thuê tư vấn để đánh giá nội bộ không?", 5),
    ("hoat dong noi bo nhu quan ly van ban di den, quan ly tai san co bat buoc xay dung quy "
     "trinh ISO khong", 6),
    ("Cơ quan nào chủ trì kiểm tra sau khi tự công bố, kết quả có dùng chấm điểm cải cách hành "
     "chính không?", 7),
    ("Mục tiêu chất lượng hằng năm có gắn với kế hoạch cải cách hành chính không, tránh hai hệ "
     "thống chỉ tiêu?", 8),
    ("Thời hạn đăng ký đề xuất nhiệm vụ khoa học và công nghệ cấp tỉnh năm 2015 là khi nào?", 10),
    # same subject, same words, another question
    ("Đề nghị Chi cục cho biết lịch tập huấn ISO năm 2015.", None),
    ("Xin hướng dẫn cách viết sổ tay chất lượng.", None),
    ("Chi phí cấp giấy chứng nhận ISO hiện nay là bao nhiêu?", None),
    ("Cơ quan có phải công bố lại khi sửa đổi phạm vi áp dụng không?", None),
    ("Hệ thống quản lý chất lượng có áp dụng cho UBND cấp xã không?", None),
    ("Phần mềm quản lý văn bản nào đang được các sở sử dụng?", None),
    ("Khi nào Bộ Tài chính ban hành thông tư hướng dẫn?", None),
    ("Tiêu chuẩn ISO 9001:2015 khác gì phiên bản 2008?", None),
)

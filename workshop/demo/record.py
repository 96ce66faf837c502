"""The record of 12/08/2014 as it happened: answers, arrivals, questions, feedback, contributions
and the chair's draft conclusions, replayed through the same services as the live pages.

Everything is fixed data (no randomness), so every load gives the same record; each step skips
what is already there, so loading again changes nothing. The people are invented; the agencies
are named by their directory codes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ..checkin.services import check_in, register_walk_in
from ..extensions import db
from ..feedback.services import add_feedback, contribution_of, save_contribution, set_feedback_closes_at
from ..invitations.rsvp import respond
from ..models import (
    EXPECTED_STATUSES,
    UNANSWERED_STATUSES,
    Feedback,
    Invitation,
    Organization,
    Question,
    User,
    Workshop,
)
from ..questions.services import answer, ask, assign, merge, set_status, vote
from ..summary.services import save_conclusions, versions
from ..timeutil import LOCAL_TZ
from .conclusions import record_conclusion_items


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in August 2014, Vietnam time."""
    return datetime(2014, 8, day, hour, minute, tzinfo=LOCAL_TZ)


LETTERS_DATED = at(4, 8)  # the letters were issued on Monday 04/08/2014
FEEDBACK_CLOSED = at(15, 17)
OFFICIAL = "Hứa Văn Việt, Chi cục trưởng Chi cục Tiêu chuẩn Đo lường Chất lượng"
CHAIR = "Nguyễn Hữu Phúc, Phó Giám đốc Sở Khoa học và Công nghệ"

# --- the answers ----------------------------------------------------------------------------

# The leaders who sent a deputy: (agency code, deputy, deputy's title, deputy's phone).
DEPUTIES = (
    ("SKHDT", "Nguyễn Mạnh Tường", "Phó Giám đốc Sở", "0912 408 115"),
    ("SXD", "Hoàng Thị Minh Nguyệt", "Phó Giám đốc Sở", "0983 217 640"),
    ("SYT", "Lưu Đức Thịnh", "Phó Giám đốc Sở", "0915 662 031"),
    ("UBND-TPTN", "Đoàn Văn Lực", "Phó Chủ tịch UBND thành phố", "0989 134 552"),
    ("UBND-PY", "Trần Quốc Hưng", "Phó Chủ tịch UBND huyện", "0912 775 208"),
    ("UBND-DT", "Ma Thị Hồng", "Phó Chủ tịch UBND huyện", "0974 306 119"),
    ("CC-KL", "Nguyễn Văn Khải", "Phó Chi cục trưởng", "0945 820 377"),
)
DECLINED = ("SGDDT", "BQLKCN", "CC-DSKHHGD")
NEVER_ANSWERED = ("UBND-VN", "TTR")
# Said they would come, did not.
NO_SHOWS = ("SCT", "UBND-PL")
# Typed the short code printed on the letter instead of showing the QR pass.
TYPED_CODE = ("STP", "UBND-DHY")
# Came without answering: a civil servant of an agency that never replied.
WALK_IN = ("Hoàng Văn Nam", "Chuyên viên Văn phòng HĐND và UBND huyện Võ Nhai", "UBND-VN")
ARRIVALS_FROM, ARRIVALS_UNTIL = at(12, 7, 30), at(12, 8, 5)


def answered_at(letter_number: int) -> datetime:
    """Spread over 05–08/08/2014, office hours, before the 17:00 deadline of the 8th."""
    return at(5 + letter_number % 4, 8 + letter_number * 3 % 8, letter_number * 17 % 60)


# --- session 4: questions and answers ---------------------------------------------------------


@dataclass(frozen=True)
class DemoQuestion:
    agency: str
    text: str
    votes: int
    answer: str | None = None
    answered_by: str = OFFICIAL
    duplicate_of: int | None = None  # index in QUESTIONS of the question it repeats
    off_topic: bool = False


QUESTIONS = (
    DemoQuestion(
        "UBND-PY",
        "Tại UBND huyện Phổ Yên, cán bộ đầu mối ISO và nhiều công chức thực hiện quy trình thường "
        "xuyên được luân chuyển, điều động; người mới không nắm được hệ thống tài liệu nên tài liệu "
        "không được cập nhật kịp thời. Đề nghị Chi cục hướng dẫn cách duy trì, cập nhật tài liệu "
        "của hệ thống quản lý chất lượng khi có thay đổi về nhân sự.",
        9,
        "Khi có thay đổi nhân sự, người đứng đầu cơ quan cần kịp thời phân công lại cán bộ đầu mối "
        "và cập nhật bảng phân công trách nhiệm trong sổ tay chất lượng; việc bàn giao công việc "
        "phải bao gồm bàn giao hồ sơ, tài liệu ISO có liên quan. Cán bộ mới được đào tạo về hệ thống "
        "ngay khi nhận nhiệm vụ. Chi cục sẵn sàng hỗ trợ tập huấn tại chỗ khi cơ quan có đề nghị.",
    ),
    DemoQuestion(
        "SGTVT",
        "Quyết định số 19/2014/QĐ-TTg quy định cơ quan tự xây dựng, áp dụng và công bố hệ thống "
        "quản lý chất lượng. Đề nghị cho biết nguồn kinh phí để thuê tổ chức tư vấn, chuyên gia tư "
        "vấn và mức chi được hướng dẫn như thế nào, vì dự toán năm 2014 của Sở chưa bố trí nội dung "
        "này.",
        11,
        "Theo Quyết định số 19/2014/QĐ-TTg, kinh phí xây dựng, áp dụng, duy trì và cải tiến hệ "
        "thống quản lý chất lượng do ngân sách nhà nước bảo đảm theo phân cấp hiện hành và được lập "
        "cùng dự toán chi thường xuyên hằng năm của cơ quan. Trong khi chờ Bộ Tài chính hướng dẫn "
        "mức chi cụ thể, Sở Khoa học và Công nghệ sẽ phối hợp với Sở Tài chính tham mưu UBND tỉnh "
        "bố trí kinh phí hỗ trợ các cơ quan trong dự toán năm 2015.",
        answered_by=CHAIR,
    ),
    DemoQuestion(
        "STNMT",
        "Sở đang triển khai phần mềm quản lý văn bản và hồ sơ công việc. Đề nghị cho biết hồ sơ, "
        "biểu mẫu của hệ thống quản lý chất lượng lưu dưới dạng điện tử có được chấp nhận thay cho "
        "hồ sơ giấy khi đánh giá nội bộ và khi kiểm tra hay không?",
        6,
        "Tiêu chuẩn TCVN ISO 9001:2008 không quy định hình thức của hồ sơ: hồ sơ có thể ở dạng giấy "
        "hoặc điện tử, miễn là được nhận biết, bảo quản, bảo vệ, dễ truy cập và có thời gian lưu "
        "giữ xác định. Cơ quan cần quy định rõ trong thủ tục kiểm soát hồ sơ việc lưu trữ điện tử, "
        "phân quyền truy cập và sao lưu dữ liệu; hồ sơ thuộc diện nộp lưu thì vẫn thực hiện theo "
        "quy định của pháp luật về lưu trữ.",
    ),
    DemoQuestion(
        "UBND-DT",
        "Các quy trình ISO của UBND huyện và quy trình tại bộ phận tiếp nhận và trả kết quả đang "
        "được xây dựng riêng rẽ, gây trùng lặp biểu mẫu, sổ theo dõi. Đề nghị hướng dẫn cách tích "
        "hợp để cán bộ không phải làm hai lần.",
        8,
        "Bộ phận tiếp nhận và trả kết quả là một khâu trong quy trình giải quyết thủ tục hành chính, "
        "vì vậy không xây dựng quy trình riêng mà đưa các bước tiếp nhận, chuyển hồ sơ, trả kết quả "
        "vào chính quy trình ISO của từng thủ tục. Sổ theo dõi và phiếu hẹn trả kết quả của bộ phận "
        "một cửa được dùng làm hồ sơ của hệ thống. Chi cục sẽ gửi các quy trình mẫu đã tích hợp để "
        "các huyện tham khảo.",
    ),
    DemoQuestion(
        "SYT",
        "Sở Y tế đã được cấp giấy chứng nhận theo Quyết định số 118/2009/QĐ-TTg, giấy chứng nhận còn "
        "hiệu lực đến năm 2015. Đề nghị cho biết theo Quyết định số 19/2014/QĐ-TTg, cơ quan phải "
        "chuyển sang hình thức tự công bố trong thời hạn nào và trình tự thực hiện ra sao?",
        10,
        "Các cơ quan đã được cấp giấy chứng nhận tiếp tục duy trì, cải tiến hệ thống. Trước khi giấy "
        "chứng nhận hết hiệu lực, cơ quan tổ chức đánh giá nội bộ, xem xét của lãnh đạo; người đứng "
        "đầu ký quyết định công bố hệ thống quản lý chất lượng phù hợp Tiêu chuẩn quốc gia TCVN ISO "
        "9001:2008 và gửi về Sở Khoa học và Công nghệ để theo dõi. Thời hạn đối với từng cơ quan sẽ "
        "được quy định trong Kế hoạch triển khai Quyết định số 19/2014/QĐ-TTg mà Sở Khoa học và Công "
        "nghệ đang tham mưu UBND tỉnh ban hành.",
    ),
    DemoQuestion(
        "CC-KL",
        "Chi cục chỉ có 01 cán bộ có chứng chỉ chuyên gia đánh giá nội bộ nên cuộc đánh giá nội bộ "
        "hằng năm còn mang tính hình thức. Đề nghị cho biết cơ quan có thể mời chuyên gia của cơ "
        "quan khác hoặc tổ chức tư vấn thực hiện đánh giá nội bộ hay không?",
        5,
        "Cơ quan có thể mời chuyên gia đánh giá nội bộ của cơ quan khác hoặc thuê tổ chức tư vấn "
        "thực hiện, với điều kiện người đánh giá không đánh giá công việc của chính mình. Trong quý "
        "IV/2014, Chi cục sẽ mở lớp đào tạo chuyên gia đánh giá nội bộ; đề nghị mỗi cơ quan cử ít "
        "nhất 02 cán bộ tham gia để chủ động tổ chức đánh giá.",
    ),
    DemoQuestion(
        "SLDTBXH",
        "Đề nghị làm rõ phạm vi áp dụng: ngoài các thủ tục hành chính, các hoạt động nội bộ như quản "
        "lý văn bản đi, đến, quản lý tài sản có bắt buộc phải xây dựng quy trình theo TCVN ISO "
        "9001:2008 không?",
        4,
        "Phạm vi áp dụng phải bao gồm toàn bộ các thủ tục hành chính thuộc thẩm quyền giải quyết của "
        "cơ quan. Đối với hoạt động nội bộ, cơ quan đưa vào phạm vi những hoạt động ảnh hưởng trực "
        "tiếp đến chất lượng giải quyết thủ tục hành chính, như quản lý văn bản đi, đến; việc mở rộng "
        "cho các hoạt động khác do người đứng đầu cơ quan quyết định.",
    ),
    DemoQuestion(
        "UBND-SC",
        "Sau khi cơ quan tự công bố hệ thống quản lý chất lượng, việc kiểm tra được thực hiện như "
        "thế nào, cơ quan nào chủ trì, và kết quả kiểm tra có được dùng để chấm điểm cải cách hành "
        "chính hằng năm không?",
        3,
        "Sở Khoa học và Công nghệ chủ trì, phối hợp với Sở Nội vụ kiểm tra hằng năm việc áp dụng, "
        "duy trì và cải tiến hệ thống tại các cơ quan theo kế hoạch được UBND tỉnh phê duyệt. Kết "
        "quả kiểm tra là một căn cứ để chấm điểm tiêu chí cải cách hành chính của cơ quan, đơn vị.",
    ),
    DemoQuestion(
        "SNV",
        "Đề nghị Chi cục hướng dẫn việc xây dựng mục tiêu chất lượng hằng năm gắn với kế hoạch cải "
        "cách hành chính của cơ quan, để tránh có hai hệ thống chỉ tiêu khác nhau.",
        3,
    ),
    DemoQuestion(
        "UBND-DHY",
        "Khi cán bộ phụ trách ISO chuyển công tác thì tài liệu không còn người cập nhật. Xin Chi cục "
        "hướng dẫn cách khắc phục.",
        2,
        duplicate_of=0,
    ),
    DemoQuestion(
        "UBND-PB",
        "Đề nghị Sở Khoa học và Công nghệ cho biết thời hạn đăng ký đề xuất nhiệm vụ khoa học và "
        "công nghệ cấp tỉnh năm 2015.",
        1,
        off_topic=True,
    ),
)
QUESTIONS_SESSION = 4  # "Thảo luận, hỏi đáp"
ASKED_FROM = at(12, 9, 48)
ANSWERED_FROM = at(12, 10, 2)

# --- feedback during the workshop, contributions before it -------------------------------------


@dataclass(frozen=True)
class DemoFeedback:
    agency: str
    category: str
    text: str
    session: int | None = None  # agenda position
    rating: int | None = None


FEEDBACK = (
    DemoFeedback("SNV", "result", "Sau 05 năm áp dụng, 100% thủ tục hành chính thuộc thẩm quyền "
                 "giải quyết của Sở đã được xây dựng thành quy trình; hồ sơ được giải quyết đúng hạn, "
                 "công khai, minh bạch, giảm hẳn tình trạng hồ sơ tồn đọng.", 2, 5),
    DemoFeedback("UBND-TPTN", "result", "Áp dụng hệ thống quản lý chất lượng tại bộ phận tiếp nhận "
                 "và trả kết quả của thành phố đã rút ngắn thời gian giải quyết hồ sơ đất đai, xây "
                 "dựng; mức độ hài lòng của người dân được nâng lên rõ rệt.", 2, 4),
    DemoFeedback("STP", "result", "Phong cách làm việc của cán bộ, công chức chuyển biến tích cực: "
                 "mọi công việc đều có quy trình, có người chịu trách nhiệm, có hồ sơ lưu để tra "
                 "cứu.", None, 5),
    DemoFeedback("UBND-DT", "obstacle", "Cán bộ đầu mối ISO ở cấp huyện đều kiêm nhiệm, thường xuyên "
                 "thay đổi; nhiều quy trình chưa được cập nhật khi văn bản quy phạm pháp luật thay "
                 "đổi.", 3, 4),
    DemoFeedback("SGTVT", "obstacle", "Kinh phí duy trì hệ thống chưa được bố trí riêng; việc thuê tư "
                 "vấn để rà soát, chuyển đổi theo Quyết định số 19/2014/QĐ-TTg gặp nhiều khó khăn.",
                 4, 5),
    DemoFeedback("CC-TY", "obstacle", "Đánh giá nội bộ ở một số đơn vị còn mang tính hình thức, chưa "
                 "phát hiện được điểm không phù hợp để cải tiến."),
    DemoFeedback("SXD", "lesson", "Người đứng đầu cơ quan phải trực tiếp chỉ đạo, coi việc áp dụng "
                 "ISO là một nhiệm vụ cải cách hành chính, không giao khoán cho cán bộ đầu mối.", 2, 5),
    DemoFeedback("UBND-SC", "lesson", "Gắn quy trình ISO với hoạt động của bộ phận tiếp nhận và trả "
                 "kết quả giúp người dân dễ theo dõi, cán bộ dễ thực hiện, tránh làm hai lần.", 4, 5),
    DemoFeedback("CC-ATVSTP", "lesson", "Tài liệu của hệ thống cần ngắn gọn, sát với công việc thực "
                 "tế của cơ quan; sao chép tài liệu của đơn vị khác thì khó duy trì.", 3, 4),
    DemoFeedback("SYT", "recommendation", "Đề nghị Sở Khoa học và Công nghệ sớm tập huấn Quyết định "
                 "số 19/2014/QĐ-TTg và hướng dẫn việc chuyển đổi cho các cơ quan đã được cấp giấy "
                 "chứng nhận.", 3, 4),
    DemoFeedback("UBND-PB", "recommendation", "Đề nghị UBND tỉnh bố trí kinh phí hỗ trợ các huyện duy "
                 "trì, cải tiến hệ thống và đào tạo chuyên gia đánh giá nội bộ.", 4, 3),
    DemoFeedback("SVHTTDL", "recommendation", "Đề nghị nghiên cứu xây dựng phần mềm quản lý tài liệu, "
                 "hồ sơ ISO dùng chung cho các cơ quan hành chính nhà nước của tỉnh.", None, 4),
)
FEEDBACK_FROM = at(12, 10, 40)

# Báo cáo tham luận: (agency, results, obstacles, lessons, recommendations), sent on 10/08/2014.
CONTRIBUTIONS = (
    ("STP",
     "Sở Tư pháp áp dụng hệ thống quản lý chất lượng từ năm 2010 cho 100% thủ tục hành chính thuộc "
     "thẩm quyền; năm 2013 không có hồ sơ trễ hẹn, tài liệu được rà soát, cập nhật 02 lần mỗi năm.",
     "Một số thủ tục hành chính thay đổi nhiều lần trong năm nên việc sửa đổi quy trình chưa kịp "
     "thời; cán bộ đầu mối kiêm nhiệm nhiều việc.",
     "Phân công rõ người cập nhật tài liệu khi văn bản pháp luật thay đổi; đánh giá nội bộ chéo "
     "giữa các phòng giúp phát hiện điểm không phù hợp thực chất hơn.",
     "Đề nghị Sở Khoa học và Công nghệ định kỳ thông báo danh mục văn bản pháp luật mới để các cơ "
     "quan cập nhật quy trình."),
    ("UBND-TPTN",
     "UBND thành phố đã tích hợp quy trình ISO vào hoạt động của bộ phận tiếp nhận và trả kết quả; "
     "thời gian giải quyết hồ sơ cấp giấy phép xây dựng giảm từ 20 xuống 15 ngày làm việc.",
     "Cơ sở vật chất của bộ phận một cửa chưa đáp ứng; phần mềm một cửa chưa kết nối với hệ thống "
     "quản lý văn bản nên còn phải lưu hồ sơ song song.",
     "Người đứng đầu trực tiếp chỉ đạo và kiểm tra định kỳ là yếu tố quyết định để hệ thống được "
     "duy trì thực chất.",
     "Đề nghị UBND tỉnh hỗ trợ kinh phí nâng cấp phần mềm một cửa điện tử gắn với quy trình ISO cho "
     "cấp huyện."),
    ("CC-VTLT",
     "Chi cục đã ban hành hướng dẫn lập hồ sơ công việc, giúp các cơ quan thống nhất cách lưu hồ sơ "
     "của hệ thống quản lý chất lượng.",
     "Thời hạn lưu giữ hồ sơ ISO ở nhiều cơ quan chưa phù hợp với quy định về thời hạn bảo quản tài "
     "liệu; hồ sơ điện tử chưa được sao lưu định kỳ.",
     "Thủ tục kiểm soát hồ sơ cần dẫn chiếu quy định về lưu trữ ngay từ khi xây dựng, tránh phải "
     "sửa đổi nhiều lần.",
     "Đề nghị Sở Khoa học và Công nghệ phối hợp với Sở Nội vụ ban hành hướng dẫn thống nhất về lưu "
     "trữ hồ sơ điện tử của hệ thống quản lý chất lượng."),
)
CONTRIBUTIONS_SENT = at(10, 15, 30)

CONCLUSIONS = """\
Sau khi nghe báo cáo đánh giá kết quả 05 năm áp dụng Hệ thống quản lý chất lượng theo Tiêu chuẩn \
quốc gia TCVN ISO 9001:2008, phổ biến Quyết định số 19/2014/QĐ-TTg và ý kiến thảo luận của các đại \
biểu, đồng chí Phó Giám đốc Sở Khoa học và Công nghệ, chủ trì hội thảo, kết luận như sau:

1. Sau 05 năm triển khai, 35 cơ quan hành chính nhà nước của tỉnh đã xây dựng, áp dụng hệ thống \
quản lý chất lượng; các thủ tục hành chính được chuẩn hóa thành quy trình, công khai, minh bạch; \
thời gian giải quyết hồ sơ được rút ngắn; phong cách làm việc của cán bộ, công chức có chuyển biến \
tích cực.

2. Bên cạnh kết quả đạt được còn một số tồn tại: tài liệu chưa được cập nhật kịp thời khi văn bản \
pháp luật và nhân sự thay đổi; đánh giá nội bộ ở một số nơi còn hình thức; kinh phí duy trì chưa \
được bố trí riêng; việc gắn kết với bộ phận tiếp nhận và trả kết quả chưa đồng bộ.

3. Đề nghị các cơ quan, đơn vị:
- Người đứng đầu trực tiếp chỉ đạo việc duy trì, cải tiến hệ thống; rà soát, cập nhật tài liệu \
trong quý IV/2014;
- Tích hợp quy trình ISO với hoạt động của bộ phận tiếp nhận và trả kết quả;
- Cử cán bộ tham gia lớp đào tạo chuyên gia đánh giá nội bộ do Chi cục Tiêu chuẩn Đo lường Chất \
lượng tổ chức.

4. Giao Chi cục Tiêu chuẩn Đo lường Chất lượng trả lời bằng văn bản các ý kiến chưa được giải đáp \
tại hội thảo; tổng hợp ý kiến, hoàn thiện báo cáo kết quả hội thảo và dự thảo Kế hoạch triển khai \
Quyết định số 19/2014/QĐ-TTg, trình UBND tỉnh trước ngày 29/8/2014."""
CONCLUSIONS_SAVED = at(14, 16)


# --- replaying the day --------------------------------------------------------------------------


def _stamp(dated: list[tuple[object, datetime]]) -> None:
    """Date rows as they were on the day: the services that made them stamp the present."""
    for row, when in dated:
        row.created_at = when
    db.session.commit()


def invitations_by_agency(workshop: Workshop) -> dict[str, Invitation]:
    """The workshop's invitations (walk-ins aside) by their agency's directory code."""
    rows = db.session.execute(
        select(Organization.code, Invitation)
        .join(Invitation, Invitation.organization_id == Organization.id)
        .where(Invitation.workshop_id == workshop.id, Invitation.walk_in.is_(False))
    )
    return {code: invitation for code, invitation in rows}


def date_letters(invitations: list[Invitation]) -> None:
    """The 2014 letters carry the date they were issued, not the day the demo was loaded."""
    _stamp([(invitation, LETTERS_DATED) for invitation in invitations])


def _answer(invitations: dict[str, Invitation]) -> None:
    deputies = {code: deputy for code, *deputy in DEPUTIES}
    for code, invitation in invitations.items():
        if code in NEVER_ANSWERED or invitation.status not in UNANSWERED_STATUSES:
            continue
        when = answered_at(invitation.letter_number)
        if code in deputies:
            name, title, phone = deputies[code]
            respond(invitation, "delegate", name, title, phone, now=when)
        else:
            respond(invitation, "decline" if code in DECLINED else "accept", now=when)


def _arrive(workshop: Workshop, invitations: dict[str, Invitation], staff: User) -> None:
    """Check-ins from 07:30 to 08:05 in a fixed order; the scan's client_id makes a second
    load the same scan, answered from the audit without a second check-in."""
    coming = sorted((invitation for code, invitation in invitations.items()
                     if invitation.status in EXPECTED_STATUSES and code not in NO_SHOWS),
                    key=lambda invitation: (invitation.letter_number * 11 % 37, invitation.id))
    seconds = (ARRIVALS_UNTIL - ARRIVALS_FROM).total_seconds() / max(len(coming) - 1, 1)
    typed = {invitations[code].id for code in TYPED_CODE}
    for position, invitation in enumerate(coming):
        when = ARRIVALS_FROM + timedelta(seconds=round(seconds * position))
        by_hand = invitation.id in typed
        check_in(workshop, invitation.short_code if by_hand else invitation.pass_token,
                 client_id=f"demo-{invitation.token[:12]}", scanned_at=when, staff=staff,
                 method="manual" if by_hand else "scan", now=when)
    name, title, agency = WALK_IN
    already = db.session.scalar(select(Invitation.id).where(
        Invitation.workshop_id == workshop.id, Invitation.walk_in.is_(True), Invitation.name == name))
    if already is None:
        when = at(12, 8, 2)
        walk_in = register_walk_in(workshop, name, title, invitations[agency].organization_id,
                                   staff=staff, now=when)
        _stamp([(walk_in.invitation, when)])


def _discuss(workshop: Workshop, invitations: dict[str, Invitation]) -> None:
    """Session 4: questions asked, voted, a duplicate merged, one hidden, the rest assigned and
    answered. Once any of them is there, the discussion is not replayed."""
    session = next(s for s in workshop.sessions if s.position == QUESTIONS_SESSION)
    existing = set(db.session.scalars(select(Question.text).where(Question.workshop_id == workshop.id)))
    if any(item.text in existing for item in QUESTIONS):
        return
    voters = sorted((invitation for invitation in invitations.values() if invitation.checkin),
                    key=lambda invitation: invitation.letter_number)
    asked: list[Question] = []
    for index, item in enumerate(QUESTIONS):
        asker = invitations[item.agency]
        question = ask(workshop, session.id, asker, item.text,
                       now=ASKED_FROM + timedelta(minutes=4 * index))
        others = [voter for voter in voters if voter.id != asker.id]
        start = index * 5 % len(others)
        for voter in (others[start:] + others[:start])[:item.votes]:
            vote(question, voter)
        asked.append(question)
    _stamp([(question, ASKED_FROM + timedelta(minutes=4 * index)) for index, question in enumerate(asked)])
    for question, item in zip(asked, QUESTIONS, strict=True):
        if item.duplicate_of is not None:
            merge(question, asked[item.duplicate_of])
        elif item.off_topic:
            set_status(question, "hidden")
        else:
            assign(question, item.answered_by)
    answering = [(q, item) for q, item in zip(asked, QUESTIONS, strict=True) if item.answer]
    for minute, (question, item) in enumerate(sorted(answering, key=lambda pair: -pair[0].votes)):
        answer(question, item.answer, item.answered_by, now=ANSWERED_FROM + timedelta(minutes=7 * minute))


def _give_feedback(workshop: Workshop, invitations: dict[str, Invitation]) -> None:
    existing = set(db.session.scalars(select(Feedback.text).where(Feedback.workshop_id == workshop.id)))
    sessions = {session.position: session.id for session in workshop.sessions}
    added = False
    for index, item in enumerate(FEEDBACK):
        if item.text in existing:
            continue
        add_feedback(workshop, invitations[item.agency], item.category, item.text,
                     sessions.get(item.session), item.rating,
                     now=FEEDBACK_FROM + timedelta(minutes=5 * index))
        added = True
    for index, (code, *parts) in enumerate(CONTRIBUTIONS):
        invitation = invitations[code]
        if contribution_of(invitation) is None:
            save_contribution(invitation, *parts, now=CONTRIBUTIONS_SENT + timedelta(minutes=20 * index))
    if added:
        set_feedback_closes_at(workshop, FEEDBACK_CLOSED)


def record_the_day(workshop: Workshop, chair: User, staff: User) -> None:
    """Replay 12/08/2014 on the workshop whose 35 agencies are invited; a step already done is
    skipped."""
    invitations = invitations_by_agency(workshop)
    _answer(invitations)
    _arrive(workshop, invitations, staff)
    _discuss(workshop, invitations)
    _give_feedback(workshop, invitations)
    if not versions(workshop):
        _stamp([(save_conclusions(workshop, CONCLUSIONS, chair), CONCLUSIONS_SAVED)])
    record_conclusion_items(workshop)

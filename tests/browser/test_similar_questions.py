"""Duplicate questions in Chromium: the phone is offered to vote for a shown question like the
one typed, and sends it anyway; the chair's console shows the suggestion and merges by one key."""
import pytest
from playwright.sync_api import expect

from tests import factories
from workshop.extensions import db
from workshop.models import Question

LAPTOP = {"viewport": {"width": 1366, "height": 800}}
SOON = 8_000
ASKED = "Kinh phí thuê tổ chức tư vấn xây dựng hệ thống ISO lấy từ nguồn nào?"
ALIKE = "nguon kinh phi thue to chuc tu van xay dung ISO o dau"
OFFER = "Đã có câu hỏi tương tự — ông/bà có muốn bình chọn cho câu hỏi đó thay vì gửi câu hỏi mới?"

pytestmark = pytest.mark.slow


@pytest.fixture
def app(make_app):
    return make_app(WTF_CSRF_ENABLED=True)


def test_phone_is_offered_the_similar_question_and_the_chair_merges_by_one_key(
        ctx, live_server, browser_context, phone, users, tmp_path):
    workshop = factories.make_workshop(title="Hội thảo đánh giá 05 năm áp dụng ISO 9001:2008")
    session = workshop.sessions[0]
    first = Question(workshop_id=workshop.id, session_id=session.id, text=ASKED)
    db.session.add(first)
    db.session.commit()
    first_id = first.id
    voter = factories.make_invitee(workshop, "Nguyễn Văn An", status="accepted")
    asker = factories.make_invitee(workshop, "Trần Thị Bình", status="accepted")

    # one attendee votes for the question like theirs instead of sending it
    phone.goto(f"{live_server}/i/{voter.token}/questions")
    phone.fill("textarea[name=text]", ALIKE)
    phone.get_by_role("button", name="Gửi câu hỏi").click()
    offer = phone.locator("[data-similar]")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text(OFFER)
    expect(offer.locator(".similar-text")).to_have_text(ASKED)
    # Two choices while it is offered: vote for it, or send anyway; no third "send" button.
    send = phone.get_by_role("button", name="Gửi câu hỏi", exact=True)
    expect(send).to_be_hidden()
    phone.screenshot(path=str(tmp_path / "offer.png"), full_page=True)
    offer.get_by_role("button", name="Bình chọn câu này").click()
    expect(phone.locator("[data-form-message]")).to_have_text(
        "Đã bình chọn cho câu hỏi tương tự. Trân trọng cảm ơn ông/bà!")
    expect(offer).to_be_hidden()
    expect(send).to_be_visible()
    expect(phone.locator(".question .vote-count")).to_have_text("1", timeout=SOON)
    phone.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 1

    laptop = browser_context(**LAPTOP).new_page()
    asked = []  # the confirmations the chair is shown

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()
    laptop.on("dialog", accept)
    laptop.goto(f"{live_server}/login")
    laptop.fill("input[name=email]", users["chair"].email)
    laptop.fill("input[name=password]", factories.PASSWORD)
    laptop.click("button[type=submit]")
    laptop.goto(f"{live_server}/workshops/{workshop.code}/questions/console?order=time")
    expect(laptop.locator(".queue-item")).to_have_count(1)

    # another sends it anyway; it reaches the console with its suggestion
    other = browser_context(viewport={"width": 360, "height": 740}).new_page()
    other.goto(f"{live_server}/i/{asker.token}/questions")
    other.fill("textarea[name=text]", ALIKE)
    other.get_by_role("button", name="Gửi câu hỏi").click()
    other.get_by_role("button", name="Vẫn gửi câu hỏi mới").click()
    expect(other.locator("[data-form-message]")).to_have_text("Đã gửi câu hỏi. Trân trọng cảm ơn ông/bà!")

    arrived = laptop.locator(".queue-item").filter(has_text=ALIKE)
    expect(arrived).to_have_count(1, timeout=SOON)
    expect(arrived.locator(".tag-similar")).to_be_visible()
    arrived.click()
    box = laptop.locator(".console-detail [data-similar]")
    expect(box).to_be_visible()
    expect(box.locator(".similar-text")).to_have_text(ASKED)
    expect(box.get_by_role("button", name="Gộp vào câu này (d)")).to_be_visible()
    laptop.screenshot(path=str(tmp_path / "console.png"))
    laptop.keyboard.press("d")
    expect(laptop.locator(".queue-item")).to_have_count(1, timeout=SOON)
    # The `d` key merges into the suggestion, not into a question chosen in the list: the
    # confirmation names it.
    assert asked == [f"Gộp câu hỏi này vào câu hỏi tương tự “{ASKED}”? "
                     "Bình chọn và người hỏi được chuyển sang."]
    expect(laptop.locator(".console-detail .detail-text")).to_have_text(ASKED)
    db.session.expire_all()
    merged = db.session.scalars(db.select(Question).where(Question.text == ALIKE)).one()
    assert merged.status == "merged" and merged.merged_into_id == first_id
    assert db.session.get(Question, first_id).votes == 2  # the voter's, and the asker's carried over

"""Questions live, in Chromium: what a phone sends reaches the projector and the chair's console
without a reload, and what the chair does reaches the phone."""
import pytest
from playwright.sync_api import expect

from tests import factories
from workshop.extensions import db
from workshop.models import Question

PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
LAPTOP = {"viewport": {"width": 1366, "height": 800}}
# Polling every 2 s: "within a few seconds" leaves room for a busy test machine.
SOON = 8_000


@pytest.fixture
def app(make_app):
    """CSRF on, as in production: the pages' scripts must send the token with their calls."""
    return make_app(WTF_CSRF_ENABLED=True)


@pytest.fixture
def hall(ctx):
    workshop = factories.make_workshop(title="Hội thảo đánh giá 05 năm áp dụng ISO 9001:2008")
    session = workshop.sessions[0]
    session.title = "Thảo luận, hỏi đáp"
    db.session.commit()
    agency = factories.make_organization("UBND thị xã Phổ Yên", kind="district")
    invitation = factories.make_invitee(workshop, "Nguyễn Văn An", title="Phó Chủ tịch",
                                        organization=agency, status="accepted")
    return workshop, session, invitation


def mark_loaded(page) -> None:
    """A flag that a reload would wipe out."""
    page.evaluate("window.sameDocument = true")


def test_phone_question_reaches_the_projector_and_the_answer_reaches_the_phone(
        ctx, live_server, browser_context, phone, hall, api_headers, tmp_path):
    workshop, session, invitation = hall
    projector = browser_context(**PROJECTOR).new_page()
    projector.goto(f"{live_server}/screen/{workshop.screen_token}")
    expect(projector.get_by_text("Kính mời đại biểu đặt câu hỏi")).to_be_visible()
    expect(projector.locator(".screen-session")).to_have_text("Thảo luận, hỏi đáp")
    mark_loaded(projector)

    phone.goto(f"{live_server}/i/{invitation.token}/questions")
    mark_loaded(phone)
    text = "Lộ trình chuyển sang ISO 9001:2015 <b>như thế nào</b>?"
    phone.fill("textarea[name=text]", text)
    expect(phone.locator("#ask-counter")).to_have_text(str(len(text)))
    phone.get_by_role("button", name="Gửi câu hỏi").click()
    expect(phone.locator("[data-form-message]")).to_have_text("Đã gửi câu hỏi. Trân trọng cảm ơn ông/bà!")
    expect(phone.locator("textarea[name=text]")).to_have_value("")
    expect(phone.locator(".q-text")).to_have_text(text)  # as text, tags and all

    expect(projector.locator(".screen-next-text")).to_have_text(text, timeout=SOON)
    expect(projector.locator(".screen-next-item .screen-agency")).to_have_text("UBND thị xã Phổ Yên")

    question = db.session.scalars(db.select(Question)).one()
    chair = ctx.test_client()
    headers = api_headers("chair")
    assert chair.post(f"/api/v1/sessions/{session.id}/current", headers=headers,
                      json={"question_id": question.id}).status_code == 200
    expect(projector.locator(".screen-current [data-field=text]")).to_have_text(text, timeout=SOON)
    expect(projector.locator(".screen-current .screen-asker")).to_have_text("UBND thị xã Phổ Yên")
    expect(phone.locator(".question.is-current .now-badge")).to_be_visible(timeout=SOON)
    projector.screenshot(path=str(tmp_path / "projector.png"))

    answer = "Theo Quyết định 19/2014/QĐ-TTg, chuyển đổi trong năm 2015."
    assert chair.post(f"/api/v1/questions/{question.id}/answer", headers=headers,
                      json={"answer": answer, "answered_by": "Chi cục trưởng"}).status_code == 200
    expect(phone.locator(".q-answer-text")).to_have_text(answer, timeout=SOON)
    expect(phone.locator(".q-answer-head")).to_have_text("Trả lời: Chi cục trưởng")
    expect(phone.locator(".now-badge")).to_be_hidden()
    expect(projector.get_by_text("Kính mời đại biểu đặt câu hỏi")).to_be_visible(timeout=SOON)
    phone.screenshot(path=str(tmp_path / "phone.png"), full_page=True)

    assert projector.evaluate("window.sameDocument") is True
    assert phone.evaluate("window.sameDocument") is True
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_chair_moderates_from_the_keyboard_and_the_phone_follows(
        ctx, live_server, browser_context, phone, hall, users, tmp_path):
    workshop, session, invitation = hall
    session.moderated = True
    db.session.commit()
    laptop = browser_context(**LAPTOP).new_page()
    laptop.goto(f"{live_server}/login")
    laptop.fill("input[name=email]", users["chair"].email)
    laptop.fill("input[name=password]", factories.PASSWORD)
    laptop.click("button[type=submit]")
    laptop.goto(f"{live_server}/workshops/{workshop.code}/questions/console")
    expect(laptop.get_by_text("Không có câu hỏi nào ở mục này.")).to_be_visible()
    mark_loaded(laptop)

    phone.goto(f"{live_server}/i/{invitation.token}/questions")
    phone.fill("textarea[name=text]", "Kinh phí duy trì hệ thống lấy từ nguồn nào?")
    phone.get_by_role("button", name="Gửi câu hỏi").click()
    expect(phone.locator("[data-form-message]")).to_contain_text("sau khi chủ trì duyệt")
    expect(phone.locator(".question")).to_have_count(0)

    item = laptop.locator(".queue-item")
    expect(item).to_have_count(1, timeout=SOON)  # arrived without a reload
    expect(item.locator(".tag-state")).to_have_text("Chờ duyệt")
    expect(laptop.locator('[data-count="pending"]')).to_have_text("1")
    laptop.keyboard.press("j")
    expect(laptop.locator(".console-detail .detail-text")).to_have_text(
        "Kinh phí duy trì hệ thống lấy từ nguồn nào?")
    laptop.keyboard.press("a")  # approve
    expect(item.locator(".tag-state")).to_have_text("Chưa trả lời", timeout=SOON)
    expect(phone.locator(".q-text")).to_have_text("Kinh phí duy trì hệ thống lấy từ nguồn nào?",
                                                  timeout=SOON)
    laptop.keyboard.press("n")  # answering now
    expect(item.locator(".tag-now")).to_be_visible(timeout=SOON)
    expect(phone.locator(".question.is-current")).to_have_count(1, timeout=SOON)

    laptop.keyboard.press("r")
    expect(laptop.locator("textarea[name=answer]")).to_be_focused()
    laptop.keyboard.type("Từ nguồn chi thường xuyên của cơ quan.")
    laptop.fill("input[name=answered_by]", "Chi cục trưởng Chi cục TĐC")
    laptop.get_by_role("button", name="Đã trả lời").click()
    expect(item.locator(".tag-state")).to_have_text("Đã trả lời", timeout=SOON)
    expect(phone.locator(".q-answer-text")).to_have_text("Từ nguồn chi thường xuyên của cơ quan.",
                                                         timeout=SOON)
    laptop.screenshot(path=str(tmp_path / "console.png"))
    assert laptop.evaluate("window.sameDocument") is True
    assert db.session.scalars(db.select(Question)).one().answered_by == "Chi cục trưởng Chi cục TĐC"


def test_the_projector_reads_from_the_back_of_the_hall(ctx, live_server, browser_context, hall,
                                                        tmp_path):
    """At 1920×1080 the asker's agency is large enough for the back rows (at least 1.6vw); the
    idle screen says "đường liên kết", not "link"; on a phone nothing spills sideways."""
    workshop, session, invitation = hall
    db.session.add(Question(workshop_id=workshop.id, session_id=session.id,
                            invitation_id=invitation.id, text="Kinh phí duy trì hệ thống?"))
    db.session.commit()
    projector = browser_context(**PROJECTOR).new_page()
    projector.goto(f"{live_server}/screen/{workshop.screen_token}")
    idle = projector.locator(".screen-idle .screen-asker")
    expect(idle).to_have_text("Câu hỏi được gửi từ điện thoại, bằng đường liên kết trong giấy mời.")
    agency = projector.locator(".screen-next-item .screen-agency")
    expect(agency).to_have_text("UBND thị xã Phổ Yên")
    size = float(agency.evaluate("node => getComputedStyle(node).fontSize").removesuffix("px"))
    assert size >= 0.016 * 1920, size
    projector.screenshot(path=str(tmp_path / "projector-1920.png"))
    small = browser_context(viewport={"width": 360, "height": 740}).new_page()
    small.goto(f"{live_server}/screen/{workshop.screen_token}")
    expect(small.locator(".screen-next-item .screen-agency")).to_have_text("UBND thị xã Phổ Yên")
    assert small.evaluate("document.documentElement.scrollWidth") <= 360
    small.screenshot(path=str(tmp_path / "projector-360.png"), full_page=True)

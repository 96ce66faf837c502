from tests import factories


def test_staff_signs_in_on_a_phone_and_sees_vietnamese(ctx, live_server, phone, tmp_path):
    factories.make_user("staff", email="diemdanh@example.org", name="Lê Thu Hà")
    factories.make_workshop(title="Hội thảo đánh giá 05 năm áp dụng ISO 9001:2008")

    phone.goto(f"{live_server}/workshops/")
    assert phone.url.startswith(f"{live_server}/login")
    phone.fill("input[name=email]", "diemdanh@example.org")
    phone.fill("input[name=password]", factories.PASSWORD)
    phone.click("button[type=submit]")

    phone.wait_for_url(f"{live_server}/workshops/")
    assert phone.locator("html").get_attribute("lang") == "vi"
    assert "Hội thảo đánh giá 05 năm áp dụng ISO 9001:2008" in phone.content()
    assert phone.get_by_role("button", name="Đăng xuất").is_visible()
    # Readable at 360 px: nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.screenshot(path=str(tmp_path / "workshops.png"), full_page=True)


def test_wrong_password_in_the_browser(ctx, live_server, phone):
    factories.make_user("staff", email="diemdanh@example.org")
    phone.goto(f"{live_server}/login")
    phone.fill("input[name=email]", "diemdanh@example.org")
    phone.fill("input[name=password]", "khong-dung")
    phone.click("button[type=submit]")
    assert phone.get_by_text("E-mail hoặc mật khẩu không đúng.").is_visible()

import pytest

from tests import factories
from tests.conftest import BASE_CONFIG
from workshop import create_app
from workshop.auth import services
from workshop.extensions import db


def test_sign_in_with_the_right_password(ctx, client):
    user = factories.make_user("staff", email="canbo@example.org")
    response = client.post("/login", data={"email": "CanBo@example.org ",
                                           "password": factories.PASSWORD})
    assert response.status_code == 302
    assert client.get("/workshops/").status_code == 200
    assert user.email == "canbo@example.org"


@pytest.mark.parametrize("email,password", [
    ("canbo@example.org", "sai-mat-khau"),
    ("khongco@example.org", factories.PASSWORD),
])
def test_wrong_sign_in_says_the_same_thing_whatever_was_wrong(ctx, client, email, password):
    factories.make_user("staff", email="canbo@example.org")
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "E-mail hoặc mật khẩu không đúng." in page
    assert 'value="' + email in page  # the form keeps what was typed
    assert client.get("/workshops/").status_code == 302


def test_an_account_made_with_the_production_settings_is_hashed_with_scrypt_and_signs_in(
        make_app, database_url_for_test, tmp_path):
    """The tests hash with one cheap PBKDF2 round (conftest.py); this is the one account made
    with the real setting. `make_app` is asked for only to empty PostgreSQL afterwards."""
    production = {key: value for key, value in BASE_CONFIG.items() if key != "PASSWORD_HASH_METHOD"}
    app = create_app({**production, "SQLALCHEMY_DATABASE_URI": database_url_for_test,
                      "INSTANCE_PATH": tmp_path / "instance"})
    assert app.config["PASSWORD_HASH_METHOD"] == "scrypt"
    with app.app_context():
        try:
            user = services.create_user("bantochuc@example.org", "organizer", "mat-khau-dai-123")
            assert user.password_hash.startswith("scrypt:")
            assert services.authenticate("bantochuc@example.org", "mat-khau-dai-123") == user
            assert services.authenticate("bantochuc@example.org", "mat-khau-dai-124") is None
        finally:
            db.session.remove()
            db.engine.dispose()


def test_an_account_of_the_tests_has_the_cheap_hash_and_signs_in_too(ctx):
    user = factories.make_user("staff", email="nhanh@example.org")
    assert user.password_hash.startswith("pbkdf2:sha256:1$")
    assert services.authenticate("nhanh@example.org", factories.PASSWORD) == user


def test_pages_need_a_signed_in_account(client):
    response = client.get("/workshops/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_sign_out(client_as):
    client = client_as("staff")
    assert client.get("/workshops/").status_code == 200
    done = client.post("/logout", follow_redirects=True).get_data(as_text=True)
    assert "Đã đăng xuất." in done and "bạn" not in done.lower()  # the formal register
    assert client.get("/workshops/").status_code == 302


def test_sign_in_form_needs_csrf_when_enabled(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/login", data={"email": "a@b.c", "password": "x"})
    assert response.status_code == 400


def test_sign_in_is_rate_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    codes = [client.post("/login", data={"email": "a@b.vn", "password": "x"}).status_code
             for _ in range(25)]
    assert codes[0] == 200 and codes[-1] == 429


def test_api_tokens_are_stored_hashed_and_revocable(ctx, users):
    token = services.create_api_token(users["staff"])
    assert services.user_for_token(token) == users["staff"]
    stored = users["staff"].tokens[0]
    assert token not in stored.token_hash
    assert services.revoke_api_token(token)
    assert services.user_for_token(token) is None


def test_create_user_refuses_bad_input(ctx):
    with pytest.raises(services.AccountError):
        services.create_user("x@example.org", "king", "matkhau123")
    with pytest.raises(services.AccountError):
        services.create_user("x@example.org", "staff", "ngan")
    services.create_user("x@example.org", "staff", "matkhau123")
    with pytest.raises(services.AccountError):
        services.create_user("X@example.org", "chair", "matkhau123")


@pytest.mark.parametrize("target", ["//evil.example/", "/\t/evil.example", "/\\evil.example",
                                    "https://evil.example/"])
def test_no_redirect_off_site_after_sign_in_or_language_switch(ctx, client, target):
    factories.make_user("staff", email="canbo@example.org")
    response = client.get("/lang/vi", query_string={"next": target})
    assert response.headers["Location"] == "/"
    response = client.post("/login", query_string={"next": target},
                           data={"email": "canbo@example.org", "password": factories.PASSWORD})
    assert response.headers["Location"] == "/"


def test_sign_in_returns_to_the_page_asked_for(ctx, client):
    factories.make_user("staff", email="canbo@example.org")
    response = client.post("/login?next=/directory/%3Fq%3Dpho", data={
        "email": "canbo@example.org", "password": factories.PASSWORD})
    assert response.headers["Location"] == "/directory/?q=pho"

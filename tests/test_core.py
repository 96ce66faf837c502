from sqlalchemy.exc import OperationalError


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_when_the_database_answers(client):
    assert client.get("/readyz").get_json() == {"status": "ok"}


def test_readyz_is_503_when_the_database_is_gone(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/none.db")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503


def test_database_failure_is_a_clear_page_not_a_trace(app, users, monkeypatch):
    from workshop.events import services

    def broken(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(services, "list_workshops", broken)
    client = app.test_client()
    from tests.conftest import login_as

    login_as(client, users["staff"])
    response = client.get("/workshops/")
    assert response.status_code == 503
    assert "cơ sở dữ liệu" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_each_security_header_once_and_a_views_own_kept(app, client):
    from workshop.security import SECURITY_HEADERS

    @app.get("/own-policy")
    def own_policy():
        # Named in another case than ours: still the same header.
        return "", 200, {"content-security-policy": "default-src 'none'"}

    for response in (client.get("/healthz"), client.get("/login")):
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.getlist(name) == [value]
    own = client.get("/own-policy")
    assert own.headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert own.headers.getlist("X-Frame-Options") == ["DENY"]


def test_vietnamese_by_default_and_english_on_request(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="vi"' in page and "Đăng nhập" in page and "Mật khẩu" in page
    client.get("/lang/en?next=/login")
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in page and "Sign in" in page and "Password" in page


def test_language_switch_never_redirects_off_site(client):
    response = client.get("/lang/en?next=//evil.example/")
    assert response.headers["Location"] == "/"


def test_workshop_locale_sets_the_default(make_app):
    app = make_app(WORKSHOP_LOCALE="en")
    assert 'lang="en"' in app.test_client().get("/login").get_data(as_text=True)


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/khong-co-trang-nay")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)


def test_behind_a_trusted_proxy_the_phone_address_counts(make_app):
    """Rate limits per address must see each phone, not nginx's 127.0.0.1."""
    from flask import request

    app = make_app(TRUSTED_PROXIES=1)
    app.add_url_rule("/_addr", "addr", lambda: request.remote_addr)
    client = app.test_client()
    answer = client.get("/_addr", headers={"X-Forwarded-For": "10.1.2.3"})
    assert answer.get_data(as_text=True) == "10.1.2.3"


def test_the_plain_routes_are_the_main_blueprints(app):
    """Health checks, the language switch and the home page: one small blueprint, its URLs as
    before; /healthz runs no query at all."""
    from sqlalchemy import event

    from workshop.extensions import db

    with app.test_request_context():
        from flask import url_for

        assert (url_for("main.index"), url_for("main.healthz"), url_for("main.readyz"),
                url_for("main.set_language", code="en")) == ("/", "/healthz", "/readyz", "/lang/en")
    statements = []
    with app.app_context():
        engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert app.test_client().get("/healthz").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    assert statements == []


def test_date_filters_show_vietnam_time(app):
    from datetime import UTC, datetime

    from workshop.timeutil import local_date, local_datetime, local_time, long_date

    value = datetime(2014, 8, 12, 1, 30, tzinfo=UTC)  # 08:30 in Hanoi, a Tuesday
    assert (local_date(value), local_time(value), local_datetime(value)) == (
        "12/08/2014", "08:30", "08:30 12/08/2014")
    with app.test_request_context():
        assert long_date(value) == "Thứ Ba, 12/08/2014"
        rendered = app.jinja_env.from_string(
            "{{ v|date }} {{ v|time }} {{ v|long_date }}").render(v=value)
    assert rendered == "12/08/2014 08:30 Thứ Ba, 12/08/2014"


def test_a_print_page_may_add_its_own_stylesheet_and_nothing_else():
    from workshop.security import SECURITY_HEADERS, allowing_style

    policy = allowing_style("abc=")
    assert "style-src 'self' 'sha256-abc=';" in policy
    assert policy.replace(" 'sha256-abc='", "") == SECURITY_HEADERS["Content-Security-Policy"]

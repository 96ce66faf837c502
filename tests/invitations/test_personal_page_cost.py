"""What the personal page /i/<token> costs: a phone opens it again and again on the day, so it
reads everything it shows in one statement, and draws its pass once."""
from datetime import timedelta
from types import SimpleNamespace

import pytest
from cachelib import file as cachelib_file

from tests import factories
from tests.checkin.test_scan_cost import RoundTrips
from workshop import qr
from workshop.extensions import db
from workshop.invitations import deputies, rsvp
from workshop.qr import _kept_svg, qr_svg
from workshop.summary import services as summary
from workshop.timeutil import utcnow


def everything_shown():
    """An invitation whose page shows each of its parts: the host agency, the agenda, the
    invitee's agency, the seat and the check-in."""
    host = factories.make_organization("Sở Khoa học và Công nghệ", phone="0208 3856 789")
    workshop = factories.make_workshop(host_organization=host, sessions=3)
    agency = factories.make_organization("Sở Tư pháp")
    return factories.make_invitee(workshop, "Trần Văn Bình", status="accepted",
                                  organization_id=agency.id, seat_row=2, seat_number=5,
                                  present=True)


def open_page(client, invitation):
    """The page as a phone opens it: nothing the session holds is taken as loaded (the tests
    share one session with the requests)."""
    token = invitation.token
    db.session.expire_all()
    with factories.statements() as seen:
        response = client.get(f"/i/{token}")
    assert response.status_code == 200
    return response.get_data(as_text=True), seen


@pytest.mark.parametrize("limits", [False, True], ids=["limits-off", "limits-on"])
def test_the_page_reads_everything_it_shows_in_one_statement(make_app, limits):
    app = make_app(RATELIMIT_ENABLED=limits)
    with app.app_context():
        invitation = everything_shown()
        # The limits ask for the invitation of the token too: they share the page's statement.
        page, seen = open_page(app.test_client(), invitation)

    assert len(seen) == 1, seen
    for shown in ("Sở Khoa học và Công nghệ trân trọng kính mời", "0208 3856 789",
                  "Trần Văn Bình", "Sở Tư pháp", "Phiên 1", "Phiên 3", "Hàng 2, ghế 5",
                  "Đã điểm danh lúc"):
        assert shown in page


def test_the_page_reads_outside_any_transaction(ctx, client, tmp_path):
    """The page's GET begins no transaction of the session; on PostgreSQL its one statement is
    its one round trip, no BEGIN or ROLLBACK around it (workshop/autocommit.py)."""
    token = everything_shown().token
    db.session.commit()  # the test's own transaction ends here
    trips = (RoundTrips(db.engine, tmp_path / "libpq.trace")
             if db.engine.dialect.name == "postgresql" else None)
    try:
        client.get(f"/i/{token}")  # the connection it reads on, kept from then on
        before, sent_before = (trips.count(), len(trips.sent())) if trips else (0, 0)

        page, seen = open_page(client, SimpleNamespace(token=token))

        assert "Trần Văn Bình" in page and len(seen) == 1, seen
        assert not db.session().in_transaction()
        if trips:
            assert trips.count() - before == 1
            assert trips.sent()[sent_before:] == []
    finally:
        if trips:
            trips.close()


def test_a_refused_deputy_and_the_reason_come_in_the_same_statement(ctx, client):
    workshop = factories.make_workshop(deputy_approval=True)
    invitation = factories.make_invitee(workshop, "Trần Văn Bình", status="sent")
    rsvp.respond(invitation, "delegate", "Lê Thị Hoa", "Phó Giám đốc Sở", "0912 345 678")
    deputies.decide(invitation, False, "Người dự thay phải là lãnh đạo Sở.",
                    actor=factories.make_user("organizer"))

    page, seen = open_page(client, invitation)

    assert len(seen) == 1, seen
    assert "Ban tổ chức không chấp thuận người dự thay." in page
    assert "Người dự thay phải là lãnh đạo Sở." in page


def test_a_published_summary_is_the_one_more_statement(ctx, client, users):
    invitation = everything_shown()
    workshop = invitation.workshop
    _, before = open_page(client, invitation)
    summary.save_conclusions(workshop, "Kết luận chính thức của hội thảo.", users["chair"],
                             final=True)

    page, seen = open_page(client, invitation)

    assert len(before) == 1 and len(seen) == 2, seen
    assert "Kết luận chính thức của hội thảo." in page


def test_the_pass_is_drawn_once_and_stays_the_pass_token_s(ctx, client):
    invitation = everything_shown()
    _kept_svg.cache_clear()
    first, _ = open_page(client, invitation)
    again, _ = open_page(client, invitation)
    assert _kept_svg.cache_info().misses == 1 and _kept_svg.cache_info().hits == 1
    assert qr_svg(invitation.pass_token) in first and qr_svg(invitation.pass_token) in again

    # A new pass (the deputy's own, say) is a new drawing, never the old one from the cache.
    old = invitation.pass_token
    invitation.pass_token = "the-pass-of-the-deputy-" + utcnow().strftime("%H%M%S%f")
    db.session.commit()
    page, _ = open_page(client, invitation)
    assert qr_svg(invitation.pass_token) in page and qr_svg(old) not in page


def test_another_worker_loads_the_compiled_templates_instead_of_compiling_them(make_app,
                                                                               monkeypatch):
    first = make_app()
    with first.app_context():
        token = everything_shown().token
    assert first.test_client().get(f"/i/{token}").status_code == 200

    # A second worker (or the server restarted): the same instance folder, a new environment.
    second = make_app()
    compiled = []
    compile_template = second.jinja_env.compile
    monkeypatch.setattr(second.jinja_env, "compile",
                        lambda source, name=None, *args, **kwargs:
                        compiled.append(name) or compile_template(source, name, *args, **kwargs))
    page = second.test_client().get(f"/i/{token}")

    assert page.status_code == 200 and "Trần Văn Bình" in page.get_data(as_text=True)
    assert compiled == []


def test_after_the_workshop_the_page_shows_no_pass_and_draws_none(ctx, client):
    now = utcnow()
    workshop = factories.make_workshop(starts_at=now - timedelta(hours=4),
                                       ends_at=now - timedelta(hours=1))
    invitation = factories.make_invitee(workshop, "Trần Văn Bình", status="accepted")
    _kept_svg.cache_clear()

    page, seen = open_page(client, invitation)

    assert "Báo cáo kết quả hội thảo" in page and 'id="pass"' not in page
    assert _kept_svg.cache_info().misses == 0 and len(seen) == 1


def no_drawing(monkeypatch):
    """From here on, drawing a code fails the test: a pass must come from where it was kept."""
    def draw(data):
        raise AssertionError(f"drew {data!r} again")
    monkeypatch.setattr(qr, "_code", draw)


def test_another_worker_reads_the_pass_the_first_one_drew(make_app, monkeypatch):
    first = make_app()
    with first.app_context():
        invitation = everything_shown()
        token, pass_token = invitation.token, invitation.pass_token
    _kept_svg.cache_clear()
    assert first.test_client().get(f"/i/{token}").status_code == 200
    drawn = qr_svg(pass_token)

    # Another gunicorn worker: its own memory (nothing kept there), the same instance folder.
    _kept_svg.cache_clear()
    no_drawing(monkeypatch)
    second = make_app()
    page = second.test_client().get(f"/i/{token}").get_data(as_text=True)

    assert drawn in page and pass_token not in page


@pytest.mark.parametrize("fault", ["full-disk", "no-folder"])
def test_the_page_draws_its_pass_when_it_cannot_be_kept(make_app, tmp_path, monkeypatch, fault):
    if fault == "no-folder":
        # Something else where the folder should be: the store cannot be opened at all.
        (tmp_path / "instance").mkdir(exist_ok=True)
        (tmp_path / "instance" / "pass-qr").write_text("not a folder")
    else:
        def full(*args, **kwargs):
            raise OSError(28, "No space left on device")
        monkeypatch.setattr(cachelib_file.tempfile, "mkstemp", full)
    app = make_app()
    with app.app_context():
        invitation = everything_shown()
        token, pass_token = invitation.token, invitation.pass_token
    assert (app.extensions.get("pass_qr") is None) == (fault == "no-folder")
    _kept_svg.cache_clear()

    page = app.test_client().get(f"/i/{token}")

    assert page.status_code == 200 and qr_svg(pass_token) in page.get_data(as_text=True)


def test_a_worker_starting_empties_a_folder_of_too_many_passes(make_app, tmp_path, monkeypatch):
    monkeypatch.setattr(qr, "PASS_CACHE_FILES", 2)
    app = make_app()
    _kept_svg.cache_clear()
    with app.app_context():
        for n in range(3):
            qr.pass_svg(f"pass-{n}")
    folder = tmp_path / "instance" / "pass-qr"
    assert len(list(folder.iterdir())) == 3

    make_app()

    assert list(folder.iterdir()) == []


def test_on_the_day_the_page_makes_no_csrf_token_and_writes_no_cookie_again(make_app):
    """The pass page on the day has no form: nothing to sign a CSRF token for. Opened again by
    the same phone, its answer sets no cookie (the session already holds the invitation)."""
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        invitation = everything_shown()
        workshop = invitation.workshop  # on the day: past the answers' deadline
        workshop.starts_at, workshop.ends_at = utcnow() - timedelta(hours=1), utcnow() + timedelta(hours=3)
        db.session.commit()
        assert not rsvp.can_answer(invitation)
        token = invitation.token
    client = app.test_client()

    first = client.get(f"/i/{token}")
    again = client.get(f"/i/{token}")

    assert first.status_code == again.status_code == 200
    assert "Set-Cookie" in first.headers  # the invitation, for the self check-in's poster
    assert "Set-Cookie" not in again.headers
    for response in (first, again):
        page = response.get_data(as_text=True)
        assert 'name="csrf-token"' not in page and "csrf_token" not in page
        assert "Thẻ vào hội trường" in page


def test_while_answers_are_open_the_page_carries_its_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        workshop = factories.make_workshop(starts_at=utcnow() + timedelta(days=10))
        invitation = factories.make_invitee(workshop, "Trần Văn Bình", status="sent")
        assert rsvp.can_answer(invitation)
        token = invitation.token
    page = app.test_client().get(f"/i/{token}").get_data(as_text=True)
    assert '<meta name="csrf-token" content="' in page and 'name="csrf_token"' in page


def _drawings(monkeypatch) -> list[str]:
    """The passes drawn from now on (the library's work, not a read of a kept drawing)."""
    drawn = []
    draw = qr._svg.__wrapped__

    def counted(data):
        drawn.append(data)
        return draw(data)

    monkeypatch.setattr(qr._svg, "__wrapped__", counted)
    _kept_svg.cache_clear()
    return drawn


def test_a_new_invitations_pass_is_drawn_once_committed_and_its_page_draws_none(ctx, client,
                                                                                monkeypatch):
    drawn = _drawings(monkeypatch)
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop, "Trần Văn Bình", status="sent")
    assert drawn == [invitation.pass_token]

    _kept_svg.cache_clear()  # as another worker, which holds none of it in memory
    page, _ = open_page(client, invitation)
    assert drawn == [invitation.pass_token]  # read from the store, not drawn again
    assert qr_svg(invitation.pass_token) in page


def test_a_rolled_back_invitation_draws_nothing_and_a_walk_in_has_no_pass_drawn(ctx, monkeypatch):
    from workshop.models import Invitation

    drawn = _drawings(monkeypatch)
    workshop = factories.make_workshop()
    db.session.add(Invitation(workshop_id=workshop.id, name="Lê Thị Hoa"))
    db.session.flush()
    db.session.rollback()
    db.session.add(Invitation(workshop_id=workshop.id, name="Khách vãng lai", walk_in=True,
                              status="accepted"))
    db.session.commit()
    assert drawn == []


def test_a_pass_that_cannot_be_drawn_ahead_leaves_the_invitation_made(ctx, client, monkeypatch,
                                                                       caplog):
    def broken(data):
        raise OSError("đĩa đầy")

    monkeypatch.setattr(qr._svg, "__wrapped__", broken)
    _kept_svg.cache_clear()
    workshop = factories.make_workshop()
    invitation = factories.make_invitee(workshop, "Trần Văn Bình", status="sent")  # no error
    assert "Passes not drawn ahead" in caplog.text
    monkeypatch.undo()
    db.session.expire_all()
    page, _ = open_page(client, invitation)  # the page draws it
    assert qr_svg(invitation.pass_token) in page

"""`flask demo load`: the 2014 Thai Nguyen review, idempotent, from the data inside the package."""
from sqlalchemy import func, select

from workshop.demo.services import DEMO_ACCOUNTS, DEMO_CODE
from workshop.extensions import db
from workshop.models import Organization, User, Workshop


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_load_builds_the_review_workshop(runner, ctx):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    for account in DEMO_ACCOUNTS:
        assert account.email in result.output and account.password in result.output

    kinds = dict(db.session.execute(
        select(Organization.kind, func.count()).group_by(Organization.kind)).all())
    assert kinds == {"department": 17, "district": 9, "subdepartment": 7, "provincial_agency": 2}
    assert db.session.scalar(select(Organization).where(Organization.code == "CC-TDC")).parent.name \
        == "Sở Khoa học và Công nghệ"

    workshop = db.session.scalar(select(Workshop).where(Workshop.code == DEMO_CODE))
    assert "TCVN ISO 9001:2008" in workshop.title
    assert workshop.host_organization.name == "Sở Khoa học và Công nghệ"
    titles = [session.title for session in workshop.sessions]
    assert len(titles) == 5
    assert titles[0] == "Khai mạc hội thảo" and titles[-1] == "Kết luận hội thảo"
    assert "19/2014/QĐ-TTg" in titles[2]
    assert "Chi cục trưởng Chi cục Tiêu chuẩn Đo lường Chất lượng" in titles[3]
    assert {session.chair.role for session in workshop.sessions} == {"chair"}
    assert {user.role for user in db.session.scalars(select(User))} == {"organizer", "chair", "staff"}


def test_demo_load_is_idempotent(runner, ctx):
    runner.invoke(args=["demo", "load"])
    before = (count(Organization), count(User), count(Workshop))
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert (count(Organization), count(User), count(Workshop)) == before == (35, 3, 1)


def test_demo_load_if_empty_leaves_a_used_database_alone(runner, ctx):
    from tests import factories

    factories.make_workshop()
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0
    assert count(Workshop) == 1 and count(Organization) == 0


def test_demo_logins_work(runner, ctx, client):
    runner.invoke(args=["demo", "load"])
    organizer = next(a for a in DEMO_ACCOUNTS if a.role == "organizer")
    response = client.post("/login", data={"email": organizer.email, "password": organizer.password})
    assert response.status_code == 302
    page = client.get("/workshops/").get_data(as_text=True)
    assert "TCVN ISO 9001:2008" in page

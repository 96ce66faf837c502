"""The summary at scale: compiling it, its page and its DOCX run the same number of statements
whatever the size of the workshop (no query per invitation, question or feedback item)."""
from __future__ import annotations

from tests import factories
from workshop.extensions import db
from workshop.models import CheckIn, Feedback, Question
from workshop.models.feedback import FEEDBACK_CATEGORIES
from workshop.summary import services


def grow(workshop, agencies, invitations: int) -> None:
    """`invitations` more invitees across the agencies, most checked in, each asking two
    questions (one answered, one assigned) and sending five feedback items."""
    sessions = workshop.sessions
    for n in range(invitations):
        invitee = factories.make_invitee(workshop, organization=agencies[n % len(agencies)],
                                         status="accepted")
        if n % 10 < 7:
            db.session.add(CheckIn(workshop_id=workshop.id, invitation_id=invitee.id))
        for k in range(2):
            db.session.add(Question(
                workshop_id=workshop.id, session_id=sessions[k].id, invitation_id=invitee.id,
                text=f"Câu hỏi {n}-{k}", status="visible", votes=n % 5, anonymous=n % 7 == 0,
                answer="Đã trả lời" if k == 0 else None, answered_by="Giám đốc Sở" if k == 0 else None,
                assigned_to=None if k == 0 else "Phòng Kế hoạch"))
        for k in range(5):
            db.session.add(Feedback(workshop_id=workshop.id, invitation_id=invitee.id,
                                    session_id=sessions[k % 2].id, category=FEEDBACK_CATEGORIES[k % 4],
                                    text=f"Góp ý {n}-{k}", rating=k + 1))
    db.session.commit()


def counted(client, workshop) -> tuple[int, int, int]:
    code = workshop.code
    with factories.statements() as compiled:
        summary = services.compile_summary(workshop)
        services.summary_data(summary)
    with factories.statements() as page:
        assert client.get(f"/workshops/{code}/summary").status_code == 200
    with factories.statements() as document:
        assert client.get(f"/workshops/{code}/summary.docx").status_code == 200
    db.session.expire_all()
    return len(compiled), len(page), len(document)


def test_the_summary_runs_as_many_statements_for_three_times_the_data(ctx, client_as):
    workshop = factories.make_workshop()
    agencies = [factories.make_organization(kind=kind)
                for kind in ("department", "district", "subdepartment", "provincial_agency")]
    chair = client_as("chair")
    grow(workshop, agencies, 5)
    small = counted(chair, workshop)
    grow(workshop, agencies, 10)
    assert counted(chair, workshop) == small
    assert len(services.compile_summary(workshop).feedback["result"]) > 15  # the data did grow

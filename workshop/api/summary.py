"""API row for the summary: the same compiled Summary that the page and the exports read."""
from __future__ import annotations

from ..feedback.services import Rating, Remark
from ..summary.services import QuestionLine, Summary, compile_summary
from ..timeutil import isoformat
from .routing import endpoint
from .workshops import serialize_workshop, workshop_or_404


def _rating(rating: Rating | None) -> dict | None:
    return {"average": rating.average, "count": rating.count} if rating else None


def _question(question: QuestionLine) -> dict:
    return {
        "id": question.id,
        "text": question.text,
        "votes": question.votes,
        "asker": question.asker,
        "organization": question.agency,
        "assigned_to": question.assigned_to,
        "answer": question.answer,
        "answered_by": question.answered_by,
        "answered_at": isoformat(question.answered_at),
    }


def _remark(remark: Remark) -> dict:
    return {
        "text": remark.text,
        "source": remark.source,
        "organization": remark.agency,
        "kind": remark.kind,
        "person": remark.person,
        "session_id": remark.session_id,
        "rating": remark.rating,
        "created_at": isoformat(remark.created_at),
    }


def serialize_summary(summary: Summary) -> dict:
    numbers = summary.attendance
    version = summary.version
    return {
        "workshop": serialize_workshop(summary.workshop),
        "attendance": {
            **numbers.as_dict(),
            "by_kind": {row.kind: {name: value for name, value in vars(row).items() if name != "kind"}
                        for row in summary.by_kind},
            "absent": [{"id": o.id, "name": o.name, "kind": o.kind} for o in summary.absent],
        },
        "sessions": [
            {"id": session.id, "title": session.title, "rating": _rating(session.rating),
             "questions": [_question(question) for question in session.questions]}
            for session in summary.sessions
        ],
        "feedback": {category: [_remark(remark) for remark in items]
                     for category, items in summary.feedback.items()},
        "overall_rating": _rating(summary.overall_rating),
        "conclusions": summary.conclusions,
        "status": summary.status,
        "version": version.version if version else None,
        "updated_at": isoformat(version.created_at) if version else None,
        "published_version": summary.published.version if summary.published else None,
    }


@endpoint("/workshops/<code>/summary", "GET", who="chair", summary="The workshop's summary",
          responses={200: "The summary", 404: "No workshop has this code"})
def get_summary(code: str):
    """Attendance by agency kind and the agencies not represented; per session the visible
    questions with votes and answers; feedback and contributions by category; the newest
    conclusions with their `status` (`draft` or `final`, null before any is written)."""
    return serialize_summary(compile_summary(workshop_or_404(code)))

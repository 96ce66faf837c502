"""Plain functions that make test data; each commits, so that requests can see it."""
from __future__ import annotations

import itertools
from datetime import datetime

from workshop.extensions import db
from workshop.models import Organization, User, Workshop, WorkshopSession
from workshop.timeutil import LOCAL_TZ

_sequence = itertools.count(1)
PASSWORD = "matkhau-123"


def make_user(role: str = "organizer", email: str | None = None, name: str | None = None,
              password: str = PASSWORD) -> User:
    n = next(_sequence)
    user = User(email=email or f"{role}{n}@example.org", role=role,
                name=name or f"Người dùng {n}", title="Chuyên viên")
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def make_organization(name: str | None = None, kind: str = "department", **fields) -> Organization:
    n = next(_sequence)
    organization = Organization(name=name or f"Sở Thử nghiệm {n}", kind=kind, **fields)
    db.session.add(organization)
    db.session.commit()
    return organization


def make_workshop(code: str | None = None, sessions: int = 2, **fields) -> Workshop:
    n = next(_sequence)
    values = {
        "code": code or f"ht-{n}",
        "title": f"Hội thảo thử nghiệm {n}",
        "starts_at": datetime(2030, 8, 12, 8, 0, tzinfo=LOCAL_TZ),
        "ends_at": datetime(2030, 8, 12, 11, 30, tzinfo=LOCAL_TZ),
        "venue": "Hội trường tầng 3",
    }
    values.update(fields)
    workshop = Workshop(**values)
    for position in range(1, sessions + 1):
        workshop.sessions.append(WorkshopSession(position=position, title=f"Phiên {position}"))
    db.session.add(workshop)
    db.session.commit()
    return workshop

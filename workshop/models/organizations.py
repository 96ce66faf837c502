"""The agency directory: departments, district People's Committees, sub-departments…"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..text import fold
from ..timeutil import utcnow
from .types import UTCDateTime

ORGANIZATION_KINDS = ("department", "district", "subdepartment", "provincial_agency", "other")

KIND_LABELS = {
    "department": _l("Sở, Ban, Ngành"),
    "district": _l("UBND cấp huyện"),
    "subdepartment": _l("Chi cục"),
    "provincial_agency": _l("Cơ quan thuộc UBND tỉnh"),
    "other": _l("Khác"),
}


class Organization(db.Model):
    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('department', 'district', 'subdepartment', 'provincial_agency', 'other')",
            name="kind",
        ),
        CheckConstraint("leader_salutation IS NULL OR leader_salutation IN ('Ông', 'Bà')",
                        name="leader_salutation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    leader_name: Mapped[str | None] = mapped_column(String(255))
    leader_title: Mapped[str | None] = mapped_column(String(255))
    # "Ông" or "Bà": how letters address the leader; None addresses them by position.
    leader_salutation: Mapped[str | None] = mapped_column(String(10))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(500))
    # Accent-folded name, code and leader, kept in step by the listener below, for search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped[Organization | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Organization]] = relationship(back_populates="parent")

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    def __repr__(self) -> str:
        return f"<Organization {self.code or self.id} {self.name!r}>"


@event.listens_for(Organization, "before_insert")
@event.listens_for(Organization, "before_update")
def _refresh_search_text(mapper, connection, organization: Organization) -> None:
    organization.search_text = fold(
        " ".join(filter(None, [organization.name, organization.code, organization.leader_name]))
    )

"""Workshops and their agendas."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Workshop


def list_workshops() -> list[Workshop]:
    return list(db.session.scalars(select(Workshop).order_by(Workshop.starts_at.desc())))

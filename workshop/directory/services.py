"""The agency directory: search, create, edit, import and export."""
from __future__ import annotations

from sqlalchemy import Select, select

from ..models import Organization
from ..text import search_pattern


def search_statement(query: str | None = None, kind: str | None = None) -> Select:
    """Agencies matching `query` without accents ("pho yen" finds "Phổ Yên"), by kind and name."""
    statement = select(Organization)
    if query and query.strip():
        pattern = search_pattern(query)
        statement = statement.where(Organization.search_text.like(pattern, escape="\\"))
    if kind:
        statement = statement.where(Organization.kind == kind)
    return statement.order_by(Organization.kind, Organization.name)

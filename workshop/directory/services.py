"""The agency directory: search, create and edit. The spreadsheet import and export are in
`imports.py`.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..collation import agency_key
from ..extensions import db
from ..models import ORGANIZATION_KINDS, SALUTATIONS, Organization, User
from ..text import search_pattern


def max_length(column: str) -> int:
    """The column's length in the model: forms and imports check the same limits."""
    return Organization.__table__.c[column].type.length


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


# --- search -------------------------------------------------------------------------------


def _matching(query: str | None):
    if query and query.strip():
        return Organization.search_text.like(search_pattern(query), escape="\\")
    return None


def search_statement(query: str | None = None, kind: str | None = None) -> Select:
    """Agencies matching `query` without accents ("pho yen" finds "Phổ Yên"), by kind and name
    in the database's order: the API pages through it (a page needs an order the database
    keeps); the page and the export sort the whole list in Vietnamese order instead
    (`search_organizations`)."""
    statement = select(Organization)
    condition = _matching(query)
    if condition is not None:
        statement = statement.where(condition)
    if kind:
        statement = statement.where(Organization.kind == kind)
    return statement.order_by(Organization.kind, Organization.name)


def search_organizations(query: str | None = None, kind: str | None = None) -> list[Organization]:
    """Agencies matching `query`, with their parents, in directory order: by kind, then by name
    in Vietnamese alphabetical order (the whole directory is a few hundred agencies)."""
    return sorted(db.session.scalars(with_parents(search_statement(query, kind))), key=agency_key)


def kind_counts(query: str | None = None) -> dict[str, int]:
    """How many agencies of each kind match `query`: the numbers on the kind filter."""
    statement = select(Organization.kind, func.count()).group_by(Organization.kind)
    condition = _matching(query)
    if condition is not None:
        statement = statement.where(condition)
    counts = dict.fromkeys(ORGANIZATION_KINDS, 0)
    counts.update({kind: count for kind, count in db.session.execute(statement)})
    return counts


def with_parents(statement: Select) -> Select:
    """Load each agency's parent in one more query, for lists that show it."""
    return statement.options(selectinload(Organization.parent))


# --- create and edit ----------------------------------------------------------------------


def _reaches(start: Hashable | None, target: Hashable, parent_of: Callable) -> bool:
    """Whether walking up from `start` through `parent_of` meets `target`.

    Making `start` the parent of `target` closes a loop exactly when this is true.
    """
    seen = set()
    node = start
    while node is not None and node not in seen:
        if node == target:
            return True
        seen.add(node)
        node = parent_of(node)
    return False


def _parent_ids() -> dict[int, int | None]:
    return dict(db.session.execute(select(Organization.id, Organization.parent_id)).all())


def parent_candidates(organization: Organization | None = None) -> list[Organization]:
    """Agencies that may be chosen as the parent: never the agency itself or one under it."""
    candidates = sorted(db.session.scalars(select(Organization)), key=agency_key)
    if organization is None or organization.id is None:
        return candidates
    parents = _parent_ids()
    return [c for c in candidates if not _reaches(c.id, organization.id, parents.get)]


def parent_problem(parent_id: int, organization: Organization | None = None) -> str | None:
    """Why `parent_id` cannot be the parent of `organization` (None: it can)."""
    if db.session.get(Organization, parent_id) is None:
        return _("Cơ quan cấp trên không có trong danh bạ.")
    if organization is not None and organization.id is not None:
        if _reaches(parent_id, organization.id, _parent_ids().get):
            return _("Không thể chọn chính cơ quan này hoặc đơn vị trực thuộc nó làm cơ quan cấp trên.")
    return None


def code_problem(code: str, organization: Organization | None = None) -> str | None:
    """Why `code` cannot be given to `organization` (None: it can): codes are unique."""
    holder = db.session.scalar(select(Organization).where(Organization.code == code))
    if holder is not None and holder is not organization:
        return _("Mã “%(code)s” đã được dùng cho “%(name)s”.", code=code, name=holder.name)
    return None


def _ensure_code(organization: Organization) -> None:
    """Give an agency without a code one (CQ-<id>), so that an export re-imports onto it."""
    if organization.code:
        return
    db.session.flush()
    code, n = f"CQ-{organization.id}", 1
    while db.session.scalar(select(Organization.id).where(Organization.code == code)) is not None:
        n += 1
        code = f"CQ-{organization.id}-{n}"
    organization.code = code


def _assign(organization: Organization, *, name: str, kind: str, code: str | None,
            parent_id: int | None, leader_name: str | None, leader_title: str | None,
            email: str | None, phone: str | None, address: str | None,
            leader_salutation: str | None = None, action: str,
            actor: User | None = None) -> Organization:
    organization.name = name.strip()
    organization.kind = kind
    organization.code = _clean(code)
    organization.parent_id = parent_id
    organization.leader_name = _clean(leader_name)
    organization.leader_title = _clean(leader_title)
    organization.leader_salutation = leader_salutation if leader_salutation in SALUTATIONS else None
    organization.email = _clean(email)
    organization.phone = _clean(phone)
    organization.address = _clean(address)
    _ensure_code(organization)
    audit.log(action, detail=organization.name, actor=actor)
    db.session.commit()
    return organization


def create_organization(*, name: str, kind: str, code: str | None = None,
                        parent_id: int | None = None, leader_name: str | None = None,
                        leader_title: str | None = None, email: str | None = None,
                        phone: str | None = None, address: str | None = None,
                        leader_salutation: str | None = None,
                        actor: User | None = None) -> Organization:
    """Add an agency; values were validated by OrganizationForm (the page's and the API's)."""
    organization = Organization()
    db.session.add(organization)
    return _assign(organization, name=name, kind=kind, code=code, parent_id=parent_id,
                   leader_name=leader_name, leader_title=leader_title, email=email, phone=phone,
                   address=address, leader_salutation=leader_salutation,
                   action="directory.create", actor=actor)


def update_organization(organization: Organization, *, name: str, kind: str,
                        code: str | None = None, parent_id: int | None = None,
                        leader_name: str | None = None, leader_title: str | None = None,
                        email: str | None = None, phone: str | None = None,
                        address: str | None = None,
                        leader_salutation: str | None = None,
                        actor: User | None = None) -> Organization:
    """Replace every field of an agency; a blank code gets a generated one."""
    return _assign(organization, name=name, kind=kind, code=code, parent_id=parent_id,
                   leader_name=leader_name, leader_title=leader_title, email=email, phone=phone,
                   address=address, leader_salutation=leader_salutation,
                   action="directory.edit", actor=actor)



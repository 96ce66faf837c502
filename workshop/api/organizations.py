"""API rows for the agency directory."""
from flask import request

from ..directory import services
from .routing import endpoint, paginate


def serialize(organization) -> dict:
    return {
        "id": organization.id,
        "code": organization.code,
        "name": organization.name,
        "kind": organization.kind,
        "parent_id": organization.parent_id,
        "leader_name": organization.leader_name,
        "leader_title": organization.leader_title,
        "email": organization.email,
        "phone": organization.phone,
        "address": organization.address,
    }


@endpoint("/organizations", "GET", who="staff", summary="List and search agencies")
def list_organizations():
    """`q` matches name, code and leader without Vietnamese accents; `kind` filters."""
    statement = services.search_statement(request.args.get("q"), request.args.get("kind"))
    return paginate(statement, serialize)

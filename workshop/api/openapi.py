"""GET /api/v1/openapi.json, generated from the endpoint declarations and their forms."""
from __future__ import annotations

import re

from flask import jsonify
from wtforms import Form
from wtforms import fields as wtf
from wtforms import validators as v

from .routing import ENDPOINTS, bp

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def _openapi_path(rule: str) -> tuple[str, list[dict]]:
    parameters = []

    def replace(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        schema = {"type": "integer"} if converter == "int" else {"type": "string"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return "/api/v1" + _CONVERTER.sub(replace, rule), parameters


def _field_schema(field: wtf.Field) -> dict:
    if isinstance(field, wtf.BooleanField):
        schema: dict = {"type": "boolean"}
    elif isinstance(field, wtf.IntegerField):
        schema = {"type": "integer"}
    elif isinstance(field, wtf.SelectField):
        # A choice is a (value, label) tuple or a WTForms SelectChoice; its first item is the value.
        schema = {"type": "string", "enum": [str(next(iter(choice))) for choice in field.choices or []]}
    elif getattr(field, "openapi_format", None):
        schema = {"type": "string", "format": field.openapi_format}
    else:
        schema = {"type": "string"}
    for validator in field.validators:
        if isinstance(validator, v.Length):
            if validator.max and validator.max > 0:
                schema["maxLength"] = validator.max
            if validator.min and validator.min > 0:
                schema["minLength"] = validator.min
        elif isinstance(validator, v.Email):
            schema["format"] = "email"
        elif isinstance(validator, v.NumberRange):
            if validator.min is not None:
                schema["minimum"] = validator.min
            if validator.max is not None:
                schema["maximum"] = validator.max
    if field.description:
        schema["description"] = str(field.description)
    return schema


def form_schema(form_class: type[Form]) -> dict:
    form = form_class(meta={"csrf": False})
    properties, required = {}, []
    for field in form:
        properties[field.name] = _field_schema(field)
        if any(isinstance(x, v.DataRequired | v.InputRequired) for x in field.validators):
            required.append(field.name)
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            "required": ["code", "message"],
        }
    },
}


def build_spec() -> dict:
    paths: dict[str, dict] = {}
    for ep in ENDPOINTS:
        path, parameters = _openapi_path(ep.rule)
        operation: dict = {
            "summary": ep.summary,
            "description": (ep.description or "").strip()
            + f"\n\nWho: {', '.join(ep.who)}".rstrip(),
            "operationId": f"{ep.method.lower()}_{path.strip('/').replace('/', '_')}",
            "responses": {
                str(code): {"description": text} for code, text in (ep.responses or {}).items()
            }
            or {"200": {"description": "OK"}},
        }
        for code in ("401", "403", "422"):
            operation["responses"].setdefault(
                code,
                {
                    "description": "Error",
                    "content": {"application/json": {"schema": ERROR_SCHEMA}},
                },
            )
        if parameters:
            operation["parameters"] = parameters
        if ep.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": form_schema(ep.body)}},
            }
        security = []
        if any(role in ("staff", "chair", "organizer") for role in ep.who):
            security.append({"bearerAuth": []})
        if "attendee" in ep.who:
            security.append({"invitationToken": []})
        if "agency" in ep.who:
            security.append({"taskToken": []})
        operation["security"] = security
        paths.setdefault(path, {})[ep.method.lower()] = operation
    return {
        "openapi": "3.0.3",
        "info": {"title": "Workshop API", "version": "1"},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "invitationToken": {
                    "type": "apiKey", "in": "header", "name": "X-Invitation-Token"
                },
                "taskToken": {"type": "apiKey", "in": "header", "name": "X-Task-Token"},
            }
        },
    }


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(build_spec())

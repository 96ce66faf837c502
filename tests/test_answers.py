"""Answers dumped through their schema (`Answer.dump`, what flask-smorest's `@bp.response`
calls): a serializer's dict that marshmallow would give back unchanged comes back as it is, and
anything else gets exactly marshmallow's dump or its refusal."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import Schema, fields

import workshop.api  # noqa: F401 (every route module, so every answer schema, is imported)
from workshop.attendance import DOOR_FIELDS
from workshop.checkin.schemas import ScanSchema
from workshop.schemas import Answer, ErrorBodySchema, Str


def _answers(of: type) -> list[type]:
    found = []
    for schema in of.__subclasses__():
        found += [schema, *_answers(schema)]
    return found


ANSWERS = sorted(set(_answers(Answer)), key=lambda schema: schema.__name__)


def marshmallow_dump(schema: Schema, data: dict):
    """What the dump was before the shortcut: marshmallow's own, with Answer's check."""
    return Schema.dump(schema, data)


def outcome(dump, schema: Schema, data: dict) -> str:
    """The answer's JSON as the API would send it (sorted keys), or the error raised."""
    try:
        return json.dumps(dump(schema, data), sort_keys=True)
    except Exception as error:  # the test compares whatever each dump does
        return f"raises {type(error).__name__}"


SCAN = {"result": "checked_in",
        "attendee": {"name": "Nguyễn Văn An", "title": "Giám đốc", "organization": "Sở Tài chính",
                     "delegate_for": None, "walk_in": False, "seat": None},
        "invitation_id": 12, "checked_in_at": "2014-08-12T08:00:00+07:00",
        "attendance": dict.fromkeys(DOOR_FIELDS, 3)}


def test_a_scan_answer_is_its_own_dump():
    schema = ScanSchema()
    assert schema.dump(SCAN) is SCAN
    assert marshmallow_dump(schema, SCAN) == SCAN
    refused = {"result": "unknown", "error": {"code": "unknown", "message": "Mã không hợp lệ."}}
    assert schema.dump(refused) is refused


class Numbers(Answer):
    count = fields.Integer()
    share = fields.Float()
    by_kind = fields.Dict(keys=fields.String(), values=fields.Integer())
    error = fields.Nested(ErrorBodySchema)  # its `problems` is dumped as "fields"
    name = Str()


@pytest.mark.parametrize("data", [
    {"share": 3},  # marshmallow answers 3.0
    {"count": True},  # a bool is an int to Python: marshmallow answers 1
    {"by_kind": {1: 2}},  # a key marshmallow turns into text: refused
    {"error": {"code": "invalid", "message": "…", "fields": []}},  # read as `problems`: refused
    {"count": 1, "secret": "x"},  # not declared: refused
    {"name": 5},  # marshmallow answers "5": refused
])
def test_what_marshmallow_would_convert_or_refuse_still_goes_through_it(data):
    schema = Numbers()
    assert outcome(Numbers.dump, schema, data) == outcome(marshmallow_dump, schema, data)
    if outcome(marshmallow_dump, schema, data).startswith("raises"):
        return
    assert schema.dump(data) is not data


def test_the_shortcut_is_taken_for_a_plain_dict_of_those_fields():
    data = {"count": 2, "share": 0.5, "by_kind": {"department": 1}, "name": None,
            "error": {"code": "invalid", "message": "Giá trị không hợp lệ."}}
    assert Numbers().dump(data) is data
    assert marshmallow_dump(Numbers(), data) == data


def _value(field: fields.Field, depth: int) -> st.SearchStrategy:
    """Values of the field's declared type, and of others."""
    anything = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(-2, 2),
                         st.text(max_size=3))
    if isinstance(field, fields.Nested) and depth < 3:
        nested = field.nested if isinstance(field.nested, type) else type(field.schema)
        right = _body(nested, depth + 1)
    elif isinstance(field, fields.List) and depth < 3:
        right = st.lists(_value(field.inner, depth + 1), max_size=2)
    elif isinstance(field, fields.Dict) and depth < 3:
        values = _value(field.value_field, depth + 1) if field.value_field else anything
        right = st.dictionaries(st.one_of(st.text(max_size=2), st.integers(0, 2)), values, max_size=2)
    else:
        right = anything
    return st.one_of(right, anything)


def _body(schema: type[Schema], depth: int = 0) -> st.SearchStrategy:
    keys = {field.data_key or name for name, field in schema._declared_fields.items()}
    keys |= set(schema._declared_fields)
    values = {key: _value(schema._declared_fields.get(key) or next(
        field for field in schema._declared_fields.values() if field.data_key == key), depth)
        for key in keys}
    extra = st.dictionaries(st.sampled_from(["extra", "id"]), st.integers(0, 1), max_size=1)
    return st.builds(lambda body, more: {**more, **body},
                     st.fixed_dictionaries({}, optional=values), extra)


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda schema: schema.__name__)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_answer_dumps_as_marshmallow_would(answer, data):
    """Whatever a serializer hands over, declared or not, of the declared types or not: the
    same JSON, or the same refusal, as marshmallow's own dump."""
    schema = answer()
    body = data.draw(_body(answer))
    assert outcome(answer.dump, schema, body) == outcome(marshmallow_dump, schema, body)

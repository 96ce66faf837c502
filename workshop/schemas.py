"""The JSON shapes shared by every feature: marshmallow fields with the contract's input rules
(CONTRACT.md "Text input"), the error shape and the `{items, total}` list.

Each field takes only its JSON type: a boolean only true or false, a number only a JSON
integer, a text only a string (checked with `text.py`: no C0 control character, not made
only of invisible characters), a time a string between the years 2000 and 2100, a list only
where a field is a list. Each feature declares its bodies and answers in its own
`schemas.py` with these; the rules about what a value means stay in the services.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

import email_validator
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_dump, validate
from sqlalchemy import Select, func, select

from .extensions import db
from .text import text_problem
from .timeutil import EARLIEST_YEAR, LATEST_YEAR, OutOfRange, parse_datetime

# Ids are 32-bit in PostgreSQL; no number this API takes comes near it.
LARGEST_NUMBER = 2**31 - 1
WRONG_TYPE = _l("Giá trị không đúng kiểu.")
REQUIRED = _l("Vui lòng nhập trường này.")


class _Messages:
    """Our messages are lazy strings (the user's language is known only in a request)."""

    default_error_messages = {"required": REQUIRED, "null": REQUIRED, "invalid": WRONG_TYPE,
                              "validator_failed": _l("Giá trị không hợp lệ.")}

    def __init__(self, *args: Any, required_message: Any = None, **kwargs: Any) -> None:
        if kwargs.get("required") and required_message is not None:
            kwargs.setdefault("error_messages", {}).update(required=required_message,
                                                           null=required_message)
        if not kwargs.get("required") and "load_default" not in kwargs and "dump_only" not in kwargs:
            kwargs.setdefault("load_default", None)
            kwargs.setdefault("allow_none", True)
        super().__init__(*args, **kwargs)

    def make_error(self, key: str, **kwargs: Any) -> ValidationError:
        message = self.error_messages[key]
        return ValidationError(str(message).format(**kwargs) if kwargs else str(message))


def _length(max_length: int | None, message: Any) -> list:
    if not max_length:
        return []
    text = message if message is not None else _l("Tối đa %(max)d ký tự.", max=max_length)
    length = validate.Length(max=max_length, error=text)

    def check(value: str | None) -> None:
        if value is not None:  # a stripped empty text is no value, of no length
            length(value)

    return [check]


class Text(_Messages, fields.String):
    """A text typed by a person. `strip`: surrounding spaces go, and an empty text is no
    value; `multiline` keeps tab and line breaks."""

    def __init__(self, *, max_length: int | None = None, length_message: Any = None,
                 multiline: bool = False, strip: bool = False, **kwargs: Any) -> None:
        self.multiline, self.strip = multiline, strip
        kwargs["validate"] = [*_length(max_length, length_message), *kwargs.get("validate", [])]
        if max_length:
            kwargs.setdefault("metadata", {})["maxLength"] = max_length
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str | None:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        problem = text_problem(value, multiline=self.multiline)
        if problem:
            raise ValidationError(problem)
        if self.strip:
            value = value.strip()
        if value == "" and (self.strip or self.required):
            if self.required:
                raise self.make_error("required")
            return None
        return value


class Email(Text):
    """An e-mail address, checked as the page forms check it (no DNS look-up)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {})["format"] = "email"
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str | None:
        value = super()._deserialize(value, attr, data, **kwargs)
        if value:
            try:
                email_validator.validate_email(value, check_deliverability=False)
            except email_validator.EmailNotValidError:
                raise ValidationError(_("Địa chỉ e-mail không hợp lệ.")) from None
        return value


class Choice(_Messages, fields.String):
    """One of `values`; an empty text is no choice."""

    def __init__(self, values: Iterable[str], *, message: Any = None, **kwargs: Any) -> None:
        self.values = tuple(values)
        self.message = message
        kwargs.setdefault("metadata", {})["enum"] = list(self.values)
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str | None:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        if value == "":
            if self.required:
                raise self.make_error("required")
            return None
        if value not in self.values:
            raise ValidationError(str(self.message or _l("Lựa chọn không hợp lệ.")))
        return value


def QueryChoice(values: Iterable[str], **kwargs: Any) -> Choice:  # noqa: N802 (a field)
    """One of `values` in a query string, the refusal naming them."""
    values = tuple(values)
    return Choice(values, message=_l("Phải là một trong: %(values)s.", values=", ".join(values)), **kwargs)


class Bool(_Messages, fields.Boolean):
    """true or false, nothing else."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("load_default", False)
        kwargs.setdefault("error_messages", {}).setdefault("null", _l("Phải là true hoặc false."))
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError(_("Phải là true hoặc false."))
        return value


class Int(_Messages, fields.Integer):
    """A JSON integer (not a text, not true or false), up to the largest id."""

    default_error_messages = {**_Messages.default_error_messages, "invalid": _l("Phải là số nguyên.")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        if abs(value) > LARGEST_NUMBER:
            raise ValidationError(_("Số quá lớn."))
        return value


def positive(message: Any = None) -> validate.Range:
    return validate.Range(min=1, error=message or _l("Phải là số nguyên dương."))


class LocalDateTime(_Messages, fields.Field):
    """ISO 8601; a time without an offset is Vietnam time (CONTRACT.md). Loads as an aware
    datetime; answers are made by the serializers (`timeutil.isoformat`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {}).update(type="string", format="date-time")
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime | None:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        if not value.strip():
            if self.required:
                raise self.make_error("required")
            return None
        try:
            return parse_datetime(value)
        except OutOfRange:
            raise ValidationError(_("Thời gian phải trong khoảng từ năm %(first)d đến năm %(last)d.",
                                    first=EARLIEST_YEAR, last=LATEST_YEAR)) from None
        except (ValueError, OverflowError):
            raise ValidationError(
                _("Thời gian không hợp lệ (ví dụ 2014-08-12T08:00 hoặc 12/08/2014 08:00).")) from None


class Day(_Messages, fields.Field):
    """A date, `YYYY-MM-DD`, between the years 2000 and 2100."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {}).update(type="string", format="date")
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date | None:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        if not value.strip():
            return None
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(_("Ngày không hợp lệ (ví dụ 2014-08-12).")) from None
        if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            raise ValidationError(_("Thời gian phải trong khoảng từ năm %(first)d đến năm %(last)d.",
                                    first=EARLIEST_YEAR, last=LATEST_YEAR))
        return day


class IdList(_Messages, fields.List):
    """A list of ids, where the contract names a list."""

    default_error_messages = {**_Messages.default_error_messages,
                              "invalid": _l("Phải là một danh sách số nguyên.")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(Int(required=True, validate=positive()), **kwargs)


class Body(Schema):
    """A request body: a JSON object. Names it does not know are left out, as before."""

    class Meta:
        unknown = EXCLUDE
        ordered = True  # the document lists the fields in the order they are declared

    # A body may be left out (the default selection of a bulk send).
    optional_body = False


# --- answers --------------------------------------------------------------------------------


class Answer(Schema):
    """An answer. The serializers build it as a dict; dumping it through its schema keeps the
    schema the one declaration of its fields: a key the schema does not declare is a bug."""

    class Meta:
        ordered = True

    @post_dump(pass_original=True)
    def _as_declared(self, data: dict, original: Any, **kwargs: Any) -> dict:
        """The dump of a serializer's dict must be that dict: every key declared, each value of
        its declared type (marshmallow would otherwise drop or convert it quietly)."""
        if isinstance(original, dict) and data != original:
            wrong = sorted(key for key in original.keys() | data.keys()
                           if data.get(key, ...) != original.get(key, ...))
            raise TypeError(f"{type(self).__name__} does not declare {wrong} as answered")
        return data

    def dump(self, obj: Any, *, many: bool | None = None) -> Any:
        """flask-smorest dumps every answer through its schema (`@bp.response`). A serializer's
        dict that the schema would dump to itself, as `as_declared` checks it, is that dump: it
        comes back as it is, without marshmallow's cost per field (~40 µs of a scan's ~1 ms).
        Whatever the check does not take (a value of another type, a key not declared, a
        schema with more than plain fields) goes through marshmallow, which converts or refuses
        it exactly as before."""
        if (type(obj) is dict and not (self.many if many is None else many)
                and self.only is None and not self.exclude):
            check = _unchanged(type(self))
            if check is not None:
                try:
                    check(obj, type(self).__name__)
                except TypeError:
                    pass  # marshmallow says what it makes of it
                else:
                    return obj
        return super().dump(obj, many=many)


def as_declared(schema: type[Schema], data: dict) -> dict:
    """`schema().dump(data)` for an answer polled hundreds of times a minute (the live question
    list): the same refusal of a key the schema does not declare or of a value not of its
    declared type, without marshmallow's cost per field (most of such a poll's CPU). `data`
    comes back as it is: `Answer` dumps a serializer's dict to itself anyway."""
    _checker(schema)(data, schema.__name__)
    return data


_CHECKERS: dict[tuple[Any, bool], Callable[[Any, str], None]] = {}
# What a scalar field dumps unchanged; a bool is an int to Python, not to the answer's reader.
_TYPES = {fields.Boolean: (bool,), fields.Integer: (int,), fields.String: (str,), fields.Float: (int, float)}
# The same, for what marshmallow's dump must give back as it is: a Float dumps 3 as 3.0.
_DUMPED_TYPES = {**_TYPES, fields.Float: (float,)}


def _checker(of: Any, dumped: bool = False) -> Callable[[Any, str], None]:
    """A function refusing (TypeError) what dumping through `of`, a schema class or a field,
    would drop or convert; built once per schema and field. Scalars are checked inline, by
    their exact type: the list's hundreds of values must cost little.

    `dumped` (Answer.dump): refuse also what marshmallow's dump of the dict would not give back
    as it is: a field dumped under another name than it is read by (a dict holding either
    name), or a number in a Float."""
    if (of, dumped) in _CHECKERS:
        return _CHECKERS[of, dumped]
    if isinstance(of, type) and issubclass(of, Schema):
        plan = {field.data_key or name: _plan(field, dumped)
                for name, field in of._declared_fields.items()
                if not dumped or (field.data_key in (None, name) and field.attribute in (None, name)
                                  and not field.load_only)}
        # marshmallow reads a key missing from a dict as the dict's attribute of that name
        # (`items`: the method): dumped, such a key must be there.
        attributes = {key for key in plan if dumped and hasattr(dict, key)}

        def check(value: Any, where: str) -> None:
            if not isinstance(value, dict) or value.keys() - plan.keys():
                raise TypeError(f"{where} does not declare {sorted(set(value) - set(plan))} as answered")
            if attributes and not attributes <= value.keys():
                raise TypeError(f"{where} lacks {sorted(attributes - value.keys())}")
            for key, item in value.items():
                kinds, allow_none, inner = plan[key]
                if item is None:
                    if allow_none:
                        continue
                elif type(item) in kinds:
                    if inner is not None:
                        inner(item, f"{where}.{key}")
                    continue
                raise TypeError(f"{where}.{key}: {item!r} is not of its declared type")
    else:
        kinds, allow_none, inner = _plan(of, dumped)

        def check(value: Any, where: str) -> None:
            if not ((value is None and allow_none) or type(value) in kinds):
                raise TypeError(f"{where}: {value!r} is not of its declared type")
            if value is not None and inner is not None:
                inner(value, where)
    _CHECKERS[of, dumped] = check
    return check


def _plan(field: fields.Field, dumped: bool = False
          ) -> tuple[tuple[type, ...], bool, Callable[[Any, str], None] | None]:
    """A field's accepted types, whether it may be null, and the check of what it holds."""
    if isinstance(field, fields.Nested):
        return (dict,), field.allow_none, _checker(field.nested, dumped)
    if isinstance(field, fields.List):
        each = _checker(field.inner, dumped)
        return (list,), field.allow_none, lambda value, where: [each(item, where) for item in value]
    if isinstance(field, fields.Dict):
        values = _checker(field.value_field, dumped) if field.value_field else None
        if dumped and field.key_field is not None:  # a String: a key of another type is converted

            def keys_and_values(value: dict, where: str) -> None:
                if any(type(key) is not str for key in value):
                    raise TypeError(f"{where}: a key is not a text")
                if values is not None:
                    for item in value.values():
                        values(item, where)

            return (dict,), field.allow_none, keys_and_values
        return (dict,), field.allow_none, values and (
            lambda value, where: [values(item, where) for item in value.values()])
    types = _DUMPED_TYPES if dumped else _TYPES
    return next(kinds for kind, kinds in types.items() if type(field) is kind), field.allow_none, None


_UNCHANGED: dict[type[Schema], Callable[[Any, str], None] | None] = {}


def _unchanged(schema: type[Schema]) -> Callable[[Any, str], None] | None:
    """`Answer.dump`'s check of `schema`; None when its dumps must all go through marshmallow."""
    if schema not in _UNCHANGED:
        _UNCHANGED[schema] = _checker(schema, dumped=True) if _plain(schema) else None
    return _UNCHANGED[schema]


def _plain(of: Any) -> bool:
    """Whether `_checker(of, dumped=True)` can vouch for marshmallow's dump through `of`, a
    schema class or a field: no processor but Answer's own check, no field left out by the
    schema's options, only the scalar fields of _TYPES, lists, dicts with text keys, and
    schema classes nested whole."""
    if isinstance(of, type) and issubclass(of, Schema):
        hooks = of._hooks
        if hooks["pre_dump"] or any(name != "_as_declared" for name, *_ in hooks["post_dump"]):
            return False
        dumped = {name for name, field in of._declared_fields.items() if not field.load_only}
        return set(of().dump_fields) == dumped and all(
            _plain(field) for field in of._declared_fields.values())
    if isinstance(of, fields.Nested):
        return (isinstance(of.nested, type) and issubclass(of.nested, Schema) and not of.many
                and of.only is None and not of.exclude and _plain(of.nested))
    if isinstance(of, fields.List):
        return type(of) is fields.List and _plain(of.inner)
    if isinstance(of, fields.Dict):
        return (type(of) is fields.Dict and (of.key_field is None or type(of.key_field) is fields.String)
                and (of.value_field is None or _plain(of.value_field)))
    return type(of) in _TYPES


def Time(**kwargs: Any) -> fields.String:  # noqa: N802 (a field, named as fields are)
    """A time in an answer: ISO 8601 with its offset, or null."""
    return fields.String(allow_none=True, metadata={"format": "date-time"}, **kwargs)


def Str(**kwargs: Any) -> fields.String:  # noqa: N802
    """A text in an answer, or null."""
    return fields.String(allow_none=True, **kwargs)


def Num(**kwargs: Any) -> fields.Integer:  # noqa: N802
    """A number in an answer, or null."""
    return fields.Integer(allow_none=True, **kwargs)


class FieldProblemSchema(Schema):
    field = fields.String(required=True)
    message = fields.String(required=True)


class RowProblemSchema(Schema):
    row = fields.Integer(required=True)
    field = fields.String(allow_none=True)
    message = fields.String(required=True)


class ErrorBodySchema(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    # "fields" is the name of a schema's own attribute in marshmallow: declared by its data key.
    problems = fields.List(fields.Nested(FieldProblemSchema), data_key="fields")
    rows = fields.List(fields.Nested(RowProblemSchema))


class ErrorSchema(Schema):
    """Every refusal: `{"error": {"code", "message", "fields"?: [{field, message}]}}`."""

    error = fields.Nested(ErrorBodySchema, required=True)


_PAGES: dict[type[Schema], type[Schema]] = {}


def page_of(item: type[Schema]) -> type[Schema]:
    """The schema of a list answer, `{"items": [...], "total": N}`, of `item`s."""
    if item not in _PAGES:
        name = item.__name__.removesuffix("Schema") + "PageSchema"
        _PAGES[item] = type(name, (Answer,), {
            "items": fields.List(fields.Nested(item), required=True),
            "total": fields.Integer(required=True),
        })
    return _PAGES[item]


# --- lists -----------------------------------------------------------------------------------


class Limit(Int):
    """`limit`: at least 1; above 1000 is taken as 1000."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        return min(super()._deserialize(value, attr, data, **kwargs), 1000)


class QueryInt(Int):
    """A whole number in a query string."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if isinstance(value, str):
            text = value.strip()
            if not text.lstrip("-").isdigit():
                raise self.make_error("invalid")
            value = int(text)
        return super()._deserialize(value, attr, data, **kwargs)


class QueryLimit(QueryInt, Limit):
    pass


class Choices(_Messages, fields.Field):
    """A comma-separated list of `values` in a query string, as a tuple."""

    def __init__(self, values: Iterable[str], **kwargs: Any) -> None:
        self.values = tuple(values)
        kwargs.setdefault("metadata", {}).update(
            type="string", description="One or more of, separated by commas: " + ", ".join(self.values))
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> tuple[str, ...] | None:
        if not isinstance(value, str):
            raise self.make_error("invalid")
        if not value:
            return None
        given = tuple(part.strip() for part in value.split(","))
        if any(part not in self.values for part in given):
            raise ValidationError(_("Phải là một trong: %(values)s.", values=", ".join(self.values)))
        return given


class Query(Schema):
    """The arguments of a query string. Names it does not know are left out."""

    class Meta:
        unknown = EXCLUDE


class PageArgs(Query):
    """`limit` (default 100, at least 1, at most 1000) and `offset` (at least 0) of a list."""

    limit = QueryLimit(load_default=100, validate=validate.Range(
        min=1, error=_l("Phải là số nguyên từ %(least)d trở lên.", least=1)))
    offset = QueryInt(load_default=0, validate=validate.Range(
        min=0, error=_l("Phải là số nguyên từ %(least)d trở lên.", least=0)))


def paginate(statement: Select, serialize: Callable[[Any], dict], page: dict) -> dict:
    """The contract's list answer for `statement`: `{"items": [...], "total": N}`, the page
    `page["limit"]`/`page["offset"]` of it."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = db.session.scalars(statement.limit(page["limit"]).offset(page["offset"]))
    return {"items": [serialize(row) for row in rows], "total": total}

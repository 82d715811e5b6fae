"""The JSON API machinery: one OpenAPI document, bearer tokens, the error format, paging.

Features write `app/<feature>/api.py` with a `Blueprint` from here and register it in their
`init_app` through `register_api`; views stay thin over the same services as the HTML pages.
"""
from __future__ import annotations

from datetime import date

from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.ext.marshmallow.common import resolve_schema_cls
from flask import Flask, current_app, g, request
from flask_babel import gettext as _
from flask_smorest import Api
from flask_smorest import Blueprint as _SmorestBlueprint
from marshmallow import Schema, ValidationError, fields, validate

from app.core.errors import json_error
from app.core.pagination import MAX_PAGE, paginate
from app.core.routing import DB_INT_MAX, DB_INT_MIN
from app.core.text import control_problem
from app.core.timeutil import MAX_YEAR, MIN_YEAR, iso_z, parse_iso
from app.extensions import csrf, db

API_PREFIX = "/api/v1"


class ErrorDetailSchema(Schema):
    code = fields.String(metadata={"description": "stable, for programs: slot_taken, invalid, not_found…"})
    message = fields.String()
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.List(fields.String()),
                          metadata={"description": "messages by input field, when the input is invalid"})


class ErrorSchema(Schema):
    """Every error body (API.md): `{"error": {"code", "message", "fields"}}`."""

    error = fields.Nested(ErrorDetailSchema, required=True)


class MiaApi(Api):
    """flask-smorest, minus its error handlers: core/errors.py answers every error in one format,
    which the document describes (ERROR_SCHEMA) instead of flask-smorest's own."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        pass


class Blueprint(_SmorestBlueprint):
    """A smorest blueprint whose views are exempt from CSRF: they authenticate by bearer token.

    Its argument schemas get the bounds of `bound_input` (the database's integer range, years the
    platform can convert between zones), so no input reaches a query or a conversion it overflows.
    """

    def arguments(self, schema, *args, **kwargs):
        if isinstance(schema, type):
            schema = schema()
        return super().arguments(bound_input(schema), *args, **kwargs)


class YearRange(validate.Validator):
    """Dates and datetimes between MIN_YEAR and MAX_YEAR: beyond, zone conversions and date arithmetic
    overflow (year 1 in UTC+1 is year 0 in UTC), and no training, report or appointment lives there."""

    def __call__(self, value):
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise validate.ValidationError(_("Give a date between the years %(first)d and %(last)d.",
                                             first=MIN_YEAR, last=MAX_YEAR))
        return value


def bound_input(schema: Schema) -> Schema:
    """Add the bounds an input schema leaves open, in place, to its fields and its nested fields:
    integers within the database's integer range (ids beyond it are not found, larger counts are
    nonsense), dates and datetimes within MIN_YEAR..MAX_YEAR. The bounds are validators, so they
    answer 422 naming the field, and the OpenAPI document shows them (minimum, maximum)."""
    if not getattr(schema, "_mia_bounded", False):
        schema._mia_bounded = True
        for field in schema.fields.values():
            _bound_field(field)
    return schema


def _bound_field(field: fields.Field) -> None:
    if isinstance(field, fields.Nested):
        nested = field.schema
        if isinstance(nested, Schema):
            bound_input(nested)
    elif isinstance(field, fields.List):
        _bound_field(field.inner)
    elif isinstance(field, fields.Tuple):
        for inner in field.tuple_fields:
            _bound_field(inner)
    elif isinstance(field, fields.Mapping):
        for inner in (field.key_field, field.value_field):
            if inner is not None:
                _bound_field(inner)
    elif isinstance(field, fields.Integer):
        ranges = [v for v in field.validators if isinstance(v, validate.Range)]
        has_min = any(v.min is not None for v in ranges)
        has_max = any(v.max is not None for v in ranges)
        if not (has_min and has_max):
            field.validators.append(validate.Range(min=None if has_min else DB_INT_MIN,
                                                   max=None if has_max else DB_INT_MAX))
    elif isinstance(field, fields.Date):
        field.validators.append(validate.Range(min=date(MIN_YEAR, 1, 1), max=date(MAX_YEAR, 12, 31)))
    elif isinstance(field, fields.DateTime):
        field.validators.append(YearRange())


def _schema_name(schema) -> str | None:
    """Component names carry their feature (CoursesCancel, CoachingCancel), so features never collide;
    schemas narrowed with only/exclude/partial stay inline."""
    if getattr(schema, "only", None) or getattr(schema, "exclude", None) or getattr(schema, "partial", False):
        return None
    cls = resolve_schema_cls(schema)
    name = cls.__name__.removesuffix("Schema")
    parts = cls.__module__.split(".")
    feature = parts[1] if len(parts) > 2 and parts[0] == "app" and parts[1] not in ("api", "core") else ""
    return f"{feature.title()}{name}" if feature and not name.startswith(feature.title()) else name


def make_api(app: Flask) -> MiaApi:
    api = MiaApi(app, spec_kwargs={
        "marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=_schema_name),
        "info": {"description": "Mayors in Action: training, coaching, peer exchange and SEAP monitoring. "
                                "Authenticate with `Authorization: Bearer <token>`."},
        "servers": [{"url": "/"}],
    })
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.options["security"] = [{"bearer": []}]
    app.extensions["mia_api"] = api
    app.before_request(_authenticate)
    return api


def register_api(app: Flask, blueprint: Blueprint) -> None:
    csrf.exempt(blueprint)
    app.extensions["mia_api"].register_blueprint(blueprint, url_prefix=API_PREFIX)


def public(view):
    """Mark an API view as open to anonymous callers (reading a token when one is sent)."""
    view.is_public_api = True
    return view


def _authenticate():
    """Every API call resolves its bearer token; views not marked public need one (401 otherwise)."""
    if not request.path.startswith(API_PREFIX + "/"):
        return None
    from app.auth.services import user_for_api_token

    g.api_user = None
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        g.api_user = user_for_api_token(header[7:].strip())
        if g.api_user is None:
            return json_error(401, "unauthorized", "The token is unknown, expired or revoked.")
        if db.session.dirty:
            db.session.commit()  # last_used_at (at most once a minute), before the view does anything
    view = current_app.view_functions.get(request.endpoint or "")
    is_public = view is None or getattr(view, "is_public_api", False) or (request.endpoint or "").startswith(
        "api-docs.")
    if g.api_user is None and not is_public:
        return json_error(401, "unauthorized", "Send a valid API token: Authorization: Bearer <token>.")
    return None


def api_user():
    """The caller (None on public views without a token)."""
    return g.get("api_user")


def require(predicate: bool, message: str = "You are not allowed to do this."):
    from app.core.errors import NotAllowed

    if not predicate:
        raise NotAllowed(message)


class Text(fields.String):
    """A multi-line string (description, message, notes): CR, LF and TAB allowed, other controls not."""


def _refuse_controls(field: fields.String):
    multiline = isinstance(field, Text)

    def validator(value):
        message = control_problem(value, multiline=multiline)
        if message is not None:
            raise ValidationError(str(message))

    validator.refuses_controls = True
    return validator


class InputSchema(Schema):
    """The base of every API input schema (body and query): each String field, also inside a List,
    refuses control characters (`Text` fields are multi-line). tests/core/test_input.py checks that
    every input schema inherits it and limits the length of every string."""

    def on_bind_field(self, field_name, field_obj):
        super().on_bind_field(field_name, field_obj)
        for field in (field_obj, getattr(field_obj, "inner", None)):
            if isinstance(field, fields.String) and not any(
                    getattr(v, "refuses_controls", False) for v in field.validators):
                field.validators.insert(0, _refuse_controls(field))


class UTCDateTime(fields.Field):
    """The one datetime field of the API. Out: UTC ISO 8601 with a Z suffix, to the second (null for None).
    In: ISO 8601 with an offset (or Z), parsed by `parse_iso` into aware UTC within MIN_YEAR..MAX_YEAR;
    anything else answers 422 naming the field."""

    default_error_messages = {"invalid": f"Give an ISO 8601 date and time with an offset, e.g. "
                                         f"2027-03-29T09:00:00+02:00, between the years {MIN_YEAR} and {MAX_YEAR}."}

    def _serialize(self, value, attr, obj, **kwargs):
        return iso_z(value)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        try:
            return parse_iso(value)
        except (TypeError, ValueError, OverflowError):
            raise self.make_error("invalid") from None


class PageArgs(InputSchema):
    """The paging query of every list (docs/api.md, Conventions): outside these ranges is 422 naming the field."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE),
                          metadata={"description": "1 for the first page"})
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100),
                              metadata={"description": "items per page"})


def list_schema(item_schema: type[Schema]) -> type[Schema]:
    """`{"items": [...], "total": N}` for an item schema (named for the OpenAPI document)."""
    return type(f"{item_schema.__name__.removesuffix('Schema')}ListSchema", (Schema,), {
        "items": fields.List(fields.Nested(item_schema)),
        "total": fields.Integer(),
        "page": fields.Integer(),
        "per_page": fields.Integer(),
    })


def page_of(query, args: dict | None = None) -> dict:
    args = args or {}
    page = paginate(query, args.get("page", 1), args.get("per_page", current_app.config["PER_PAGE"]))
    return {"items": page.items, "total": page.total, "page": page.page, "per_page": page.per_page}


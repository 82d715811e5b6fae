"""Input that people type: control characters refused, every text field limited, in forms and the API.

The walkers look at every form class and every API input schema, so a field added later cannot forget.
"""
from __future__ import annotations

import importlib
import pkgutil

import pytest
from flask_wtf import FlaskForm
from marshmallow import Schema, fields
from marshmallow.validate import Length as SchemaLength
from sqlalchemy import select
from wtforms import Form, StringField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

import app as app_package
from app.api import InputSchema
from app.auth.models import User
from app.core.forms import BaseForm, BaseSubForm
from app.core.text import LONG_TEXT_MAX, control_problem

EVIL_NAME = "Eve\r\nBcc: everyone@example.org"
CONTROLS = ["\r", "\n", "\x00", "\x07", "\x1b", "\x7f", "\u0085", "\u2028", "\u2029", "\t"]


def _app_modules():
    for info in pkgutil.walk_packages(app_package.__path__, "app."):
        if not info.name.startswith("app.migrations"):  # Alembic scripts run only under Alembic
            yield importlib.import_module(info.name)


def _subclasses(base):
    seen, todo = [], [base]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.append(sub)
                todo.append(sub)
    return seen


def _form_classes():
    list(_app_modules())
    return [cls for cls in _subclasses(Form) if cls.__module__.startswith("app.")]


def _unbound_fields(form_cls, prefix=""):
    """(name, UnboundField) of a form class, nested FormField/FieldList rows included."""
    for name in dir(form_cls):
        value = getattr(form_cls, name, None)
        if isinstance(value, UnboundField):
            yield from _walk_unbound(f"{prefix}{name}", value)


def _walk_unbound(name, unbound):
    from wtforms import FieldList, FormField

    if issubclass(unbound.field_class, FormField):
        yield from _unbound_fields(unbound.args[0], prefix=f"{name}.")
    elif issubclass(unbound.field_class, FieldList):
        yield from _walk_unbound(f"{name}[]", unbound.args[0])
    else:
        yield name, unbound


# Forms ------------------------------------------------------------------------------------------------

def test_every_form_inherits_the_base_form():
    forms = _form_classes()
    assert len(forms) > 30
    strays = [f"{cls.__module__}.{cls.__name__}" for cls in forms
              if not issubclass(cls, (BaseForm, BaseSubForm)) or (issubclass(cls, FlaskForm)
                                                                  and not issubclass(cls, BaseForm))]
    assert not strays, f"inherit app.core.forms.BaseForm (or BaseSubForm for FieldList rows): {strays}"


def test_every_text_field_of_every_form_has_a_maximum_length():
    missing = []
    for cls in _form_classes():
        for name, unbound in _unbound_fields(cls):
            if not issubclass(unbound.field_class, (StringField, TextAreaField)):
                continue
            validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else [])
            maxima = [v.max for v in validators if isinstance(v, Length) and v.max not in (None, -1)]
            if not maxima or max(maxima) > LONG_TEXT_MAX:
                missing.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert not missing, f"add Length(max=…) (at most {LONG_TEXT_MAX}): {missing}"


@pytest.mark.parametrize("char", CONTROLS)
def test_single_line_form_fields_refuse_control_characters(app, char):
    from app.courses.forms import ModuleForm

    with app.test_request_context(method="POST", data={"title": f"Energy{char}audits", "language": "en",
                                                       "level": "beginner", "format": "online",
                                                       "status": "draft", "required_sessions": "1",
                                                       "description": f"line one{char}line two"}):
        form = ModuleForm()
        assert not form.validate()
        assert form.title.errors == ["Remove line breaks, tabs and other control characters."]
        if char in "\r\n\t":
            assert not form.description.errors  # multi-line: CR, LF and TAB are fine
        else:
            assert form.description.errors == ["Remove control characters (line breaks and tabs are fine)."]


def test_optional_and_password_fields_refuse_control_characters_too(app):
    from app.auth.forms import RegisterForm

    with app.test_request_context(method="POST", data={
            "name": "Eve", "email": "eve@example.org", "password": "long enough\npassword",
            "confirm": "long enough\npassword", "organisation": "\r\n", "country": "BE",
            "com_role": "other", "language": "en"}):
        form = RegisterForm()
        assert not form.validate()
        assert form.organisation.errors and form.password.errors
        assert not form.name.errors


def test_register_page_refuses_a_name_with_a_header_in_it(client, db):
    page = client.post("/auth/register", data={
        "name": EVIL_NAME, "email": "eve@example.org", "password": "correct horse battery",
        "confirm": "correct horse battery", "country": "BE", "com_role": "other", "language": "en"})
    assert page.status_code == 200
    assert "Remove line breaks, tabs and other control characters." in page.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "eve@example.org")) is None


def test_the_refusal_is_in_dutch_for_dutch_users(client, db):
    client.post("/language", data={"language": "nl"})
    page = client.post("/auth/register", data={"name": EVIL_NAME, "email": "eve@example.org"},
                       headers={"Accept-Language": "nl"})
    text = page.get_data(as_text=True)
    assert "Remove line breaks" not in text
    assert "Verwijder regeleinden, tabs en andere stuurtekens." in text


def test_profile_page_refuses_a_name_with_a_line_break(client, db, make, login):
    user = make.user(name="Anna")
    login(user)
    page = client.post("/auth/profile", data={"name": "Anna\nBcc: x@example.org", "country": "BE",
                                              "com_role": "other", "language": "en"})
    assert "Remove line breaks" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).name == "Anna"


def test_control_rule_unit():
    for char in CONTROLS:
        assert control_problem(f"a{char}b") is not None
    assert control_problem("Ελληνικά, Łódź, café – “quotes” ✓") is None
    assert control_problem("a\r\nb\tc", multiline=True) is None
    assert control_problem("a\u2028b", multiline=True) is not None
    assert control_problem(None) is None and control_problem(3) is None


def test_form_text_too_long_gets_a_clear_error(app):
    from app.peers.forms import MessageForm

    with app.test_request_context(method="POST", data={"body": "x" * 5001}):
        form = MessageForm()
        assert not form.validate()
        assert form.body.errors == ["Field cannot be longer than 5000 characters."]


# The JSON API -----------------------------------------------------------------------------------------

def _argument_schemas(app):
    """(endpoint, schema class) of every @blp.arguments of the API."""
    from apispec.ext.marshmallow.common import resolve_schema_cls

    for endpoint, view in sorted(app.view_functions.items()):
        for parameter in (getattr(view, "_apidoc", {}).get("arguments", {}) or {}).get("parameters", []):
            yield endpoint, resolve_schema_cls(parameter["schema"])


def _string_fields(schema_cls, prefix=""):
    """(name, field) of every String in a schema, inside Lists and Nested schemas too; Nested must be input."""
    for name, field in schema_cls().fields.items():
        yield from _walk_field(f"{prefix}{name}", field)


def _walk_field(name, field):
    if isinstance(field, fields.List):
        yield from _walk_field(f"{name}[]", field.inner)
    elif isinstance(field, fields.Nested):
        yield f"{name} (nested)", field.schema
        yield from _string_fields(type(field.schema), prefix=f"{name}.")
    elif isinstance(field, fields.String):
        yield name, field
    elif type(field) is fields.Raw:
        yield f"{name} (raw)", field


def test_every_api_input_schema_inherits_the_base_schema_and_limits_every_string(app):
    from marshmallow.validate import OneOf

    schemas = list(_argument_schemas(app))
    assert len(schemas) > 30
    problems = []
    for endpoint, schema_cls in schemas:
        if not issubclass(schema_cls, InputSchema):
            problems.append(f"{endpoint}: {schema_cls.__name__} does not inherit app.api.InputSchema")
            continue
        for name, field in _string_fields(schema_cls):
            if name.endswith("(raw)"):
                # Raw values are parsed by their service, which checks type, length and control characters
                # (municipalities: the CSV/JSON import shares it); nowhere else.
                if schema_cls.__module__ != "app.municipalities.api":
                    problems.append(f"{endpoint}: {schema_cls.__name__}.{name}: use a typed field with Length")
                continue
            if isinstance(field, Schema):
                if not isinstance(field, InputSchema):
                    problems.append(f"{endpoint}: {name} does not inherit app.api.InputSchema")
                continue
            maxima = [v.max for v in field.validators if isinstance(v, SchemaLength) and v.max is not None]
            if not any(isinstance(v, OneOf) for v in field.validators) and (
                    not maxima or max(maxima) > LONG_TEXT_MAX):
                problems.append(f"{endpoint}: {schema_cls.__name__}.{name} has no Length(max=…)")
    assert not problems, "\n".join(problems)


@pytest.fixture
def admin_headers(make):
    return make.bearer(make.admin())


@pytest.mark.parametrize("char", ["\r\n", "\n", "\x00", "\u2028", "\x85"])
def test_api_refuses_control_characters_in_single_line_fields(client, db, admin_headers, char):
    response = client.post("/api/v1/users", headers=admin_headers, json={
        "email": "eve@example.org", "name": f"Eve{char}Bcc: everyone@example.org", "password": "long password",
        "role": "participant", "country": "BE"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["name"] == ["Remove line breaks, tabs and other control characters."]
    assert db.session.scalar(select(User).where(User.email == "eve@example.org")) is None


def test_api_multi_line_fields_take_line_breaks_but_not_other_controls(client, make, db):
    headers = make.bearer(make.trainer())
    good = client.post("/api/v1/modules", headers=headers, json={
        "title": "Energy audits", "description": "First line\r\n\r\n- a list\n- of two\twith a tab"})
    assert good.status_code == 201, good.get_json()
    bad = client.post("/api/v1/modules", headers=headers, json={
        "title": "Energy\naudits", "description": "bell \x07", "topics": ["buildings\n"]})
    assert bad.status_code == 422
    fields_ = bad.get_json()["error"]["fields"]
    assert fields_["title"] == ["Remove line breaks, tabs and other control characters."]
    assert fields_["description"] == ["Remove control characters (line breaks and tabs are fine)."]
    assert "topics" in fields_


def test_api_query_arguments_refuse_control_characters(client):
    response = client.get("/api/v1/good-practices", query_string={"q": "heat\npumps"})
    assert response.status_code == 422
    assert "q" in response.get_json()["error"]["fields"]


def test_api_text_too_long_is_422_naming_the_field(client, make):
    headers = make.bearer(make.trainer())
    response = client.post("/api/v1/modules", headers=headers,
                           json={"title": "Big", "description": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["description"] == ["Longer than maximum length 20000."]


def test_api_token_request_with_a_forged_email_is_refused(client):
    response = client.post("/api/v1/auth/tokens",
                           json={"email": "x@example.org\nINFO login.success admin", "password": "whatever"})
    assert response.status_code == 422
    assert "email" in response.get_json()["error"]["fields"]


def test_municipalities_api_refuses_control_characters_through_the_service(client, make):
    headers = make.bearer(make.admin())
    response = client.post("/api/v1/municipalities", headers=headers, json={
        "name": "Gent\r\nBcc: x@example.org", "country": "BE", "notes": "two\nlines are fine"})
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["name"]
    fine = client.post("/api/v1/municipalities", headers=headers, json={
        "name": "Gent", "country": "BE", "notes": "two\nlines are fine"})
    assert fine.status_code == 201, fine.get_json()


# The command line --------------------------------------------------------------------------------------

def test_users_create_refuses_control_characters_with_exit_2(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "eve@example.org", "--name", EVIL_NAME,
                                 "--password", "long password", "--country", "BE"])
    assert result.exit_code == 2, result.output
    assert "name: Remove line breaks, tabs and other control characters." in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(User).where(User.email == "eve@example.org")) is None


def test_municipalities_import_reports_the_row_with_control_characters(app, make, db, tmp_path):
    import json

    from app.municipalities.models import Municipality

    make.admin()
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([{"name": "Gent", "country": "BE"},
                                {"name": "Leuven\r\nBcc: x@example.org", "country": "BE"},
                                {"name": "Brugge", "country": "BE", "notes": "first\nsecond"}]))
    result = app.test_cli_runner().invoke(args=["municipalities", "import", str(path)])
    assert result.exit_code == 1, result.output
    assert "item 2: rejected: name: Remove line breaks, tabs and other control characters." in result.output
    names = sorted(db.session.scalars(select(Municipality.name)))
    assert names == ["Brugge", "Gent"]


def test_services_check_the_same_rule_as_forms(app):
    from app.auth import services
    from app.core.errors import Invalid

    with pytest.raises(Invalid) as error:
        services.create_user(email="eve@example.org", name="Eve", organisation="Org\x1b[2J",
                             password="a long enough password", country="BE")
    assert list(error.value.fields) == ["organisation"]

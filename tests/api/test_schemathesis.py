"""Property-based run over the whole OpenAPI document: no input makes any operation answer 5xx.

Schemathesis reads /api/v1/openapi.json from the app itself (WSGI, no server), and for every
operation sends the schema's boundary values (coverage phase) and a bounded number of generated
requests, valid and invalid (fuzzing phase), as an administrator, over seeded data: half the
generated path ids are those of real rows, so the operations are explored past their 404.
Checks: no server error, and every JSON response matches the schema documented for its status.
Derandomised, so a failure is reproducible; one test item per operation names the culprit.
"""
from __future__ import annotations

import os
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from app import create_app
from app.core.timeutil import iso_z, utcnow
from app.extensions import db as _db
from tests.conftest import IsolatedClient, _truncate_all, base_config
from tests.factories import Factories

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"))  # raise it locally to dig deeper

CONFIG = {
    "seed": 20261203,
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none",
                   "allow-x00": False},
    "phases": {"examples": {"enabled": True}, "fuzzing": {"enabled": True},
               # Boundary values of every parameter, valid and not; other HTTP methods on each path are
               # the router's business (405), not worth a request per path.
               "coverage": {"enabled": True, "unexpected-methods": []},
               "stateful": {"enabled": False}},
    "checks": {"enabled": False, "not_a_server_error": {"enabled": True},
               "response_schema_conformance": {"enabled": True}},
    "cache": {"enabled": False},
    "output": {"sanitization": {"enabled": False}},
}


class _IsolatedWsgi:
    """Each request in its own app context (fresh g and database session), as in production and as
    tests/conftest.py's IsolatedClient does: the test's own app context must not leak into requests."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        _db.session.commit()
        with self.app.app_context():
            response = self.app(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                if hasattr(response, "close"):
                    response.close()


def _ok(response, *statuses):
    assert response.status_code in statuses or (not statuses and response.status_code < 400), (
        response.status_code, response.get_data(as_text=True)[:500])
    return response.get_json(silent=True) or {}


@pytest.fixture(scope="module")
def api_app(database_url, _schema):
    """The app over emptied tables, seeded once for the module: the operations then run one after
    the other over the same data, as against a deployed server (each test's `app` fixture empties
    the tables again, so nothing of this leaks into other tests; we empty them at the end too)."""
    app = create_app(base_config(database_url))
    app.test_client_class = IsolatedClient
    with app.app_context():
        _truncate_all()
        yield app
        _db.session.rollback()
        _truncate_all()
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture(scope="module")
def seeded(api_app):
    """An admin (also a coach) with a token, and one of most things the API knows, created through the API."""
    client, make = api_app.test_client(), Factories()
    admin = make.admin(is_coach=True, country="BE", languages=["en", "nl"])
    coach = make.coach(country="HR", languages=["en"])
    partner = make.user(country="GR", languages=["en"])
    ha, hc, hp = make.bearer(admin), make.bearer(coach), make.bearer(partner)
    ids = {"user_id": partner.id, "coach_id": coach.id}

    module = _ok(client.post("/api/v1/modules", headers=ha, json={
        "title": "SECAP basics", "summary": "Baseline inventories", "topics": ["monitoring"],
        "status": "published"}), 201)
    ids["module_id"] = module["id"]
    starts = utcnow().replace(microsecond=0) + timedelta(days=20)
    session = _ok(client.post(f"/api/v1/modules/{module['id']}/sessions", headers=ha, json={
        "starts_at": iso_z(starts), "ends_at": iso_z(starts + timedelta(hours=3)), "timezone": "Europe/Brussels",
        "capacity": 10, "location": "Brussels"}), 201)
    ids["session_id"] = session["id"]
    _ok(client.post(f"/api/v1/sessions/{session['id']}/enrolments", headers=ha, json={"user_id": partner.id}),
        201)

    weekly = [{"weekday": d, "start": "08:00", "end": "18:00"} for d in range(7)]
    for headers, zone in ((hc, "Europe/Zagreb"), (ha, "Europe/Brussels")):
        _ok(client.put("/api/v1/coaching/availability", headers=headers, json={
            "timezone": zone, "slot_minutes": 60, "weekly": weekly, "min_notice_hours": 0}), 200)
    slots = _ok(client.get(f"/api/v1/coaching/coaches/{coach.id}/slots", headers=ha))["items"]
    appointment = _ok(client.post("/api/v1/coaching/appointments", headers=ha, json={
        "coach_id": coach.id, "starts_at": slots[3]["starts_at"], "agenda": "Financing"}), 201)
    ids["appointment_id"] = appointment["id"]

    profile = {"offers": ["public-lighting"], "needs": ["financing"], "languages": ["en"], "available": True}
    _ok(client.put("/api/v1/peers/profile", headers=ha, json=profile), 200)
    _ok(client.put("/api/v1/peers/profile", headers=hp, json={
        **profile, "offers": ["financing"], "needs": ["public-lighting"]}), 200)
    exchange = _ok(client.post("/api/v1/peers/exchanges", headers=ha, json={
        "partner_id": partner.id, "topic": "public-lighting", "message": "Hello"}), 201)
    ids["exchange_id"] = exchange["id"]
    _ok(client.post(f"/api/v1/peers/exchanges/{exchange['id']}/accept", headers=hp), 200)
    meeting = _ok(client.post(f"/api/v1/peers/exchanges/{exchange['id']}/meetings", headers=ha, json={
        "kind": "online", "starts_at": iso_z(starts), "ends_at": iso_z(starts + timedelta(hours=1)),
        "timezone": "Europe/Brussels"}), 201)
    ids["meeting_id"] = meeting["id"]
    practice = _ok(client.post(f"/api/v1/peers/exchanges/{exchange['id']}/report", headers=ha, json={
        "title": "LED street lights", "summary": "What we did", "results": "Less energy",
        "transferability": "Anywhere"}), 201)
    ids["practice_id"] = practice["id"]
    pairing = _ok(client.post("/api/v1/peers/rounds", headers=ha, json={}), 201)
    ids["round_id"] = pairing["id"]

    municipality = _ok(client.post("/api/v1/municipalities", headers=ha, json={
        "name": "Hasselt", "country": "BE", "population": 80000, "baseline_year": 2010,
        "reduction_target_percent": 40, "baseline_emissions_t": 500000, "target_year": 2030}), 201)
    ids["municipality_id"] = municipality["id"]
    action = _ok(client.post(f"/api/v1/municipalities/{municipality['id']}/actions", headers=ha, json={
        "title": "LED lighting", "sector": "public-lighting", "area": "efficient-lighting",
        "instrument": "energy-management", "expected_co2_t": 120}), 201)
    ids["action_id"] = action["id"]
    _ok(client.post(f"/api/v1/municipalities/{municipality['id']}/reports", headers=ha, json={
        "submitted_on": "2014-03-01", "kind": "action"}), 201)
    notifications = _ok(client.get("/api/v1/me/notifications", headers=hp))["items"]
    if notifications:
        ids["notification_id"] = notifications[0]["id"]
    _db.session.commit()
    return {"admin": admin, "ids": ids}


def _load_schema():
    """The document as the app serves it; generating it needs no database."""
    spec_app = create_app({**base_config("sqlite://"), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    spec = spec_app.test_client().get("/api/v1/openapi.json").get_json()
    return schemathesis.openapi.from_dict(spec, config=SchemathesisConfig.from_dict(CONFIG))


schema = _load_schema()
_SEEDED_IDS: dict[str, int] = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the time, the ids of seeded rows instead of generated ones."""
    real = {name: _SEEDED_IDS[name] for name in path_parameters or {} if name in _SEEDED_IDS}
    if not real:
        return st.just(path_parameters)
    return st.sampled_from([path_parameters, {**path_parameters, **real}])


@pytest.fixture(scope="module")
def admin_token(seeded):
    _SEEDED_IDS.update(seeded["ids"])
    yield {"value": Factories().token(seeded["admin"])}
    _SEEDED_IDS.clear()


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_makes_the_api_answer_5xx(case, api_app, admin_token, seeded):
    response = case.call(app=_IsolatedWsgi(api_app), headers={"Authorization": f"Bearer {admin_token['value']}"})
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
    if case.method.upper() == "DELETE" and case.path.startswith("/api/v1/auth/tokens") and response.status_code < 300:
        admin_token["value"] = Factories().token(seeded["admin"])  # it may have revoked its own token

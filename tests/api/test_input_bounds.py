"""No denial of service by input: paging, ids, integers, dates and numbers beyond what the platform
stores or converts answer 4xx naming the field (API) or are clamped (HTML lists), never 500."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.timeutil import iso_z, utcnow

HUGE = "99999999999999999999"


@pytest.mark.parametrize("path", ["/api/v1/modules", "/api/v1/municipalities", "/api/v1/good-practices"])
@pytest.mark.parametrize(("query", "field"), [
    ("per_page=1000000", "per_page"), ("per_page=0", "per_page"), ("per_page=101", "per_page"),
    ("per_page=-1", "per_page"), ("page=-3", "page"), ("page=0", "page"), (f"page={HUGE}", "page"),
    ("page=1000001", "page"), ("page=abc", "page"), ("page=1.5", "page"),
])
def test_paging_outside_its_ranges_is_422_naming_the_field(client, path, query, field):
    response = client.get(f"{path}?{query}")
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]


def test_paging_at_its_bounds_is_accepted(client, make):
    headers = make.bearer(make.user())
    for path in ("/api/v1/modules", "/api/v1/me/enrolments", "/api/v1/coaching/coaches", "/api/v1/me/exchanges",
                 "/api/v1/peers/suggestions", "/api/v1/me/notifications", "/api/v1/me/appointments"):
        response = client.get(f"{path}?page=1000000&per_page=100", headers=headers)
        assert response.status_code == 200, (path, response.get_json())
        assert response.get_json()["items"] == []
        assert client.get(f"{path}?page=1&per_page=1", headers=headers).status_code == 200


def test_every_list_uses_the_shared_paging_arguments(client):
    """Every documented `page`/`per_page` has the contract's bounds, so no list has its own idea."""
    spec = client.get("/api/v1/openapi.json").get_json()
    seen = 0
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            params = {p["name"]: p["schema"] for p in operation.get("parameters", []) if p.get("in") == "query"}
            if "page" in params or "per_page" in params:
                seen += 1
                assert params["page"] == {**params["page"], "type": "integer", "minimum": 1, "maximum": 10**6}, path
                assert params["per_page"] == {**params["per_page"], "type": "integer", "minimum": 1,
                                              "maximum": 100, "default": 20}, path
    assert seen >= 10


def test_openapi_documents_id_and_integer_bounds(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    module_id = next(p for p in spec["paths"]["/api/v1/modules/{module_id}"]["parameters"]
                     if p["name"] == "module_id")
    assert module_id["schema"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
    book = spec["paths"]["/api/v1/coaching/appointments"]["post"]["requestBody"]["content"]["application/json"]
    schema = book["schema"]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert schema["properties"]["coach_id"]["maximum"] == 2**31 - 1


def test_openapi_documents_the_error_format(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert schemas["Error"]["properties"] == {"error": {"$ref": "#/components/schemas/ErrorDetail"}}
    assert set(schemas["ErrorDetail"]["properties"]) == {"code", "message", "fields"}
    assert spec["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}


@pytest.mark.parametrize("path", ["/api/v1/modules/{n}", "/api/v1/sessions/{n}", "/api/v1/municipalities/{n}",
                                  "/api/v1/good-practices/{n}", "/courses/modules/{n}", "/municipalities/{n}"])
@pytest.mark.parametrize("number", [str(2**31), str(2**63), HUGE, "9" * 5000])
def test_ids_beyond_the_database_integer_are_not_found(client, make, path, number):
    response = client.get(path.format(n=number), headers=make.bearer(make.admin()))
    assert response.status_code == 404


@pytest.mark.parametrize("query", [f"page={HUGE}&per_page=0", "page=-3&per_page=1000000", "page=x&per_page=y"])
def test_html_lists_clamp_paging(client, query):
    for path in ("/courses/", "/municipalities/", "/good-practices/"):
        assert client.get(f"{path}?{query}").status_code == 200, path


def test_body_integers_beyond_the_database_integer_are_422(client, make):
    headers = make.bearer(make.admin())
    response = client.post("/api/v1/modules", headers=headers, json={"title": "T", "required_sessions": 2**31})
    assert response.status_code == 422 and "required_sessions" in response.get_json()["error"]["fields"]
    response = client.post("/api/v1/modules", headers=headers, json={"title": "T", "trainer_ids": [10**30]})
    assert response.status_code == 422 and "trainer_ids" in response.get_json()["error"]["fields"]
    response = client.post("/api/v1/coaching/appointments", headers=headers, json={
        "coach_id": 10**30, "starts_at": "2030-01-07T09:00:00+01:00"})
    assert response.status_code == 422 and "coach_id" in response.get_json()["error"]["fields"]
    response = client.post("/api/v1/peers/exchanges", headers=headers, json={"partner_id": -(2**40), "topic": "x"})
    assert response.status_code == 422 and "partner_id" in response.get_json()["error"]["fields"]


@pytest.mark.parametrize("moment", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00",
                                    "1899-12-31T23:00:00Z", "2201-01-01T00:00:00Z"])
def test_datetimes_outside_the_years_the_platform_converts_are_422(client, make, moment):
    admin = make.admin()
    headers = make.bearer(admin)
    module = client.post("/api/v1/modules", headers=headers, json={"title": "T"}).get_json()
    response = client.post(f"/api/v1/modules/{module['id']}/sessions", headers=headers, json={
        "starts_at": moment, "ends_at": moment, "timezone": "Europe/Brussels", "capacity": 5})
    assert response.status_code == 422 and "starts_at" in response.get_json()["error"]["fields"]
    response = client.post("/api/v1/coaching/appointments", headers=headers, json={"coach_id": 1, "starts_at": moment})
    assert response.status_code == 422 and "starts_at" in response.get_json()["error"]["fields"]


def test_dates_outside_the_years_are_422(client, make):
    coach = make.coach()
    headers = make.bearer(coach)
    weekly = [{"weekday": 0, "start": "09:00", "end": "12:00"}]
    assert client.put("/api/v1/coaching/availability", headers=headers, json={
        "timezone": "Europe/Brussels", "slot_minutes": 60, "weekly": weekly}).status_code == 200
    for query in ("from=9999-12-31", "from=0001-01-01&to=0001-01-02", "to=9999-12-31"):
        response = client.get(f"/api/v1/coaching/coaches/{coach.id}/slots?{query}", headers=headers)
        assert response.status_code == 422, (query, response.get_json())
    response = client.put("/api/v1/coaching/availability", headers=headers, json={
        "timezone": "Europe/Brussels", "slot_minutes": 60, "weekly": weekly, "exceptions": [{"date": "9999-12-31"}]})
    assert response.status_code == 422 and "exceptions" in response.get_json()["error"]["fields"]


def test_municipality_numbers_and_dates_that_overflow_are_422(client, make):
    headers = make.bearer(make.admin())
    response = client.post("/api/v1/municipalities", headers=headers, json={
        "name": "Genk", "country": "BE", "population": 10**400, "seap_submitted_on": "9999-12-31",
        "covenant_signed_on": "0001-01-01", "baseline_emissions_t": 1e308 * 10})
    assert response.status_code == 422, response.get_json()
    fields = response.get_json()["error"]["fields"]
    assert {"population", "seap_submitted_on", "covenant_signed_on"} <= set(fields)
    response = client.post("/api/v1/municipalities", headers=headers, json={
        "name": "Genk", "country": "BE", "population": 2**31})
    assert response.status_code == 422 and "population" in response.get_json()["error"]["fields"]
    response = client.post("/api/v1/municipalities", headers=headers, data='{"name": "Genk", "country": "BE", '
                           '"baseline_emissions_t": NaN, "reduction_target_percent": Infinity}',
                           content_type="application/json")
    assert response.status_code == 422
    assert {"baseline_emissions_t", "reduction_target_percent"} <= set(response.get_json()["error"]["fields"])


def test_in_range_values_still_work(client, make):
    headers = make.bearer(make.admin())
    module = client.post("/api/v1/modules", headers=headers, json={"title": "T", "required_sessions": 2})
    assert module.status_code == 201
    starts = utcnow().replace(microsecond=0) + timedelta(days=3)
    response = client.post(f"/api/v1/modules/{module.get_json()['id']}/sessions", headers=headers, json={
        "starts_at": iso_z(starts), "ends_at": iso_z(starts + timedelta(hours=2)), "timezone": "Europe/Brussels",
        "capacity": 5, "location": "Leuven"})
    assert response.status_code == 201, response.get_json()


def test_html_coach_page_takes_odd_dates_and_ids(client, make, login):
    coach = make.coach()
    assert client.put("/api/v1/coaching/availability", headers=make.bearer(coach), json={
        "timezone": "Europe/Brussels", "slot_minutes": 60,
        "weekly": [{"weekday": 0, "start": "09:00", "end": "12:00"}]}).status_code == 200
    for start in ("9999-12-31", "0001-01-01", "2026-13-45"):
        assert client.get(f"/coaching/coaches/{coach.id}?start={start}").status_code == 200, start
    login(make.user())
    assert client.get(f"/coaching/coaches/{coach.id}?reschedule={HUGE}").status_code == 404

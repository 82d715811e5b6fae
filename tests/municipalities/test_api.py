"""The JSON API of docs/api.md, "Municipalities and results"."""
from __future__ import annotations

from datetime import date


def test_create_and_list_municipalities(client, make):
    coordinator = make.user(com_role="coordinator", country="HR")
    headers = make.bearer(coordinator)
    response = client.post("/api/v1/municipalities", headers=headers, json={
        "name": "Koprivnica", "country": "HR", "population": 30854, "supporting_organisation": "REGEA",
        "seap_submitted_on": "2011-09-30", "baseline_year": 2008, "reduction_target_percent": 21.5})
    assert response.status_code == 201, response.json
    body = response.json
    assert {k: body[k] for k in ("name", "country", "population", "supporting_organisation",
                                 "seap_submitted_on", "baseline_year", "reduction_target_percent")} == {
        "name": "Koprivnica", "country": "HR", "population": 30854, "supporting_organisation": "REGEA",
        "seap_submitted_on": "2011-09-30", "baseline_year": 2008, "reduction_target_percent": 21.5}
    again = client.post("/api/v1/municipalities", headers=headers, json={"name": "Koprivnica", "country": "HR"})
    assert again.status_code == 409
    assert again.json["error"]["code"] == "duplicate_municipality"
    listing = client.get("/api/v1/municipalities?country=hr")  # public, no token needed
    assert listing.status_code == 200
    assert listing.json["total"] == 1 and listing.json["items"][0]["id"] == body["id"]
    assert set(listing.json) >= {"items", "total", "page", "per_page"}
    assert client.get("/api/v1/municipalities?country=BE").json["total"] == 0


def test_create_needs_token_and_role(client, make):
    assert client.post("/api/v1/municipalities", json={"name": "X", "country": "BE"}).status_code == 401
    officer = make.user(com_role="municipality")
    response = client.post("/api/v1/municipalities", headers=make.bearer(officer),
                           json={"name": "X", "country": "BE"})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


def test_invalid_input_is_422_with_fields(client, make):
    response = client.post("/api/v1/municipalities", headers=make.bearer(make.admin()),
                           json={"name": "", "country": "ZZ", "baseline_year": "soon"})
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"name", "country", "baseline_year"}
    missing = client.post("/api/v1/municipalities", headers=make.bearer(make.admin()), json={})
    assert missing.status_code == 422 and {"name", "country"} <= set(missing.json["error"]["fields"])


def test_actions_create_list_and_codes(client, make, munis):
    follower = make.user()
    municipality = munis.municipality(followers=[follower])
    headers = make.bearer(follower)
    url = f"/api/v1/municipalities/{municipality.id}/actions"
    response = client.post(url, headers=headers, json={
        "title": "Retrofit of schools", "sector": "municipal-buildings", "area": "building-envelope",
        "instrument": "third-party-financing", "status": "ongoing", "expected_co2_t": 420,
        "investment_eur": 1_200_000, "starts_on": "2014-01-01", "ends_on": "2016-12-31"})
    assert response.status_code == 201, response.json
    action = response.json
    assert {k: action[k] for k in ("title", "sector", "area", "instrument", "status", "expected_co2_t",
                                   "achieved_co2_t", "investment_eur")} == {
        "title": "Retrofit of schools", "sector": "municipal-buildings", "area": "building-envelope",
        "instrument": "third-party-financing", "status": "ongoing", "expected_co2_t": 420.0,
        "achieved_co2_t": None, "investment_eur": 1_200_000.0}
    bad = client.post(url, headers=headers, json={"title": "x", "sector": "adaptation", "area": "wind",
                                                  "instrument": "grants", "status": "done"})
    assert bad.status_code == 422
    assert set(bad.json["error"]["fields"]) == {"sector", "status"}
    listing = client.get(url)
    assert listing.status_code == 200 and listing.json["total"] == 1
    patched = client.patch(f"/api/v1/actions/{action['id']}", headers=headers,
                           json={"status": "completed", "achieved_co2_t": 400})
    assert patched.status_code == 200
    assert patched.json["status"] == "completed" and patched.json["completed_on"]
    stranger = client.post(url, headers=make.bearer(make.user()), json={
        "title": "x", "sector": "transport", "area": "car-sharing", "instrument": "grants"})
    assert stranger.status_code == 403


def test_unknown_municipality_is_404(client, make):
    assert client.get("/api/v1/municipalities/999/actions").status_code == 404
    assert client.get("/api/v1/municipalities/999/progress").json["error"]["code"] == "not_found"


def test_progress(client, munis):
    municipality = munis.municipality(seap_submitted_on=date(2012, 1, 1), baseline_emissions_t=1000,
                                      reduction_target_percent=20, baseline_year=2005, target_year=2020)
    munis.report(municipality, submitted_on=date(2016, 1, 1), kind="full", monitoring_year=2014,
                 emissions_t=900)
    munis.action(municipality, status="completed", expected_co2_t=50)
    body = client.get(f"/api/v1/municipalities/{municipality.id}/progress").json
    assert body["municipality_id"] == municipality.id
    assert body["achieved_reduction_percent"] == 10.0 and body["progress_percent"] == 50.0
    assert body["target_emissions_t"] == 800.0
    assert body["actions_by_status"]["completed"] == 1
    assert body["emissions"] == [{"year": 2005, "emissions_t": 1000.0}, {"year": 2014, "emissions_t": 900.0}]
    assert [d["kind"] for d in body["reports_due"]] == ["action", "full"]


def test_reports_api(client, make, munis):
    follower = make.user()
    municipality = munis.municipality(followers=[follower])
    url = f"/api/v1/municipalities/{municipality.id}/reports"
    response = client.post(url, headers=make.bearer(follower),
                           json={"submitted_on": "2016-03-01", "kind": "full", "monitoring_year": 2014,
                                 "emissions_t": 88000})
    assert response.status_code == 201
    assert client.get(url).json["items"][0]["kind"] == "full"
    bad = client.post(url, headers=make.bearer(follower), json={"submitted_on": "2016-03-01", "kind": "mei"})
    assert bad.status_code == 422 and "kind" in bad.json["error"]["fields"]

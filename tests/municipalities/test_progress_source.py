"""One rule for "how far is this municipality": computed inventories when there is a baseline and a later
monitoring inventory, the typed baseline and reports otherwise; page, dashboard and API agree."""
from __future__ import annotations

import re
from datetime import date

from app.extensions import db
from app.municipalities.models import MunicipalityMember
from tests.municipalities.test_inventory_api import WORKED, factor

HALF_TRANSPORT = [dict(row, mwh=row["mwh"] / 2) if row["sector"] == "private-transport" else row for row in WORKED]


def _town(make, munis):
    editor = make.user(com_role="municipality")
    town = munis.municipality(editors=[editor], baseline_year=2010, baseline_emissions_t=1000.0,
                              reduction_target_percent=40.0, target_year=2030, population=1000)
    munis.report(town, kind="full", submitted_on=date(2021, 5, 1), monitoring_year=2020, emissions_t=900.0)
    return editor, town


def _facts(html: str) -> dict[str, str]:
    return {re.sub(r"\s+", " ", k).strip(): re.sub(r"<[^>]+>|\s+", " ", v).strip()
            for k, v in re.findall(r'<dt class="col-7">(.*?)</dt><dd class="col-5">(.*?)</dd>', html, re.S)}


def test_typed_figures_without_inventories(client, make, munis, login):
    editor, town = _town(make, munis)
    body = client.get(f"/api/v1/municipalities/{town.id}/progress").json
    assert body["measured_by"] == "reports"
    assert body["achieved_reduction_percent"] == 10.0 and body["progress_percent"] == 25.0
    facts = _facts(client.get(f"/municipalities/{town.id}").get_data(as_text=True))
    assert facts["Reduction measured so far"] == "10 % (2020)" and facts["Share of the target reached"] == "25 %"
    assert facts["Baseline"] == "1,000 t CO2 (2010)"


def test_a_baseline_inventory_alone_changes_nothing(client, make, munis):
    editor, town = _town(make, munis)
    factor(year=2010)
    url = f"/api/v1/municipalities/{town.id}/inventories"
    assert client.post(url, headers=make.bearer(editor), json={
        "kind": "baseline", "year": 2010, "population": 1000, "consumption": WORKED}).status_code == 201
    body = client.get(f"/api/v1/municipalities/{town.id}/progress").json
    assert body["measured_by"] == "reports" and body["baseline_emissions_t"] == 1000.0  # never mixed
    assert body["achieved_reduction_percent"] == 10.0


def test_inventories_drive_the_page_the_dashboard_and_the_api(client, make, munis, login):
    editor, town = _town(make, munis)
    factor(year=2010)
    factor(year=2020, value=0.285)
    url = f"/api/v1/municipalities/{town.id}/inventories"
    headers = make.bearer(editor)
    assert client.post(url, headers=headers, json={"kind": "baseline", "year": 2010, "population": 1000,
                                                   "consumption": WORKED}).status_code == 201
    latest = client.post(url, headers=headers, json={"kind": "monitoring", "year": 2020, "population": 1000,
                                                     "consumption": HALF_TRANSPORT})
    assert latest.status_code == 201, latest.json
    body = client.get(f"/api/v1/municipalities/{town.id}/progress").json
    # 2,723 t → 2,723 − 1,815/2 = 1,815.5 t: 33.3 % of a 40 % target is 83.3 % of the way
    assert body["measured_by"] == "inventories"
    assert body["baseline_emissions_t"] == 2723.0 and body["latest_emissions_t"] == 1815.5
    assert body["achieved_reduction_percent"] == body["reduction_percent"] == 33.3
    assert body["progress_percent"] == 83.3
    assert [(p["year"], p["emissions_t"]) for p in body["emissions"]] == [(2010, 2723.0), (2020, 1815.5)]
    page = client.get(f"/municipalities/{town.id}").get_data(as_text=True)
    facts = _facts(page)
    assert facts["Reduction measured so far"] == "33.3 % (2020)" and facts["Share of the target reached"] == "83.3 %"
    assert facts["Baseline"] == "2,723 t CO2 (2010)"
    assert "computed from the emission inventories" in page
    login(editor)
    dashboard = client.get("/municipalities/dashboard").get_data(as_text=True)
    assert "83.3 %" in dashboard and "25 %" not in dashboard


def test_the_dashboard_asks_the_same_number_of_queries_for_more_towns_with_inventories(
        client, make, munis, login, count_queries):
    coordinator = make.user()
    factor(year=2010)
    factor(year=2020, value=0.285)

    def town_with_inventories():
        editor, town = _town(make, munis)
        headers = make.bearer(editor)
        url = f"/api/v1/municipalities/{town.id}/inventories"
        for kind, year, rows in (("baseline", 2010, WORKED), ("monitoring", 2020, HALF_TRANSPORT)):
            assert client.post(url, headers=headers, json={"kind": kind, "year": year, "population": 1000,
                                                           "consumption": rows}).status_code == 201
        return town

    def follow(town):
        db.session.add(MunicipalityMember(municipality=town, user=coordinator, role="follower", status="accepted"))
        db.session.commit()

    follow(town_with_inventories())
    login(coordinator)
    with count_queries() as one:
        assert "83.3 %" in client.get("/municipalities/dashboard").get_data(as_text=True)
    for _ in range(3):
        follow(town_with_inventories())
    with count_queries() as four:
        assert client.get("/municipalities/dashboard").get_data(as_text=True).count("83.3 %") == 4
    assert four.count == one.count

"""Emission inventories through the JSON API (API.md, "Emission inventories")."""
from __future__ import annotations

from app.extensions import db
from app.municipalities.models import EmissionFactor

WORKED = [{"sector": "municipal-buildings", "carrier": "electricity", "mwh": 1000},
          {"sector": "municipal-buildings", "carrier": "natural-gas", "mwh": 2000},
          {"sector": "residential-buildings", "carrier": "heating-oil", "mwh": 500},
          {"sector": "public-lighting", "carrier": "electricity", "mwh": 300},
          {"sector": "private-transport", "carrier": "diesel", "mwh": 4000},
          {"sector": "private-transport", "carrier": "gasoline", "mwh": 3000}]


def factor(country="BE", year=2010, value=0.285, approach="ipcc"):
    db.session.add(EmissionFactor(carrier="electricity", country=country, year=year, approach=approach,
                                  factor=value, source="test"))
    db.session.commit()


def test_worked_example_through_the_api(client, make, munis):
    editor = make.user(com_role="municipality")
    town = munis.municipality(editors=[editor], baseline_year=2010, target_year=2030,
                              reduction_target_percent=40)
    factor(year=2010)
    factor(year=2020, value=0.2)
    headers = make.bearer(editor)
    url = f"/api/v1/municipalities/{town.id}/inventories"
    response = client.post(url, headers=headers, json={"kind": "baseline", "year": 2010, "population": 1000,
                                                       "consumption": WORKED})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["total_t"] == 2723.0
    assert body["electricity_factor"] == 0.285
    assert body["by_sector"]["private-transport"] == 1815.0
    assert body["per_capita_t"] == 2.72
    assert {"sector": "public-lighting", "carrier": "electricity", "mwh": 300.0, "factor": 0.285,
            "t": 85.5} in body["emissions"]
    assert body["warnings"] == []
    again = client.post(url, headers=headers, json={"kind": "baseline", "year": 2011, "consumption": WORKED})
    assert again.status_code == 409
    monitoring = client.post(url, headers=headers, json={
        "kind": "monitoring", "year": 2020, "population": 1000,
        "consumption": [dict(c, mwh=c["mwh"] * 0.8) for c in WORKED],
        "local_electricity": [{"kind": "photovoltaics", "mwh": 100}], "green_electricity_mwh": 40})
    assert monitoring.status_code == 201, monitoring.json
    listing = client.get(url).json  # public
    assert listing["total"] == 2
    assert set(listing["items"][0]) >= {"id", "kind", "year", "approach", "unit", "population", "total_mwh",
                                        "total_t", "per_capita_t"}
    progress = client.get(f"/api/v1/municipalities/{town.id}/progress").json
    assert progress["baseline"] == {"year": 2010, "total_t": 2723.0, "per_capita_t": 2.72}
    assert progress["latest"]["year"] == 2020
    assert progress["target_percent"] == 40 and progress["target_year"] == 2030
    assert progress["trajectory_t"] == 2178.4  # halfway to 1,633.8
    assert progress["on_track"] is True
    assert progress["reduction_percent"] > 20
    item = f"{url}/{monitoring.json['id']}"
    assert client.get(item).status_code == 200
    changed = client.put(item, headers=headers, json={"kind": "monitoring", "year": 2020, "population": 1000,
                                                      "consumption": WORKED})
    assert changed.status_code == 200
    assert client.get(f"/api/v1/municipalities/{town.id}/progress").json["on_track"] is False
    assert changed.json["warnings"] == []  # no sector moved by more than 30 % since 2010
    assert client.delete(item, headers=headers).status_code == 204
    assert client.get(item).status_code == 404


def test_invalid_cells_name_the_field(client, make, munis):
    editor = make.user(com_role="municipality")
    town = munis.municipality(editors=[editor])
    factor()
    response = client.post(f"/api/v1/municipalities/{town.id}/inventories", headers=make.bearer(editor), json={
        "kind": "baseline", "year": 2010, "consumption": [
            {"sector": "public-lighting", "carrier": "electricity", "mwh": 10},
            {"sector": "residential-buildings", "carrier": "natural-gas", "mwh": -5},
            {"sector": "municipal-fleet", "carrier": "diesel", "mwh": "lots"},
            {"sector": "public-lighting", "carrier": "lignite", "mwh": 3}]})
    assert response.status_code == 422
    fields = response.json["error"]["fields"]
    assert "consumption.1.mwh" in fields and "consumption.2.mwh" in fields and "consumption.3.carrier" in fields
    assert "consumption.0.mwh" not in fields
    bad_type = client.post(f"/api/v1/municipalities/{town.id}/inventories", headers=make.bearer(editor),
                           json={"kind": "baseline", "year": "soon", "consumption": [{"sector": 3}]})
    assert bad_type.status_code == 422
    assert "year" in bad_type.json["error"]["fields"]


def test_missing_factor_is_422_naming_country_and_year(client, make, munis):
    editor = make.user(com_role="municipality")
    town = munis.municipality(editors=[editor], country="GR")
    response = client.post(f"/api/v1/municipalities/{town.id}/inventories", headers=make.bearer(editor),
                           json={"kind": "baseline", "year": 2012, "consumption": WORKED})
    assert response.status_code == 422
    assert response.json["error"]["code"] == "missing_factor"
    assert "GR" in response.json["error"]["message"] and "2012" in response.json["error"]["message"]
    assert client.get(f"/api/v1/municipalities/{town.id}/inventories").json["total"] == 0


def test_permissions(client, make, munis):
    editor, stranger = make.user(com_role="municipality"), make.user(com_role="municipality")
    coordinator = make.user(com_role="coordinator")
    town = munis.municipality(editors=[editor], followers=[coordinator])
    other = munis.municipality(editors=[stranger])
    factor()
    url = f"/api/v1/municipalities/{town.id}/inventories"
    payload = {"kind": "baseline", "year": 2010, "consumption": WORKED}
    assert client.post(url, json=payload).status_code == 401
    assert client.post(url, headers=make.bearer(stranger), json=payload).status_code == 403
    created = client.post(url, headers=make.bearer(coordinator), json=payload)
    assert created.status_code == 201
    item = f"{url}/{created.json['id']}"
    assert client.put(item, headers=make.bearer(stranger), json=payload).status_code == 403
    assert client.delete(item, headers=make.bearer(stranger)).status_code == 403
    # the inventory is not another municipality's
    assert client.get(f"/api/v1/municipalities/{other.id}/inventories/{created.json['id']}").status_code == 404
    assert client.post(url, headers=make.bearer(make.admin()),
                       json=dict(payload, kind="monitoring", year=2010)).status_code == 201


def test_emission_factors(client, make):
    listing = client.get("/api/v1/emission-factors?approach=ipcc").json
    assert {"carrier": "natural-gas", "country": None, "year": None, "approach": "ipcc", "factor": 0.202} \
        .items() <= next(i for i in listing["items"] if i["carrier"] == "natural-gas").items()
    body = {"country": "hr", "year": 2015, "approach": "ipcc", "factor": 0.3, "source": "JRC 2024"}
    assert client.put("/api/v1/emission-factors/electricity", json=body).status_code == 401
    assert client.put("/api/v1/emission-factors/electricity", headers=make.bearer(make.user()),
                      json=body).status_code == 403
    admin = make.bearer(make.admin())
    response = client.put("/api/v1/emission-factors/electricity", headers=admin, json=body)
    assert response.status_code == 200, response.json
    assert response.json["country"] == "HR" and response.json["factor"] == 0.3
    client.put("/api/v1/emission-factors/electricity", headers=admin, json=dict(body, factor=0.31))
    items = client.get("/api/v1/emission-factors?country=HR&year=2015").json["items"]
    assert [i["factor"] for i in items if i["carrier"] == "electricity"] == [0.31]
    bad = client.put("/api/v1/emission-factors/electricity", headers=admin, json=dict(body, factor=-1))
    assert bad.status_code == 422 and "factor" in bad.json["error"]["fields"]


def test_factors_import_command(app, tmp_path):
    from app.municipalities import inventories

    good = tmp_path / "good.csv"
    good.write_text("country,year,approach,factor,source\nBE,2010,ipcc,0.22,JRC\nHR,2010,lca,0.5,JRC\n")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["factors", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert len([i for i in inventories.factor_items() if i["carrier"] == "electricity"]) == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("country,year,approach,factor,source\nFR,2010,ipcc,0.05,JRC\nZZ,20x0,ipcc,-1,JRC\n")
    result = runner.invoke(args=["factors", "import", str(bad)])
    assert result.exit_code == 2
    assert "line 3" in result.output
    assert len([i for i in inventories.factor_items() if i["carrier"] == "electricity"]) == 2  # all or nothing


def test_warnings_and_local_heat(client, make, munis):
    editor = make.user(com_role="municipality")
    town = munis.municipality(editors=[editor])
    factor()
    factor(year=2005, value=0.3)
    headers = make.bearer(editor)
    url = f"/api/v1/municipalities/{town.id}/inventories"
    assert client.post(url, headers=headers, json={"kind": "baseline", "year": 2010, "population": 1000,
                                                   "consumption": WORKED}).status_code == 201
    early = client.post(url, headers=headers, json={"kind": "monitoring", "year": 2005, "population": 1000,
                                                    "consumption": WORKED})
    assert early.status_code == 201
    assert any("not after the baseline year 2010" in w for w in early.json["warnings"])
    heat = client.post(url, headers=headers, json={
        "kind": "monitoring", "year": 2010, "population": 1000,
        "consumption": WORKED + [{"sector": "residential-buildings", "carrier": "heat-cold", "mwh": 2000}],
        "local_heat": [{"kind": "district-heating", "mwh": 4000, "inputs": [{"carrier": "natural-gas",
                                                                              "mwh": 5000}]}]})
    assert heat.status_code == 201, heat.json
    assert heat.json["total_t"] == 2723.0 + 505.0
    assert heat.json["heat_factor_used"] == 0.253
    # residential: 133.5 t in the baseline, 638.5 t with the heat: a warning, not an error
    assert any(w.startswith("Residential buildings changed by +378 %") for w in heat.json["warnings"])
    bad = client.post(url, headers=headers, json={
        "kind": "monitoring", "year": 2011, "consumption": WORKED,
        "local_electricity": [{"kind": "photovoltaics", "mwh": 10, "inputs": [{"carrier": "coal", "mwh": 1}]},
                              {"kind": "chp", "mwh": 10, "inputs": [{"carrier": "electricity", "mwh": 1}]}]})
    assert bad.status_code == 422
    assert {"local_electricity.0.inputs", "local_electricity.1.inputs.0.carrier"} <= set(bad.json["error"]["fields"])

"""Emission inventory pages: the template table, the computed result, progress, overview, factors, files."""
from __future__ import annotations

import io

from app.core import cache
from app.extensions import db
from app.municipalities.models import EmissionFactor, Inventory


def _factors():
    for year, value in ((2010, 0.285), (2020, 0.2)):
        db.session.add(EmissionFactor(carrier="electricity", country="BE", year=year, approach="ipcc",
                                      factor=value, source="JRC test", demo=True))
    db.session.commit()


BASELINE = {"c_municipal_buildings_electricity": "1000", "c_municipal_buildings_natural_gas": "2 000",
            "c_residential_buildings_heating_oil": "500", "c_public_lighting_electricity": "300",
            "c_private_transport_diesel": "4000", "c_private_transport_gasoline": "3000,0"}


def _post(client, town, data, **extra):
    form = {"kind": "baseline", "year": "2010", "approach": "ipcc", "unit": "t-co2", "population": "1000"}
    form.update(extra)
    form.update(data)
    return client.post(f"/municipalities/{town.id}/inventories/new", data=form)


def test_enter_baseline_and_monitoring_in_the_template(client, make, munis, login, count_queries):
    editor = make.user(com_role="municipality")
    town = munis.municipality(editors=[editor], baseline_year=2010, target_year=2030, reduction_target_percent=40)
    _factors()
    login(editor)
    page = client.get(f"/municipalities/{town.id}/inventories/new?kind=baseline")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'aria-label="Residential buildings – Natural gas, MWh"' in html
    assert 'name="c_public_lighting_lignite"' not in html  # no cell where the template has none
    assert "js/inventory.js" in html and "style=" not in html
    response = _post(client, town, BASELINE)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    baseline = db.session.scalar(db.select(Inventory).where(Inventory.municipality_id == town.id))
    with count_queries() as q:
        shown = client.get(response.headers["Location"])
    assert q.count <= 17  # 14 to render it, 3 to find a kept one (data versions, the municipality, its members)
    html = shown.get_data(as_text=True)
    assert "2,723" in html and "Why this number" in html and "EFE" in html and "demo value" in html
    monitoring = _post(client, town, {k: v for k, v in BASELINE.items() if "transport" not in k} | {
        "c_private_transport_diesel": "2000", "c_private_transport_gasoline": "1500", "e0_kind": "photovoltaics",
        "e0_mwh": "100"}, kind="monitoring", year="2020")
    assert monitoring.status_code == 302
    with count_queries() as q:
        page = client.get(f"/municipalities/{town.id}")
    # the municipality page's 8, inventories with their cells and plants, the factors; 3 to find a kept page
    assert q.count <= 17
    html = page.get_data(as_text=True)
    assert "Emission inventories" in html and "on track" in html
    svg = client.get(f"/municipalities/{town.id}/sectors.svg")
    assert svg.mimetype == "image/svg+xml" and b"Private and commercial transport" in svg.data
    assert b"<script" not in svg.data
    # export and import again
    csv_text = client.get(f"/municipalities/{town.id}/inventories/{baseline.id}.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0] == "sector,carrier,mwh" and "private-transport,diesel,4000" in csv_text
    xlsx = client.get(f"/municipalities/{town.id}/inventories/{baseline.id}.xlsx")
    assert xlsx.data[:2] == b"PK"
    changed = csv_text.replace("private-transport,diesel,4000", "private-transport,diesel,5000")
    client.post(f"/municipalities/{town.id}/inventories/{baseline.id}/import",
                data={"file": (io.BytesIO(changed.encode()), "inv.csv")}, content_type="multipart/form-data")
    assert "2,990" in client.get(f"/municipalities/{town.id}/inventories/{baseline.id}").get_data(as_text=True)
    client.post(f"/municipalities/{town.id}/inventories/{baseline.id}/import",
                data={"file": (io.BytesIO(xlsx.data), "inv.xlsx")}, content_type="multipart/form-data")
    assert "2,723" in client.get(f"/municipalities/{town.id}/inventories/{baseline.id}").get_data(as_text=True)
    bad = "sector,carrier,mwh\npublic-lighting,lignite,3\nresidential-buildings,natural-gas,-1\n"
    answer = client.post(f"/municipalities/{town.id}/inventories/{baseline.id}/import",
                         data={"file": (io.BytesIO(bad.encode()), "bad.csv")}, content_type="multipart/form-data",
                         follow_redirects=True).get_data(as_text=True)
    assert "line 2" in answer and "line 3" in answer and "Nothing was imported" in answer
    assert "2,723" in answer


def test_errors_land_on_the_cells(client, make, munis, login):
    editor = make.user(com_role="municipality")
    town = munis.municipality(editors=[editor])
    _factors()
    login(editor)
    response = _post(client, town, {"c_residential_buildings_natural_gas": "-3",
                                    "c_municipal_fleet_diesel": "lots"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="c_residential_buildings_natural_gas-error"' in html and 'id="c_municipal_fleet_diesel-error"' in html
    missing = _post(client, town, {"c_municipal_buildings_electricity": "10"}, year="2015")
    assert missing.status_code == 422
    assert "No national electricity emission factor for BE in 2015" in missing.get_data(as_text=True)


def test_another_municipalitys_editor_is_refused(client, make, munis, login):
    editor, stranger = make.user(com_role="municipality"), make.user(com_role="municipality")
    town = munis.municipality(editors=[editor])
    munis.municipality(editors=[stranger])
    _factors()
    login(editor)
    _post(client, town, BASELINE)
    inventory = db.session.scalar(db.select(Inventory).where(Inventory.municipality_id == town.id))
    client.post("/auth/logout")
    login(stranger)
    assert client.get(f"/municipalities/{town.id}/inventories/new").status_code == 403
    assert _post(client, town, BASELINE, year="2011").status_code == 403
    assert client.get(f"/municipalities/{town.id}/inventories/{inventory.id}/edit").status_code == 403
    assert client.post(f"/municipalities/{town.id}/inventories/{inventory.id}/delete").status_code == 403
    assert client.get(f"/municipalities/{town.id + 1}/inventories/{inventory.id}").status_code == 404


def test_overview_and_factors_page(client, make, munis, login, count_queries):
    coordinator = make.user(com_role="coordinator")
    _factors()
    towns = [munis.municipality(followers=[coordinator], baseline_year=2010, target_year=2030,
                                reduction_target_percent=40) for _ in range(4)]
    login(coordinator)
    for i, town in enumerate(towns[:3]):
        _post(client, town, BASELINE)
        _post(client, town, {k: v for k, v in BASELINE.items() if "transport" not in k} | {
            "c_private_transport_diesel": str(4000 - i * 1500), "c_private_transport_gasoline": "3000"},
            kind="monitoring", year="2020")
    with count_queries() as q:
        page = client.get("/municipalities/overview?sort=reduction_percent&order=desc")
    assert page.status_code == 200
    assert q.count <= 14
    html = page.get_data(as_text=True)
    assert "on track" in html and "behind by" in html and "no baseline inventory" in html
    assert html.index(towns[2].name) < html.index(towns[0].name)
    csv_text = client.get("/municipalities/overview.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("name,country,baseline_year")
    assert len(csv_text.strip().splitlines()) == 5
    assert client.post("/municipalities/emission-factors", data={}).status_code == 403
    client.post("/auth/logout")
    login(make.admin())
    saved = client.post("/municipalities/emission-factors", data={
        "country": "HR", "year": "2012", "approach": "ipcc", "factor": "0.4", "source": "JRC 2024"})
    assert saved.status_code == 302
    assert "JRC 2024" in client.get("/municipalities/emission-factors").get_data(as_text=True)


def test_results_count_the_inventories(client, make, munis, login):
    editor = make.user(com_role="municipality")
    town = munis.municipality(editors=[editor])
    _factors()
    login(editor)
    _post(client, town, BASELINE)
    _post(client, town, {k: v for k, v in BASELINE.items() if "transport" not in k}, kind="monitoring", year="2020")
    body = client.get("/api/v1/results").json
    assert body["inventory_municipalities"] == 1
    assert body["measured_co2_reduction_t"] > 1800
    assert body["by_country"]["BE"]["inventory_municipalities"] == 1
    assert "expected_co2_t" in body
    page = client.get("/results/").get_data(as_text=True)
    assert "Measured CO2 reduction" in page


def test_xlsx_bad_cells_are_reported_with_their_row(client, make, munis, login):
    from openpyxl import load_workbook

    editor = make.user(com_role="municipality")
    town = munis.municipality(editors=[editor])
    _factors()
    login(editor)
    _post(client, town, BASELINE)
    inventory = db.session.scalar(db.select(Inventory).where(Inventory.municipality_id == town.id))
    data = client.get(f"/municipalities/{town.id}/inventories/{inventory.id}.xlsx").data
    book = load_workbook(io.BytesIO(data))
    sheet = book["Consumption"]
    sheet["D5"] = -4  # municipal buildings, heat/cold
    sheet["C12"] = "much"  # private transport, electricity
    out = io.BytesIO()
    book.save(out)
    answer = client.post(f"/municipalities/{town.id}/inventories/{inventory.id}/import",
                         data={"file": (io.BytesIO(out.getvalue()), "inv.xlsx")},
                         content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "Nothing was imported" in answer and "line 5" in answer and "line 12" in answer
    assert "2,723" in answer


def test_overview_and_results_ask_as_many_queries_for_five_towns_as_for_two(client, make, munis, login,
                                                                             count_queries):
    coordinator = make.user(com_role="coordinator")
    _factors()
    login(coordinator)
    counts = []
    for towns in (2, 3):
        for _ in range(towns):
            town = munis.municipality(followers=[coordinator], target_year=2030, reduction_target_percent=40)
            _post(client, town, BASELINE)
            _post(client, town, {k: v for k, v in BASELINE.items() if "transport" not in k},
                  kind="monitoring", year="2020")
        measured = []
        for url in ("/municipalities/overview", "/api/v1/results"):
            with count_queries() as q:
                assert client.get(url).status_code == 200
            measured.append(q.count)
        counts.append(measured)
    assert counts[0] == counts[1], counts


def test_inventory_api_asks_as_many_queries_for_four_inventories_as_for_two(client, make, munis, login,
                                                                            count_queries):
    editor = make.user(com_role="municipality")
    town = munis.municipality(editors=[editor], target_year=2030, reduction_target_percent=40)
    _factors()
    login(editor)
    _post(client, town, BASELINE)
    counts = []
    for years in (("2020",), ("2016", "2018")):
        for year in years:
            _post(client, town, {k: v for k, v in BASELINE.items() if "transport" not in k},
                  kind="monitoring", year=year)
        measured = []
        for url in (f"/api/v1/municipalities/{town.id}/inventories", f"/api/v1/municipalities/{town.id}/progress",
                    f"/municipalities/{town.id}"):
            db.session.expire_all()  # as a fresh request finds it: nothing loaded yet
            cache.clear()  # and the page rendered, not kept
            with count_queries() as q:
                assert client.get(url).status_code == 200
            measured.append(q.count)
        counts.append(measured)
    assert counts[0] == counts[1], counts


class _FormValues(__import__("html.parser").parser.HTMLParser):
    """The values a browser would post back from the page's form: inputs and each select's chosen option."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "checkbox"):
            self.values[attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self._select = attrs.get("name")
            self.values.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.values[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def test_the_entry_page_holds_every_plant_and_fuel_saved_through_the_api(client, make, munis, login):
    """Five plants, a CHP burning two fuels, three heat plants: opening the page and saving it unchanged
    keeps all of them (the page grows rows instead of dropping what it has no room for)."""
    editor = make.user(com_role="municipality")
    town = munis.municipality(editors=[editor], baseline_year=2010)
    _factors()
    electricity = [{"kind": "photovoltaics", "mwh": 100 + n, "inputs": []} for n in range(4)] + [
        {"kind": "chp", "mwh": 900, "inputs": [{"carrier": "natural-gas", "mwh": 1500},
                                               {"carrier": "other-biomass", "mwh": 600}]}]
    heat = [{"kind": "district-heating", "mwh": 400 + n, "inputs": [{"carrier": "natural-gas", "mwh": 500 + n}]}
            for n in range(3)]
    consumption = [{"sector": "residential-buildings", "carrier": "heat-cold", "mwh": 800},
                   {"sector": "municipal-buildings", "carrier": "electricity", "mwh": 1000}]
    created = client.post(f"/api/v1/municipalities/{town.id}/inventories", headers=make.bearer(editor),
                          json={"kind": "baseline", "year": 2010, "population": 1000, "consumption": consumption,
                                "local_electricity": electricity, "local_heat": heat})
    assert created.status_code == 201, created.json
    inventory = db.session.get(Inventory, created.json["id"])

    def saved():
        db.session.expire_all()
        return sorted((p.product, p.kind, p.mwh, tuple((i.carrier, i.mwh) for i in p.inputs))
                      for p in db.session.get(Inventory, inventory.id).plants)

    before = saved()
    assert len(before) == 8
    login(editor)
    url = f"/municipalities/{town.id}/inventories/{inventory.id}/edit"
    page = client.get(url)
    assert page.status_code == 200
    form = _FormValues()
    form.feed(page.get_data(as_text=True))
    assert form.values["e4_kind"] == "chp" and form.values["e4_fuel2"] == "other-biomass"
    assert form.values["e5_kind"] == "" and form.values["h2_fuel"] == "natural-gas"  # one empty row more
    assert 'aria-label="Input of fuel 2 of plant 5, MWh"' in page.get_data(as_text=True)
    form.values.pop("csrf_token", None)
    response = client.post(url, data=form.values)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert saved() == before
    # a third fuel typed into the posted form is kept too (the posted form is sized by what it carries)
    form.values.update({"e4_fuel3": "heating-oil", "e4_fuel3_mwh": "50"})
    assert client.post(url, data=form.values).status_code == 302
    assert ("heating-oil", 50.0) in next(p for p in saved() if p[1] == "chp")[3]


def test_a_result_computed_before_is_never_shown_for_changed_figures_factors_or_language(client, make, munis,
                                                                                          login):
    """Results are kept between requests (inventories.compute_inventory), keyed by everything the
    calculation reads: a changed cell, a changed national factor and another language each show anew."""
    editor = make.user(com_role="municipality")
    town = munis.municipality(editors=[editor], baseline_year=2010)
    _factors()
    login(editor)
    location = _post(client, town, BASELINE).headers["Location"]
    assert "2,723" in client.get(location).get_data(as_text=True)
    inventory = db.session.scalar(db.select(Inventory).where(Inventory.municipality_id == town.id))
    cell = next(c for c in inventory.cells if c.carrier == "diesel")
    cell.mwh = 8000  # another 4,000 MWh of diesel: about 1,068 t more
    db.session.commit()
    assert "3,791" in client.get(location).get_data(as_text=True)
    factor = db.session.scalar(db.select(EmissionFactor).where(EmissionFactor.year == 2010))
    factor.factor = 0.5  # 1,300 MWh of electricity at 0.5 instead of 0.285: about 280 t more
    db.session.commit()
    assert "4,070" in client.get(location).get_data(as_text=True)
    editor.language = "fr"
    db.session.commit()
    html = client.get(location).get_data(as_text=True)
    assert "Électricité : EFE" in html and "Electricity: EFE" not in html  # the calculation's own words

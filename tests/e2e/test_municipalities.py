"""Browser journeys: a coordinator imports municipalities, adds an action and reads the dashboard;
a visitor opens the public results, on screen and printed. Plus many real clients racing to create
one municipality (here, to share this module's live server)."""
from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.municipalities.models import Municipality
from tests.e2e.conftest import ARTIFACTS, shot, sign_in
from tests.municipalities.conftest import MunicipalityFactories

CSV = """name,country,population,covenant_signed_on,seap_submitted_on,baseline_year,reduction_target_percent,baseline_emissions_t,target_year
Hasselt,BE,78700,2011-02-01,2012-03-01,2008,20,420000,2020
Genk,BE,66900,2011-05-01,2012-06-01,2008,20,380000,2020
Nowhere,XX,10,,,,,,
"""


def test_coordinator_imports_adds_an_action_and_sees_the_dashboard(page, make, tmp_path):
    make.user(com_role="coordinator", email="pieter@example.org", name="Pieter Claes")
    db.session.commit()  # the test holds no transaction (and so no SQLite lock) while the browser acts
    sign_in(page, "pieter@example.org", make.PASSWORD)

    page.goto("/municipalities/import")
    upload = tmp_path / "limburg.csv"
    upload.write_text(CSV)
    page.get_by_label("File (CSV, TSV or JSON)").set_input_files(str(upload))
    page.get_by_role("button", name="Import").click()
    page.get_by_text("Imported 2 municipalities. 1 row rejected.").wait_for()
    expect(page.get_by_role("cell", name="4")).to_be_visible()  # the bad line
    shot(page, "municipalities-import")

    page.get_by_role("link", name="Hasselt").click()
    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("Title").fill("LED retrofit of the street lighting")
    page.get_by_label("Sector").select_option("public-lighting")
    page.get_by_label("Area of intervention").select_option("efficient-lighting")
    page.get_by_label("Policy instrument").select_option("energy-management")
    page.get_by_label("Status", exact=True).select_option("completed")
    page.get_by_label("Expected CO2 reduction (t per year)").fill("850")
    page.get_by_label("Start").fill("2013-01-01")
    page.get_by_label("End", exact=True).fill("2014-06-30")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The action was added.").wait_for()
    expect(page.get_by_role("cell", name="LED retrofit of the street lighting").first).to_be_visible()
    expect(page.get_by_text("Overdue reports")).to_be_visible()
    chart = page.locator("img[src$='/progress.svg']")
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    shot(page, "municipalities-show")

    page.goto("/municipalities/dashboard")
    expect(page.get_by_role("link", name="Hasselt")).to_be_visible()
    expect(page.get_by_role("link", name="Genk")).to_be_visible()
    expect(page.get_by_text("2 municipalities")).to_be_visible()
    shot(page, "municipalities-dashboard")
    assert page.console_errors == []


def test_visitor_reads_the_results_and_prints_them(page, phone, app):
    munis = MunicipalityFactories()
    for i, country in enumerate(["BE", "HR", "GR", "IT", "PL", "ES", "GR", "IT"]):
        municipality = munis.municipality(country=country, name=f"Town {i}",
                                          covenant_signed_on=date(2012 + i % 4, 3, 1), commit=False)
        for j in range(3):
            munis.action(municipality, status="completed" if j < 2 else "ongoing", expected_co2_t=400 + 100 * i,
                         starts_on=date(2013, 1, 1), completed_on=date(2014 + j + i % 3, 6, 1), commit=False)
    db.session.commit()

    page.goto("/results/")
    page.get_by_role("heading", name="Results", exact=True).wait_for()
    for name in ("targets", "countries", "co2", "over-time"):
        image = page.locator(f"img[src='/results/charts/{name}.svg']")
        image.scroll_into_view_if_needed()
        assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", image.element_handle()), name
    expect(page.get_by_role("table", name="Indicators by country")).to_be_visible()
    assert page.console_errors == []  # no CSP violation
    shot(page, "results")

    pdf = ARTIFACTS / "results.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    shot(page, "results-print")
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "3", str(pdf),
                        str(ARTIFACTS / "results-pdf")], check=True)
    assert pdf.stat().st_size > 10_000

    phone.goto("/results/")
    shot(phone, "results-phone")


def _post(url: str, token: str, body: dict) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.live
def test_concurrent_creations_of_one_municipality(live_server, make, db):
    token = make.token(make.admin())
    db.session.commit()
    url = f"{live_server.url}/api/v1/municipalities"
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda i: _post(url, token, {"name": "Heraklion", "country": "GR",
                                                              "population": 170000 + i}), range(16)))
    assert sorted(statuses) == [201] + [409] * 15
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Municipality)) == 1

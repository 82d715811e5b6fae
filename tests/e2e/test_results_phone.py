"""Phones at 390 px (issue 14): the editor's municipality page, the coordinator's dashboard and the public
results do not scroll sideways, with demo-like data and long numbers; the results at 1280 px too."""
from __future__ import annotations

import shutil
from datetime import date

import pytest

from app.extensions import db
from tests.e2e.conftest import shot, sign_in
from tests.municipalities.conftest import MunicipalityFactories

SHOTS = "/tmp/shots/results"


def _data(make):
    editor = make.user(com_role="municipality", email="ana@example.org", name="Ana Horvat")
    coordinator = make.user(com_role="coordinator", email="piet@example.org", name="Piet Claes")
    munis = MunicipalityFactories()
    towns = []
    for i, country in enumerate(["BE", "HR", "GR", "IT"]):
        town = munis.municipality(country=country, name=f"Municipality of Saint-Josse-ten-Noode {i}",
                                  population=1_234_567, baseline_emissions_t=2_116_123.4,
                                  covenant_signed_on=date(2012, 3, 1), seap_submitted_on=date(2013, 3, 1),
                                  editors=[editor], followers=[coordinator], commit=False)
        for j in range(3):
            munis.action(town, title=f"Deep energy renovation of the public school buildings {j}",
                         status="completed" if j else "ongoing", expected_co2_t=2116.1 + j,
                         achieved_co2_t=1052.3 if j else None, investment_eur=12_345_678.9,
                         responsible_body="Department of Energy and Climate", starts_on=date(2013, 1, 1),
                         completed_on=date(2015 + j, 6, 1), commit=False)
        towns.append(town)
    db.session.commit()
    return towns


def _no_sideways(page, name):
    width = page.evaluate("document.documentElement.scrollWidth")
    path = shot(page, name)
    shutil.copy(path, f"{SHOTS}/{path.name}")
    assert width <= page.viewport_size["width"], f"{name}: {width}px wide"


@pytest.fixture
def phone390(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844},
                                  device_scale_factor=1, is_mobile=True, has_touch=True, locale="en-GB",
                                  timezone_id="Europe/Brussels")
    context.set_default_timeout(15_000)
    yield context
    context.close()


def test_phones_do_not_scroll_sideways(phone390, make):
    import os

    os.makedirs(SHOTS, exist_ok=True)
    towns = _data(make)
    page = phone390.new_page()
    page.goto("/results/")
    page.get_by_role("heading", name="Results", exact=True).wait_for()
    _no_sideways(page, "results-390")

    sign_in(page, "ana@example.org", make.PASSWORD)
    page.goto(f"/municipalities/{towns[0].id}")
    page.get_by_role("heading", name="Actions by status").wait_for()
    _no_sideways(page, "municipality-editor-390")
    page.context.clear_cookies()

    sign_in(page, "piet@example.org", make.PASSWORD)
    page.goto("/municipalities/dashboard")
    page.get_by_role("heading", name="My municipalities").wait_for()
    _no_sideways(page, "dashboard-coordinator-390")


def test_results_at_1280(page, make):
    import os

    os.makedirs(SHOTS, exist_ok=True)
    _data(make)
    page.goto("/results/")
    page.get_by_role("heading", name="Results", exact=True).wait_for()
    assert page.get_by_text("25,405\u00a0t", exact=True).first.is_visible()
    assert page.get_by_text("Other countries, nothing to show yet:").first.is_visible()
    _no_sideways(page, "results-1280")

"""Public results: every key of docs/api.md, from this feature's provider and from others' providers."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from app.core.indicators import register_indicators, register_time_series
from tests.municipalities.conftest import MunicipalityFactories

KEYS = {"trained_people", "sessions_held", "coaching_hours", "exchanges_completed", "good_practices",
        "municipalities", "actions_completed", "expected_co2_t", "measured_co2_reduction_t",
        "inventory_municipalities"}


@pytest.fixture
def munis(app):
    return MunicipalityFactories()


@pytest.fixture
def others(app):
    """Stand-ins for the courses, coaching and peers providers, registered as those features do."""
    def courses():
        return {"trained_people": 7, "sessions_held": 3}, {"BE": {"trained_people": 5, "sessions_held": 2},
                                                           "DE": {"trained_people": 2, "sessions_held": 1}}

    def coaching():
        return {"coaching_hours": 12.5}, {"GR": {"coaching_hours": 12.5}}

    register_indicators(app, "courses", courses)
    register_indicators(app, "coaching", coaching)
    register_time_series(app, "courses", lambda: {"trained_people": [(date(2015, 3, 1), 4), (date(2016, 5, 1), 3)]})


def test_every_key_is_there_with_zeroes(client):
    body = client.get("/api/v1/results").json
    assert set(body) == KEYS | {"by_country"}
    assert all(body[k] == 0 for k in KEYS)
    assert set(body["by_country"]) == {"BE", "HR", "GR", "IT", "PL", "ES"}
    assert all(set(v) == KEYS for v in body["by_country"].values())


def test_results_combine_providers(client, munis, others, count_queries):
    be = munis.municipality(country="BE", covenant_signed_on=date(2013, 1, 1), commit=False)
    munis.action(be, status="completed", expected_co2_t=120.5, completed_on=date(2016, 1, 1))
    body = client.get("/api/v1/results").json
    assert body["trained_people"] == 7 and body["coaching_hours"] == 12.5
    assert body["municipalities"] == 1 and body["actions_completed"] == 1 and body["expected_co2_t"] == 120.5
    assert body["exchanges_completed"] == 0 and body["good_practices"] == 0
    assert body["by_country"]["BE"]["trained_people"] == 5 and body["by_country"]["BE"]["municipalities"] == 1
    assert body["by_country"]["DE"]["trained_people"] == 2 and body["by_country"]["DE"]["municipalities"] == 0

    with count_queries() as q:
        page = client.get("/results/")
    assert page.status_code == 200
    assert q.count <= 8  # whatever the number of municipalities and actions
    html = page.get_data(as_text=True)
    assert "People trained" in html and "<table" in html and "<caption>" in html
    assert "style=" not in html and "<script>" not in html.replace('<script src', '')
    assert "2016" in html  # over time table

    rows = list(csv.DictReader(io.StringIO(client.get("/results/results.csv").get_data(as_text=True))))
    assert rows[-1]["country"] == "total" and rows[-1]["trained_people"] == "7"
    assert client.get("/results/results.json").json["municipalities"] == 1


@pytest.mark.parametrize("name", ["targets", "countries", "co2", "over-time", "co2-over-time"])
def test_charts_are_svg_without_scripts(client, munis, others, name):
    munis.action(munis.municipality(country="IT"), status="completed", completed_on=date(2016, 1, 1))
    response = client.get(f"/results/charts/{name}.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<?xml") and "<svg" in svg and "<script" not in svg
    assert "script-src" not in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_unknown_chart_is_404(client):
    assert client.get("/results/charts/nope.svg").status_code == 404


def test_results_page_in_dutch(client):
    client.post("/language", data={"language": "nl", "next": "/results/"})
    assert "Resultaten" in client.get("/results/").get_data(as_text=True)

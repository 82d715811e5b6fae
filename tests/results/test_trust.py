"""Results people trust (issue 14): no future years, planned apart from achieved, one percentage,
whole tonnes in the viewer's language, people and actions on separate axes, empty countries left out."""
from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from app.core.indicators import (
    countries_with_figures,
    format_tonnes,
    percent_of,
    register_time_series,
    this_year,
)
from app.results.services import COUNTRY_CHARTS, EXPECTED_KEYS, INDICATORS, OVER_TIME_CHARTS, over_time
from tests.municipalities.conftest import MunicipalityFactories


def test_future_years_are_absent(app):
    now = this_year()
    with app.test_request_context():
        before = over_time()[1].get("trained_people", [0])[-1]
    register_time_series(app, "t", lambda: {"trained_people": [(date(now - 2, 1, 1), 3), (date(now + 3, 1, 1), 9)]})
    with app.test_request_context():
        years, series = over_time()
    assert years[-1] == now and max(years) <= now
    assert series["trained_people"][-1] - before == 3  # the planned 9 is not added up as done


def test_expected_is_never_drawn_with_achieved():
    for charts in (COUNTRY_CHARTS, OVER_TIME_CHARTS):
        for keys, _axis in charts.values():
            assert all(k in EXPECTED_KEYS for k in keys) or not any(k in EXPECTED_KEYS for k in keys)
    assert "Expected" in str(INDICATORS["expected_co2_t"][0])


def test_achieved_of_a_municipality_is_not_its_expected(app):
    from app.municipalities.services import progress

    munis = MunicipalityFactories()
    town = munis.municipality()
    munis.action(town, status="completed", expected_co2_t=500, achieved_co2_t=None)
    munis.action(town, status="completed", expected_co2_t=300, achieved_co2_t=250)
    assert progress(town).achieved_co2_t == 250 and progress(town).expected_co2_t == 800


def test_one_percentage_for_table_and_chart(client, app):
    app.config["RESULTS_TARGETS"] = {"municipalities": 40, "actions_completed": 120, "trained_people": 50}
    register_time_series(app, "none", lambda: {})
    from app.core.indicators import register_indicators

    register_indicators(app, "c", lambda: ({"trained_people": 53}, {"BE": {"trained_people": 53}}))
    html = client.get("/results/").get_data(as_text=True)
    assert "106 %" in html
    svg = client.get("/results/charts/targets.svg").get_data(as_text=True)
    assert "106 %" in svg
    assert percent_of(53, 50) == 106 and percent_of(1, 8) == 13 and percent_of(1, 0) is None


@pytest.mark.parametrize("locale, text", [("en", "2,116\N{NO-BREAK SPACE}t"), ("nl", "2.116\N{NO-BREAK SPACE}t"),
                                          ("fr", "2\N{NARROW NO-BREAK SPACE}116\N{NO-BREAK SPACE}t")])
def test_tonnes_are_whole_and_in_the_viewers_language(app, locale, text):
    with app.test_request_context(), force_locale(locale):
        assert format_tonnes(2116.1) == text
        assert format_tonnes(2116.5, unit=False).replace("\u202f", "").replace(".", "").replace(",", "") == "2117"


def test_people_and_actions_never_share_an_axis(client, app):
    for charts in (COUNTRY_CHARTS, OVER_TIME_CHARTS):
        for keys, _axis in charts.values():
            assert "trained_people" not in keys or keys == ("trained_people",)
    MunicipalityFactories().action(MunicipalityFactories().municipality(country="IT"), status="completed",
                                   completed_on=date(2016, 1, 1))
    countries = client.get("/results/charts/countries.svg").get_data(as_text=True)
    assert "SEAP actions completed" in countries and "People trained" not in countries


def test_empty_countries_are_left_out_and_named_below(client, app):
    assert countries_with_figures({"BE": {"a": 1}, "PL": {"a": 0}}, ["a"]) == (["BE"], ["PL"])
    MunicipalityFactories().municipality(country="IT")
    svg = client.get("/results/charts/countries.svg").get_data(as_text=True)
    assert "Italy" in svg and "Poland" not in svg
    html = client.get("/results/").get_data(as_text=True)
    assert "Other countries, nothing to show yet:" in html and "Poland" in html

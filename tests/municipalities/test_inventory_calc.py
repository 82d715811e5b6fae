"""The one calculation of emission inventories (REFERENCE.md, "Emission inventories"), by hand."""
from __future__ import annotations

import pytest

from app.municipalities.inventory import (
    InventoryInput,
    MissingFactor,
    Plant,
    allowed,
    compute,
    local_electricity_factor,
    standing,
)

WORKED = {("municipal-buildings", "electricity"): 1000, ("municipal-buildings", "natural-gas"): 2000,
          ("residential-buildings", "heating-oil"): 500, ("public-lighting", "electricity"): 300,
          ("private-transport", "diesel"): 4000, ("private-transport", "gasoline"): 3000}


def test_reference_worked_example(app):
    with app.test_request_context():
        result = compute(InventoryInput(country="BE", year=2010, consumption=dict(WORKED), population=1000),
                         neefe=0.285)
    assert result.total_t == 2723.0
    assert result.electricity_factor == 0.285
    assert result.total_mwh == 10800.0
    assert result.by_sector["municipal-buildings"] == 689.0  # 285 + 404
    assert result.by_sector["public-lighting"] == 85.5
    assert result.by_sector["residential-buildings"] == 133.5
    assert result.by_sector["private-transport"] == 1815.0  # 1068 + 747
    assert result.by_carrier["electricity"] == 370.5
    assert result.per_capita_t == 2.72
    assert any("EFE" in line for line in result.why)


def test_local_pv_and_green_purchases_lower_the_electricity_factor(app):
    # TCE 10,000 MWh, PV 1,000 MWh, green 2,000 MWh, NEEFE 0.5:
    # EFE = (7,000 × 0.5 + 0 + 0) / 10,000 = 0.35; emissions 10,000 × 0.35 = 3,500 t
    data = InventoryInput(country="IT", year=2020, consumption={("residential-buildings", "electricity"): 10000},
                          local_electricity=[Plant("photovoltaics", 1000)], green_electricity_mwh=2000)
    with app.test_request_context():
        result = compute(data, neefe=0.5)
    assert result.electricity_factor == 0.35
    assert result.total_t == 3500.0


def test_chp_fuel_inputs_count_in_the_local_factor(app):
    # TCE 20,000; CHP 4,000 MWh electricity from 10,000 MWh natural gas (2,020 t); NEEFE 0.4:
    # EFE = (16,000 × 0.4 + 2,020) / 20,000 = 8,420 / 20,000 = 0.421 -> 8,420 t
    data = InventoryInput(country="PL", year=2018,
                          consumption={("tertiary-buildings", "electricity"): 20000,
                                       ("tertiary-buildings", "biofuel"): 100},
                          local_electricity=[Plant("chp", 4000, {"natural-gas": 10000})])
    with app.test_request_context():
        result = compute(data, neefe=0.4)
    assert result.electricity_factor == 0.421
    assert result.total_t == 8420.0
    assert result.by_carrier["biofuel"] == 0.0
    assert result.total_mwh == 20100.0


def test_local_heat_production_gives_the_heat_factor(app):
    # a heating plant burns 5,000 MWh natural gas (1,010 t) for 4,000 MWh heat: 0.2525 t/MWh
    data = InventoryInput(country="HR", year=2015, consumption={("residential-buildings", "heat-cold"): 2000},
                          local_heat=[Plant("district-heating", 4000, {"natural-gas": 5000})])
    with app.test_request_context():
        result = compute(data, neefe=None)
        assert result.heat_factor == 0.253  # rounded for display
        assert result.total_t == 505.0
        supplier = compute(InventoryInput(country="HR", year=2015, heat_factor=0.1,
                                          consumption={("residential-buildings", "heat-cold"): 2000}), neefe=None)
    assert supplier.total_t == 200.0


def test_missing_national_factor_names_country_and_year(app):
    with app.test_request_context(), pytest.raises(MissingFactor) as caught:
        compute(InventoryInput(country="GR", year=2012, consumption=dict(WORKED)), neefe=None)
    assert caught.value.country == "GR" and caught.value.year == 2012
    assert "GR" in caught.value.message and "2012" in caught.value.message


def test_other_fossil_needs_its_factor(app):
    data = InventoryInput(country="ES", year=2012, consumption={("industry", "other-fossil"): 100})
    with app.test_request_context():
        with pytest.raises(MissingFactor):
            compute(data, neefe=None)
        data.other_fossil_factor = 0.3
        assert compute(data, neefe=None).total_t == 30.0


def test_lca_needs_a_factor_set(app):
    data = InventoryInput(country="ES", year=2012, approach="lca", consumption={("industry", "natural-gas"): 100})
    with app.test_request_context():
        with pytest.raises(MissingFactor):
            compute(data, neefe=None)
        assert compute(data, neefe=None, lca_factors={"natural-gas": 0.237}).total_t == 23.7


def test_formula_does_not_go_negative():
    assert local_electricity_factor(tce=100, neefe=0.5, lpe=80, gep=40) == 0.0
    assert local_electricity_factor(tce=0, neefe=0.5) == 0.5


def test_sector_carrier_combinations():
    assert allowed("public-lighting", "electricity")
    assert not allowed("public-lighting", "lignite")
    assert not allowed("private-transport", "coal")
    assert not allowed("municipal-fleet", "heat-cold")
    assert allowed("private-transport", "biofuel")
    assert allowed("residential-buildings", "lignite")
    assert not allowed("nowhere", "electricity")


def test_standing_on_the_straight_trajectory():
    # baseline 2010: 100,000 t; target -40 % in 2030; 2020 on the line is 80,000 t
    behind = standing(baseline_year=2010, baseline=100000, latest_year=2020, latest=85000, target_percent=40,
                      target_year=2030)
    assert behind.trajectory == 80000.0 and behind.on_track is False and behind.gap == 5000.0
    assert behind.reduction_percent == 15.0
    ahead = standing(baseline_year=2010, baseline=100000, latest_year=2020, latest=79000, target_percent=40,
                     target_year=2030)
    assert ahead.on_track is True

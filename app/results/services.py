"""Public results: every feature's indicators, in the order and with the keys of GET /results."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core.indicators import (
    collect_indicators,
    collect_time_series,
    countries_with_figures,
    percent_of,
    this_year,
)
from app.core.reference import PROJECT_COUNTRIES

# key -> (label, unit); the keys of GET /api/v1/results (docs/api.md), always all present.
INDICATORS: dict[str, tuple[object, object]] = {
    "trained_people": (_l("People trained"), _l("people")),
    "sessions_held": (_l("Training sessions held"), _l("sessions")),
    "coaching_hours": (_l("Coaching hours"), _l("hours")),
    "exchanges_completed": (_l("Peer exchanges completed"), _l("exchanges")),
    "good_practices": (_l("Good practices published"), _l("good practices")),
    "municipalities": (_l("Municipalities followed"), _l("municipalities")),
    "actions_completed": (_l("SEAP actions completed"), _l("actions")),
    "expected_co2_t": (_l("Expected CO2 reduction"), _l("t CO2 per year")),
    # measured by emission inventories: baseline minus the latest monitoring inventory
    "measured_co2_reduction_t": (_l("Measured CO2 reduction (inventories)"), _l("t CO2 per year")),
    "inventory_municipalities": (_l("Municipalities with a baseline and a monitoring inventory"),
                                 _l("municipalities")),
}
# The project's targets (docs/domain.md); RESULTS_TARGETS in the configuration overrides them.
DEFAULT_TARGETS = {"municipalities": 40, "actions_completed": 120}


def targets() -> dict[str, float]:
    return dict(DEFAULT_TARGETS, **current_app.config.get("RESULTS_TARGETS", {}))


# Planned figures: never drawn or added up as achieved, always labelled as expected.
EXPECTED_KEYS = ("expected_co2_t",)
TONNE_KEYS = ("expected_co2_t", "measured_co2_reduction_t")

# The charts: each draws indicators counted in one unit on one axis (people never beside actions,
# planned tonnes never beside anything achieved). name -> (indicator keys, axis label).
COUNTRY_CHARTS: dict[str, tuple[tuple[str, ...], object]] = {
    "people": (("trained_people",), _l("people")),
    "countries": (("municipalities", "actions_completed", "exchanges_completed"), _l("number")),
    "co2": (("expected_co2_t",), _l("t CO2 per year, expected")),
}
OVER_TIME_CHARTS: dict[str, tuple[tuple[str, ...], object]] = {
    "people-over-time": (("trained_people",), _l("people")),
    "over-time": (("sessions_held", "exchanges_completed", "good_practices", "municipalities", "actions_completed"),
                  _l("number")),
    "co2-over-time": (("expected_co2_t",), _l("t CO2 per year, expected")),
}


def target_rows(data: dict) -> list[dict]:
    """The indicators that have a target, with the share reached (`percent_of`, the table's and the chart's)."""
    return [{"key": k, "label": INDICATORS[k][0], "value": data.get(k, 0), "target": t,
             "percent": percent_of(data.get(k, 0), t)}
            for k, t in targets().items() if k in INDICATORS and t]


def country_charts(data: dict) -> dict[str, dict]:
    """Per country chart: the countries it draws and the ones with nothing to show (named below it)."""
    out = {}
    for name, (keys, axis) in COUNTRY_CHARTS.items():
        shown, other = countries_with_figures(data["by_country"], keys)
        out[name] = {"keys": keys, "axis": axis, "countries": shown, "other": other}
    return out


def _clean(values: dict) -> dict:
    out = {}
    for key in INDICATORS:
        value = values.get(key) or 0
        out[key] = round(value, 1) if isinstance(value, float) and value != int(value) else int(value)
    return out


def results() -> dict:
    """`{indicator: value, …, "by_country": {CC: {indicator: value}}}`, 0 where no feature gives a figure.

    The project's six countries come first and always appear; other countries follow by code.
    """
    totals, by_country = collect_indicators()
    countries = list(PROJECT_COUNTRIES) + sorted(c for c in by_country if c not in PROJECT_COUNTRIES)
    return dict(_clean(totals), by_country={c: _clean(by_country.get(c, {})) for c in countries})


def _year(value) -> int | None:
    if isinstance(value, datetime | date):
        return value.year
    try:
        return int(str(value)[:4])
    except (TypeError, ValueError):
        return None


def over_time(year: int | None = None) -> tuple[list[int], dict[str, list[float]]]:
    """Cumulative totals per year for the indicators that give dated events (years, {key: values}).

    The years stop at the current one (`this_year`, or `year`): an event dated later is planned, not done,
    and is left out."""
    current = year or this_year()
    events = collect_time_series()
    per_year: dict[str, dict[int, float]] = {}
    for key, items in events.items():
        if key not in INDICATORS:
            continue
        bucket: dict[int, float] = defaultdict(float)
        for when, amount in items:
            at = _year(when)
            if at is not None and at <= current:
                bucket[at] += float(amount or 0)
        if bucket:
            per_year[key] = bucket
    if not per_year:
        return [], {}
    first = min(min(b) for b in per_year.values())
    years = list(range(max(first, current - 40), current + 1))
    series = {}
    for key in INDICATORS:
        if key in per_year:
            running = sum(v for y, v in per_year[key].items() if y < years[0])
            values = []
            for at in years:
                running += per_year[key].get(at, 0)
                values.append(round(running, 1))
            series[key] = values
    return years, series

"""Public indicators: each feature contributes its own figures to /results (issue 7 draws them).

A provider returns `{indicator: value}` overall, and `{country_code: {indicator: value}}` by country.
"""
from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from flask import Flask, current_app

Provider = Callable[[], tuple[dict[str, float], dict[str, dict[str, float]]]]


def register_indicators(app: Flask, name: str, provider: Provider) -> None:
    app.extensions.setdefault("indicator_providers", {})[name] = provider


def collect_indicators() -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    totals: dict[str, float] = {}
    by_country: dict[str, dict[str, float]] = {}
    for provider in current_app.extensions.get("indicator_providers", {}).values():
        overall, per_country = provider()
        totals.update(overall)
        for country, values in per_country.items():
            by_country.setdefault(country, {}).update(values)
    return totals, by_country


# Over time (optional): a feature may also give dated events, `{indicator: [(date, amount), ...]}`;
# /results adds them up per year. Features without it simply do not appear in the charts over time.
SeriesProvider = Callable[[], dict[str, list[tuple[object, float]]]]


def register_time_series(app: Flask, name: str, provider: SeriesProvider) -> None:
    app.extensions.setdefault("indicator_series", {})[name] = provider


def collect_time_series() -> dict[str, list[tuple[object, float]]]:
    events: dict[str, list[tuple[object, float]]] = {}
    for provider in current_app.extensions.get("indicator_series", {}).values():
        for indicator, items in provider().items():
            events.setdefault(indicator, []).extend(items)
    return events


# --- One rule each for the figures every page shows (issue 14): features and /results call these. ---

def this_year() -> int:
    """The current year by the app's clock: series over time stop there (no planned future drawn as done)."""
    from app.core.timeutil import utcnow

    return utcnow().year


def _half_up(value, places: str = "1") -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def percent_of(value, target) -> int | None:
    """The whole percentage of `target` reached (106, not capped): the one number tables and charts show."""
    if not target:
        return None
    return int(_half_up(Decimal(str(value or 0)) / Decimal(str(target)) * 100))


def whole_tonnes(value) -> int:
    """Tonnes of CO2 as shown: whole tonnes, halves away from zero."""
    return int(_half_up(value))


def format_tonnes(value, unit: bool = True) -> str:
    """Whole tonnes in the viewer's language ("2,116 t", "2.116 t", "2 116 t"); "" for no value."""
    from flask_babel import format_decimal

    if value is None:
        return ""
    number = format_decimal(whole_tonnes(value), format="#,##0")
    return f"{number}\N{NO-BREAK SPACE}t" if unit else number


def countries_with_figures(by_country: dict[str, dict[str, float]], keys) -> tuple[list[str], list[str]]:
    """(countries with a figure other than 0 for one of `keys`, the others): charts draw the first;
    the page names the second in words below the chart."""
    keys = tuple(keys)
    shown = [c for c, values in by_country.items() if any(values.get(k) for k in keys)]
    return shown, [c for c in by_country if c not in shown]

"""Public indicators: each feature contributes its own figures to /results (issue 7 draws them).

A provider returns `{indicator: value}` overall, and `{country_code: {indicator: value}}` by country.
"""
from __future__ import annotations

from collections.abc import Callable

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

"""The public indicators as SVG charts (app/core/charts.py draws and serves them)."""
from __future__ import annotations

import pygal
from flask_babel import format_decimal
from flask_babel import gettext as _
from pygal.style import Style

from app.core.charts import COLOURS, STYLE, chart_config, chart_number, render
from app.core.indicators import format_tonnes

# One colour per indicator, the same in every chart.
INDICATOR_COLOURS = {"trained_people": "#0b5d3b", "sessions_held": "#6b4fa0", "coaching_hours": "#00838f",
                     "exchanges_completed": "#b5322f", "good_practices": "#8a6d00", "municipalities": "#e07a00",
                     "actions_completed": "#2f6db5", "expected_co2_t": "#4f8f2f"}


def _style_for(keys) -> Style:
    colours = tuple(INDICATOR_COLOURS.get(k, COLOURS[i % len(COLOURS)]) for i, k in enumerate(keys))
    return Style(**{**{k: getattr(STYLE, k) for k in ("background", "plot_background", "foreground",
                                                      "foreground_strong", "foreground_subtle", "opacity",
                                                      "opacity_hover", "font_family", "title_font_size",
                                                      "label_font_size", "major_label_font_size",
                                                      "legend_font_size", "value_font_size",
                                                      "value_label_font_size", "tooltip_font_size")},
                    "colors": colours})


def _formatter(series):
    """Tonnes in whole tonnes, everything else as a number, in the viewer's language."""
    keys = [k for k, _, _ in series]
    if keys and all(k.endswith("_t") for k in keys):
        return lambda x: format_tonnes(x, unit=False)
    return chart_number


def targets_chart(rows: list[dict]) -> str:
    """Share of each target reached, in percent (rows: label, percent), the very numbers of the table."""
    top = max([100, *(r["percent"] or 0 for r in rows)])
    chart = pygal.HorizontalBar(**chart_config(title=_("Progress towards the project's targets (%)"), range=(0, top),
                                          height=80 + 60 * max(len(rows), 1), show_legend=False,
                                          print_values=True,
                                          value_formatter=lambda x: f"{format_decimal(x, format='#,##0')} %"))
    chart.x_labels = [str(r["label"]) for r in rows]
    chart.add(_("Reached"), [r["percent"] or 0 for r in rows])
    return render(chart)


def _legend(series: dict) -> dict:
    """One legend row for up to four series (pygal clips a second row at the bottom), none for one."""
    n = len(series)
    if n <= 1:
        return {"show_legend": False}
    rows = -(-n // 4)
    return {"legend_at_bottom_columns": min(n, 4), "margin_bottom": 10 + 22 * (rows - 1)}


def by_country_chart(title: str, labels: list[str], series: list[tuple[str, str, list]], axis: str = "") -> str:
    """Bars per country; `series` holds (indicator key, label, values), all counted in the unit `axis`."""
    chart = pygal.Bar(**chart_config(title=title, print_values=False, style=_style_for(k for k, _, _ in series),
                                y_title=axis or None, value_formatter=_formatter(series), **_legend(series)))
    chart.x_labels = labels
    for _key, name, values in series:
        chart.add(name, values)
    return render(chart)


def over_time_chart(title: str, years: list[int], series: list[tuple[str, str, list]], axis: str = "") -> str:
    """Running totals per year; `series` holds (indicator key, label, values), all counted in the unit `axis`."""
    chart = pygal.Line(**chart_config(title=title, dots_size=4, x_label_rotation=0, show_minor_x_labels=False,
                                 x_labels_major_every=max(1, len(years) // 8), y_title=axis or None,
                                 value_formatter=_formatter(series),
                                 style=_style_for(k for k, _, _ in series), **_legend(series)))
    chart.x_labels = [str(y) for y in years]
    for _key, name, values in series:
        chart.add(name, values)
    return render(chart)

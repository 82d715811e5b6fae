"""Charts drawn on the server as SVG with pygal: no JavaScript, readable offline and in print.

Pages show them as `<img>` (with a text alternative and the numbers in a table next to them). The SVG
carries pygal's own `<style>`, so its response gets a policy allowing that and nothing else; pygal's
tooltip `<script>` is removed.
"""
from __future__ import annotations

import re

import pygal
from flask import Response
from flask_babel import format_decimal
from flask_babel import gettext as _
from pygal.style import Style

COLOURS = ("#0b5d3b", "#e07a00", "#2f6db5", "#b5322f", "#6b4fa0", "#4f8f2f", "#8a6d00", "#00838f")
STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#1e1e1e", foreground_strong="#000000",
    foreground_subtle="#6c757d", opacity=".85", opacity_hover=".95", colors=COLOURS,
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
    title_font_size=18, label_font_size=13, major_label_font_size=13, legend_font_size=14,
    value_font_size=12, value_label_font_size=12, tooltip_font_size=12)
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def _number(value) -> str:
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.#")


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


def _config(**extra) -> dict:
    config = dict(style=STYLE, width=900, height=420, js=[], disable_xml_declaration=False,
                  legend_at_bottom=True, legend_at_bottom_columns=3, print_values=False, truncate_legend=-1,
                  truncate_label=-1, no_data_text=_("No data yet"), value_formatter=_number, margin_bottom=10)
    config.update(extra)
    return config


def render(chart) -> str:
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def svg_response(svg: str) -> Response:
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_POLICY
    response.headers["Cache-Control"] = "no-cache"
    return response


def progress_chart(progress, name: str) -> str:
    """Emissions measured (baseline, then every MEI) against the straight path to the target."""
    chart = pygal.XY(**_config(title=_("Emissions of %(name)s (t CO2)", name=name), dots_size=5,
                               x_value_formatter=lambda x: str(int(x)) if x is not None else "",
                               show_x_guides=False, include_x_axis=True))
    if progress.points:
        chart.add(_("Measured (BEI and MEI)"), [(y, e) for y, e in progress.points])
    if progress.baseline_emissions_t is not None and progress.target_emissions_t is not None \
            and progress.baseline_year and progress.target_year:
        chart.add(_("Path to the target"), [(progress.baseline_year, progress.baseline_emissions_t),
                                            (progress.target_year, progress.target_emissions_t)],
                  stroke_style={"dasharray": "6, 4"})
        if progress.expected_co2_t:
            chart.add(_("With every planned action"),
                      [(progress.baseline_year, progress.baseline_emissions_t),
                       (progress.target_year, max(progress.baseline_emissions_t - progress.expected_co2_t, 0))],
                      stroke_style={"dasharray": "2, 4"})
    return render(chart)


def targets_chart(rows: list[dict]) -> str:
    """Share of each target reached, in percent (rows: label, value, target)."""
    chart = pygal.HorizontalBar(**_config(title=_("Progress towards the project's targets (%)"), range=(0, 100),
                                          height=80 + 60 * max(len(rows), 1), show_legend=False,
                                          print_values=True, value_formatter=lambda x: f"{_number(x)} %"))
    chart.x_labels = [str(r["label"]) for r in rows]
    chart.add(_("Reached"), [min(round(r["value"] / r["target"] * 100, 1), 100) if r["target"] else 0
                             for r in rows])
    return render(chart)


def _legend(series: dict) -> dict:
    """One legend row for up to four series (pygal clips a second row at the bottom), none for one."""
    n = len(series)
    if n <= 1:
        return {"show_legend": False}
    rows = -(-n // 4)
    return {"legend_at_bottom_columns": min(n, 4), "margin_bottom": 10 + 22 * (rows - 1)}


def by_country_chart(title: str, labels: list[str], series: list[tuple[str, str, list]]) -> str:
    """Bars per country; `series` holds (indicator key, label, values)."""
    chart = pygal.Bar(**_config(title=title, print_values=False, style=_style_for(k for k, _, _ in series),
                                **_legend(series)))
    chart.x_labels = labels
    for _key, name, values in series:
        chart.add(name, values)
    return render(chart)


def over_time_chart(title: str, years: list[int], series: list[tuple[str, str, list]]) -> str:
    """Running totals per year; `series` holds (indicator key, label, values)."""
    chart = pygal.Line(**_config(title=title, dots_size=4, x_label_rotation=0, show_minor_x_labels=False,
                                 x_labels_major_every=max(1, len(years) // 8),
                                 style=_style_for(k for k, _, _ in series), **_legend(series)))
    chart.x_labels = [str(y) for y in years]
    for _key, name, values in series:
        chart.add(name, values)
    return render(chart)

"""A municipality's progress as an SVG chart (app/core/charts.py draws and serves it)."""
from __future__ import annotations

import pygal
from flask_babel import gettext as _

from app.core.charts import chart_config, render


def progress_chart(progress, name: str, inventories=None) -> str:
    """Emissions measured (baseline, then every MEI) against the straight path to the target.

    `inventories`: (year, t) computed from the emission inventories; they then draw the path too."""
    chart = pygal.XY(**chart_config(title=_("Emissions of %(name)s (t CO2)", name=name), dots_size=5,
                               x_value_formatter=lambda x: str(int(x)) if x is not None else "",
                               show_x_guides=False, include_x_axis=True))
    if inventories:
        chart.add(_("Computed from the inventories"), inventories)
        first_year, first = inventories[0]
        if progress.reduction_target_percent is not None and progress.target_year and \
                progress.target_year > first_year:
            chart.add(_("Path to the target"), [(first_year, first), (progress.target_year,
                                                first * (1 - progress.reduction_target_percent / 100))],
                      stroke_style={"dasharray": "6, 4"})
        return render(chart)
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


def sector_chart(progress, name: str) -> str:
    """Emissions by sector, stacked: the baseline inventory beside the latest monitoring one."""
    from app.municipalities.inventory import SECTORS, sector_label

    chart = pygal.StackedBar(**chart_config(
        title=_("Emissions of %(name)s by sector (t CO2)", name=name), legend_at_bottom_columns=2,
        show_x_guides=False))
    if progress is None:
        return render(chart)
    columns = [(progress.baseline.year, progress.baseline_result)]
    if progress.latest is not None:
        columns.append((progress.latest.year, progress.latest_result))
    chart.x_labels = [_("Baseline %(year)s", year=columns[0][0])] + (
        [_("Latest %(year)s", year=columns[1][0])] if len(columns) > 1 else [])
    for sector in SECTORS:
        values = [result.by_sector.get(sector) or 0 for _year, result in columns]
        if any(values):
            chart.add(sector_label(sector), values)
    return render(chart)

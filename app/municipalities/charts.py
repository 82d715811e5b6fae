"""A municipality's progress as an SVG chart (app/core/charts.py draws and serves it)."""
from __future__ import annotations

import pygal
from flask_babel import gettext as _

from app.core.charts import chart_config, render


def progress_chart(progress, name: str) -> str:
    """Emissions measured (baseline, then every MEI) against the straight path to the target."""
    chart = pygal.XY(**chart_config(title=_("Emissions of %(name)s (t CO2)", name=name), dots_size=5,
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

"""The public results page: indicators against targets, by country and over time; CSV and JSON."""
from __future__ import annotations

import csv
import io

from flask import Response, abort, jsonify, render_template
from flask_babel import gettext as _
from flask_login import current_user

from app.core.charts import svg_response
from app.core.permissions import admin_required
from app.core.reference import country_name
from app.core.timeutil import utcnow
from app.results import bp
from app.results.charts import by_country_chart, over_time_chart, targets_chart
from app.results.services import (
    COUNTRY_CHARTS,
    EXPECTED_KEYS,
    INDICATORS,
    OVER_TIME_CHARTS,
    TONNE_KEYS,
    country_charts,
    over_time,
    results,
    target_rows,
    targets,
)


def _titles() -> dict[str, str]:
    return {
        "people": _("People trained by country"),
        "countries": _("Municipalities, actions and exchanges by country"),
        "co2": _("Expected (planned) CO2 reduction by country, t per year"),
        "people-over-time": _("People trained over time (running total at the end of each year)"),
        "over-time": _("Activities, municipalities and actions over time (running totals at the end of each year)"),
        "co2-over-time": _("Expected (planned) CO2 reduction over time, t per year (running total)"),
    }


@bp.route("/")
def index():
    data = results()
    years, series = over_time()
    return render_template("results/index.html", data=data, indicators=INDICATORS, targets=targets(),
                           target_rows=target_rows(data), years=years, series=series,
                           country_charts=country_charts(data), expected_keys=EXPECTED_KEYS,
                           tonne_keys=TONNE_KEYS, over_time_charts=OVER_TIME_CHARTS)


@bp.route("/charts/<name>.svg")
def chart(name: str):
    data = results()
    if name == "targets":
        return svg_response(targets_chart(target_rows(data)))
    if name in COUNTRY_CHARTS:
        drawn = country_charts(data)[name]
        countries = drawn["countries"]
        return svg_response(by_country_chart(
            _titles()[name], [country_name(c) for c in countries],
            [(k, str(INDICATORS[k][0]), [data["by_country"][c][k] for c in countries]) for k in drawn["keys"]],
            axis=str(drawn["axis"])))
    if name in OVER_TIME_CHARTS:
        keys, axis = OVER_TIME_CHARTS[name]
        years, series = over_time()
        return svg_response(over_time_chart(
            _titles()[name], years, [(k, str(INDICATORS[k][0]), series[k]) for k in keys if k in series],
            axis=str(axis)))
    abort(404)


@bp.route("/results.json")
def download_json():
    response = jsonify(results())
    response.headers["Content-Disposition"] = "attachment; filename=mayors-in-action-results.json"
    return response


@bp.route("/results.csv")
def download_csv():
    """One row per country and a total row; columns are the keys of GET /api/v1/results."""
    data = results()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["country", *INDICATORS])
    for country, values in data["by_country"].items():
        writer.writerow([country, *(values[k] for k in INDICATORS)])
    writer.writerow(["total", *(data[k] for k in INDICATORS)])
    return Response(buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=mayors-in-action-results.csv"})


@bp.route("/archive.sqlite")
@admin_required
def archive():
    """The archive as a download (administrators): the same file as `flask data export`."""
    import os
    import tempfile

    from flask import send_file

    from app.core import audit
    from app.extensions import db
    from app.results.archive import export_archive

    handle, name = tempfile.mkstemp(suffix=".sqlite")
    os.close(handle)
    try:
        export_archive(name)
        audit.record("archive.download", current_user, target="archive")
        db.session.commit()
        stream = open(name, "rb")  # noqa: SIM115 (closed by the response)
    finally:
        os.unlink(name)  # the open file stays readable until the response closes it
    return send_file(stream, mimetype="application/vnd.sqlite3", as_attachment=True,
                     download_name=f"mayors-in-action-{utcnow().date().isoformat()}.sqlite")

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
from app.results.services import INDICATORS, over_time, results, targets

COUNTRY_CHART_KEYS = ("trained_people", "municipalities", "actions_completed", "exchanges_completed")
OVER_TIME_COUNT_KEYS = ("trained_people", "sessions_held", "exchanges_completed", "good_practices",
                        "municipalities", "actions_completed")


def _target_rows(data: dict) -> list[dict]:
    return [{"key": k, "label": INDICATORS[k][0], "value": data.get(k, 0), "target": t}
            for k, t in targets().items() if k in INDICATORS and t]


@bp.route("/")
def index():
    data = results()
    years, series = over_time()
    return render_template("results/index.html", data=data, indicators=INDICATORS, targets=targets(),
                           target_rows=_target_rows(data), years=years, series=series,
                           countries=list(data["by_country"]))


@bp.route("/charts/<name>.svg")
def chart(name: str):
    data = results()
    countries = list(data["by_country"])
    labels = [country_name(c) for c in countries]
    if name == "targets":
        return svg_response(targets_chart(_target_rows(data)))
    if name == "countries":
        return svg_response(by_country_chart(
            _("People, municipalities and actions by country"), labels,
            [(k, str(INDICATORS[k][0]), [data["by_country"][c][k] for c in countries]) for k in COUNTRY_CHART_KEYS]))
    if name == "co2":
        return svg_response(by_country_chart(
            _("Expected CO2 reduction by country (t per year)"), labels,
            [("expected_co2_t", str(INDICATORS["expected_co2_t"][0]),
              [data["by_country"][c]["expected_co2_t"] for c in countries])]))
    if name == "over-time":
        years, series = over_time()
        return svg_response(over_time_chart(
            _("Over time (running totals at the end of each year)"), years,
            [(k, str(INDICATORS[k][0]), series[k]) for k in OVER_TIME_COUNT_KEYS if k in series]))
    if name == "co2-over-time":
        years, series = over_time()
        return svg_response(over_time_chart(
            _("Expected CO2 reduction over time (t per year, running total)"), years,
            [("expected_co2_t", str(INDICATORS["expected_co2_t"][0]), series["expected_co2_t"])]
            if "expected_co2_t" in series else []))
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

"""Public results as JSON."""
from __future__ import annotations

from marshmallow import Schema, fields

from app.api import Blueprint, public
from app.results.services import INDICATORS, results

blp = Blueprint("results_api", __name__, description="Public results of the project")

_figures = {key: fields.Raw(metadata={"type": "number"}) for key in INDICATORS}
FiguresSchema = type("FiguresSchema", (Schema,), dict(_figures))
ResultsSchema = type("ResultsSchema", (Schema,), dict(
    _figures, by_country=fields.Dict(keys=fields.String(), values=fields.Nested(FiguresSchema))))


@blp.route("/results", methods=["GET"])
@blp.response(200, ResultsSchema)
@public
def get_results():
    """The project's indicators overall and by country (people by their country, municipalities by theirs)."""
    return results()

"""Reference data over the API: topics and countries (public)."""
from __future__ import annotations

from marshmallow import Schema, fields

from app.api import Blueprint, list_schema, public
from app.core.reference import TOPICS, countries

blp = Blueprint("reference_api", __name__, description="Reference data")


class TopicSchema(Schema):
    code = fields.String()
    name = fields.String()


class CountrySchema(Schema):
    code = fields.String()
    name = fields.String()
    timezone = fields.String()
    languages = fields.List(fields.String())


@blp.route("/topics", methods=["GET"])
@blp.response(200, list_schema(TopicSchema))
@public
def topics():
    """The SEAP/SECAP themes."""
    items = [{"code": code, "name": str(name)} for code, name in TOPICS.items()]
    return {"items": items, "total": len(items), "page": 1, "per_page": len(items)}


@blp.route("/countries", methods=["GET"])
@blp.response(200, list_schema(CountrySchema))
@public
def country_list():
    """Every country, the project's six first, with zone and languages."""
    items = countries()
    return {"items": items, "total": len(items), "page": 1, "per_page": len(items)}

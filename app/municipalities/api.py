"""JSON API for municipalities, their SEAP actions, monitoring reports and progress."""
from __future__ import annotations

from functools import partial

from marshmallow import Schema, fields, validate

from app.api import (
    Blueprint,
    InputSchema,
    PageArgs,
    Text,
    UTCDateTime,
    api_user,
    list_schema,
    page_of,
    public,
)
from app.core.errors import Invalid, NotFound
from app.core.permissions import load_visible_for_api
from app.core.text import CODE_MAX, SEARCH_MAX, SHORT_TEXT_MAX
from app.extensions import db
from app.municipalities import inventories, services
from app.municipalities.models import Inventory, MonitoringReport, Municipality, SeapAction

# The service's lengths (services.clean_*): the schema documents them, the service answers for them.
ACTION_TITLE_MAX = 300
NOTES_MAX = 5000

blp = Blueprint("municipalities_api", __name__, description="Municipalities, SEAP actions and monitoring")


class MunicipalityArgs(PageArgs):
    country = fields.String(load_default=None, validate=validate.Length(max=CODE_MAX))
    q = fields.String(load_default=None, validate=validate.Length(max=SEARCH_MAX))


class _CheckedByService(InputSchema):
    """Typed input (strings, whole numbers, numbers, dates); the rules are the service's, which the import
    uses too. When a value has the wrong type the service still reads the whole input, so the answer lists
    every bad field at once, in the service's words where it has some."""

    clean = None  # the service's check of these values: raises Invalid naming the bad fields

    def handle_error(self, error, data, *, many, **kwargs):
        if many or not isinstance(data, dict) or not isinstance(error.messages, dict):
            return
        try:
            type(self).clean(data)
        except Invalid as invalid:
            raise Invalid(invalid.message, code=invalid.code, fields={**error.messages, **invalid.fields}) \
                from error


def _text(max_len: int = SHORT_TEXT_MAX, **kwargs):
    return fields.String(validate=validate.Length(max=max_len), **kwargs)


def _notes(**kwargs):
    return Text(validate=validate.Length(max=NOTES_MAX), **kwargs)


def _whole(**kwargs):
    return fields.Integer(strict=True, allow_none=True, **kwargs)


def _number(**kwargs):
    return fields.Float(allow_nan=False, allow_none=True, **kwargs)


def _day(**kwargs):
    return fields.Date(allow_none=True, **kwargs)


class MunicipalityInSchema(_CheckedByService):
    clean = staticmethod(services.clean_municipality)

    name = _text(required=True)
    country = _text(CODE_MAX, required=True, metadata={"description": "ISO 3166-1 alpha-2"})
    population = _whole()
    supporting_organisation = _text(allow_none=True)
    covenant_signed_on = _day()
    seap_submitted_on = _day()
    baseline_year = _whole()
    target_year = _whole()
    reduction_target_percent = _number()
    baseline_emissions_t = _number(metadata={"description": "t CO2 in the baseline year"})
    notes = _notes(allow_none=True)
    target_per_capita = fields.Boolean(allow_none=True, metadata={
        "description": "the target is a reduction per inhabitant (progress from inventories follows it)"})


class MunicipalityPatchSchema(MunicipalityInSchema):
    clean = staticmethod(partial(services.clean_municipality, partial=True))

    name = _text()
    country = _text(CODE_MAX, metadata={"description": "ISO 3166-1 alpha-2"})


class MunicipalitySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    country = fields.String()
    population = fields.Integer(allow_none=True)
    supporting_organisation = fields.String()
    covenant_signed_on = fields.Date(allow_none=True)
    seap_submitted_on = fields.Date(allow_none=True)
    baseline_year = fields.Integer(allow_none=True)
    target_year = fields.Integer(allow_none=True)
    reduction_target_percent = fields.Float(allow_none=True)
    baseline_emissions_t = fields.Float(allow_none=True)
    target_per_capita = fields.Boolean()


class ActionInSchema(_CheckedByService):
    clean = staticmethod(services.clean_action)

    title = _text(ACTION_TITLE_MAX, required=True)
    sector = _text(CODE_MAX, required=True, metadata={"description": "one of the first nine topic codes"})
    area = _text(CODE_MAX, required=True)
    instrument = _text(CODE_MAX, required=True)
    status = _text(CODE_MAX, load_default="not-started")
    responsible_body = _text(allow_none=True)
    starts_on = _day()
    ends_on = _day()
    completed_on = _day()
    expected_co2_t = _number(metadata={"description": "t CO2 per year"})
    expected_energy_saving_mwh = _number()
    expected_renewable_mwh = _number()
    investment_eur = _number()
    achieved_co2_t = _number()
    achieved_energy_saving_mwh = _number()
    achieved_renewable_mwh = _number()


class ActionPatchSchema(ActionInSchema):
    clean = staticmethod(partial(services.clean_action, partial=True))

    title = _text(ACTION_TITLE_MAX)
    sector = _text(CODE_MAX)
    area = _text(CODE_MAX)
    instrument = _text(CODE_MAX)
    status = _text(CODE_MAX)


class ActionSchema(Schema):
    id = fields.Integer()
    municipality_id = fields.Integer()
    title = fields.String()
    sector = fields.String()
    area = fields.String()
    instrument = fields.String()
    status = fields.String()
    responsible_body = fields.String()
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    completed_on = fields.Date(allow_none=True)
    expected_co2_t = fields.Float(allow_none=True)
    expected_energy_saving_mwh = fields.Float(allow_none=True)
    expected_renewable_mwh = fields.Float(allow_none=True)
    investment_eur = fields.Float(allow_none=True)
    achieved_co2_t = fields.Float(allow_none=True)
    achieved_energy_saving_mwh = fields.Float(allow_none=True)
    achieved_renewable_mwh = fields.Float(allow_none=True)


class ReportInSchema(_CheckedByService):
    clean = staticmethod(services.clean_report)

    submitted_on = fields.Date(required=True)
    kind = _text(CODE_MAX, required=True, metadata={"description": "action | full"})
    monitoring_year = _whole()
    emissions_t = _number()
    notes = _notes(allow_none=True)


class ReportSchema(Schema):
    id = fields.Integer()
    municipality_id = fields.Integer()
    submitted_on = fields.Date()
    kind = fields.String()
    monitoring_year = fields.Integer(allow_none=True)
    emissions_t = fields.Float(allow_none=True)


class DueSchema(Schema):
    kind = fields.String()
    due_on = fields.String()
    overdue = fields.Boolean()


class PointSchema(Schema):
    year = fields.Integer()
    emissions_t = fields.Float()


class InventoryPointSchema(Schema):
    year = fields.Integer()
    total_t = fields.Float()
    per_capita_t = fields.Float(allow_none=True)


class ProgressSchema(Schema):
    municipality_id = fields.Integer()
    baseline_year = fields.Integer(allow_none=True)
    baseline_emissions_t = fields.Float(allow_none=True)
    reduction_target_percent = fields.Float(allow_none=True)
    target_year = fields.Integer(allow_none=True)
    target_emissions_t = fields.Float(allow_none=True)
    latest_year = fields.Integer(allow_none=True)
    latest_emissions_t = fields.Float(allow_none=True)
    achieved_reduction_percent = fields.Float(allow_none=True)
    progress_percent = fields.Float(allow_none=True)
    expected_co2_t = fields.Float()
    achieved_co2_t = fields.Float()
    expected_reduction_percent = fields.Float(allow_none=True)
    actions_by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    emissions = fields.List(fields.Nested(PointSchema))
    reports_due = fields.List(fields.Nested(DueSchema))
    measured_by = fields.String(allow_none=True, metadata={
        "description": "where the measured figures above come from: inventories (a baseline and a later "
                       "monitoring inventory, computed) or reports (typed in); null when nothing is measured"})
    # from the emission inventories, when a computable baseline inventory exists
    baseline = fields.Nested(InventoryPointSchema, allow_none=True)
    latest = fields.Nested(InventoryPointSchema, allow_none=True)
    per_capita = fields.Boolean(metadata={"description": "reduction per inhabitant, as the target says"})
    reduction_percent = fields.Float(allow_none=True)
    target_percent = fields.Float(allow_none=True)
    trajectory_t = fields.Float(allow_none=True, metadata={
        "description": "the straight trajectory in the latest year (t, or t per inhabitant)"})
    on_track = fields.Boolean(allow_none=True)
    behind_by_t = fields.Float(allow_none=True)
    by_sector = fields.Dict(keys=fields.String(), values=fields.Dict(), metadata={
        "description": "t by sector: baseline and latest"})


class MemberInSchema(InputSchema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    role = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["follower", "editor"]),
                         metadata={"description": "follower | editor (default: from the person's Covenant role)"})


class MemberSchema(Schema):
    municipality_id = fields.Integer()
    municipality_name = fields.Function(lambda m: m.municipality.name)
    user_id = fields.Integer()
    role = fields.String()
    status = fields.String(metadata={"description": "invited | accepted | declined: only accepted gives rights"})
    invited_by_id = fields.Integer(allow_none=True)
    created_at = UTCDateTime()


def _municipality(municipality_id: int, *, options=()) -> Municipality:
    return load_visible_for_api(Municipality, municipality_id, api_user(), options=options)


@blp.route("/municipalities", methods=["GET"])
@blp.arguments(MunicipalityArgs, location="query")
@blp.response(200, list_schema(MunicipalitySchema))
@public
def list_municipalities(args):
    """The registry (public fields), filtered by `country` and name (`q`)."""
    return page_of(services.municipalities_query(args.get("country"), args.get("q")), args)


@blp.route("/municipalities", methods=["POST"])
@blp.arguments(MunicipalityInSchema)
@blp.response(201, MunicipalitySchema)
@blp.alt_response(409, description="A municipality with this name exists in this country")
def create_municipality(data):
    """Add a municipality (admins, coordinators and supporters; a coordinator then follows it)."""
    municipality = services.create_municipality(api_user(), data)
    db.session.commit()
    return municipality


@blp.route("/municipalities/<int:municipality_id>", methods=["GET"])
@blp.response(200, MunicipalitySchema)
@public
def get_municipality(municipality_id):
    """One municipality (public fields)."""
    return _municipality(municipality_id)


@blp.route("/municipalities/<int:municipality_id>", methods=["PATCH"])
@blp.arguments(MunicipalityPatchSchema)
@blp.response(200, MunicipalitySchema)
def update_municipality(data, municipality_id):
    """Change a municipality (its followers, editors and admins)."""
    municipality = services.update_municipality(api_user(), _municipality(municipality_id), **data)
    db.session.commit()
    return municipality


@blp.route("/municipalities/<int:municipality_id>/actions", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(ActionSchema))
@public
def list_actions(args, municipality_id):
    """The SEAP actions of a municipality."""
    from sqlalchemy import select

    _municipality(municipality_id)
    query = select(SeapAction).where(SeapAction.municipality_id == municipality_id).order_by(SeapAction.id)
    return page_of(query, args)


@blp.route("/municipalities/<int:municipality_id>/actions", methods=["POST"])
@blp.arguments(ActionInSchema)
@blp.response(201, ActionSchema)
def create_action(data, municipality_id):
    """Add a SEAP action; unknown sector, area, instrument or status codes answer 422."""
    action = services.create_action(api_user(), _municipality(municipality_id), **data)
    db.session.commit()
    return action


@blp.route("/actions/<int:action_id>", methods=["PATCH"])
@blp.arguments(ActionPatchSchema)
@blp.response(200, ActionSchema)
def update_action(data, action_id):
    """Change an action: its status, achieved values…"""
    action = load_visible_for_api(SeapAction, action_id, api_user())
    services.update_action(api_user(), action, **data)
    db.session.commit()
    return action


@blp.route("/municipalities/<int:municipality_id>/reports", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(ReportSchema))
@public
def list_reports(args, municipality_id):
    """Monitoring reports sent to the Covenant."""
    from sqlalchemy import select

    _municipality(municipality_id)
    query = (select(MonitoringReport).where(MonitoringReport.municipality_id == municipality_id)
             .order_by(MonitoringReport.submitted_on))
    return page_of(query, args)


@blp.route("/municipalities/<int:municipality_id>/reports", methods=["POST"])
@blp.arguments(ReportInSchema)
@blp.response(201, ReportSchema)
def create_report(data, municipality_id):
    """Record a monitoring report (a full report carries the MEI emissions)."""
    report = services.add_report(api_user(), _municipality(municipality_id), **data)
    db.session.commit()
    return report


@blp.route("/municipalities/<int:municipality_id>/progress", methods=["GET"])
@blp.response(200, ProgressSchema)
@public
def get_progress(municipality_id):
    """Progress towards the reduction target, actions by status and the reports due."""
    municipality = _municipality(municipality_id, options=inventories.with_inventories())
    progress, measured = inventories.municipality_progress(municipality)
    out = dict(progress.as_dict(), municipality_id=municipality.id)
    if measured is not None:
        out.update(measured.as_dict())
    return out


@blp.route("/municipalities/<int:municipality_id>/members", methods=["POST"])
@blp.arguments(MemberInSchema)
@blp.response(201, MemberSchema)
@blp.alt_response(409, description="Linked already")
def invite_member(data, municipality_id):
    """Invite someone to follow or edit (admins, and its accepted members who are granted coordinators
    or editors); the membership gives rights once they accept."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.core.errors import NotAllowed

    municipality = _municipality(municipality_id)
    if not municipality.can_invite(api_user()):
        raise NotAllowed()
    user = db.session.scalar(select(User).where(User.email == data["email"].strip().lower()))
    if user is None:
        raise Invalid(fields={"email": ["No account with this email address."]})
    member = services.add_member(api_user(), municipality, user=user, role=data["role"])
    db.session.commit()
    return member


@blp.route("/me/invitations", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(MemberSchema))
def my_invitations(args):
    """The caller's open invitations to municipalities."""
    return page_of(services.invitations_query(api_user()), args)


@blp.route("/municipalities/<int:municipality_id>/invitation/<any(accept, decline):answer>", methods=["POST"])
@blp.response(200, MemberSchema)
def answer_invitation(municipality_id, answer):
    """Accept or decline the caller's invitation; 404 when there is none."""
    member = services.respond_to_invitation(api_user(), _municipality(municipality_id), accept=answer == "accept")
    db.session.commit()
    return member


# --- emission inventories (REFERENCE.md has the codes and formulas) ----------------------------------------

def _flat(messages, prefix="") -> dict:
    """marshmallow's nested errors as the service's dotted field names (`consumption.3.carrier`)."""
    out = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, dict):
                out.update(_flat(value, name))
            else:
                out[name] = [str(v) for v in (value if isinstance(value, list) else [value])]
    return out


def _number_in(description: str | None = None, **kwargs):
    metadata = {"type": "number", "minimum": 0}
    if description:
        metadata["description"] = description
    return fields.Raw(allow_none=True, metadata=metadata, **kwargs)


class FuelInSchema(InputSchema):
    carrier = _text(CODE_MAX, required=True, metadata={"description": "a fuel carrier code"})
    mwh = _number_in(required=True)


class PlantInSchema(InputSchema):
    kind = _text(CODE_MAX, required=True, metadata={"description": "wind | hydro | photovoltaics | chp | other "
                                                    "(local heat: chp | district-heating | other)"})
    mwh = _number_in(required=True)
    inputs = fields.List(fields.Nested(FuelInSchema), load_default=list,
                         metadata={"description": "fuel inputs of fuel-fired plants"})


class CellInSchema(InputSchema):
    sector = _text(CODE_MAX, required=True)
    carrier = _text(CODE_MAX, required=True)
    mwh = _number_in(required=True)


class InventoryInSchema(InputSchema):
    kind = _text(CODE_MAX, required=True, metadata={"description": "baseline | monitoring"})
    year = _whole(required=True)
    approach = _text(CODE_MAX, load_default="ipcc", metadata={"description": "ipcc | lca"})
    unit = _text(CODE_MAX, load_default="t-co2", metadata={"description": "t-co2 | t-co2-eq"})
    population = _whole()
    consumption = fields.List(fields.Nested(CellInSchema), load_default=list,
                              metadata={"description": "final energy consumption, MWh by sector and carrier"})
    local_electricity = fields.List(fields.Nested(PlantInSchema), load_default=list)
    local_heat = fields.List(fields.Nested(PlantInSchema), load_default=list,
                             metadata={"description": "local heat/cold production with its fuel inputs"})
    green_electricity_mwh = _number_in("certified green electricity bought by the local authority")
    heat_factor = _number_in("a supplier's heat factor, t/MWh")
    other_fossil_factor = _number_in("t/MWh of other fossil fuels")

    def handle_error(self, error, data, *, many, **kwargs):
        fields_ = _flat(error.messages)
        if not many and isinstance(data, dict):
            try:
                inventories.clean_inventory(data)
            except Invalid as invalid:
                fields_ = {**fields_, **invalid.fields}
        raise Invalid(fields=fields_) from error


class InventorySummarySchema(Schema):
    id = fields.Integer()
    municipality_id = fields.Integer()
    kind = fields.String()
    year = fields.Integer()
    approach = fields.String()
    unit = fields.String()
    population = fields.Integer(allow_none=True)
    total_mwh = fields.Float()
    total_t = fields.Float(allow_none=True, metadata={"description": "null when a factor is missing"})
    per_capita_t = fields.Float(allow_none=True)


class EmissionSchema(Schema):
    sector = fields.String()
    carrier = fields.String()
    mwh = fields.Float()
    factor = fields.Float(metadata={"description": "t per MWh"})
    t = fields.Float()


class FuelSchema(Schema):
    carrier = fields.String()
    mwh = fields.Float()


class PlantSchema(Schema):
    kind = fields.String()
    mwh = fields.Float()
    inputs = fields.List(fields.Nested(FuelSchema))


class CellSchema(Schema):
    sector = fields.String()
    carrier = fields.String()
    mwh = fields.Float()


class InventorySchema(InventorySummarySchema):
    consumption = fields.List(fields.Nested(CellSchema))
    local_electricity = fields.List(fields.Nested(PlantSchema))
    local_heat = fields.List(fields.Nested(PlantSchema))
    green_electricity_mwh = fields.Float()
    heat_factor = fields.Float(allow_none=True)
    other_fossil_factor = fields.Float(allow_none=True)
    electricity_factor = fields.Float(allow_none=True, metadata={"description": "the local factor EFE, t/MWh"})
    heat_factor_used = fields.Float(allow_none=True)
    emissions = fields.List(fields.Nested(EmissionSchema))
    by_sector = fields.Dict(keys=fields.String(), values=fields.Float())
    by_carrier = fields.Dict(keys=fields.String(), values=fields.Float())
    why = fields.List(fields.String(), metadata={"description": "the formula and the factors used, in words"})
    missing_factor = fields.String(allow_none=True)
    warnings = fields.List(fields.String())


class FactorArgs(InputSchema):
    country = fields.String(load_default=None, validate=validate.Length(max=CODE_MAX))
    year = fields.Integer(load_default=None, validate=validate.Range(min=1990, max=2100))
    approach = fields.String(load_default=None, validate=validate.OneOf(["ipcc", "lca"]))


class FactorSchema(Schema):
    carrier = fields.String()
    country = fields.String(allow_none=True)
    year = fields.Integer(allow_none=True)
    approach = fields.String()
    factor = fields.Float(metadata={"description": "t per MWh"})
    source = fields.String()
    demo = fields.Boolean(metadata={"description": "a demo value, not a published one"})


class FactorInSchema(_CheckedByService):
    clean = staticmethod(inventories.clean_factor)

    country = _text(CODE_MAX, required=True)
    year = _whole(required=True)
    approach = _text(CODE_MAX, required=True, metadata={"description": "ipcc | lca"})
    factor = _number(required=True, metadata={"description": "t per MWh"})
    source = _text(inventories.SOURCE_MAX, required=True)


def _inventory(municipality_id: int, inventory_id: int) -> Inventory:
    municipality = _municipality(municipality_id)
    inventory = db.session.get(Inventory, inventory_id)
    if inventory is None or inventory.municipality_id != municipality.id:
        raise NotFound()
    return inventory


@blp.route("/municipalities/<int:municipality_id>/inventories", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(InventorySummarySchema))
@public
def list_inventories(args, municipality_id):
    """The municipality's emission inventories (baseline and monitoring), oldest first, with their totals."""
    municipality = _municipality(municipality_id, options=inventories.with_inventories())
    book = inventories.FactorBook()
    items = [inventories.summary(i, inventories.try_compute(i, book)[0]) for i in municipality.inventories]
    start = (args["page"] - 1) * args["per_page"]
    return {"items": items[start:start + args["per_page"]], "total": len(items), "page": args["page"],
            "per_page": args["per_page"]}


@blp.route("/municipalities/<int:municipality_id>/inventories", methods=["POST"])
@blp.arguments(InventoryInSchema)
@blp.response(201, InventorySchema)
@blp.alt_response(409, description="A second baseline, or a second inventory of this kind and year")
@blp.alt_response(422, description="Invalid input, or `missing_factor` naming the country and year")
def create_inventory(data, municipality_id):
    """Add an inventory (the municipality's editors and followers, admins); emissions are computed."""
    inventory = inventories.create_inventory(api_user(), _municipality(municipality_id), data)
    db.session.commit()
    return inventories.detail(inventory)


@blp.route("/municipalities/<int:municipality_id>/inventories/<int:inventory_id>", methods=["GET"])
@blp.response(200, InventorySchema)
@public
def get_inventory(municipality_id, inventory_id):
    """One inventory: consumption, local production, emissions per cell, totals and the factors used."""
    return inventories.detail(_inventory(municipality_id, inventory_id))


@blp.route("/municipalities/<int:municipality_id>/inventories/<int:inventory_id>", methods=["PUT"])
@blp.arguments(InventoryInSchema)
@blp.response(200, InventorySchema)
@blp.alt_response(409, description="A second baseline, or a second inventory of this kind and year")
def replace_inventory(data, municipality_id, inventory_id):
    """Replace an inventory's values (its editors and followers, admins)."""
    inventory = inventories.update_inventory(api_user(), _inventory(municipality_id, inventory_id), data)
    db.session.commit()
    return inventories.detail(inventory)


@blp.route("/municipalities/<int:municipality_id>/inventories/<int:inventory_id>", methods=["DELETE"])
@blp.response(204)
def delete_inventory(municipality_id, inventory_id):
    """Delete an inventory (its editors and followers, admins)."""
    inventories.delete_inventory(api_user(), _inventory(municipality_id, inventory_id))
    db.session.commit()
    return ""


@blp.route("/emission-factors", methods=["GET"])
@blp.arguments(FactorArgs, location="query")
@blp.response(200, list_schema(FactorSchema))
@public
def list_emission_factors(args):
    """Emission factors in force: the built-in IPCC fuel factors and the national electricity factors."""
    items = inventories.factor_items(args.get("country"), args.get("year"), args.get("approach"))
    return {"items": items, "total": len(items), "page": 1, "per_page": len(items)}


@blp.route("/emission-factors/electricity", methods=["PUT"])
@blp.arguments(FactorInSchema)
@blp.response(200, FactorSchema)
def put_electricity_factor(data):
    """Set the national electricity factor of a country, year and approach (admins)."""
    row = inventories.set_electricity_factor(api_user(), **data)
    db.session.commit()
    return row

"""Forms of the municipality pages; the services check the same rules again for the API and imports."""
from __future__ import annotations

import re
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from app.core.forms import BaseForm
from app.core.reference import country_choices
from app.municipalities.codes import AREAS, INSTRUMENTS, REPORT_KINDS, STATUSES, choices, sector_choices

_optional_number = [Optional(), NumberRange(min=0)]
_year = [Optional(), NumberRange(min=1990, max=2100)]


class MunicipalityForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    population = IntegerField(_l("Population"), validators=_optional_number)
    supporting_organisation = StringField(
        _l("Supporting organisation"), validators=[Optional(), Length(max=200)],
        description=_l("The Covenant Coordinator or Supporter that helps this municipality."))
    covenant_signed_on = DateField(_l("Covenant signed on"), validators=[Optional()])
    seap_submitted_on = DateField(_l("Action plan (SEAP) submitted on"), validators=[Optional()],
                                  description=_l("Monitoring reports fall due from this date on."))
    baseline_year = IntegerField(_l("Baseline year"), validators=_year)
    baseline_emissions_t = FloatField(_l("Baseline emissions (t CO2)"), validators=_optional_number,
                                      description=_l("From the Baseline Emission Inventory (BEI)."))
    reduction_target_percent = FloatField(_l("Reduction target (%)"),
                                          validators=[Optional(), NumberRange(min=0, max=100)])
    target_year = IntegerField(_l("Target year"), validators=_year)
    target_per_capita = BooleanField(_l("The target is a reduction per inhabitant"))
    notes = TextAreaField(_l("Internal notes"), validators=[Optional(), Length(max=5000)],
                          description=_l("Seen only by its followers, its editors and the project's staff."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Choose…"))] + country_choices()


class ActionForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    sector = SelectField(_l("Sector"), validators=[DataRequired()])
    area = SelectField(_l("Area of intervention"), validators=[DataRequired()])
    instrument = SelectField(_l("Policy instrument"), validators=[DataRequired()])
    status = SelectField(_l("Status"), validators=[DataRequired()])
    responsible_body = StringField(_l("Responsible body"), validators=[Optional(), Length(max=200)])
    starts_on = DateField(_l("Start"), validators=[Optional()])
    ends_on = DateField(_l("End"), validators=[Optional()])
    completed_on = DateField(_l("Completed on"), validators=[Optional()])
    expected_co2_t = FloatField(_l("Expected CO2 reduction (t per year)"), validators=_optional_number)
    expected_energy_saving_mwh = FloatField(_l("Expected energy saving (MWh per year)"),
                                            validators=_optional_number)
    expected_renewable_mwh = FloatField(_l("Expected renewable production (MWh per year)"),
                                        validators=_optional_number)
    investment_eur = FloatField(_l("Investment (EUR)"), validators=_optional_number)
    achieved_co2_t = FloatField(_l("Achieved CO2 reduction (t per year)"), validators=_optional_number)
    achieved_energy_saving_mwh = FloatField(_l("Achieved energy saving (MWh per year)"),
                                            validators=_optional_number)
    achieved_renewable_mwh = FloatField(_l("Achieved renewable production (MWh per year)"),
                                        validators=_optional_number)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = [("", _l("Choose…"))] + sector_choices()
        self.area.choices = [("", _l("Choose…"))] + choices(AREAS)
        self.instrument.choices = [("", _l("Choose…"))] + choices(INSTRUMENTS)
        self.status.choices = choices(STATUSES)


class ReportForm(BaseForm):
    submitted_on = DateField(_l("Sent to the Covenant on"), validators=[DataRequired()])
    kind = SelectField(_l("Kind of report"), validators=[DataRequired()])
    monitoring_year = IntegerField(_l("Monitoring year"), validators=_year)
    emissions_t = FloatField(_l("Emissions in the monitoring year (t CO2)"), validators=_optional_number,
                             description=_l("Required for a full report (Monitoring Emission Inventory)."))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(REPORT_KINDS)


class ImportForm(BaseForm):
    file = FileField(_l("File (CSV, TSV or JSON)"), validators=[
        FileRequired(), FileAllowed(["csv", "tsv", "txt", "json"], _l("Choose a CSV, TSV or JSON file."))])


class MemberForm(BaseForm):
    email = EmailField(_l("Email of the account"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Link as"), choices=[
        ("follower", _l("Follower (coordinator or supporter)")),
        ("editor", _l("Editor (municipality officer)"))])


# --- emission inventories ------------------------------------------------------------------------------

def _cell_name(sector: str, carrier: str) -> str:
    return f"c_{sector}_{carrier}".replace("-", "_")


CELL_MAX = 32  # characters of a typed number ("1 234 567,89")
PLANT_ROWS = 4  # rows the entry page offers at least; an inventory with more plants gets one empty row more
HEAT_ROWS = 2
FUEL_INPUTS = 2  # fuels per fuel-fired plant, at least
MAX_PLANTS = 40  # what one request may ask the form to hold (the API takes the same limits)
MAX_FUELS = 8


class _LazyLabel:
    """A translated label with its numbers, rendered in the reader's language."""

    def __init__(self, message, n: int, k: int | None = None):
        self.message, self.n, self.k = message, n, k

    def __str__(self) -> str:
        return str(self.message) % ({"n": self.n} if self.k is None else {"n": self.n, "k": self.k})

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))


def fuel_field(product: str, i: int, k: int) -> str:
    """The field of the k-th fuel (0-based) of plant i: e0_fuel, then e0_fuel2, e0_fuel3…"""
    return f"{product}{i}_fuel" if k == 0 else f"{product}{i}_fuel{k + 1}"


@lru_cache(maxsize=64)
def _inventory_form_class(plants: int = PLANT_ROWS, heat: int = HEAT_ROWS, fuels: int = FUEL_INPUTS):
    from app.municipalities import inventory as calc

    attrs = {
        "kind": SelectField(_l("Kind"), validators=[DataRequired()],
                            choices=[(k, v) for k, v in calc.KINDS.items()]),
        "year": IntegerField(_l("Inventory year"), validators=[DataRequired(), NumberRange(min=1990, max=2100)]),
        "approach": SelectField(_l("Approach"), choices=[(k, v) for k, v in calc.APPROACHES.items()],
                                default="ipcc"),
        "unit": SelectField(_l("Unit"), choices=[(k, v) for k, v in calc.UNITS.items()], default="t-co2"),
        "population": IntegerField(_l("Population that year"), validators=_optional_number),
        "green_electricity_mwh": StringField(_l("Certified green electricity bought by the local authority, MWh"),
                                             validators=[Optional(), Length(max=CELL_MAX)]),
        "heat_factor": StringField(_l("Heat supplier's emission factor, t CO2/MWh"),
                                   validators=[Optional(), Length(max=CELL_MAX)],
                                   description=_l("Leave empty when the heat comes from the local production above.")),
        "other_fossil_factor": StringField(_l("Emission factor of other fossil fuels, t CO2/MWh"),
                                           validators=[Optional(), Length(max=CELL_MAX)]),
        "plant_rows": range(plants), "heat_rows": range(heat), "fuel_inputs": range(fuels),
    }
    for sector in calc.SECTORS:
        for carrier in calc.allowed_carriers(sector):
            attrs[_cell_name(sector, carrier)] = StringField(
                _l("%(sector)s – %(carrier)s, MWh", sector=calc.SECTORS[sector][0],
                   carrier=calc.CARRIERS[carrier][0]), validators=[Optional(), Length(max=CELL_MAX)])
    fuels_choices = [("", _l("No fuel"))] + [(c, v[0]) for c, v in calc.CARRIERS.items()
                                              if c not in ("electricity", "heat-cold")]
    labels = {
        "e": (_l("Kind of plant %(n)d"), _l("Production of plant %(n)d, MWh"), _l("Fuel of plant %(n)d"),
              _l("Fuel input of plant %(n)d, MWh"), _l("Fuel %(k)d of plant %(n)d"),
              _l("Input of fuel %(k)d of plant %(n)d, MWh")),
        "h": (_l("Heat plant %(n)d"), _l("Heat delivered by heat plant %(n)d, MWh"), _l("Fuel of heat plant %(n)d"),
              _l("Fuel input of heat plant %(n)d, MWh"), _l("Fuel %(k)d of heat plant %(n)d"),
              _l("Input of fuel %(k)d of heat plant %(n)d, MWh")),
    }
    for product, rows, kinds in (("e", plants, calc.PLANT_KINDS), ("h", heat, calc.HEAT_PLANT_KINDS)):
        kind_label, mwh_label, fuel_label, fuel_mwh_label, more_fuel_label, more_fuel_mwh_label = labels[product]
        for i in range(rows):
            n = i + 1
            attrs[f"{product}{i}_kind"] = SelectField(_LazyLabel(kind_label, n),
                                                      choices=[("", "—")] + list(kinds.items()), default="")
            attrs[f"{product}{i}_mwh"] = StringField(_LazyLabel(mwh_label, n),
                                                     validators=[Optional(), Length(max=CELL_MAX)])
            for k in range(fuels):
                name = fuel_field(product, i, k)
                attrs[name] = SelectField(_LazyLabel(fuel_label, n) if k == 0 else
                                          _LazyLabel(more_fuel_label, n, k + 1), choices=fuels_choices, default="")
                attrs[f"{name}_mwh"] = StringField(_LazyLabel(fuel_mwh_label, n) if k == 0 else
                                                   _LazyLabel(more_fuel_mwh_label, n, k + 1),
                                                   validators=[Optional(), Length(max=CELL_MAX)])
    return type("InventoryForm", (BaseForm,), attrs)


InventoryForm = _inventory_form_class()


def inventory_form(inventory=None, formdata=None):
    """The entry form with room for every plant and fuel of `inventory` (or of the posted form) and one
    empty plant row more, so that editing in the page never drops what the API or an import saved."""
    plants, heat, fuels = PLANT_ROWS, HEAT_ROWS, FUEL_INPUTS
    if formdata is not None:
        keys = list(formdata.keys())

        def count(pattern: str) -> int:
            return len({m.group(1) for key in keys if (m := re.fullmatch(pattern, key))})

        plants = max(plants, count(r"e(\d+)_kind"))
        heat = max(heat, count(r"h(\d+)_kind"))
        fuels = max(fuels, count(r"[eh]\d+_fuel(\d*)"))
    elif inventory is not None:
        electric = [p for p in inventory.plants if p.product == "electricity"]
        heating = [p for p in inventory.plants if p.product != "electricity"]
        plants = max(plants, len(electric) + 1)
        heat = max(heat, len(heating) + 1)
        fuels = max([fuels] + [len(p.inputs) for p in inventory.plants])
    return _inventory_form_class(min(plants, MAX_PLANTS), min(heat, MAX_PLANTS), min(fuels, MAX_FUELS))()


def _typed_number(value):
    """A number as people type it: spaces as thousands separators, a decimal comma."""
    if value is None:
        return None
    value = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in value and "." not in value:
        value = value.replace(",", ".")
    elif "," in value and "." in value:
        value = value.replace(",", "")  # 1,234.5
    return value or None


def inventory_values(form) -> tuple[dict, dict[str, str]]:
    """The service's input from the entry form, and the service's field names -> the form's fields."""
    from app.municipalities import inventory as calc

    names: dict[str, str] = {}
    values = {k: form[k].data for k in ("kind", "year", "approach", "unit", "population")}
    for key in ("green_electricity_mwh", "heat_factor", "other_fossil_factor"):
        values[key] = _typed_number(form[key].data)
    consumption = []
    for sector in calc.SECTORS:
        for carrier in calc.allowed_carriers(sector):
            name = _cell_name(sector, carrier)
            raw = _typed_number(form[name].data)
            if raw is not None:
                names[f"consumption.{len(consumption)}.mwh"] = name
                names[f"consumption.{len(consumption)}.carrier"] = name
                consumption.append({"sector": sector, "carrier": carrier, "mwh": raw})
    values["consumption"] = consumption
    for product, rows, key in (("e", form.plant_rows, "local_electricity"), ("h", form.heat_rows, "local_heat")):
        plants = []
        for i in rows:
            kind, mwh = form[f"{product}{i}_kind"].data, _typed_number(form[f"{product}{i}_mwh"].data)
            if not kind and mwh is None:
                continue
            n = len(plants)
            names[f"{key}.{n}.kind"] = f"{product}{i}_kind"
            names[f"{key}.{n}.mwh"] = f"{product}{i}_mwh"
            names[f"{key}.{n}.inputs"] = fuel_field(product, i, 0)
            inputs = []
            for k in form.fuel_inputs:
                field = fuel_field(product, i, k)
                fuel, fuel_mwh = form[field].data, _typed_number(form[f"{field}_mwh"].data)
                if fuel or fuel_mwh:
                    names[f"{key}.{n}.inputs.{len(inputs)}.carrier"] = field
                    names[f"{key}.{n}.inputs.{len(inputs)}.mwh"] = f"{field}_mwh"
                    inputs.append({"carrier": fuel, "mwh": fuel_mwh})
            plants.append({"kind": kind, "mwh": mwh, "inputs": inputs})
        values[key] = plants
    return values, names


def fill_inventory_form(form, inventory) -> None:
    """Put a saved inventory into the entry form (GET of the edit page); the form comes from
    `inventory_form(inventory)`, so it has room for all of it."""
    for key in ("kind", "year", "approach", "unit", "population"):
        form[key].data = getattr(inventory, key)
    for key in ("green_electricity_mwh", "heat_factor", "other_fossil_factor"):
        value = getattr(inventory, key)
        form[key].data = "" if value in (None, 0, 0.0) and key != "heat_factor" or value is None else f"{value:g}"
    for cell in inventory.cells:
        name = _cell_name(cell.sector, cell.carrier)
        if name in form:
            form[name].data = f"{cell.mwh:g}"
    counters = {"e": 0, "h": 0}
    for plant in inventory.plants:
        product = "e" if plant.product == "electricity" else "h"
        i = counters[product]
        counters[product] += 1
        form[f"{product}{i}_kind"].data = plant.kind
        form[f"{product}{i}_mwh"].data = f"{plant.mwh:g}"
        for k, given in enumerate(plant.inputs):
            form[fuel_field(product, i, k)].data = given.carrier
            form[f"{fuel_field(product, i, k)}_mwh"].data = f"{given.mwh:g}"


class InventoryImportForm(BaseForm):
    file = FileField(_l("CSV (sector, carrier, mwh) or XLSX laid out like the template"),
                     validators=[FileRequired(), FileAllowed(["csv", "xlsx", "txt"])])


class FactorForm(BaseForm):
    country = SelectField(_l("Country"), validators=[DataRequired()])
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(min=1990, max=2100)])
    approach = SelectField(_l("Approach"), validators=[DataRequired()])
    factor = FloatField(_l("National electricity factor (NEEFE), t per MWh"),
                        validators=[DataRequired(), NumberRange(min=0, max=5)])
    source = StringField(_l("Source"), validators=[DataRequired(), Length(max=300)],
                         description=_l("E.g. the JRC's published table, with its edition."))

    def __init__(self, *args, **kwargs):
        from app.municipalities import inventory as calc

        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Choose…"))] + country_choices()
        self.approach.choices = list(calc.APPROACHES.items())

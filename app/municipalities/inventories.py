"""Emission inventory use cases: checking, saving, factors, progress, the coordinator's overview,
import and export. Shared by the HTML views, the JSON API, the command line and the demo data.

The arithmetic is app/municipalities/inventory.py's alone.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import cached_property

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.core import audit
from app.core.cache import LRU
from app.core.errors import Conflict, Invalid, NotAllowed
from app.core.reference import is_country
from app.core.text import control_problem, spreadsheet_safe
from app.extensions import db
from app.municipalities import inventory as calc
from app.municipalities.models import (
    EmissionFactor,
    Inventory,
    InventoryCell,
    InventoryPlant,
    InventoryPlantInput,
    Municipality,
    MunicipalityMember,
)
from app.municipalities.services import _code, _Errors, _number, _text

MWH_MAX = 1e9  # a plausible bound for one cell (1 TWh)
FACTOR_MAX = 5.0  # t per MWh
SECTOR_CHANGE_WARNING = 0.30
# Per-capita totals (t) outside this range are implausible wherever the town is.
PER_CAPITA_RANGE = (0.5, 30.0)
SOURCE_MAX = 300


class MissingFactorError(Invalid):
    """A factor the calculation needs is missing."""

    code = "missing_factor"


# --- factors --------------------------------------------------------------------------------------------

class FactorBook:
    """Every admin-maintained factor, read once (the table is small), for many inventories at a time."""

    def __init__(self) -> None:
        self.results: dict[tuple, calc.Result | calc.MissingFactor] = {}  # compute_inventory's, by input

    @cached_property
    def _rows(self) -> list:  # read on first use: a page without inventories asks nothing
        # plain rows (carrier, country, year, approach, factor, source, demo), not ORM objects: a page reads
        # the whole table, and building a few hundred tracked objects per request was most of its cost
        return db.session.execute(select(
            EmissionFactor.carrier, EmissionFactor.country, EmissionFactor.year, EmissionFactor.approach,
            EmissionFactor.factor, EmissionFactor.source, EmissionFactor.demo)).all()

    @cached_property
    def electricity(self) -> dict[tuple, EmissionFactor]:
        return {(r.country, r.year, r.approach): r for r in self._rows if r.carrier == "electricity"}

    @cached_property
    def lca(self) -> dict[str, float]:
        return {r.carrier: r.factor for r in self._rows
                if r.carrier != "electricity" and r.approach == "lca" and r.country is None}

    @cached_property
    def lca_key(self) -> tuple:
        return tuple(sorted(self.lca.items()))

    def neefe(self, country: str, year: int, approach: str) -> float | None:
        row = self.electricity.get((country, year, approach))
        return None if row is None else row.factor

    def neefe_row(self, country: str, year: int, approach: str) -> EmissionFactor | None:
        return self.electricity.get((country, year, approach))


_computed = LRU(4000)  # computed inventories, per process (a result is a few kB)


def compute_inventory(inventory: Inventory, book: FactorBook | None = None) -> calc.Result:
    """The inventory's emissions; raises calc.MissingFactor naming what is missing.

    A page asks for the same inventory several times (its table, its progress, the chart): the book
    keeps each result under the inventory's input as it is then, so a changed inventory is computed anew.
    """
    book = book or FactorBook()
    data = inventory.as_input()
    neefe = book.neefe(data.country, data.year, data.approach)
    # calc.compute is a pure function of these (its texts are in the current language): a result is
    # reused for the same values, in this request and the next ones, and never for changed ones
    key = (repr(data), neefe, book.lca_key, str(get_locale()))
    known = book.results.get(key) or _computed.get(key)
    if known is None:
        try:
            known = calc.compute(data, neefe, book.lca)
        except calc.MissingFactor as missing:
            known = missing
        _computed.put(key, known)
    book.results[key] = known
    if isinstance(known, calc.MissingFactor):
        raise known.with_traceback(None)
    return known


def try_compute(inventory: Inventory, book: FactorBook | None = None):
    """(result, None) or (None, the missing factor)."""
    try:
        return compute_inventory(inventory, book), None
    except calc.MissingFactor as missing:
        return None, missing


def factor_items(country: str | None = None, year: int | None = None, approach: str | None = None) -> list[dict]:
    """The factors in force: the built-in IPCC fuel factors, then those admins maintain."""
    items = []
    if approach in (None, "ipcc"):
        items += [{"carrier": c, "country": None, "year": None, "approach": "ipcc", "factor": f,
                   "source": calc.IPCC_SOURCE, "demo": False} for c, f in calc.IPCC_FACTORS.items()]
    query = select(EmissionFactor).order_by(EmissionFactor.carrier, EmissionFactor.country, EmissionFactor.year,
                                            EmissionFactor.approach)
    if country:
        query = query.where((EmissionFactor.country == country.upper()) | EmissionFactor.country.is_(None))
    if year:
        query = query.where((EmissionFactor.year == year) | EmissionFactor.year.is_(None))
    if approach:
        query = query.where(EmissionFactor.approach == approach)
    items += [{"carrier": r.carrier, "country": r.country, "year": r.year, "approach": r.approach,
               "factor": r.factor, "source": r.source, "demo": r.demo} for r in db.session.scalars(query)]
    return items


def clean_factor(values: dict) -> dict:
    errors = _Errors()
    country = _text(values, "country", errors, required=True, max_len=2)
    if country:
        country = country.upper()
        if not is_country(country):
            errors.add("country", _l("Choose a country (ISO 3166-1 code)."))
    out = {
        "country": country,
        "year": _number(values, "year", errors, integer=True, minimum=1990, maximum=2100),
        "approach": _code(values, "approach", calc.APPROACHES, errors),
        "factor": _number(values, "factor", errors, minimum=0, maximum=FACTOR_MAX),
        "source": _text(values, "source", errors, required=True, max_len=SOURCE_MAX),
    }
    for name in ("year", "factor"):
        if out[name] is None and name not in errors:
            errors.add(name, _l("This field is required."))
    errors.raise_if_any()
    return out


def set_electricity_factor(actor, *, demo: bool = False, **values) -> EmissionFactor:
    """Create or replace the national electricity factor of a country, year and approach (admins)."""
    if actor is not None and not getattr(actor, "is_admin", False):
        raise NotAllowed(str(_l("Only administrators maintain emission factors.")))
    data = clean_factor(values)
    row = db.session.scalar(select(EmissionFactor).where(
        EmissionFactor.carrier == "electricity", EmissionFactor.country == data["country"],
        EmissionFactor.year == data["year"], EmissionFactor.approach == data["approach"]))
    if row is None:
        row = EmissionFactor(carrier="electricity", **data)
        db.session.add(row)
    else:
        for key, value in data.items():
            setattr(row, key, value)
    row.demo = demo
    db.session.flush()
    if actor is not None:
        audit.record("emission_factor.set", actor,
                     target=f"emission_factor:{row.id}",
                     detail=f"{data['country']} {data['year']} {data['approach']} {data['factor']}")
    return row


@dataclass
class FactorImport:
    rows: list[dict] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


FACTOR_COLUMNS = ("country", "year", "approach", "factor", "source")


def read_factor_csv(data: bytes) -> FactorImport:
    """Check every line of a factor table (columns country, year, approach, factor, source)."""
    out = FactorImport()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        out.errors.append((1, str(_l("The file is not UTF-8 text."))))
        return out
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [str(h).strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in FACTOR_COLUMNS if c not in header]
        if missing:
            out.errors.append((1, str(_l("Missing columns: %(names)s.", names=", ".join(missing)))))
            return out
        seen = {}
        for number, row in enumerate(reader, start=2):
            row = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
            try:
                clean = clean_factor(row)
            except Invalid as error:
                out.errors.append((number, _reason(error)))
                continue
            key = (clean["country"], clean["year"], clean["approach"])
            if key in seen:
                out.errors.append((number, str(_l("Same country, year and approach as line %(line)d.",
                                                  line=seen[key]))))
                continue
            seen[key] = number
            out.rows.append(clean)
    except csv.Error as error:
        out.errors.append((reader.line_num, str(error)))
    if not out.rows and not out.errors:
        out.errors.append((1, str(_l("The file has no rows."))))
    return out


def import_factors(actor, data: bytes) -> FactorImport:
    """All or nothing: nothing is written when any line is bad. The caller commits."""
    result = read_factor_csv(data)
    if result.errors:
        return result
    for row in result.rows:
        set_electricity_factor(actor, **row)
    return result


def _reason(error: Invalid) -> str:
    if error.fields:
        return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in error.fields.items())
    return error.message


# --- checking an inventory ------------------------------------------------------------------------------

def _items(values: dict, name: str, errors: _Errors, limit: int = 500) -> list:
    value = values.get(name)
    if value is None or value == "":
        return []
    if not isinstance(value, list | tuple):
        errors.add(name, _l("Give a list."))
        return []
    if len(value) > limit:
        errors.add(name, _l("At most %(n)s entries.", n=limit))
        return []
    return list(value)


def _plants(values: dict, name: str, kinds: dict, errors: _Errors) -> list[dict]:
    plants = []
    for i, item in enumerate(_items(values, name, errors, limit=100)):
        path = f"{name}.{i}"
        if not isinstance(item, dict):
            errors.add(path, _l("Give an object."))
            continue
        sub = _Errors()
        kind = _code(item, "kind", kinds, sub)
        mwh = _number(item, "mwh", sub, minimum=0, maximum=MWH_MAX)
        if mwh is None and "mwh" not in sub:
            sub.add("mwh", _l("This field is required."))
        inputs = []
        for j, entry in enumerate(_items(item, "inputs", sub, limit=20)):
            if not isinstance(entry, dict):
                sub.add(f"inputs.{j}", _l("Give an object."))
                continue
            one = _Errors()
            carrier = _code(entry, "carrier", calc.CARRIERS, one)
            if carrier in ("electricity", "heat-cold"):
                one.add("carrier", _l("A plant burns fuels, not electricity or heat."))
            amount = _number(entry, "mwh", one, minimum=0, maximum=MWH_MAX)
            for key, messages in one.items():
                for message in messages:
                    sub.add(f"inputs.{j}.{key}", message)
            if not one and amount is not None:
                inputs.append((carrier, amount))
        if kind in calc.FUELLESS and inputs:
            sub.add("inputs", _l("Wind, hydro and photovoltaics burn no fuel."))
        for key, messages in sub.items():
            for message in messages:
                errors.add(f"{path}.{key}", message)
        if not sub:
            plants.append({"kind": kind, "mwh": mwh, "inputs": inputs})
    return plants


def clean_inventory(values: dict) -> dict:
    """Checked, typed values of an inventory; Invalid names every bad field (`consumption.3.carrier`)."""
    errors = _Errors()
    out: dict = {
        "kind": _code(values, "kind", calc.KINDS, errors),
        "year": _number(values, "year", errors, integer=True, minimum=1990, maximum=2100),
        "approach": _code(values, "approach", calc.APPROACHES, errors, default="ipcc"),
        "unit": _code(values, "unit", calc.UNITS, errors, default="t-co2"),
        "population": _number(values, "population", errors, integer=True, minimum=0),
        "green_electricity_mwh": _number(values, "green_electricity_mwh", errors, minimum=0, maximum=MWH_MAX) or 0.0,
        "heat_factor": _number(values, "heat_factor", errors, minimum=0, maximum=FACTOR_MAX),
        "other_fossil_factor": _number(values, "other_fossil_factor", errors, minimum=0, maximum=FACTOR_MAX),
    }
    if out["year"] is None and "year" not in errors:
        errors.add("year", _l("This field is required."))
    cells: dict[tuple[str, str], float] = {}
    for i, item in enumerate(_items(values, "consumption", errors, limit=len(calc.SECTORS) * len(calc.CARRIERS))):
        path = f"consumption.{i}"
        if not isinstance(item, dict):
            errors.add(path, _l("Give an object with sector, carrier and mwh."))
            continue
        sub = _Errors()
        sector = _code(item, "sector", calc.SECTORS, sub)
        carrier = _code(item, "carrier", calc.CARRIERS, sub)
        mwh = _number(item, "mwh", sub, minimum=0, maximum=MWH_MAX)
        if sector and carrier and not calc.allowed(sector, carrier):
            sub.add("carrier", _l("%(sector)s cannot use %(carrier)s.", sector=calc.sector_label(sector),
                                  carrier=calc.carrier_label(carrier)))
        if sector and carrier and (sector, carrier) in cells:
            sub.add("carrier", _l("This sector and carrier come twice."))
        for key, messages in sub.items():
            for message in messages:
                errors.add(f"{path}.{key}", message)
        if not sub and mwh:
            cells[(sector, carrier)] = mwh
        elif not sub:
            cells.setdefault((sector, carrier), 0.0)
    out["consumption"] = {k: v for k, v in cells.items() if v}
    out["local_electricity"] = _plants(values, "local_electricity", calc.PLANT_KINDS, errors)
    out["local_heat"] = _plants(values, "local_heat", calc.HEAT_PLANT_KINDS, errors)
    uses_other = any(c == "other-fossil" for (_, c) in out["consumption"]) or any(
        c == "other-fossil" for p in out["local_electricity"] + out["local_heat"] for c, _ in p["inputs"])
    if uses_other and out["other_fossil_factor"] is None and "other_fossil_factor" not in errors:
        errors.add("other_fossil_factor", _l("Other fossil fuels need their emission factor (t CO2 per MWh)."))
    if out["approach"] == "ipcc" and out["unit"] == "t-co2-eq" and "unit" not in errors:
        pass  # allowed: CH4 and N2O may be counted with the standard factors (JRC guidebook)
    errors.raise_if_any()
    return out


def _check_state(municipality: Municipality, data: dict, inventory: Inventory | None) -> None:
    others = [i for i in municipality.inventories if inventory is None or i.id != inventory.id]
    if data["kind"] == "baseline" and any(i.kind == "baseline" for i in others):
        message = str(_l("This municipality has a baseline inventory already; change that one."))
        raise Conflict(message, code="duplicate_baseline", fields={"kind": [message]})
    if any(i.kind == data["kind"] and i.year == data["year"] for i in others):
        message = str(_l("An inventory of this kind exists for %(year)s already.", year=data["year"]))
        raise Conflict(message, code="duplicate_inventory", fields={"year": [message]})


def _fill(inventory: Inventory, data: dict) -> None:
    for key in ("kind", "year", "approach", "unit", "population", "green_electricity_mwh", "heat_factor",
                "other_fossil_factor"):
        setattr(inventory, key, data[key])
    if inventory.id is not None:  # the old rows go first: (sector, carrier) is unique
        inventory.cells, inventory.plants = [], []
        db.session.flush()
    inventory.cells = [InventoryCell(sector=s, carrier=c, mwh=v) for (s, c), v in data["consumption"].items()]
    plants = []
    for product, key in (("electricity", "local_electricity"), ("heat", "local_heat")):
        for plant in data[key]:
            plants.append(InventoryPlant(product=product, kind=plant["kind"], mwh=plant["mwh"], inputs=[
                InventoryPlantInput(carrier=c, mwh=m) for c, m in plant["inputs"]]))
    inventory.plants = plants


def _missing(missing: calc.MissingFactor) -> MissingFactorError:
    fields = {"electricity": "consumption", "heat": "heat_factor", "other-fossil": "other_fossil_factor"}
    return MissingFactorError(missing.message, fields={fields.get(missing.what, "approach"): [missing.message]})


def _input_of(municipality: Municipality, data: dict) -> calc.InventoryInput:
    return calc.InventoryInput(
        country=municipality.country, year=data["year"], approach=data["approach"], population=data["population"],
        consumption=dict(data["consumption"]),
        local_electricity=[calc.Plant(p["kind"], p["mwh"], dict(p["inputs"])) for p in data["local_electricity"]],
        local_heat=[calc.Plant(p["kind"], p["mwh"], dict(p["inputs"])) for p in data["local_heat"]],
        green_electricity_mwh=data["green_electricity_mwh"], heat_factor=data["heat_factor"],
        other_fossil_factor=data["other_fossil_factor"])


def _factors_for(municipality: Municipality, data: dict):
    book = FactorBook()
    return book.neefe(municipality.country, data["year"], data["approach"]), book.lca


def _save(actor, municipality: Municipality, inventory: Inventory | None, values: dict) -> Inventory:
    if not municipality.can_edit(actor):
        raise NotAllowed()
    data = clean_inventory(values)
    _check_state(municipality, data, inventory)
    try:  # computed before anything changes: a missing factor leaves the inventory as it was
        calc.compute(_input_of(municipality, data), *_factors_for(municipality, data))
    except calc.MissingFactor as missing:
        raise _missing(missing) from None
    creating = inventory is None
    if creating:
        inventory = Inventory(municipality=municipality)
        db.session.add(inventory)
    _fill(inventory, data)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        message = str(_l("An inventory of this kind exists for %(year)s already.", year=data["year"]))
        raise Conflict(message, code="duplicate_inventory", fields={"year": [message]}) from None
    audit.record("inventory.create" if creating else "inventory.update", actor,
                 target=f"municipality:{municipality.id}", detail=f"inventory:{inventory.id}")
    return inventory


def create_inventory(actor, municipality: Municipality, values: dict) -> Inventory:
    return _save(actor, municipality, None, values)


def update_inventory(actor, inventory: Inventory, values: dict) -> Inventory:
    return _save(actor, inventory.municipality, inventory, values)


def delete_inventory(actor, inventory: Inventory) -> None:
    if not inventory.can_edit(actor):
        raise NotAllowed()
    audit.record("inventory.delete", actor, target=f"municipality:{inventory.municipality_id}",
                 detail=f"inventory:{inventory.id} {inventory.kind} {inventory.year}")
    municipality = inventory.municipality
    db.session.delete(inventory)
    db.session.flush()
    db.session.expire(municipality, ["inventories"])


def values_of(inventory: Inventory) -> dict:
    """The inventory as the input of POST (for a PUT that changes one thing, and the export)."""
    return {
        "kind": inventory.kind, "year": inventory.year, "approach": inventory.approach, "unit": inventory.unit,
        "population": inventory.population, "green_electricity_mwh": inventory.green_electricity_mwh,
        "heat_factor": inventory.heat_factor, "other_fossil_factor": inventory.other_fossil_factor,
        "consumption": [{"sector": c.sector, "carrier": c.carrier, "mwh": c.mwh} for c in inventory.cells],
        "local_electricity": [{"kind": p.kind, "mwh": p.mwh, "inputs": [
            {"carrier": i.carrier, "mwh": i.mwh} for i in p.inputs]} for p in inventory.plants
            if p.product == "electricity"],
        "local_heat": [{"kind": p.kind, "mwh": p.mwh, "inputs": [
            {"carrier": i.carrier, "mwh": i.mwh} for i in p.inputs]} for p in inventory.plants
            if p.product == "heat"],
    }


# --- warnings -------------------------------------------------------------------------------------------

def warnings(inventory: Inventory, result: calc.Result | None, book: FactorBook | None = None,
             country_range: tuple[float, float] | None = None) -> list[str]:
    """Not errors: what a reviewer should look at twice."""
    out = list(result.notes) if result else []
    municipality = inventory.municipality
    baseline = next((i for i in municipality.inventories if i.kind == "baseline"), None)
    if inventory.kind == "monitoring" and baseline is not None and inventory.year <= baseline.year:
        out.append(str(_l("The monitoring year %(year)s is not after the baseline year %(baseline)s; progress "
                          "leaves this inventory out.", year=inventory.year, baseline=baseline.year)))
    if result is None:
        return out
    earlier = [i for i in municipality.inventories if i.id != inventory.id and i.year < inventory.year]
    if earlier:
        previous = max(earlier, key=lambda i: i.year)
        before, _missing_factor = try_compute(previous, book)
        if before is not None:
            for sector in calc.SECTORS:
                old, new = before.by_sector.get(sector) or 0, result.by_sector.get(sector) or 0
                if old > 0 and abs(new - old) / old > SECTOR_CHANGE_WARNING:
                    out.append(str(_l("%(sector)s changed by %(change)s %% since %(year)s: check the figures.",
                                      sector=calc.sector_label(sector),
                                      change=f"{(new - old) / old * 100:+.0f}", year=previous.year)))
    if result.per_capita_t is not None:
        low, high = PER_CAPITA_RANGE
        if country_range:
            low, high = min(low, country_range[0] / 2), max(high, country_range[1] * 2)
        if not low <= result.per_capita_t <= high:
            out.append(str(_l("%(value)s t per inhabitant is far outside the usual range (%(low)s–%(high)s t).",
                              value=result.per_capita_t, low=f"{low:g}", high=f"{high:g}")))
    return out


# --- what pages and the API show ------------------------------------------------------------------------

def summary(inventory: Inventory, result: calc.Result | None) -> dict:
    return {"id": inventory.id, "municipality_id": inventory.municipality_id, "kind": inventory.kind,
            "year": inventory.year, "approach": inventory.approach, "unit": inventory.unit,
            "population": inventory.population,
            "total_mwh": result.total_mwh if result else calc.tenths(sum(c.mwh for c in inventory.cells)),
            "total_t": result.total_t if result else None, "per_capita_t": result.per_capita_t if result else None}


def detail(inventory: Inventory, book: FactorBook | None = None) -> dict:
    book = book or FactorBook()
    result, missing = try_compute(inventory, book)
    out = summary(inventory, result)
    out.update(values_of(inventory))
    out["electricity_factor"] = result.electricity_factor if result else None
    out["heat_factor_used"] = result.heat_factor if result else None
    out["emissions"] = result.emissions() if result else []
    out["by_sector"] = result.by_sector if result else {}
    out["by_carrier"] = result.by_carrier if result else {}
    out["why"] = result.why if result else []
    out["missing_factor"] = missing.message if missing else None
    out["warnings"] = warnings(inventory, result, book)
    return out


def with_inventories() -> list:
    """Loader options for a municipality with its inventories, their cells, plants and fuel inputs: what the
    calculation reads, in three queries whatever the number of inventories."""
    inventories_ = selectinload(Municipality.inventories)
    return [inventories_.selectinload(Inventory.cells),
            inventories_.selectinload(Inventory.plants).selectinload(InventoryPlant.inputs)]


def _load(municipality_ids=None):
    query = select(Inventory).options(
        selectinload(Inventory.cells), selectinload(Inventory.plants).selectinload(InventoryPlant.inputs),
        selectinload(Inventory.municipality))
    if municipality_ids is not None:
        query = query.where(Inventory.municipality_id.in_(municipality_ids))
    return list(db.session.scalars(query.order_by(Inventory.municipality_id, Inventory.year)))


def _by_town(inventories: list[Inventory]) -> dict[int, list[Inventory]]:
    grouped: dict[int, list[Inventory]] = {}
    for inventory in inventories:
        grouped.setdefault(inventory.municipality_id, []).append(inventory)
    return grouped


@dataclass
class InventoryProgress:
    per_capita: bool
    baseline: Inventory
    baseline_result: calc.Result
    latest: Inventory | None
    latest_result: calc.Result | None
    standing: calc.Standing
    missing: list[str]

    def as_dict(self) -> dict:
        s = self.standing

        def point(inv, res):
            return None if inv is None else {"year": inv.year, "total_t": res.total_t,
                                              "per_capita_t": res.per_capita_t}

        return {"baseline": point(self.baseline, self.baseline_result),
                "latest": point(self.latest, self.latest_result), "per_capita": self.per_capita,
                "reduction_percent": s.reduction_percent, "target_percent": s.target_percent,
                "target_year": s.target_year, "trajectory_t": s.trajectory, "on_track": s.on_track,
                "behind_by_t": s.gap if s.gap is not None and s.gap > 0 else (0.0 if s.gap is not None else None),
                "by_sector": {"baseline": self.baseline_result.by_sector,
                              "latest": self.latest_result.by_sector if self.latest_result else None}}


def inventory_progress(municipality: Municipality, book: FactorBook | None = None,
                       inventories: list[Inventory] | None = None) -> InventoryProgress | None:
    """Baseline to the latest later monitoring inventory (both computable), against the target.
    Pages across many municipalities pass each one's inventories, loaded at once (`_by_town`)."""
    book = book or FactorBook()
    inventories = municipality.inventories if inventories is None else inventories
    baseline = next((i for i in inventories if i.kind == "baseline"), None)
    if baseline is None:
        return None
    base_result, _m = try_compute(baseline, book)
    if base_result is None:
        return None
    missing = []
    latest = latest_result = None
    for inv in sorted((i for i in inventories if i.kind == "monitoring" and i.year > baseline.year),
                      key=lambda i: i.year, reverse=True):
        res, miss = try_compute(inv, book)
        if res is not None:
            latest, latest_result = inv, res
            break
        missing.append(miss.message)
    per_capita = bool(municipality.target_per_capita)

    def value(res):
        return res.per_capita_t if per_capita else res.total_t

    if per_capita and (base_result.per_capita_t is None or (latest_result and latest_result.per_capita_t is None)):
        per_capita = False
    state = calc.standing(
        baseline_year=baseline.year, baseline=value(base_result), latest_year=latest.year if latest else None,
        latest=value(latest_result) if latest_result else None,
        target_percent=municipality.reduction_target_percent,
        target_year=municipality.target_year, per_capita=per_capita)
    return InventoryProgress(per_capita, baseline, base_result, latest, latest_result, state, missing)


def municipality_progress(municipality: Municipality, book: FactorBook | None = None, today=None):
    """The municipality's progress (services.Progress) with its measured figures from its emission inventories
    when it has a baseline and a later monitoring one: the one rule for the municipality page, the
    coordinator dashboard and `GET /municipalities/{id}/progress`. Wants `with_inventories()` loaded."""
    from app.municipalities.services import progress

    book = book or FactorBook()
    measured = inventory_progress(municipality, book)
    points = None
    if measured is not None and measured.latest is not None:
        points = [(measured.baseline.year, measured.baseline_result.total_t)]
        for inventory in sorted(municipality.inventories, key=lambda i: i.year):
            if inventory.kind == "monitoring" and inventory.year > measured.baseline.year:
                result, _missing = try_compute(inventory, book)
                if result is not None:
                    points.append((inventory.year, result.total_t))
    return progress(municipality, today, measured=measured, measured_points=points), measured


# --- coordinator overview -------------------------------------------------------------------------------

OVERVIEW_COLUMNS = ("name", "country", "baseline_year", "baseline_t", "latest_year", "latest_t", "reduction_percent",
                    "target_percent", "target_year", "on_track", "behind_by_t", "per_capita_t",
                    "country_median_per_capita_t", "last_inventory_year", "missing")


def _median(values: list[float]) -> float | None:
    values = sorted(values)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def overview(user) -> list[dict]:
    """One row per municipality the user follows or edits (admins: every one)."""
    query = select(Municipality).order_by(Municipality.name)
    if not user.is_admin:
        query = query.where(Municipality.members.any(
            (MunicipalityMember.user_id == user.id) & (MunicipalityMember.status == "accepted")))
    municipalities = list(db.session.scalars(query))
    if not municipalities:
        return []
    countries = {m.country for m in municipalities}
    book = FactorBook()
    by_town = _by_town(_load(select(Municipality.id).where(Municipality.country.in_(countries))))
    # latest computable per capita of every municipality of these countries
    per_capita_by_country: dict[str, list[float]] = {}
    latest_pc: dict[int, float] = {}
    for town_id, invs in by_town.items():
        for inv in sorted(invs, key=lambda i: i.year, reverse=True):
            res, _m = try_compute(inv, book)
            if res is not None and res.per_capita_t is not None:
                latest_pc[town_id] = res.per_capita_t
                per_capita_by_country.setdefault(inv.municipality.country, []).append(res.per_capita_t)
                break
    rows = []
    for m in municipalities:
        invs = by_town.get(m.id, [])
        progress = inventory_progress(m, book, invs) if invs else None
        missing = []
        if not any(i.kind == "baseline" for i in invs):
            missing.append(str(_l("no baseline inventory")))
        if not any(i.kind == "monitoring" for i in invs):
            missing.append(str(_l("no monitoring inventory")))
        for inv in invs:
            _r, miss = try_compute(inv, book)
            if miss is not None:
                missing.append(f"{inv.year}: {miss.message}")
        if m.reduction_target_percent is None or not m.target_year:
            missing.append(str(_l("no target")))
        s = progress.standing if progress else None
        median = _median(per_capita_by_country.get(m.country, []))
        rows.append({
            "id": m.id, "name": m.name, "country": m.country,
            "baseline_year": progress.baseline.year if progress else None,
            "baseline_t": progress.baseline_result.total_t if progress else None,
            "latest_year": progress.latest.year if progress and progress.latest else None,
            "latest_t": progress.latest_result.total_t if progress and progress.latest_result else None,
            "reduction_percent": s.reduction_percent if s else None,
            "target_percent": m.reduction_target_percent, "target_year": m.target_year,
            "on_track": s.on_track if s else None,
            "behind_by_t": (s.gap if s.gap > 0 else 0.0) if s and s.gap is not None else None,
            "per_capita_t": latest_pc.get(m.id), "country_median_per_capita_t": median,
            "last_inventory_year": max((i.year for i in invs), default=None),
            "missing": missing,
        })
    return rows


def overview_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(OVERVIEW_COLUMNS)
    for row in rows:
        writer.writerow(["; ".join(row[c]) if c == "missing" else _csv_cell(row[c]) for c in OVERVIEW_COLUMNS])
    return out.getvalue()


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return spreadsheet_safe(value) if isinstance(value, str) else value


# --- indicators for /results ----------------------------------------------------------------------------

def measured_indicators() -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """measured_co2_reduction_t (baseline − latest, t CO2) and inventory_municipalities, by country."""
    book = FactorBook()
    by_country: dict[str, dict[str, float]] = {}
    for invs in _by_town(_load()).values():
        town = invs[0].municipality
        row = by_country.setdefault(town.country, {"measured_co2_reduction_t": 0.0, "inventory_municipalities": 0,
                                                   "baseline_co2_t": 0.0, "latest_co2_t": 0.0})
        progress = inventory_progress(town, book, invs)
        if progress is None or progress.latest_result is None:
            continue
        row["inventory_municipalities"] += 1
        row["baseline_co2_t"] += progress.baseline_result.total_t
        row["latest_co2_t"] += progress.latest_result.total_t
        row["measured_co2_reduction_t"] += progress.baseline_result.total_t - progress.latest_result.total_t
    for row in by_country.values():
        for key in ("measured_co2_reduction_t", "baseline_co2_t", "latest_co2_t"):
            row[key] = calc.tenths(row[key])
    totals = {key: calc.tenths(sum(r[key] for r in by_country.values())) if key.endswith("_t")
              else sum(r[key] for r in by_country.values())
              for key in ("measured_co2_reduction_t", "inventory_municipalities", "baseline_co2_t", "latest_co2_t")}
    return totals, by_country


# --- CSV import and export ------------------------------------------------------------------------------

CSV_COLUMNS = ("sector", "carrier", "mwh")


def export_csv(inventory: Inventory) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for cell in inventory.cells:
        writer.writerow([cell.sector, cell.carrier, f"{cell.mwh:g}"])
    return out.getvalue()


def read_consumption_csv(data: bytes) -> tuple[list[dict], list[tuple[int, str]]]:
    """Consumption rows of a long-form CSV (sector, carrier, mwh) and the bad lines with their reason."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [(1, str(_l("The file is not UTF-8 text.")))]
    rows, errors = [], []
    try:
        sample = text[:2048]
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [str(h).strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_COLUMNS if c not in header]
    if missing:
        return [], [(1, str(_l("Missing columns: %(names)s.", names=", ".join(missing))))]
    seen: dict[tuple, int] = {}
    try:
        for number, raw in enumerate(reader, start=2):
            row = {str(k).strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
            if not any(row.values()):
                continue
            problem = _check_row(row, seen, number)
            if problem:
                errors.append((number, problem))
            else:
                rows.append({"sector": row["sector"], "carrier": row["carrier"], "mwh": row["mwh"]})
    except csv.Error as error:
        errors.append((reader.line_num, str(error)))
    return rows, errors


def _check_row(row: dict, seen: dict, number: int) -> str | None:
    """One reason for one bad consumption row (CSV and XLSX alike), or None."""
    for name in ("sector", "carrier", "mwh"):
        if control_problem(str(row.get(name) or "")):
            return f"{name}: {control_problem(str(row.get(name)))}"
    sub = _Errors()
    sector = _code(row, "sector", calc.SECTORS, sub)
    carrier = _code(row, "carrier", calc.CARRIERS, sub)
    _number(row, "mwh", sub, minimum=0, maximum=MWH_MAX)
    if sector and carrier and not calc.allowed(sector, carrier):
        sub.add("carrier", _l("%(sector)s cannot use %(carrier)s.", sector=calc.sector_label(sector),
                              carrier=calc.carrier_label(carrier)))
    if sector and carrier and (sector, carrier) in seen:
        sub.add("carrier", _l("Same sector and carrier as line %(line)d.", line=seen[(sector, carrier)]))
    if sub:
        return "; ".join(f"{k}: {' '.join(v)}" for k, v in sub.items())
    seen[(sector, carrier)] = number
    return None


def import_consumption(actor, inventory: Inventory, rows: list[dict]) -> Inventory:
    """Replace the inventory's consumption with checked rows (the caller reported bad lines already)."""
    values = values_of(inventory)
    values["consumption"] = rows
    return update_inventory(actor, inventory, values)

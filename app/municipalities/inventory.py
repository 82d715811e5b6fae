"""Emission inventories (BEI and MEI): the codes of the Covenant's template and the ONE calculation.

Pure functions on plain values (no database, no request): pages, the JSON API, the CSV/XLSX export and
the public results all call `compute`. REFERENCE.md ("Emission inventories") has the formulas:

    cell t = MWh x the carrier's factor
    EFE = ((TCE - LPE - GEP) x NEEFE + CO2LPE + CO2GEP) / TCE
    heat factor = emissions of local heat production / heat delivered, or the supplier's factor
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l

KINDS: dict[str, object] = {"baseline": _l("Baseline emission inventory (BEI)"),
                            "monitoring": _l("Monitoring emission inventory (MEI)")}
APPROACHES: dict[str, object] = {"ipcc": _l("IPCC standard factors"), "lca": _l("Life-cycle (LCA) factors")}
UNITS: dict[str, object] = {"t-co2": _l("t CO2"), "t-co2-eq": _l("t CO2-eq")}

SECTOR_GROUPS: dict[str, object] = {
    "buildings": _l("Buildings, equipment/facilities and industries"),
    "transport": _l("Transport"),
    "other": _l("Other"),
}
# code -> (label, group)
SECTORS: dict[str, tuple[object, str]] = {
    "municipal-buildings": (_l("Municipal buildings, equipment/facilities"), "buildings"),
    "tertiary-buildings": (_l("Tertiary (non-municipal) buildings, equipment/facilities"), "buildings"),
    "residential-buildings": (_l("Residential buildings"), "buildings"),
    "public-lighting": (_l("Public lighting"), "buildings"),
    "industry": (_l("Industry (non-ETS)"), "buildings"),
    "municipal-fleet": (_l("Municipal fleet"), "transport"),
    "public-transport": (_l("Public transport"), "transport"),
    "private-transport": (_l("Private and commercial transport"), "transport"),
    "agriculture": (_l("Agriculture, forestry, fisheries"), "other"),
}
CARRIER_GROUPS: dict[str, object] = {"electricity": _l("Electricity"), "heat": _l("Heat/cold"),
                                     "fossil": _l("Fossil fuels"), "renewable": _l("Renewable energies")}
# code -> (label, group)
CARRIERS: dict[str, tuple[object, str]] = {
    "electricity": (_l("Electricity"), "electricity"),
    "heat-cold": (_l("Heat/cold"), "heat"),
    "natural-gas": (_l("Natural gas"), "fossil"),
    "liquid-gas": (_l("Liquid gas"), "fossil"),
    "heating-oil": (_l("Heating oil"), "fossil"),
    "diesel": (_l("Diesel"), "fossil"),
    "gasoline": (_l("Gasoline"), "fossil"),
    "lignite": (_l("Lignite"), "fossil"),
    "coal": (_l("Coal"), "fossil"),
    "other-fossil": (_l("Other fossil fuels"), "fossil"),
    "plant-oil": (_l("Plant oil"), "renewable"),
    "biofuel": (_l("Biofuel"), "renewable"),
    "other-biomass": (_l("Other biomass"), "renewable"),
    "solar-thermal": (_l("Solar thermal"), "renewable"),
    "geothermal": (_l("Geothermal"), "renewable"),
}
PLANT_KINDS: dict[str, object] = {"wind": _l("Wind"), "hydro": _l("Hydro"), "photovoltaics": _l("Photovoltaics"),
                                  "chp": _l("Combined heat and power"), "other": _l("Other")}
HEAT_PLANT_KINDS: dict[str, object] = {"chp": _l("Combined heat and power"),
                                       "district-heating": _l("District heating plant"), "other": _l("Other")}
# Plants without fuel: their production emits nothing on the territory.
FUELLESS = {"wind", "hydro", "photovoltaics"}

# Standard (IPCC) factors, t CO2 per MWh of final energy (REFERENCE.md); electricity, heat and
# other-fossil come with the country, the inventory or its local production.
IPCC_FACTORS: dict[str, float] = {
    "natural-gas": 0.202, "liquid-gas": 0.227, "heating-oil": 0.267, "diesel": 0.267, "gasoline": 0.249,
    "lignite": 0.364, "coal": 0.341, "plant-oil": 0.0, "biofuel": 0.0, "other-biomass": 0.0,
    "solar-thermal": 0.0, "geothermal": 0.0,
}
IPCC_SOURCE = "IPCC 2006 (JRC SEAP guidebook, table 4)"

_NOT_IN_TRANSPORT = {"coal", "lignite", "heat-cold", "solar-thermal", "geothermal"}


def allowed(sector: str, carrier: str) -> bool:
    """Whether the template has a cell for this sector and carrier (public lighting: electricity only;
    transport: no coal, lignite, heat, solar thermal or geothermal)."""
    if sector not in SECTORS or carrier not in CARRIERS:
        return False
    if sector == "public-lighting":
        return carrier == "electricity"
    if SECTORS[sector][1] == "transport":
        return carrier not in _NOT_IN_TRANSPORT
    return True


def allowed_carriers(sector: str) -> list[str]:
    return [c for c in CARRIERS if allowed(sector, c)]


def sector_label(code: str) -> str:
    return str(SECTORS[code][0]) if code in SECTORS else code


def carrier_label(code: str) -> str:
    return str(CARRIERS[code][0]) if code in CARRIERS else code


def tenths(value: float | None) -> float | None:
    """Half away from zero, the same on every machine and database."""
    if value is None:
        return None
    return float(Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def thousandths(value: float | None) -> float | None:
    if value is None:
        return None
    return float(Decimal(repr(float(value))).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


class MissingFactor(Exception):
    """A factor the calculation needs is not there: never a wrong total."""

    def __init__(self, what: str, message: str, *, country: str | None = None, year: int | None = None,
                 approach: str | None = None, carrier: str | None = None):
        super().__init__(message)
        self.what, self.message = what, message
        self.country, self.year, self.approach, self.carrier = country, year, approach, carrier


@dataclass
class Plant:
    kind: str
    mwh: float
    inputs: dict[str, float] = field(default_factory=dict)  # carrier -> MWh of fuel


@dataclass
class InventoryInput:
    """What an inventory holds, as plain values (the model's `as_input()` gives it)."""

    country: str
    year: int
    approach: str = "ipcc"
    population: int | None = None
    consumption: dict[tuple[str, str], float] = field(default_factory=dict)
    local_electricity: list[Plant] = field(default_factory=list)
    local_heat: list[Plant] = field(default_factory=list)
    green_electricity_mwh: float = 0.0
    heat_factor: float | None = None
    other_fossil_factor: float | None = None


@dataclass
class Cell:
    sector: str
    carrier: str
    mwh: float
    factor: float
    t: float


@dataclass
class Result:
    electricity_factor: float | None
    heat_factor: float | None
    factors: dict[str, float]  # carrier -> t/MWh used
    cells: list[Cell]
    by_sector: dict[str, float]
    by_carrier: dict[str, float]
    mwh_by_sector: dict[str, float]
    mwh_by_carrier: dict[str, float]
    total_mwh: float
    total_t: float
    per_capita_t: float | None
    why: list[str]  # the formula and factors, in words
    notes: list[str]

    def emissions(self) -> list[dict]:
        return [{"sector": c.sector, "carrier": c.carrier, "mwh": tenths(c.mwh), "factor": c.factor,
                 "t": tenths(c.t)} for c in self.cells]


def carrier_factors(approach: str, lca_factors: dict[str, float] | None = None) -> dict[str, float]:
    """Fuel factors: the built-in IPCC ones, or the life-cycle set admins entered."""
    if approach == "ipcc":
        return dict(IPCC_FACTORS)
    return dict(lca_factors or {})


def _fuel_emissions(inputs: dict[str, float], factors: dict[str, float], data: InventoryInput) -> float:
    total = 0.0
    for carrier, mwh in inputs.items():
        total += mwh * _factor_for(carrier, factors, data)
    return total


def _factor_for(carrier: str, factors: dict[str, float], data: InventoryInput) -> float:
    if carrier == "other-fossil":
        if data.other_fossil_factor is None:
            raise MissingFactor("other-fossil", str(_l(
                "Other fossil fuels need their emission factor (t CO2 per MWh), given with the inventory.")),
                carrier=carrier)
        return data.other_fossil_factor
    if carrier not in factors:
        raise MissingFactor("carrier", str(_l(
            "No %(approach)s emission factor for %(carrier)s: an administrator adds it.",
            approach=str(APPROACHES.get(data.approach, data.approach)), carrier=carrier_label(carrier))),
            carrier=carrier, approach=data.approach)
    return factors[carrier]


def local_electricity_factor(*, tce: float, neefe: float, lpe: float = 0.0, gep: float = 0.0,
                             co2_lpe: float = 0.0, co2_gep: float = 0.0) -> float:
    """EFE = ((TCE − LPE − GEP) × NEEFE + CO2LPE + CO2GEP) / TCE; the national factor when TCE is 0.
    Local production and green purchases beyond the consumption do not make the factor negative."""
    if tce <= 0:
        return neefe
    rest = max(tce - lpe - gep, 0.0)
    return (rest * neefe + co2_lpe + co2_gep) / tce


def compute(data: InventoryInput, neefe: float | None, lca_factors: dict[str, float] | None = None) -> Result:
    """Every cell's emissions, the local electricity and heat factors, the totals and "why this number".

    `neefe`: the national electricity factor of the country, year and approach (None: not known).
    Raises MissingFactor naming what is missing instead of computing a wrong total.
    """
    factors = carrier_factors(data.approach, lca_factors)
    notes: list[str] = []
    why: list[str] = []
    consumption = {k: float(v) for k, v in data.consumption.items() if v}
    tce = sum(v for (s, c), v in consumption.items() if c == "electricity")
    heat = sum(v for (s, c), v in consumption.items() if c == "heat-cold")

    efe = None
    if tce > 0 or data.local_electricity or data.green_electricity_mwh:
        if neefe is None:
            raise MissingFactor("electricity", str(_l(
                "No national electricity emission factor for %(country)s in %(year)s (%(approach)s): "
                "an administrator adds it under Emission factors.", country=data.country, year=data.year,
                approach=str(APPROACHES.get(data.approach, data.approach)))),
                country=data.country, year=data.year, approach=data.approach, carrier="electricity")
        lpe = sum(p.mwh for p in data.local_electricity)
        co2_lpe = sum(_fuel_emissions(p.inputs, factors, data) for p in data.local_electricity
                      if p.kind not in FUELLESS)
        gep = float(data.green_electricity_mwh or 0)
        efe = local_electricity_factor(tce=tce, neefe=neefe, lpe=lpe, gep=gep, co2_lpe=co2_lpe)
        if tce > 0 and lpe + gep > tce:
            notes.append(str(_l("Local production and green purchases exceed the electricity consumption; "
                                "the local factor counts only their emissions.")))
        why.append(str(_l(
            "Electricity: EFE = ((TCE − LPE − GEP) × NEEFE + CO2LPE + CO2GEP) / TCE = "
            "((%(tce)s − %(lpe)s − %(gep)s) × %(neefe)s + %(co2)s + 0) / %(tce)s = %(efe)s t/MWh",
            tce=_n(tce), lpe=_n(lpe), gep=_n(gep), neefe=neefe, co2=_n(co2_lpe), efe=thousandths(efe))))
        factors["electricity"] = efe

    heat_factor = None
    if heat > 0 or data.local_heat or data.heat_factor is not None:
        if data.heat_factor is not None:
            heat_factor = float(data.heat_factor)
            why.append(str(_l("Heat/cold: the supplier's factor, %(factor)s t/MWh", factor=heat_factor)))
        elif data.local_heat and sum(p.mwh for p in data.local_heat) > 0:
            delivered = sum(p.mwh for p in data.local_heat)
            co2_heat = sum(_fuel_emissions(p.inputs, factors, data) for p in data.local_heat)
            heat_factor = co2_heat / delivered
            why.append(str(_l("Heat/cold: emissions of local heat production ÷ heat delivered = "
                              "%(co2)s ÷ %(mwh)s = %(factor)s t/MWh", co2=_n(co2_heat), mwh=_n(delivered),
                              factor=thousandths(heat_factor))))
        elif heat > 0:
            raise MissingFactor("heat", str(_l(
                "Heat/cold is consumed but neither local heat production nor the supplier's heat factor "
                "is given.")), carrier="heat-cold")
        if heat_factor is not None:
            factors["heat-cold"] = heat_factor

    cells = []
    for sector in SECTORS:
        for carrier in CARRIERS:
            mwh = consumption.get((sector, carrier))
            if not mwh:
                continue
            factor = _factor_for(carrier, factors, data)
            cells.append(Cell(sector, carrier, mwh, thousandths(factor) if carrier in ("electricity", "heat-cold")
                              else factor, mwh * factor))
    used = {c.carrier for c in cells}
    for carrier in CARRIERS:
        if carrier in used and carrier not in ("electricity", "heat-cold"):
            why.append(str(_l("%(carrier)s: %(factor)s t/MWh (%(source)s)", carrier=carrier_label(carrier),
                              factor=_factor_for(carrier, factors, data),
                              source=IPCC_SOURCE if data.approach == "ipcc" and carrier in IPCC_FACTORS
                              else _l("given with the inventory") if carrier == "other-fossil"
                              else _l("life-cycle factor set"))))
    why.append(str(_l("Each cell: MWh × the carrier's factor; totals add the cells.")))

    by_sector = dict.fromkeys(SECTORS, 0.0)
    by_carrier = dict.fromkeys(CARRIERS, 0.0)
    mwh_sector = dict.fromkeys(SECTORS, 0.0)
    mwh_carrier = dict.fromkeys(CARRIERS, 0.0)
    for cell in cells:
        by_sector[cell.sector] += cell.t
        by_carrier[cell.carrier] += cell.t
        mwh_sector[cell.sector] += cell.mwh
        mwh_carrier[cell.carrier] += cell.mwh
    total_t = sum(c.t for c in cells)
    total_mwh = sum(c.mwh for c in cells)
    per_capita = total_t / data.population if data.population else None
    return Result(
        electricity_factor=thousandths(efe), heat_factor=thousandths(heat_factor),
        factors={k: v for k, v in factors.items() if k in used},
        cells=cells, by_sector={k: tenths(v) for k, v in by_sector.items()},
        by_carrier={k: tenths(v) for k, v in by_carrier.items()},
        mwh_by_sector={k: tenths(v) for k, v in mwh_sector.items()},
        mwh_by_carrier={k: tenths(v) for k, v in mwh_carrier.items()},
        total_mwh=tenths(total_mwh), total_t=tenths(total_t),
        per_capita_t=None if per_capita is None else float(
            Decimal(repr(per_capita)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)),
        why=why, notes=notes)


def _n(value: float) -> str:
    return f"{tenths(value):g}"


# --- progress ---------------------------------------------------------------------------------------------

@dataclass
class Standing:
    """Baseline to latest against the target (REFERENCE.md, Progress)."""

    per_capita: bool
    baseline_year: int
    baseline: float
    latest_year: int | None
    latest: float | None
    reduction_percent: float | None
    target_percent: float | None
    target_year: int | None
    trajectory: float | None  # where the straight line stands in the latest year
    on_track: bool | None
    gap: float | None  # latest − trajectory; > 0 behind


def standing(*, baseline_year: int, baseline: float, latest_year: int | None, latest: float | None,
             target_percent: float | None, target_year: int | None, per_capita: bool = False) -> Standing:
    reduction = None
    if latest is not None and baseline:
        reduction = (baseline - latest) / baseline * 100
    trajectory = gap = on_track = None
    if target_percent is not None and target_year and target_year > baseline_year and latest_year is not None:
        goal = baseline * (1 - target_percent / 100)
        share = min(max((latest_year - baseline_year) / (target_year - baseline_year), 0.0), 1.0)
        trajectory = baseline + (goal - baseline) * share
        gap = latest - trajectory
        on_track = gap <= 1e-9
    rnd = (lambda v: None if v is None else round(v, 3)) if per_capita else tenths
    return Standing(per_capita, baseline_year, rnd(baseline), latest_year, rnd(latest), tenths(reduction),
                    target_percent, target_year, rnd(trajectory), on_track, rnd(gap))


def trajectory_points(baseline_year: int, baseline: float, target_year: int, target_percent: float):
    return [(baseline_year, baseline), (target_year, baseline * (1 - target_percent / 100))]

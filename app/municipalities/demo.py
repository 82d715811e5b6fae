"""Demo data: the 40 municipalities the project coached in its six countries, with their action plans,
actions and monitoring reports, dated relative to today so the dashboards and reminders look alive.

`--scale N` adds N-1 copies of the 40 (bulk inserts), followed by the scaled coordinators.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert, select

from app.auth.models import User
from app.core.demo import DemoContext
from app.core.timeutil import utcnow
from app.extensions import db
from app.municipalities.models import MonitoringReport, Municipality, MunicipalityMember, SeapAction

# (name, country, population, supporting organisation, follower, editor)
MUNICIPALITIES = [
    ("Hasselt", "BE", 78_700, "Province of Limburg", "pieter", None),
    ("Genk", "BE", 66_900, "Province of Limburg", "pieter", None),
    ("Sint-Truiden", "BE", 40_900, "Province of Limburg", "pieter", None),
    ("Tongeren", "BE", 30_900, "Province of Limburg", "pieter", None),
    ("Lommel", "BE", 34_800, "Province of Limburg", "pieter", None),
    ("Namur", "BE", 111_400, "Union des Villes de Wallonie", "sophie", None),
    ("Liège", "BE", 196_800, "Union des Villes de Wallonie", "sophie", None),
    ("Koprivnica", "HR", 30_900, "REGEA Zagreb energy agency", "ivana", "mirela"),
    ("Karlovac", "HR", 55_700, "REGEA Zagreb energy agency", "ivana", None),
    ("Velika Gorica", "HR", 63_500, "REGEA Zagreb energy agency", "ivana", None),
    ("Samobor", "HR", 37_600, "REGEA Zagreb energy agency", "ivana", None),
    ("Zaprešić", "HR", 25_200, "REGEA Zagreb energy agency", "ivana", None),
    ("Ivanić-Grad", "HR", 14_200, "REGEA Zagreb energy agency", "ivana", None),
    ("Heraklion", "GR", 173_900, "Region of Crete", "nikos", "maria"),
    ("Chania", "GR", 108_600, "Region of Crete", "nikos", None),
    ("Rethymno", "GR", 55_500, "Region of Crete", "nikos", None),
    ("Agios Nikolaos", "GR", 27_100, "Region of Crete", "nikos", None),
    ("Hersonissos", "GR", 26_700, "Region of Crete", "nikos", None),
    ("Sitia", "GR", 18_300, "Region of Crete", "nikos", None),
    ("Phaistos", "GR", 24_500, "Region of Crete", "nikos", None),
    ("Genova", "IT", 580_100, "Province of Genoa", "giulia", None),
    ("Bergamo", "IT", 120_300, "Province of Bergamo", "giulia", "luca"),
    ("Chiavari", "IT", 27_400, "Province of Genoa", "giulia", None),
    ("Rapallo", "IT", 29_300, "Province of Genoa", "giulia", None),
    ("Sestri Levante", "IT", 18_200, "Province of Genoa", "giulia", None),
    ("Camogli", "IT", 5_300, "Province of Genoa", "giulia", None),
    ("Seriate", "IT", 25_300, "Province of Bergamo", "giulia", None),
    ("Dalmine", "IT", 23_400, "Province of Bergamo", "giulia", None),
    ("Bielsko-Biała", "PL", 170_700, "Association of Polish Cities", "tomasz", "agnieszka"),
    ("Lublin", "PL", 339_800, "Association of Polish Cities", "tomasz", None),
    ("Gdynia", "PL", 246_300, "Association of Polish Cities", "tomasz", None),
    ("Dzierżoniów", "PL", 33_300, "Association of Polish Cities", "tomasz", None),
    ("Niepołomice", "PL", 14_600, "Association of Polish Cities", "tomasz", None),
    ("Żywiec", "PL", 31_200, "Association of Polish Cities", "tomasz", None),
    ("Murcia", "ES", 453_300, "Diputació de Barcelona", "javier", "lucia"),
    ("Sabadell", "ES", 211_700, "Diputació de Barcelona", "javier", None),
    ("Terrassa", "ES", 218_500, "Diputació de Barcelona", "javier", None),
    ("Granollers", "ES", 61_300, "Diputació de Barcelona", "javier", None),
    ("Manresa", "ES", 77_000, "Diputació de Barcelona", "javier", None),
    ("Vilanova i la Geltrú", "ES", 67_100, "Diputació de Barcelona", "javier", None),
]

# (title, sector, area, instrument, weight of its expected t CO2 per year, investment EUR per 8 t)
ACTIONS = [
    ("LED retrofit of the street lighting", "public-lighting", "efficient-lighting", "energy-management", 90, 900),
    ("Energy refurbishment of primary schools", "municipal-buildings", "building-envelope",
     "third-party-financing", 60, 3500),
    ("Photovoltaic panels on municipal roofs", "local-electricity", "photovoltaics", "public-procurement", 70, 2200),
    ("Energy desk for homeowners", "residential-buildings", "behavioural-change", "awareness", 80, 300),
    ("Renovation grants for older homes", "residential-buildings", "building-envelope", "grants", 150, 2800),
    ("Extension of the cycle network", "transport", "modal-shift-walking-cycling", "mobility-planning", 55, 1800),
    ("Electric vehicles in the municipal fleet", "transport", "clean-vehicles", "public-procurement", 25, 4000),
    ("Biomass district heating for the centre", "local-heat-cold", "district-heating", "third-party-financing",
     180, 1500),
    ("Energy monitoring of public buildings", "municipal-buildings", "ict", "energy-management", 35, 600),
    ("Solar hot water on sports centres", "municipal-buildings", "renewables-heating", "grants", 20, 2500),
    ("Energy audits for shops and offices", "tertiary-buildings", "integrated-action", "voluntary-agreements",
     65, 400),
    ("Car sharing with electric cars", "transport", "car-sharing", "mobility-planning", 30, 700),
    ("Eco-driving course for bus drivers", "transport", "eco-driving", "awareness", 20, 150),
    ("Biogas from the wastewater plant", "waste-water", "chp", "third-party-financing", 110, 1600),
    ("Citizen wind cooperative", "local-electricity", "wind", "voluntary-agreements", 200, 1300),
    ("Efficient motors in small industry", "industry", "efficient-appliances", "grants", 75, 900),
    ("Building code for low-energy homes", "residential-buildings", "building-envelope", "building-standards",
     90, 100),
]
BODIES = {"BE": "Technical services", "HR": "City energy office", "GR": "Municipal energy department",
          "IT": "Ufficio energia", "PL": "Wydział ochrony środowiska", "ES": "Oficina de energía"}


def _years_ago(today: date, years: int, rng) -> date:
    return date(today.year - years, rng.randint(1, 12), rng.randint(1, 28))


def _plan(rng, today: date, index: int, name, country, population, organisation):
    """One municipality's registry row, actions and reports (plain dicts)."""
    signed = _years_ago(today, rng.randint(6, 11), rng)
    submitted = signed + timedelta(days=rng.randint(200, 400))
    baseline_year = signed.year - rng.randint(3, 7)
    emissions = round(population * rng.uniform(4.8, 7.5), -2)
    # Plans from 2016 on are SECAPs: at least 40 % by 2030; earlier SEAPs: 20 % or more by 2020.
    target, target_year = (40, 2030) if submitted.year >= 2016 else rng.choice([(20, 2020), (20, 2020), (25, 2020)])
    municipality = dict(name=name, country=country, population=population, supporting_organisation=organisation,
                        covenant_signed_on=signed, seap_submitted_on=submitted, baseline_year=baseline_year,
                        target_year=target_year, reduction_target_percent=float(target),
                        baseline_emissions_t=float(emissions), notes="")
    actions = []
    for title, sector, area, instrument, per_10k, eur_per_t in rng.sample(ACTIONS, rng.randint(4, 8)):
        start = submitted + timedelta(days=rng.randint(30, 365 * 8))
        end = start + timedelta(days=rng.randint(180, 365 * 3))
        expected = round(per_10k * 12 * population / 10_000 * rng.uniform(0.6, 1.4), 1)
        if start > today:
            status = "not-started"
        elif end >= today:
            status = rng.choices(["ongoing", "postponed"], [90, 10])[0]
        else:  # should be over by now: most are, some run late, a few were dropped
            status = rng.choices(["completed", "ongoing", "postponed", "cancelled"], [72, 14, 8, 6])[0]
        done = status == "completed"
        actions.append(dict(
            title=title, sector=sector, area=area, instrument=instrument, status=status,
            responsible_body=BODIES[country], starts_on=start, ends_on=end, completed_on=end if done else None,
            expected_co2_t=expected, expected_energy_saving_mwh=round(expected * rng.uniform(2.5, 4), 0),
            expected_renewable_mwh=round(expected * 2.2, 0) if area in ("photovoltaics", "wind", "hydro",
                                                                        "renewables-heating", "chp",
                                                                        "district-heating", "biomass") else None,
            investment_eur=round(expected * eur_per_t / 8, -3),
            achieved_co2_t=round(expected * rng.uniform(0.7, 1.1), 1) if done else None,
            achieved_energy_saving_mwh=None, achieved_renewable_mwh=None))
    reports = []
    late = index % 4 == 3  # a quarter of them owe a report
    yearly_cut = rng.uniform(0.008, 0.025)
    day, n = submitted, 0
    while True:
        n += 1
        day = date(day.year + 2, day.month, min(day.day, 28)) + timedelta(days=rng.randint(-20, 40))
        if day >= today or (late and date(day.year + 2, day.month, 1) >= today):
            break
        full = n % 2 == 0
        year = day.year - 2
        reports.append(dict(submitted_on=day, kind="full" if full else "action", monitoring_year=year,
                            emissions_t=round(emissions * (1 - yearly_cut * (year - baseline_year)), -2)
                            if full else None, notes=""))
    return municipality, actions, reports


def load_municipalities(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = utcnow().date()
    users = ctx.data.get("users", {})
    scaled: dict[tuple[str, int], int] = {}
    if ctx.scale > 1:
        for user_id, email in db.session.execute(select(User.id, User.email).where(User.email.like("%.%@%"))):
            local = email.split("@")[0]
            base, _, copy = local.rpartition(".")
            if copy.isdigit():
                scaled[(base, int(copy))] = user_id
    for copy in range(1, ctx.scale + 1):
        plans = [_plan(rng, today, i, name if copy == 1 else f"{name} ({copy})", country, population, organisation)
                 for i, (name, country, population, organisation, _f, _e) in enumerate(MUNICIPALITIES)]
        ids = db.session.scalars(insert(Municipality).returning(Municipality.id, sort_by_parameter_order=True),
                                 [p[0] for p in plans]).all()
        actions, reports, members = [], [], []
        for municipality_id, (_m, plan_actions, plan_reports), spec in zip(ids, plans, MUNICIPALITIES, strict=True):
            actions += [dict(a, municipality_id=municipality_id) for a in plan_actions]
            reports += [dict(r, municipality_id=municipality_id) for r in plan_reports]
            for local, role in ((spec[4], "follower"), (spec[5], "editor")):
                if not local:
                    continue
                user_id = users[local].id if copy == 1 and local in users else scaled.get((local, copy))
                if user_id:
                    members.append(dict(municipality_id=municipality_id, user_id=user_id, role=role,
                                        status="accepted"))
        db.session.execute(insert(SeapAction), actions)
        if reports:
            db.session.execute(insert(MonitoringReport), reports)
        if members:
            db.session.execute(insert(MunicipalityMember), members)


# --- emission inventories ---------------------------------------------------------------------------------

# National electricity factors (t CO2/MWh, IPCC) for the demo: marked demo, not the JRC's published values.
DEMO_NEEFE = {"BE": 0.22, "HR": 0.30, "GR": 0.78, "IT": 0.42, "PL": 1.05, "ES": 0.36}
# MWh per inhabitant and year by sector (a town of 20,000: about 200,000 MWh) and how carriers share it.
SECTOR_MWH = {"residential-buildings": 3.3, "tertiary-buildings": 1.5, "municipal-buildings": 0.3,
              "public-lighting": 0.08, "industry": 0.7, "municipal-fleet": 0.05, "public-transport": 0.15,
              "private-transport": 3.6, "agriculture": 0.2}
SPLIT = {
    "residential-buildings": {"electricity": 0.3, "natural-gas": 0.45, "heating-oil": 0.15, "other-biomass": 0.07,
                              "solar-thermal": 0.03},
    "tertiary-buildings": {"electricity": 0.6, "natural-gas": 0.35, "heating-oil": 0.05},
    "municipal-buildings": {"electricity": 0.45, "natural-gas": 0.5, "heating-oil": 0.05},
    "public-lighting": {"electricity": 1.0},
    "industry": {"electricity": 0.5, "natural-gas": 0.5},
    "municipal-fleet": {"diesel": 0.85, "gasoline": 0.1, "electricity": 0.05},
    "public-transport": {"diesel": 0.8, "electricity": 0.15, "biofuel": 0.05},
    "private-transport": {"diesel": 0.55, "gasoline": 0.4, "liquid-gas": 0.03, "biofuel": 0.02},
    "agriculture": {"diesel": 0.8, "electricity": 0.2},
}
# Homes heat differently: coal in Poland, oil and electricity in Greece.
RESIDENTIAL = {"PL": {"electricity": 0.2, "coal": 0.3, "natural-gas": 0.3, "heat-cold": 0.15, "other-biomass": 0.05},
               "GR": {"electricity": 0.45, "heating-oil": 0.4, "liquid-gas": 0.05, "solar-thermal": 0.1}}
# name -> (has a monitoring inventory, monitoring change factor, PV MWh per 1,000 inhabitants, CHP)
INVENTORY_TOWNS = {
    "Hasselt": (True, 0.76, 40, False), "Genk": (True, 0.72, 25, False),
    "Koprivnica": (False, None, 20, False),  # its editor enters the monitoring inventory (browser journey)
    "Karlovac": (True, 1.02, 0, False),  # behind its trajectory: emissions went up
    "Heraklion": (True, 0.8, 60, False), "Chania": (True, 0.85, 45, False),
    "Bergamo": (True, 0.74, 30, True), "Chiavari": (True, 0.72, 20, False),
    "Bielsko-Biała": (True, 0.78, 10, True), "Dzierżoniów": (True, 0.8, 5, False),
    "Murcia": (True, 0.7, 70, False), "Granollers": (True, 0.7, 35, False),
}


def _demo_factors(today: date) -> None:
    from app.municipalities.models import EmissionFactor

    rows = []
    for country, base in DEMO_NEEFE.items():
        for year in range(1995, today.year + 1):
            rows.append(dict(carrier="electricity", country=country, year=year, approach="ipcc",
                             factor=round(base * (1 - 0.012 * (year - 1995)), 3), demo=True,
                             source="Demo value (not the JRC's published table)"))
    db.session.execute(insert(EmissionFactor), rows)


def _inventory(rng, municipality: Municipality, kind: str, year: int, change: float, pv: int, chp: bool):
    from app.municipalities.models import Inventory, InventoryCell, InventoryPlant, InventoryPlantInput

    population = municipality.population or 20_000
    if kind == "monitoring":
        population = int(population * rng.uniform(0.98, 1.04))
    cells = []
    for sector, per_head in SECTOR_MWH.items():
        split = RESIDENTIAL.get(municipality.country, SPLIT[sector]) if sector == "residential-buildings" \
            else SPLIT[sector]
        if "heat-cold" in split and not chp:  # no district heating here: those homes burn gas
            split = dict(split)
            split["natural-gas"] = split.get("natural-gas", 0) + split.pop("heat-cold")
        # transport and homes move most between the inventories
        moved = change if kind == "monitoring" else 1.0
        if kind == "monitoring" and sector in ("public-lighting", "municipal-buildings"):
            moved = min(change * 0.9, 1.0) if change < 1 else change
        total = population * per_head * moved * rng.uniform(0.95, 1.05)
        for carrier, share in split.items():
            if share:
                cells.append(InventoryCell(sector=sector, carrier=carrier, mwh=round(total * share, -1)))
    merged: dict[tuple[str, str], InventoryCell] = {}
    for cell in cells:
        if (cell.sector, cell.carrier) in merged:
            merged[(cell.sector, cell.carrier)].mwh += cell.mwh
        else:
            merged[(cell.sector, cell.carrier)] = cell
    plants = []
    if pv and kind == "monitoring":
        plants.append(InventoryPlant(product="electricity", kind="photovoltaics", mwh=round(population * pv / 1000, -1)))
    if chp:
        fuel = round(population * 0.6, -1)
        plants.append(InventoryPlant(product="electricity", kind="chp", mwh=round(fuel * 0.35, -1),
                                     inputs=[InventoryPlantInput(carrier="natural-gas", mwh=fuel)]))
        heat_fuel = round(population * 0.7, -1)
        plants.append(InventoryPlant(product="heat", kind="district-heating", mwh=round(heat_fuel * 0.85, -1),
                                     inputs=[InventoryPlantInput(carrier="natural-gas", mwh=heat_fuel)]))
    return Inventory(municipality=municipality, kind=kind, year=year, approach="ipcc", unit="t-co2",
                     population=population, cells=list(merged.values()), plants=plants,
                     green_electricity_mwh=round(population * 0.05, -1) if kind == "monitoring" else 0.0)


def load_inventories(ctx: DemoContext) -> None:
    """Baseline and monitoring inventories for two municipalities of each country, demo electricity factors."""
    import random

    rng = random.Random(15)  # its own: the other loaders' data stays as it was
    today = utcnow().date()
    _demo_factors(today)
    towns = db.session.scalars(select(Municipality).where(Municipality.name.in_(INVENTORY_TOWNS))).all()
    for town in sorted(towns, key=lambda t: t.name):
        monitored, change, pv, chp = INVENTORY_TOWNS[town.name]
        base_year = town.baseline_year or 2008
        db.session.add(_inventory(rng, town, "baseline", base_year, 1.0, pv, chp))
        if monitored:
            year = min(base_year + rng.randint(8, 11), today.year - 2)
            if year > base_year:
                db.session.add(_inventory(rng, town, "monitoring", year, change, pv, chp))
    db.session.flush()

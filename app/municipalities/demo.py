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

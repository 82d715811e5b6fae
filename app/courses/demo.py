"""Demo training offer: modules in several languages across the six countries, full sessions with
waitlists, sessions needing approval, past sessions with attendance, certificates and feedback.

Everything is inserted in bulk (no mail is queued), so `demo load --scale 50` takes seconds.
"""
from __future__ import annotations

import secrets
from datetime import time, timedelta

from sqlalchemy import insert, select

from app.auth.models import User
from app.core.demo import DemoContext
from app.core.search import country_names, normalise
from app.core.timeutil import local_to_utc, to_zone, utcnow
from app.courses.models import (
    Certificate,
    Enrolment,
    Feedback,
    Material,
    Module,
    TrainingSession,
    module_prerequisites,
    module_trainers,
)
from app.extensions import db

# (days from today, local start hour, hours, city / place, country, zone, capacity, kind, people)
# kind: past (attendance + feedback), open, full (waitlist), approval (pending requests), online.
MODULES = [
    dict(title="SEAP in practice: from baseline to action plan", language="en", level="beginner", format="blended",
         topics=["monitoring", "financing", "municipal-buildings"], trainers=["trainer", "eleni.coach"],
         summary="The whole SEAP cycle in two days: baseline emission inventory, targets, actions, "
                 "monitoring, with templates you can use on Monday.",
         description="Built on the Covenant of Mayors guidebook and two years of coaching in six countries.\n\n"
                     "**Day 1**: the Baseline Emission Inventory (BEI), data sources, emission factors.\n\n"
                     "**Day 2**: choosing actions, costing them, and the monitoring plan.\n\n"
                     "Bring your municipality's energy bills of one year: we work on real data.",
         objectives="- Build a BEI with the Covenant's template\n- Set a 2030 target your council can defend\n"
                    "- Draft ten costed actions\n- Plan monitoring (MEI) from day one",
         sessions=[(-150, 9, 7, "Brussels, Covenant of Mayors Office, Rue du Trône 98", "BE", "Europe/Brussels", 24,
                    "past", ["pieter", "sophie", "giulia", "ivana"]),
                   (-40, 9, 7, "Zagreb, REGEA, Radnička cesta 80", "HR", "Europe/Zagreb", 20, "past",
                    ["mirela", "ivana", "anna"]),
                   (12, 9, 7, "Brussels, Covenant of Mayors Office, Rue du Trône 98", "BE", "Europe/Brussels", 8,
                    "full", ["sophie", "javier", "lucia", "tomasz", "agnieszka", "giulia", "luca", "anna", "pieter"]),
                   (45, 9, 7, "Madrid, FEMP, Calle Nuncio 8", "ES", "Europe/Madrid", 25, "open", ["javier"])]),
    dict(title="Ενεργειακή φτώχεια: από τη διάγνωση στη δράση", language="el", level="intermediate",
         format="in_person", topics=["energy-poverty", "residential-buildings", "citizen-engagement"],
         trainers=["eleni.coach"],
         summary="Πώς εντοπίζουμε τα νοικοκυριά σε ενεργειακή φτώχεια και σχεδιάζουμε μέτρα που τα φτάνουν.",
         description="Εργαστήριο με παραδείγματα από την Κρήτη και τη Θεσσαλονίκη: δείκτες, χαρτογράφηση, "
                     "ενεργειακοί σύμβουλοι γειτονιάς, χρηματοδότηση από το Ταμείο Ανάκαμψης.",
         objectives="- Δείκτες ενεργειακής φτώχειας\n- Χαρτογράφηση σε επίπεδο δήμου\n- Μέτρα στο ΣΔΑΕΚ",
         sessions=[(-60, 10, 6, "Ηράκλειο, Περιφέρεια Κρήτης, Πλατεία Ελευθερίας", "GR", "Europe/Athens", 18, "past",
                    ["nikos", "maria"]),
                   (9, 10, 6, "Ηράκλειο, Περιφέρεια Κρήτης, Πλατεία Ελευθερίας", "GR", "Europe/Athens", 16, "open",
                    ["maria"]),
                   (30, 10, 6, "Αθήνα, ΚΑΠΕ, 19ο χλμ Λεωφ. Μαραθώνος", "GR", "Europe/Athens", 20, "approval",
                    ["nikos"])]),
    dict(title="Monitoraggio delle emissioni: dal BEI al MEI", language="it", level="intermediate",
         format="in_person", topics=["monitoring"], trainers=["marco.coach"], required_sessions=2,
         summary="Due giornate per preparare l'inventario di monitoraggio (MEI) e il rapporto biennale.",
         description="Dal foglio di calcolo al portale del Patto: dati comunali, fattori di emissione, "
                     "errori frequenti nei rapporti di monitoraggio. Frequenza di entrambe le giornate per "
                     "l'attestato.",
         objectives="- Preparare il MEI\n- Compilare il rapporto d'azione biennale\n- Evitare gli errori tipici",
         sessions=[(-90, 9, 6, "Bergamo, Palazzo della Provincia, Via Tasso 8", "IT", "Europe/Rome", 15, "past",
                    ["giulia", "luca"]),
                   (-83, 9, 6, "Bergamo, Palazzo della Provincia, Via Tasso 8", "IT", "Europe/Rome", 15, "past",
                    ["giulia", "luca"]),
                   (20, 9, 6, "Genova, Città Metropolitana, Largo Cattanei 3", "IT", "Europe/Rome", 6, "full",
                    ["giulia", "luca", "ioana", "anna", "sophie", "pieter", "javier"])]),
    dict(title="Zielone zamówienia publiczne w gminach", language="pl", level="beginner", format="in_person",
         topics=["public-procurement", "municipal-buildings"], trainers=["kasia.trainer"],
         summary="Kryteria środowiskowe w przetargach na energię, oświetlenie i transport – krok po kroku.",
         description="Praktyczne warsztaty z przykładami z Bielska-Białej i Krakowa: specyfikacje, kryteria "
                     "oceny ofert, koszt cyklu życia.",
         objectives="- Kryteria GPP UE w praktyce\n- Rachunek kosztów cyklu życia\n- Wzory dokumentów",
         sessions=[(-30, 10, 5, "Kraków, Urząd Miasta, Plac Wszystkich Świętych 3", "PL", "Europe/Warsaw", 20,
                    "past", ["tomasz", "agnieszka"]),
                   (16, 10, 5, "Warszawa, Związek Miast Polskich, ul. Robotnicza 8", "PL", "Europe/Warsaw", 20,
                    "open", ["agnieszka"])]),
    dict(title="Financiación de acciones SECAP: fondos europeos y ESCOs", language="es", level="advanced",
         format="blended", topics=["financing", "public-procurement"], trainers=["trainer"],
         summary="Fondos FEDER, ELENA y contratos de rendimiento energético para financiar el plan de acción.",
         description="Casos de la Diputació de Barcelona y del Ayuntamiento de Murcia. Trabajamos con la "
                     "cartera de proyectos de cada participante.",
         objectives="- Combinar fuentes de financiación\n- Preparar un contrato con una ESCO\n- Presentar a ELENA",
         sessions=[(-20, 9, 6, "Barcelona, Diputació, Rambla de Catalunya 126", "ES", "Europe/Madrid", 18, "past",
                    ["javier", "lucia"]),
                   (25, 9, 6, "Murcia, Ayuntamiento, Glorieta de España 1", "ES", "Europe/Madrid", 5, "full",
                    ["lucia", "javier", "giulia", "sophie", "ioana", "maria"])]),
    dict(title="Energetska obnova javnih zgrada", language="hr", level="beginner", format="in_person",
         topics=["municipal-buildings", "tertiary-buildings"], trainers=["trainer"],
         summary="Od energetskog pregleda do ugovora: obnova škola, vrtića i upravnih zgrada.",
         description="Radionica s primjerima iz Koprivnice i Zagreba.",
         objectives="- Energetski pregled\n- Prioriteti obnove\n- Nadzor radova",
         sessions=[(18, 9, 6, "Koprivnica, Gradska uprava, Zrinski trg 1", "HR", "Europe/Zagreb", 15, "open",
                    ["mirela"])]),
    dict(title="Climate adaptation for Covenant Coordinators", language="en", level="intermediate", format="online",
         topics=["adaptation", "land-use-planning"], trainers=["eleni.coach", "marco.coach"],
         summary="Four webinars on risk and vulnerability assessment and adaptation actions in SECAPs.",
         description="Each webinar takes 90 minutes with time for questions. The recordings and slides are "
                     "shared with participants.",
         objectives="- Run a risk and vulnerability assessment\n- Choose adaptation actions\n- Report them",
         sessions=[(-14, 14, 1.5, "", None, "Europe/Brussels", 60, "past", ["ioana", "anna", "nikos"]),
                   (7, 14, 1.5, "", None, "Europe/Brussels", 60, "online", ["ioana", "pieter"]),
                   (21, 14, 1.5, "", None, "Europe/Brussels", 60, "online", [])]),
    dict(title="Burgerparticipatie in het klimaatbeleid", language="nl", level="beginner", format="in_person",
         topics=["citizen-engagement"], trainers=["trainer"],
         summary="Burgers en lokale partners mee aan boord: van klimaattafel tot burgerbudget.",
         description="Met voorbeelden uit Limburg en Vlaams-Brabant. Je vertrekt met een plan voor je eigen gemeente.",
         objectives="- Een participatietraject opzetten\n- Stakeholders in kaart brengen",
         sessions=[(10, 13, 4, "Hasselt, Provinciehuis Limburg, Universiteitslaan 1", "BE", "Europe/Brussels", 12,
                    "approval", ["pieter"])]),
    dict(title="Public lighting retrofits: LED and smart control", language="en", level="beginner",
         format="online", topics=["public-lighting", "public-procurement"], trainers=["marco.coach"],
         summary="A webinar on planning, procuring and financing the switch to LED street lighting.",
         description="With a cost calculator you can use for your own municipality.",
         objectives="- Estimate savings\n- Write the tender", sessions=[(5, 11, 1.5, "", None, "Europe/Rome", 3,
                                                                         "full", ["luca", "giulia", "mirela",
                                                                                  "maria", "nikos"])]),
    dict(title="Plans de mobilité urbaine durable", language="fr", level="intermediate", format="in_person",
         topics=["transport"], trainers=["trainer"],
         summary="Intégrer la mobilité dans le PAED : transfert modal, vélo, logistique urbaine.",
         description="Journée à Namur avec visite de terrain.",
         objectives="- Diagnostic de mobilité\n- Mesures et indicateurs",
         sessions=[(35, 9, 7, "Namur, Union des Villes et Communes de Wallonie, Rue de l'Étoile 14", "BE",
                    "Europe/Brussels", 20, "open", ["sophie"])]),
    dict(title="District heating in small towns", language="en", level="advanced", format="blended",
         topics=["local-heat-cold"], trainers=["kasia.trainer"], status="draft",
         summary="Feasibility, business models and biomass options for towns under 20,000 inhabitants.",
         sessions=[]),
]

FEEDBACK = ["Very practical, I will use the templates.", "Good examples from other countries.",
            "A bit too long in the afternoon.", "Excellent trainer, clear explanations.",
            "More time for exercises would help.", "", "", "Useful contacts with other coordinators."]


def load_courses(ctx: DemoContext) -> None:
    users = ctx.data.get("users", {})
    if not users:
        return
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    rng = ctx.rng
    names = {local: user.id for local, user in users.items()}
    pool = list(db.session.scalars(select(User.id).where(User.role == "participant").order_by(User.id)))
    rows = _Rows()
    for copy in range(1, ctx.scale + 1):
        for spec in MODULES:
            _module(rows, spec, copy, names, pool, rng, now)
    _flush(rows)
    ctx.data["courses"] = {"modules": len(rows.modules)}


class _Rows:
    def __init__(self):
        self.modules, self.trainers, self.sessions, self.enrolments = [], [], [], []
        self.feedback, self.certificates, self.materials = [], [], []
        self.certified: set[tuple[int, int]] = set()


def _module(rows: _Rows, spec: dict, copy: int, names: dict, pool: list[int], rng, now) -> None:
    index = len(rows.modules)
    rows.modules.append(Module.with_html(dict(
        title=spec["title"], summary=spec["summary"], description=spec.get("description", ""),
        objectives=spec.get("objectives", ""), topics=spec["topics"], language=spec["language"], level=spec["level"],
        format=spec["format"], status=spec.get("status", "published"), materials_restricted=copy % 3 == 0,
        required_sessions=spec.get("required_sessions", 1), created_by_id=names[spec["trainers"][0]],
        created_at=now - timedelta(days=200), updated_at=now - timedelta(days=10))))
    for trainer in spec["trainers"]:
        rows.trainers.append((index, names[trainer]))
    rows.materials.append(dict(module=index, title="Covenant of Mayors – SECAP guidebook", kind="link",
                               url="https://eu-mayors.ec.europa.eu/en/resources", filename="", content_type="",
                               size=0, data=None, created_at=now - timedelta(days=100)))
    attended_by_user: dict[int, list] = {}
    for days, hour, hours, place, country, tz, capacity, kind, people in spec["sessions"]:
        day = (to_zone(now, tz) + timedelta(days=days + (copy - 1) * 3)).date()
        starts = local_to_utc(day, time(hour, 30 if hours < 2 else 0), tz)
        ends = starts + timedelta(hours=hours)
        online = "" if place else "https://meet.mayors-in-action.eu/" + secrets.token_hex(4)
        session_index = len(rows.sessions)
        session = dict(module=index, starts_at=starts, ends_at=ends, timezone=tz, location=place, country=country,
                       online_url=online, capacity=capacity, requires_approval=kind == "approval",
                       enrol_opens_at=None, enrol_closes_at=None, unenrol_deadline=starts - timedelta(days=2)
                       if kind != "online" else None, status="scheduled", enrolled_count=0, waitlist_count=0,
                       sequence=0, feedback_requested_at=ends + timedelta(hours=2) if kind == "past" else None,
                       cancelled_at=None, created_at=now - timedelta(days=120))
        rows.sessions.append(session)
        chosen = [names[p] for p in people] if copy == 1 else []
        others = [u for u in pool if u not in chosen]
        rng.shuffle(others)
        wanted = {"past": min(capacity, len(chosen) + rng.randint(4, 9)),
                  "full": capacity + rng.randint(2, 4), "open": min(capacity - 2, len(chosen) + rng.randint(2, 6)),
                  "approval": len(chosen) + rng.randint(3, 6),
                  "online": min(capacity, len(chosen) + rng.randint(5, 15))}[kind]
        people_ids = (chosen + others)[:max(wanted, len(chosen))]
        for n, user_id in enumerate(people_ids):
            status, position, attended = "enrolled", None, None
            if kind == "full" and n >= capacity:
                status, position = "waitlisted", n - capacity + 1
            elif kind == "approval" and n % 2 == 0:
                status = "pending"
            if status == "enrolled" and session["enrolled_count"] >= capacity:
                status, position = "waitlisted", session["waitlist_count"] + 1
            if status == "enrolled":
                session["enrolled_count"] += 1
            elif status == "waitlisted":
                session["waitlist_count"] += 1
                position = session["waitlist_count"]
            if kind == "past" and status == "enrolled":
                attended = (n < len(chosen)) or rng.random() < 0.85
            rows.enrolments.append(dict(
                session=session_index, user_id=user_id, status=status, waitlist_position=position,
                note="", attended=attended, attendance_marked_at=ends if attended is not None else None,
                enrolled_by_id=None, created_at=starts - timedelta(days=20 - n % 15),
                updated_at=starts - timedelta(days=5)))
            if attended:
                attended_by_user.setdefault(user_id, []).append(ends)
                if rng.random() < 0.65:
                    rows.feedback.append(dict(session=session_index, user_id=user_id,
                                              rating=rng.choice([5, 5, 4, 4, 4, 3, 2]),
                                              comment=rng.choice(FEEDBACK), created_at=ends + timedelta(days=1)))
    needed = spec.get("required_sessions", 1)
    for user_id, ends in attended_by_user.items():
        if len(ends) >= needed and (index, user_id) not in rows.certified:
            rows.certified.add((index, user_id))
            rows.certificates.append(dict(module=index, user_id=user_id, completed_at=max(ends),
                                          issued_at=max(ends) + timedelta(days=1)))


def _search_texts(rows: _Rows) -> None:
    """Bulk inserts skip the models' flush hooks: the search text is written as Module.search_words says."""
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_({u for _, u in rows.trainers}))).all())
    words = [[m["title"], m.get("summary", "")] for m in rows.modules]
    for index, user_id in rows.trainers:
        words[index].append(names.get(user_id, ""))
    for s in rows.sessions:
        if s.get("status", "scheduled") != "cancelled":
            words[s["module"]] += [s.get("location", ""), country_names(s.get("country"))]
    for module, parts in zip(rows.modules, words, strict=True):
        module["search_text"] = normalise(*parts)


def _flush(rows: _Rows) -> None:
    _search_texts(rows)
    module_ids = list(db.session.scalars(insert(Module).returning(Module.id, sort_by_parameter_order=True),
                                         rows.modules))
    db.session.execute(insert(module_trainers), [{"module_id": module_ids[m], "user_id": u} for m, u in rows.trainers])
    foundations = [module_ids[i] for i, m in enumerate(rows.modules) if m["title"].startswith("SEAP in practice")]
    advanced = [module_ids[i] for i, m in enumerate(rows.modules) if m["level"] == "advanced"]
    if foundations:
        db.session.execute(insert(module_prerequisites), [{"module_id": a, "prerequisite_id": foundations[0]}
                                                          for a in advanced])
    db.session.execute(insert(Material), [dict(m, module_id=module_ids[m.pop("module")]) for m in rows.materials])
    session_ids = list(db.session.scalars(
        insert(TrainingSession).returning(TrainingSession.id, sort_by_parameter_order=True),
        [dict(s, module_id=module_ids[s.pop("module")]) for s in rows.sessions]))
    if rows.enrolments:
        db.session.execute(insert(Enrolment), [dict(e, session_id=session_ids[e.pop("session")])
                                               for e in rows.enrolments])
    if rows.feedback:
        db.session.execute(insert(Feedback), [dict(f, session_id=session_ids[f.pop("session")])
                                              for f in rows.feedback])
    if rows.certificates:
        codes = set()
        while len(codes) < len(rows.certificates):
            raw = secrets.token_hex(8).upper()
            codes.add("-".join(raw[i:i + 4] for i in range(0, 16, 4)))
        db.session.execute(insert(Certificate), [dict(c, module_id=module_ids[c.pop("module")], code=code,
                                                      revoked_at=None)
                                                 for c, code in zip(rows.certificates, codes, strict=True)])

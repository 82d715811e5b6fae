"""Demo accounts: staff, coaches and participants in the six countries and beyond."""
from __future__ import annotations

import secrets

from sqlalchemy import insert

from app.auth.models import User
from app.core.demo import DemoContext
from app.core.reference import country_timezone
from app.extensions import db

# (name, email local part, role, com_role, country, coach, organisation, languages)
PEOPLE = [
    ("Ana Admin", "admin", "admin", "other", "BE", False, "Mayors in Action secretariat", ["en", "fr", "nl"]),
    ("Tom Trainer", "trainer", "trainer", "other", "BE", True, "Energy Cities training team", ["en", "nl", "fr"]),
    ("Eleni Papadopoulou", "eleni.coach", "trainer", "other", "GR", True, "CRES Greek energy centre", ["el", "en"]),
    ("Marco Bianchi", "marco.coach", "trainer", "other", "IT", True, "Province of Bergamo energy desk", ["it", "en"]),
    ("Katarzyna Nowak", "kasia.trainer", "trainer", "other", "PL", False, "PNEC network", ["pl", "en"]),
    ("Pieter Claes", "pieter", "participant", "coordinator", "BE", False, "Province of Limburg", ["nl", "en"]),
    ("Sophie Dubois", "sophie", "participant", "supporter", "BE", False, "Union des Villes de Wallonie",
     ["fr", "en"]),
    ("Ivana Horvat", "ivana", "participant", "coordinator", "HR", False, "REGEA Zagreb energy agency",
     ["hr", "en"]),
    ("Nikos Georgiou", "nikos", "participant", "coordinator", "GR", False, "Region of Crete", ["el", "en"]),
    ("Maria Konstantinou", "maria", "participant", "municipality", "GR", False, "Municipality of Heraklion",
     ["el", "en"]),
    ("Giulia Rossi", "giulia", "participant", "coordinator", "IT", False, "Province of Genoa", ["it", "en"]),
    ("Luca Ferrari", "luca", "participant", "municipality", "IT", False, "Comune di Bergamo", ["it"]),
    ("Tomasz Kowalski", "tomasz", "participant", "supporter", "PL", False, "Association of Polish Cities",
     ["pl", "en"]),
    ("Agnieszka Wiśniewska", "agnieszka", "participant", "municipality", "PL", False, "Gmina Bielsko-Biała",
     ["pl", "en"]),
    ("Javier García", "javier", "participant", "coordinator", "ES", False, "Diputació de Barcelona",
     ["es", "ca", "en"]),
    ("Lucía Fernández", "lucia", "participant", "municipality", "ES", False, "Ayuntamiento de Murcia",
     ["es", "en"]),
    ("Mirela Kovač", "mirela", "participant", "municipality", "HR", False, "Grad Koprivnica", ["hr", "en"]),
    ("Anna Schmidt", "anna", "participant", "supporter", "DE", False, "Klima-Bündnis", ["de", "en"]),
    ("Ioana Popescu", "ioana", "participant", "coordinator", "RO", False, "Alba Iulia energy agency",
     ["ro", "en"]),
]
DOMAIN = "demo.mayors-in-action.eu"


def interface_language(languages: list[str]) -> str:
    """A demo person's interface language: the first of theirs the platform speaks (so the eight appear)."""
    from flask import current_app

    return next((code for code in languages if code in current_app.config["LANGUAGES"]), "en")


def load_users(ctx: DemoContext) -> None:
    """One password per demo load, printed by `make run`; scaled copies reuse its hash (bulk insert)."""
    password = secrets.token_urlsafe(9)
    template = User(email="x", name="x", country="BE", timezone="UTC")
    template.set_password(password)
    users: dict[str, User] = {}
    for name, local, role, com_role, country, coach, organisation, languages in PEOPLE:
        user = User(email=f"{local}@{DOMAIN}", name=name, role=role, com_role=com_role, country=country,
                    is_coach=coach, organisation=organisation, languages=languages,
                    timezone=country_timezone(country), language=interface_language(languages),
                    com_role_status="granted", password_hash=template.password_hash)
        db.session.add(user)
        users[local] = user
        if local in ("admin", "trainer", "eleni.coach", "nikos", "maria", "pieter"):
            ctx.logins.append((role if local != "eleni.coach" else "coach", user.email, password))
    db.session.flush()
    ctx.data["users"] = users
    ctx.data["password"] = password
    if ctx.scale > 1:
        rows = []
        for copy in range(2, ctx.scale + 1):
            for name, local, role, com_role, country, coach, organisation, languages in PEOPLE:
                if role == "admin":
                    continue
                rows.append(dict(email=f"{local}.{copy}@{DOMAIN}", name=f"{name} ({copy})", role=role,
                                 com_role=com_role, country=country, is_coach=coach, organisation=organisation,
                                 languages=languages, timezone=country_timezone(country), language=interface_language(languages),
                                 password_hash=template.password_hash, is_active_account=True,
                                 com_role_status="granted",
                                 session_version=1, notification_prefs=[]))
        db.session.execute(insert(User), rows)

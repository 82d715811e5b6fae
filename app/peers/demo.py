"""Demo peer exchange: profiles across the six countries and beyond, exchanges in every state,
meetings, messages, and published good practices in several languages (real-sounding SEAP measures)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select

from app.auth.models import User
from app.core.demo import DemoContext
from app.core.reference import TOPICS
from app.core.timeutil import utcnow
from app.extensions import db
from app.peers.models import Exchange, ExchangeMessage, GoodPractice, Meeting, PeerProfile

# login: (offers, needs, places, bio, formats)
PROFILES = {
    "pieter": (["public-lighting", "monitoring"], ["local-heat-cold", "financing"], "Province of Limburg (BE)",
               "I coordinate the Covenant for 42 Limburg municipalities; we tendered LED street lighting together.",
               ["online", "visit", "hosting"]),
    "sophie": (["citizen-engagement", "energy-poverty"], ["public-lighting", "transport"], "Wallonia",
               "Union of Walloon cities: we run citizen energy cafés and an energy-poverty desk.", ["online", "visit"]),
    "ivana": (["municipal-buildings", "financing"], ["monitoring", "citizen-engagement"], "City of Zagreb and region",
              "REGEA: energy audits and EU funding for public buildings.", ["online", "visit", "hosting"]),
    "nikos": (["local-electricity", "adaptation"], ["public-lighting", "financing"], "Region of Crete",
              "Solar and wind on the islands; heat-wave plans for coastal towns.", ["online", "hosting"]),
    "maria": (["adaptation"], ["municipal-buildings", "public-procurement"], "Heraklion",
              "Municipal energy officer; we start school retrofits this year.", ["online", "visit"]),
    "giulia": (["local-heat-cold", "monitoring"], ["citizen-engagement", "energy-poverty"], "Province of Genoa",
               "Monitoring emission inventories for 67 municipalities; district heating in the valleys.",
               ["online", "visit", "hosting"]),
    "luca": (["transport"], ["local-heat-cold", "public-lighting"], "Bergamo", "Mobility manager of the city.",
             ["visit"]),
    "tomasz": (["local-heat-cold", "energy-poverty"], ["financing", "monitoring"], "Association of Polish Cities",
               "District heating modernisation and anti-smog programmes.", ["online", "hosting"]),
    "agnieszka": (["residential-buildings"], ["local-electricity", "citizen-engagement"], "Bielsko-Biała",
                  "Clean-air programme: boiler replacement in 3,000 homes.", ["online", "visit"]),
    "javier": (["financing", "public-procurement"], ["adaptation", "local-electricity"], "Barcelona province",
               "One-stop shop for municipal energy projects; joint procurement of PV.", ["online", "visit", "hosting"]),
    "lucia": (["transport", "citizen-engagement"], ["municipal-buildings", "adaptation"], "Murcia",
              "Bike lanes and participatory budgets.", ["online"]),
    "mirela": (["public-lighting"], ["financing", "residential-buildings"], "Koprivnica",
               "We replaced all street lights with LEDs in 2016.", ["online", "visit"]),
    "anna": (["citizen-engagement", "monitoring"], ["energy-poverty"], "Klima-Bündnis, Germany",
             "Network of 1,800 European climate-alliance towns.", ["online"]),
    "ioana": (["municipal-buildings"], ["public-lighting", "financing", "monitoring"], "Alba Iulia",
              "Local energy agency; smart-city pilots.", ["online", "visit"]),
}

# (proposer, partner, topic, status)
EXCHANGES = [
    ("mirela", "maria", "public-lighting", "completed"),
    ("ivana", "maria", "municipal-buildings", "completed"),
    ("javier", "ioana", "financing", "completed"),
    ("tomasz", "giulia", "local-heat-cold", "completed"),
    ("pieter", "agnieszka", "monitoring", "completed"),
    ("pieter", "giulia", "local-heat-cold", "accepted"),
    ("nikos", "javier", "financing", "accepted"),
    ("sophie", "luca", "transport", "proposed"),
    ("lucia", "ivana", "municipal-buildings", "proposed"),
    ("anna", "tomasz", "energy-poverty", "declined"),
    ("luca", "mirela", "public-lighting", "cancelled"),
]

# exchange index -> (language, title, summary, activities, results, transferability, status)
PRACTICES = {
    0: ("en", "LED street lighting with an energy-performance contract",
        "Koprivnica replaced 4,100 sodium lamps with dimmable LEDs through an ESCO contract; Heraklion used the "
        "tender documents for its own.",
        "An online call on the tender, then a two-day study visit to the lighting depot and the control room.",
        "Koprivnica: 62% less electricity for lighting (1.1 GWh a year, 480 t CO₂). Heraklion published its "
        "own tender for 8,000 points six months later.",
        "Works wherever the municipality owns its lighting network. Needs a lighting inventory first and a "
        "legal check of energy-performance contracts.", "published"),
    1: ("el", "Ενεργειακή αναβάθμιση σχολείων με εγγυημένη εξοικονόμηση",
        "Το Ηράκλειο έμαθε από το Ζάγκρεμπ πώς να αναβαθμίσει 12 σχολικά κτίρια με ενεργειακούς ελέγχους και "
        "ευρωπαϊκή χρηματοδότηση.",
        "Επίσκεψη μελέτης σε τρία σχολεία του Ζάγκρεμπ και κοινά εργαστήρια για τους ενεργειακούς ελέγχους.",
        "Πρόβλεψη: 45% λιγότερη θερμική ενέργεια, 310 t CO₂ τον χρόνο· αίτηση χρηματοδότησης 2,4 εκ. ευρώ.",
        "Κατάλληλο για κάθε δήμο με παλαιά σχολικά κτίρια· χρειάζεται ενεργειακό έλεγχο και ομάδα έργου.",
        "published"),
    2: ("es", "Ventanilla única de energía para municipios pequeños",
        "La Diputació de Barcelona explicó a Alba Iulia cómo su oficina técnica ayuda a 300 municipios a "
        "preparar y financiar proyectos.",
        "Dos videollamadas y una visita de estudio de tres días a la oficina de la Diputació.",
        "Alba Iulia abrió su propia ventanilla: 14 proyectos preparados el primer año, 3,2 M€ movilizados.",
        "Necesita un equipo técnico de dos o tres personas y un acuerdo con los municipios de la zona.",
        "published"),
    3: ("it", "Teleriscaldamento a biomassa nelle valli",
        "La Provincia di Genova ha condiviso con l'Associazione delle città polacche l'esperienza delle reti di "
        "teleriscaldamento a biomassa locale.",
        "Visita a due centrali in Val Trebbia e confronto sui modelli di gestione pubblico-privati.",
        "Due città polacche hanno avviato studi di fattibilità; in Val Trebbia 1.900 t CO₂ evitate ogni anno.",
        "Adatto a comuni con bosco gestito entro 30 km e una domanda di calore concentrata.", "published"),
    4: ("en", "Monitoring emission inventories for a whole province",
        "Limburg showed Bielsko-Biała how one province keeps the BEI/MEI of 42 municipalities up to date.",
        "", "A shared template and yearly data collection.", "Any coordinator with a data officer.", "submitted"),
}
CHANGES_REQUESTED = (5, "en", "Heat networks: first lessons", "Limburg and Genoa compare heat networks.",
                     "Too early to tell.", "Unclear yet.", "Please add figures: connections, MWh, CO₂.")


def load_peers(ctx: DemoContext) -> None:
    users: dict[str, User] = ctx.data.get("users", {})
    if not users:
        return
    rng = ctx.rng
    now = utcnow().replace(second=0, microsecond=0)
    for login, (offers, needs, places, bio, formats) in PROFILES.items():
        user = users.get(login)
        if user is not None:
            db.session.add(PeerProfile(user_id=user.id, offers=offers, needs=needs, languages=user.languages,
                                       bio=bio, places=places, formats=formats, is_available=login != "lucia",
                                       is_public=True))
    exchanges = []
    for n, (a, b, topic, status) in enumerate(EXCHANGES):
        proposer, partner = users[a], users[b]
        low, high = sorted((proposer.id, partner.id))
        created = now - timedelta(days=120 - 9 * n)
        exchange = Exchange(proposer_id=proposer.id, partner_id=partner.id, low_id=low, high_id=high, topic=topic,
                            status=status, created_at=created,
                            message=f"Hello {partner.name.split()[0]}, I would like to learn from your work on "
                                    f"{str(TOPICS[topic]).lower()}.")
        if status in ("accepted", "completed", "declined"):
            exchange.responded_at = created + timedelta(days=2)
        if status == "completed":
            exchange.proposer_confirmed_at = exchange.partner_confirmed_at = created + timedelta(days=60)
            exchange.completed_at = created + timedelta(days=60)
        if status == "cancelled":
            exchange.cancelled_by_id = proposer.id
        db.session.add(exchange)
        exchanges.append(exchange)
    db.session.flush()
    for exchange in exchanges:
        if exchange.status in ("accepted", "completed"):
            db.session.add_all([
                ExchangeMessage(exchange=exchange, author_id=exchange.partner_id, created_at=exchange.created_at
                                + timedelta(days=2), body="Gladly! When would suit you for a first call?"),
                ExchangeMessage(exchange=exchange, author_id=exchange.proposer_id, created_at=exchange.created_at
                                + timedelta(days=3), body="Next Tuesday at 10:00 my time? I will send an invitation."),
            ])
            past = exchange.status == "completed"
            starts = (exchange.created_at + timedelta(days=10)) if past else now + timedelta(days=7 + exchange.id)
            starts = starts.replace(hour=8, minute=0)
            db.session.add(Meeting(exchange=exchange, kind="online", starts_at=starts,
                                   ends_at=starts + timedelta(hours=1), timezone=exchange.proposer.timezone,
                                   online_url="https://meet.example.org/mia-" + str(exchange.id),
                                   created_by_id=exchange.proposer_id))
            visit = starts + timedelta(days=30)
            db.session.add(Meeting(exchange=exchange, kind="visit", starts_at=visit.replace(hour=7),
                                   ends_at=(visit + timedelta(days=1)).replace(hour=15),
                                   timezone=exchange.partner.timezone, place=exchange.partner.organisation,
                                   created_by_id=exchange.partner_id))
    for index, (language, title, summary, activities, results, transferability, status) in PRACTICES.items():
        exchange = exchanges[index]
        db.session.add(GoodPractice(
            exchange=exchange, title=title, summary=summary, activities=activities, results=results,
            transferability=transferability, topic=exchange.topic, language=language, status=status,
            countries=sorted({exchange.proposer.country, exchange.partner.country}),
            submitted_by_id=exchange.proposer_id, submitted_at=exchange.completed_at or now,
            published_at=(exchange.completed_at + timedelta(days=5)) if status == "published" else None,
            reviewed_by_id=users["trainer"].id if status == "published" else None))
    index, language, title, summary, results, transferability, note = CHANGES_REQUESTED
    exchange = exchanges[index]
    db.session.add(GoodPractice(exchange=exchange, title=title, summary=summary, results=results,
                                transferability=transferability, topic=exchange.topic, language=language,
                                status="changes_requested", review_note=note, countries=["BE", "IT"],
                                submitted_by_id=exchange.proposer_id, reviewed_by_id=users["trainer"].id))
    if ctx.scale > 1:
        _scaled_profiles(ctx, rng)


def _scaled_profiles(ctx: DemoContext, rng) -> None:
    """Bulk profiles for the scaled copies of the demo people (benchmarks of suggestions and rounds)."""
    codes = list(TOPICS)
    rows = []
    have = set(db.session.scalars(select(PeerProfile.user_id)))
    for user_id, languages in db.session.execute(
            select(User.id, User.languages).where(User.role == "participant", User.email.like("%.%@%"))):
        if user_id in have:
            continue
        rows.append(dict(user_id=user_id, offers=rng.sample(codes, rng.randint(1, 3)),
                         needs=rng.sample(codes, rng.randint(1, 3)), languages=languages, bio="", places="",
                         formats=["online", "visit"], is_available=rng.random() < 0.9, is_public=False,
                         updated_at=utcnow()))
    if rows:
        db.session.execute(insert(PeerProfile), rows)

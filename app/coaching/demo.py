"""Demo coaching: three coaches in three countries with availability and a history of appointments."""
from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import insert, select

from app.auth.models import User
from app.coaching.models import Appointment, AvailabilityException, CoachProfile, WeeklyHours
from app.core.demo import DemoContext
from app.core.reference import country_timezone
from app.core.reminders import schedule_reminders
from app.core.timeutil import local_to_utc, to_zone, utcnow
from app.extensions import db

# local part -> (weekly ranges (weekday, start, end), topics, languages, meeting, bio)
COACHES = {
    "eleni.coach": ([(0, "09:00", "12:00"), (0, "14:00", "16:00"), (2, "09:00", "12:00"), (3, "15:00", "17:00")],
                    ["financing", "monitoring", "municipal-buildings", "energy-poverty"], ["el", "en"],
                    ("online", "https://meet.mayors-in-action.eu/eleni"),
                    "Energy engineer at CRES; helped 14 Greek municipalities write and monitor their SEAPs."),
    "marco.coach": ([(1, "10:00", "13:00"), (3, "10:00", "13:00"), (4, "09:00", "11:00")],
                    ["public-lighting", "transport", "public-procurement", "monitoring"], ["it", "en"],
                    ("online", "https://meet.mayors-in-action.eu/marco"),
                    "Runs the energy desk of the Province of Bergamo: street lighting, ESCO contracts, MEI reports."),
    "trainer": ([(4, "09:00", "12:00"), (1, "14:00", "16:00")],
                ["citizen-engagement", "adaptation", "land-use-planning"], ["en", "nl", "fr"],
                ("place", "Energy Cities, Rue Royale 55, Brussels (or online on request)"),
                "Trainer of the Mayors in Action programme; adaptation and participation."),
}
AGENDAS = [
    "We are updating our Baseline Emission Inventory and the 2012 data for municipal buildings are incomplete.",
    "How do we finance the retrofit of three schools? ELENA, ESCO or the regional fund?",
    "Our monitoring report is due in June: which indicators do we really need for the MEI?",
    "Street lighting: LED replacement tender with an energy performance contract.",
    "Getting citizens involved in the SECAP consultation without it becoming a complaint session.",
    "Adding adaptation to our SEAP: where to start with the risk and vulnerability assessment?",
]
SUMMARIES = [
    ("We went through the BEI spreadsheet. Municipal buildings: use 2013 bills as a proxy year and note it. "
     "Transport: the regional traffic model is good enough.",
     "Ask the utility for 2013 bills\nFill the transport sheet with the regional model\nSend the draft BEI by the 15th"),
    ("Compared ELENA, an ESCO contract and the regional fund for the school retrofits. ELENA fits if the three "
     "schools are bundled with the town hall.",
     "Bundle the four buildings\nCall the ELENA help desk\nDraft a one-page project idea"),
    ("Reviewed the monitoring template: only the key indicators are needed for the action report; the full MEI "
     "comes with the 4-year report.",
     "Use the short template\nCollect 2015 energy data from the three largest buildings"),
    ("LED tender: we drafted the award criteria (60% guaranteed savings, 40% price) and the measurement plan.",
     "Share the draft tender with the procurement office\nBook a follow-up after the market consultation"),
]


def _weekly_rows(coach_id: int, ranges) -> list[dict]:
    return [dict(coach_id=coach_id, weekday=w, start_time=time.fromisoformat(s), end_time=time.fromisoformat(e))
            for w, s, e in ranges]


def _history(ctx: DemoContext, coach_id: int, tz: str, ranges, participants: list[int], topics: list[str],
             location: str, mode: str, weeks_back: int = 12, weeks_ahead: int = 3) -> list[dict]:
    """Appointment rows on the coach's grid: past ones with summaries, a few no-shows and cancellations."""
    now = utcnow()
    today = to_zone(now, tz).date()
    monday = today - timedelta(days=today.weekday())
    rows = []
    for week in range(-weeks_back, weeks_ahead + 1):
        for weekday, start, _end in ranges:
            if ctx.rng.random() > 0.55:
                continue
            day = monday + timedelta(days=7 * week + weekday)
            starts = local_to_utc(day, time.fromisoformat(start), tz)
            if abs((starts - now).total_seconds()) < 3 * 3600:
                continue
            past = starts < now
            roll = ctx.rng.random()
            status = "cancelled" if roll < 0.1 else ("no_show" if past and roll < 0.15 else "booked")
            summary, actions = ctx.rng.choice(SUMMARIES) if past and status == "booked" and roll < 0.85 else ("", "")
            created = starts - timedelta(days=ctx.rng.randint(3, 20))
            rows.append(dict(
                coach_id=coach_id, participant_id=ctx.rng.choice(participants), starts_at=starts,
                ends_at=starts + timedelta(hours=1), status=status, sequence=1 if status == "cancelled" else 0,
                topic=ctx.rng.choice(topics), agenda=ctx.rng.choice(AGENDAS), meeting_mode=mode, location=location,
                created_at=created, updated_at=created, cancelled_at=created + timedelta(days=1)
                if status == "cancelled" else None, cancelled_by_id=None, cancel_reason="",
                summary=summary, action_points=actions, summary_at=starts + timedelta(hours=2) if summary else None))
    return rows


def load_coaching(ctx: DemoContext) -> None:
    users: dict[str, User] = ctx.data["users"]
    participants = [u.id for u in users.values() if u.role == "participant"]
    profiles, weekly, appointments = [], [], []
    for local, (ranges, topics, languages, (mode, where), bio) in COACHES.items():
        coach = users[local]
        tz = country_timezone(coach.country)
        profiles.append(dict(coach_id=coach.id, timezone=tz, slot_minutes=60, buffer_minutes=0 if local != "trainer"
                             else 15, min_notice_hours=24, max_per_day=4 if local == "eleni.coach" else None,
                             horizon_days=None, cancel_cutoff_hours=4, topics=topics, languages=languages,
                             meeting_mode=mode, meeting_url=where if mode == "online" else "",
                             meeting_place=where if mode == "place" else "", bio=bio, is_accepting=True,
                             updated_at=utcnow()))
        weekly += _weekly_rows(coach.id, ranges)
        appointments += _history(ctx, coach.id, tz, ranges, participants, topics, where, mode)
    db.session.execute(insert(CoachProfile), profiles)
    db.session.execute(insert(WeeklyHours), weekly)
    eleni = users["eleni.coach"]
    next_week = to_zone(utcnow(), "Europe/Athens").date() + timedelta(days=7)
    db.session.add(AvailabilityException(coach_id=eleni.id, day=next_week + timedelta(
        days=(2 - next_week.weekday()) % 7), kind="off"))  # a Wednesday off
    db.session.add(AvailabilityException(coach_id=eleni.id, day=next_week + timedelta(
        days=(4 - next_week.weekday()) % 7), kind="extra", start_time=time(10), end_time=time(12)))
    if ctx.scale > 1:
        _scaled(ctx, profiles, participants, weekly_by_local={k: v[0] for k, v in COACHES.items()},
                appointments=appointments)
    db.session.execute(insert(Appointment), appointments)
    db.session.flush()
    now = utcnow()
    upcoming = db.session.execute(select(Appointment.id, Appointment.coach_id, Appointment.participant_id,
                                         Appointment.starts_at).where(Appointment.status == "booked",
                                                                      Appointment.starts_at > now)).all()
    if len(upcoming) <= 500:
        for row in upcoming:
            schedule_reminders("appointment", row.id, [row.coach_id, row.participant_id], row.starts_at, now=now)


def _scaled(ctx: DemoContext, base_profiles, participants, weekly_by_local, appointments) -> None:
    """Scaled copies of the coaches (eleni.coach.2@…): same rules, their own history (bulk inserts)."""
    copies = db.session.execute(select(User.id, User.email, User.country).where(
        User.is_coach.is_(True), User.email.like("%.%@%"))).all()
    by_local = {p["coach_id"]: p for p in base_profiles}
    base_ids = {u: ctx.data["users"][u].id for u in COACHES}
    all_participants = db.session.scalars(select(User.id).where(User.role == "participant")).all() or participants
    profiles, weekly = [], []
    for coach_id, email, _country in copies:
        local = email.split("@")[0].rsplit(".", 1)[0]
        if local not in COACHES or coach_id in by_local:
            continue
        template = by_local[base_ids[local]]
        profiles.append(dict(template, coach_id=coach_id))
        weekly += _weekly_rows(coach_id, weekly_by_local[local])
        appointments += _history(ctx, coach_id, template["timezone"], weekly_by_local[local], all_participants,
                                 template["topics"], template["meeting_url"] or template["meeting_place"],
                                 template["meeting_mode"], weeks_back=8, weeks_ahead=2)
    if profiles:
        db.session.execute(insert(CoachProfile), profiles)
        db.session.execute(insert(WeeklyHours), weekly)

"""Read-side queries for the catalogue, module pages and "My training", each in a bounded number of queries."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import Select, Text, exists, func, or_, select, type_coerce
from sqlalchemy.orm import joinedload, selectinload

from app.core import search
from app.core.home import section_html
from app.core.timeutil import utcnow
from app.courses.models import Certificate, Enrolment, Feedback, Module, TrainingSession
from app.extensions import db

WHEN_CHOICES = ("", "upcoming", "30", "90")


def _tagged_any(codes: list[str]):
    """Modules tagged with one of the topics. JSON text: match the quoted code (type_coerce keeps
    JSONList from encoding the pattern)."""
    return or_(*(type_coerce(Module.topics, Text).like(f'%"{code.replace("%", "")}"%') for code in codes))


def module_query(user, *, q: str = "", topic: str = "", language: str = "", format: str = "",
                 country: str = "", upcoming: bool = False, within_days: int | None = None,
                 now: datetime | None = None) -> Select:
    """Modules matching the catalogue filters: published ones, or all for trainers and admins."""
    now = now or utcnow()
    query = select(Module)
    if not (user and getattr(user, "is_authenticated", False) and user.is_trainer):
        query = query.where(Module.status == "published")
    if (matching := search.condition(Module.search_text, q, _tagged_any)) is not None:
        query = query.where(matching)
    if topic:
        query = query.where(_tagged_any([topic]))
    if language:
        query = query.where(Module.language == language)
    if format:
        query = query.where(Module.format == format)
    session_filters = [TrainingSession.module_id == Module.id, TrainingSession.status == "scheduled"]
    if upcoming or within_days:
        session_filters.append(TrainingSession.starts_at >= now)
    if within_days:
        session_filters.append(TrainingSession.starts_at < now + timedelta(days=within_days))
    if country == "online":
        session_filters.append(TrainingSession.online_url != "")
    elif country:
        session_filters.append(TrainingSession.country == country.upper())
    if len(session_filters) > 2:
        query = query.where(exists().where(*session_filters))
    next_start = (select(func.min(TrainingSession.starts_at))
                  .where(TrainingSession.module_id == Module.id, TrainingSession.status == "scheduled",
                         TrainingSession.starts_at >= now).correlate(Module).scalar_subquery())
    # Modules with a coming session first (soonest first), then the others by title.
    return query.order_by(next_start.is_(None), next_start, Module.title, Module.id)


def next_sessions(module_ids: list[int], per_module: int = 3, now: datetime | None = None
                  ) -> dict[int, list[TrainingSession]]:
    """The next few sessions of each module, in one query (a window function keeps it bounded)."""
    if not module_ids:
        return {}
    now = now or utcnow()
    ranked = (select(TrainingSession.id, func.row_number().over(
        partition_by=TrainingSession.module_id, order_by=(TrainingSession.starts_at, TrainingSession.id))
        .label("rank"))
        .where(TrainingSession.module_id.in_(module_ids), TrainingSession.status == "scheduled",
               TrainingSession.starts_at >= now).subquery())
    sessions = db.session.scalars(select(TrainingSession).join(ranked, ranked.c.id == TrainingSession.id)
                                  .where(ranked.c.rank <= per_module)
                                  .order_by(TrainingSession.starts_at)).all()
    out: dict[int, list[TrainingSession]] = defaultdict(list)
    for session in sessions:
        out[session.module_id].append(session)
    return out


def enrolments_by_session(user, session_ids: list[int]) -> dict[int, Enrolment]:
    if not (user and getattr(user, "is_authenticated", False)) or not session_ids:
        return {}
    rows = db.session.scalars(select(Enrolment).where(Enrolment.user_id == user.id,
                                                      Enrolment.session_id.in_(session_ids))).all()
    return {e.session_id: e for e in rows}


def holds_seat(session_id: int, user_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(
        Enrolment.session_id == session_id, Enrolment.user_id == user_id, Enrolment.status == "enrolled"))))


def session_countries() -> list[str]:
    return list(db.session.scalars(select(TrainingSession.country).where(TrainingSession.country.is_not(None))
                                   .distinct().order_by(TrainingSession.country)))


def module_languages() -> list[str]:
    return list(db.session.scalars(select(Module.language).where(Module.status == "published")
                                   .distinct().order_by(Module.language)))


HOME_UPCOMING, HOME_TO_ANSWER = 4, 3  # what the home shows; the rest is on My training


def my_training(user, now: datetime | None = None) -> dict:
    """Everything "My training" shows, in four queries whatever the history's length."""
    now = now or utcnow()
    enrolments = db.session.scalars(
        select(Enrolment).join(TrainingSession).where(Enrolment.user_id == user.id,
                                                      Enrolment.status != "cancelled")
        .options(selectinload(Enrolment.session).selectinload(TrainingSession.module))
        .order_by(TrainingSession.starts_at)).all()
    certificates = {c.module_id: c for c in db.session.scalars(
        select(Certificate).where(Certificate.user_id == user.id, Certificate.revoked_at.is_(None))
        .options(selectinload(Certificate.module)))}
    answered = set(db.session.scalars(select(Feedback.session_id).where(Feedback.user_id == user.id)))
    upcoming = [e for e in enrolments if e.session.ends_at > now and not e.session.is_cancelled]
    past = [e for e in reversed(enrolments) if e not in upcoming]
    return {"upcoming": upcoming, "past": past, "certificates": certificates, "answered": answered}


def home_section(user, now: datetime | None = None):
    """The personal home's training part (app/core/home.py): what comes next with waitlist positions,
    feedback still to give (latest first) and certificates of the last 30 days, each a link; three
    queries that read only what is shown, however long the person's history."""
    from flask import render_template

    now = now or utcnow()
    mine = (select(Enrolment).join(TrainingSession).where(Enrolment.user_id == user.id)
            .options(selectinload(Enrolment.session).selectinload(TrainingSession.module)))
    upcoming = db.session.scalars(
        mine.where(Enrolment.status != "cancelled", TrainingSession.status != "cancelled",
                   TrainingSession.ends_at > now)
        .order_by(TrainingSession.starts_at, Enrolment.id).limit(HOME_UPCOMING)).all()
    answered = exists().where(Feedback.session_id == Enrolment.session_id, Feedback.user_id == user.id)
    to_answer = db.session.scalars(
        mine.where(Enrolment.may_give_feedback_where(now), ~answered)
        .order_by(TrainingSession.starts_at.desc(), Enrolment.id.desc()).limit(HOME_TO_ANSWER)).all()
    recent = db.session.scalars(
        select(Certificate).where(Certificate.user_id == user.id, Certificate.revoked_at.is_(None),
                                  Certificate.issued_at > now - timedelta(days=30))
        .options(selectinload(Certificate.module)).order_by(Certificate.issued_at.desc(), Certificate.id)).all()
    return section_html(render_template("courses/_home.html", upcoming=upcoming, to_answer=to_answer,
                                        certificates=recent),
                        empty=not (upcoming or to_answer or recent))


def feedback_received(user, now: datetime | None = None, days: int = 30, limit: int = 5
                      ) -> list[tuple[TrainingSession, int, float]]:
    """My sessions that received feedback in the last `days`, latest first, each with its number of
    answers and average rating (all its answers, as its results page shows them); one query."""
    now = now or utcnow()
    mine = select(TrainingSession.id).where(TrainingSession.trained_by(user.id))
    latest = func.max(Feedback.created_at)
    stats = (select(Feedback.session_id, func.count().label("answers"),
                    func.avg(Feedback.rating).label("average"), latest.label("latest_at"))
             .where(Feedback.session_id.in_(mine)).group_by(Feedback.session_id)
             .having(latest > now - timedelta(days=days)).subquery())
    rows = db.session.execute(
        select(TrainingSession, stats.c.answers, stats.c.average)
        .join(stats, stats.c.session_id == TrainingSession.id).options(joinedload(TrainingSession.module))
        .order_by(stats.c.latest_at.desc(), TrainingSession.id).limit(limit))
    return [(session, answers, round(float(average), 1)) for session, answers, average in rows]


def trainer_home_section(user):
    """The personal home's part for trainers: my sessions of the coming week with requests to approve,
    those of the last two weeks whose attendance is still to take, and those that received feedback in
    the last 30 days, each a link; three queries."""
    if not user.is_trainer:
        return None
    from flask import render_template

    from app.core.i18n import format_number

    now = utcnow()
    sessions = db.session.scalars(
        select(TrainingSession).where(TrainingSession.trained_by(user.id),
                                      TrainingSession.status == "scheduled",
                                      TrainingSession.starts_at > now - timedelta(days=14),
                                      TrainingSession.starts_at < now + timedelta(days=7))
        .options(selectinload(TrainingSession.module)).order_by(TrainingSession.starts_at)).all()
    counts: dict[int, dict] = {s.id: {"pending": 0, "unmarked": 0} for s in sessions}
    if sessions:
        for session_id, status, n in db.session.execute(
                select(Enrolment.session_id, Enrolment.status, func.count())
                .where(Enrolment.session_id.in_(counts), or_(Enrolment.status == "pending",
                                                             (Enrolment.status == "enrolled")
                                                             & Enrolment.attended.is_(None)))
                .group_by(Enrolment.session_id, Enrolment.status)):
            counts[session_id]["pending" if status == "pending" else "unmarked"] = n
    coming = [s for s in sessions if not s.has_started(now)]
    to_mark = [s for s in sessions if s.has_started(now) and counts[s.id]["unmarked"]]
    feedback = [(s, answers, format_number(average, "0.0")) for s, answers, average in feedback_received(user, now)]
    return section_html(render_template("courses/_trainer_home.html", coming=coming, to_mark=to_mark, counts=counts,
                                        feedback=feedback), empty=not (coming or to_mark or feedback))


def participants(session: TrainingSession) -> list[Enrolment]:
    """Everyone who asked for the session, by status then waitlist order, with their accounts."""
    order = {"enrolled": 0, "pending": 1, "waitlisted": 2, "declined": 3, "cancelled": 4}
    rows = db.session.scalars(select(Enrolment).where(Enrolment.session_id == session.id)
                              .options(selectinload(Enrolment.user))).all()
    return sorted(rows, key=lambda e: (order[e.status], e.waitlist_position or 0, e.user.name.lower()))


def trainer_modules(user) -> list[Module]:
    query = select(Module).options(selectinload(Module.sessions), selectinload(Module.trainers)).order_by(
        Module.status, Module.title)
    if not user.is_admin:
        query = query.where(Module.trainers.any(id=user.id))
    return list(db.session.scalars(query))


def other_sessions(session: TrainingSession, now: datetime | None = None) -> list[TrainingSession]:
    """Coming sessions of the same module, where a trainer may move someone."""
    return list(db.session.scalars(select(TrainingSession).where(
        TrainingSession.module_id == session.module_id, TrainingSession.id != session.id,
        TrainingSession.status == "scheduled", TrainingSession.starts_at > (now or utcnow()))
        .order_by(TrainingSession.starts_at)))


def dashboard_section(user):
    """The coordinator dashboard's training part: next sessions, attended sessions, certificates."""
    from flask import render_template

    data = my_training(user)
    attended = sum(1 for e in data["past"] if e.attended)
    return render_template("courses/_dashboard.html", attended=attended, **data)


def session_certificates(session: TrainingSession, user_ids: list[int]) -> list[Certificate]:
    """Certificates of the session's module held by these attendees (valid and revoked), by name."""
    if not user_ids:
        return []
    rows = db.session.scalars(select(Certificate).where(Certificate.module_id == session.module_id,
                                                        Certificate.user_id.in_(user_ids))
                              .options(selectinload(Certificate.user))).all()
    return sorted(rows, key=lambda c: (not c.is_valid, c.user.name.lower()))


def feedback_givers(session: TrainingSession) -> set[int]:
    return set(db.session.scalars(select(Feedback.user_id).where(Feedback.session_id == session.id)))


def session_states(session_ids: list[int]) -> dict[int, dict]:
    """Per past session: present, absent, unmarked, certificates (valid, of its attendees) and feedback, in 3 queries."""
    if not session_ids:
        return {}
    states = {i: {"present": 0, "absent": 0, "unmarked": 0, "certificates": 0, "feedback": 0} for i in session_ids}
    for session_id, attended, n in db.session.execute(
            select(Enrolment.session_id, Enrolment.attended, func.count()).where(
                Enrolment.session_id.in_(session_ids), Enrolment.status == "enrolled")
            .group_by(Enrolment.session_id, Enrolment.attended)):
        states[session_id]["present" if attended else "unmarked" if attended is None else "absent"] += n
    for session_id, n in db.session.execute(
            select(Enrolment.session_id, func.count()).join(TrainingSession)
            .join(Certificate, (Certificate.module_id == TrainingSession.module_id)
                  & (Certificate.user_id == Enrolment.user_id))
            .where(Enrolment.session_id.in_(session_ids), Enrolment.status == "enrolled",
                   Enrolment.attended.is_(True), Certificate.revoked_at.is_(None))
            .group_by(Enrolment.session_id)):
        states[session_id]["certificates"] = n
    for session_id, n in db.session.execute(
            select(Feedback.session_id, func.count()).where(Feedback.session_id.in_(session_ids))
            .group_by(Feedback.session_id)):
        states[session_id]["feedback"] = n
    return states

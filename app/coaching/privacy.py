"""Coaching's part of personal data: appointments (both sides) and a coach's availability."""
from __future__ import annotations

from sqlalchemy import or_, select

from app.coaching.models import Appointment, CoachProfile
from app.core.privacy import ErasureRequest, row_dict
from app.core.timeutil import utcnow
from app.extensions import db


def export_coaching(user) -> dict:
    appointments = db.session.scalars(select(Appointment).where(
        or_(Appointment.participant_id == user.id, Appointment.coach_id == user.id)).order_by(Appointment.id))
    profile = db.session.get(CoachProfile, user.id)
    availability = None
    if profile is not None:
        availability = dict(row_dict(profile),
                            weekly=[row_dict(w, skip=("coach_id",)) for w in profile.weekly],
                            exceptions=[row_dict(x, skip=("coach_id",)) for x in profile.exceptions])
    return {
        "appointments": [dict(row_dict(a), my_side="coach" if a.coach_id == user.id else "participant")
                         for a in appointments],
        "availability": availability,
    }


def erase_coaching(user, request: ErasureRequest) -> str:
    """Future appointments are cancelled through `cancel_appointment` (the other side is told); past ones
    stay for the coaching hours, without the agenda the person wrote."""
    from app.coaching.services import cancel_appointment

    now = utcnow()
    future = db.session.scalars(select(Appointment).where(
        or_(Appointment.participant_id == user.id, Appointment.coach_id == user.id),
        Appointment.status == "booked", Appointment.starts_at > now).order_by(Appointment.id)).all()
    for appointment in future:
        cancel_appointment(user, appointment, now=now, erasing=True)
    for appointment in db.session.scalars(select(Appointment).where(Appointment.participant_id == user.id)):
        appointment.agenda = ""
    for appointment in db.session.scalars(select(Appointment).where(Appointment.cancelled_by_id == user.id)):
        appointment.cancel_reason = ""
    profile = db.session.get(CoachProfile, user.id)
    if profile is not None:
        db.session.delete(profile)  # availability rules and exceptions go with it
    return f"{len(future)} future appointments cancelled"

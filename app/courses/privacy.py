"""Courses' part of personal data: enrolments, certificates, feedback, trainer assignments."""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from app.core.privacy import ErasureRequest, row_dict
from app.core.timeutil import utcnow
from app.courses.models import (
    ACTIVE_STATUSES,
    Certificate,
    Enrolment,
    Feedback,
    Module,
    TrainingSession,
    module_trainers,
)
from app.extensions import db


def export_courses(user) -> dict:
    enrolments = db.session.scalars(
        select(Enrolment).where(Enrolment.user_id == user.id)
        .options(selectinload(Enrolment.session).selectinload(TrainingSession.module)).order_by(Enrolment.id))
    certificates = db.session.scalars(
        select(Certificate).where(Certificate.user_id == user.id)
        .options(selectinload(Certificate.module)).order_by(Certificate.id))
    feedback = db.session.scalars(
        select(Feedback).where(Feedback.user_id == user.id)
        .options(selectinload(Feedback.session).selectinload(TrainingSession.module)).order_by(Feedback.id))
    trains = db.session.scalars(select(Module).join(module_trainers, module_trainers.c.module_id == Module.id)
                                .where(module_trainers.c.user_id == user.id).order_by(Module.id))
    return {
        "enrolments": [dict(row_dict(e), module=e.session.module.title, session_starts_at=e.session.starts_at)
                       for e in enrolments],
        "certificates": [dict(row_dict(c), module=c.module.title) for c in certificates],
        "feedback": [dict(row_dict(f), module=f.session.module.title, session_starts_at=f.session.starts_at)
                     for f in feedback],
        "modules_i_train": [{"id": m.id, "title": m.title} for m in trains],
    }


def erase_courses(user, request: ErasureRequest) -> str:
    """Future enrolments are cancelled through `unenrol` (seat freed, waitlist promoted, trainer's list
    right); past ones stay, so attendance counts and certificates of the session stay right."""
    from app.courses.services import unenrol

    now = utcnow()
    future = db.session.scalars(
        select(Enrolment).join(TrainingSession).where(
            Enrolment.user_id == user.id, Enrolment.status.in_(ACTIVE_STATUSES),
            TrainingSession.starts_at > now).order_by(TrainingSession.id)).all()
    for enrolment in future:
        unenrol(user, enrolment.session, user, now=now, erasing=True)
    for enrolment in db.session.scalars(select(Enrolment).where(Enrolment.user_id == user.id)):
        enrolment.note = ""
    for feedback in db.session.scalars(select(Feedback).where(Feedback.user_id == user.id)):
        feedback.comment = ""  # the rating stays in the session's summary, anonymous
    certificates = db.session.execute(delete(Certificate).where(Certificate.user_id == user.id)
                                      .execution_options(synchronize_session=False)).rowcount
    db.session.execute(delete(module_trainers).where(module_trainers.c.user_id == user.id))
    return f"{len(future)} future enrolments cancelled, {certificates} certificates deleted"

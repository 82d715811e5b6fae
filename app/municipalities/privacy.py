"""Municipalities' part of personal data: whom I follow or edit."""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from app.core.privacy import ErasureRequest, row_dict
from app.extensions import db
from app.municipalities.models import MunicipalityMember


def export_memberships(user) -> list[dict]:
    members = db.session.scalars(select(MunicipalityMember).where(MunicipalityMember.user_id == user.id)
                                 .options(selectinload(MunicipalityMember.municipality))
                                 .order_by(MunicipalityMember.id))
    return [dict(row_dict(m), municipality=m.municipality.name, country=m.municipality.country) for m in members]


def erase_memberships(user, request: ErasureRequest) -> str:
    count = db.session.execute(delete(MunicipalityMember).where(MunicipalityMember.user_id == user.id)
                               .execution_options(synchronize_session=False)).rowcount
    return f"{count} memberships removed"

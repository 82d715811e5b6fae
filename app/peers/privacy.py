"""Peers' part of personal data: profile, exchanges with their messages and meetings, good practices."""
from __future__ import annotations

import json

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import selectinload

from app.core.privacy import ErasureRequest, row_dict
from app.core.timeutil import utcnow
from app.extensions import db
from app.peers.models import OPEN_STATUSES, Exchange, ExchangeMessage, GoodPractice, PeerProfile


def _my_exchanges(user):
    return (select(Exchange).where(or_(Exchange.proposer_id == user.id, Exchange.partner_id == user.id))
            .options(selectinload(Exchange.messages), selectinload(Exchange.meetings),
                     selectinload(Exchange.practice)).order_by(Exchange.id))


def export_peers(user) -> dict:
    profile = db.session.get(PeerProfile, user.id)
    exchanges = []
    for exchange in db.session.scalars(_my_exchanges(user)):
        other = exchange.other(user)
        exchanges.append(dict(
            row_dict(exchange), partner_name=other.name, partner_country=other.country,
            messages=[dict(row_dict(m), mine=m.author_id == user.id) for m in exchange.messages],
            meetings=[row_dict(m) for m in exchange.meetings],
            good_practice_id=exchange.practice.id if exchange.practice else None))
    practices = db.session.scalars(select(GoodPractice).where(GoodPractice.submitted_by_id == user.id)
                                   .order_by(GoodPractice.id))
    return {"profile": row_dict(profile) if profile else None, "exchanges": exchanges,
            "good_practices_submitted": [row_dict(p) for p in practices]}


def erase_peers(user, request: ErasureRequest) -> str:
    """Open exchanges are cancelled (the other side is told, planned meetings cancelled); every exchange
    stays for the other side, the erased side shown as a former participant. What the person wrote in
    them (the proposal, their messages) goes. Good practices stay, credited by name only with consent."""
    from app.peers.services import _cancel_meeting, cancel_exchange

    now = utcnow()
    exchanges = db.session.scalars(_my_exchanges(user)).all()
    cancelled = 0
    for exchange in exchanges:
        if exchange.status in OPEN_STATUSES:
            cancel_exchange(user, exchange)
            cancelled += 1
        for meeting in exchange.meetings:
            if meeting.status == "planned" and meeting.starts_at > now:
                _cancel_meeting(meeting)
        if exchange.proposer_id == user.id:
            exchange.message = ""
        if exchange.practice is not None:
            practice = exchange.practice
            credit = {"name": user.name if request.keep_name_on_practices else "",
                      "organisation": user.organisation if request.keep_name_on_practices else "",
                      "country": user.country}
            practice.former_credits = [*(practice.former_credits or []), json.dumps(credit, sort_keys=True)]
    db.session.execute(delete(ExchangeMessage).where(ExchangeMessage.author_id == user.id)
                       .execution_options(synchronize_session=False))
    for practice in db.session.scalars(select(GoodPractice).where(GoodPractice.submitted_by_id == user.id)):
        practice.submitted_by_id = None
    profile = db.session.get(PeerProfile, user.id)
    if profile is not None:
        db.session.delete(profile)
    return f"{cancelled} open exchanges cancelled, {len(exchanges) - cancelled} kept"

"""Peer exchange factories: profiles and exchanges with sensible defaults."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.peers import services


class PeerFactories:
    def __init__(self, make):
        self.make = make

    def person(self, country="BE", *, offers=("public-lighting",), needs=("financing",), languages=("en",),
               available=True, public=True, **values):
        user = self.make.user(country=country, languages=list(languages), **values)
        services.save_profile(user, offers=list(offers), needs=list(needs), languages=list(languages),
                              bio="Energy coordinator.", places="Limburg", is_available=available, is_public=public)
        db.session.commit()
        return user

    def exchange(self, proposer, partner, topic="public-lighting", status="proposed"):
        exchange = services.propose_exchange(proposer, partner_id=partner.id, topic=topic, message="Hello!")
        if status in ("accepted", "completed"):
            services.accept_exchange(partner, exchange)
        if status == "completed":
            services.complete_exchange(proposer, exchange)
            services.complete_exchange(partner, exchange)
        if status == "declined":
            services.decline_exchange(partner, exchange)
        if status == "cancelled":
            services.cancel_exchange(proposer, exchange)
        db.session.commit()
        return exchange


@pytest.fixture
def peers(make):
    return PeerFactories(make)

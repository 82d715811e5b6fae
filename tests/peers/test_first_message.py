"""A first proposal to a stranger (no exchange together yet) needs a message on the web form; later ones do not.
The API keeps `message` optional (API.md: `POST /peers/exchanges {partner_id, topic, message?}`)."""
from __future__ import annotations

import pytest

from app.core.errors import Invalid
from app.peers import services


def test_service_asks_strangers_for_a_message_and_not_known_partners(peers, db):
    a, b = peers.person("BE"), peers.person("GR")
    with pytest.raises(Invalid) as refused:
        services.propose_exchange(a, partner_id=b.id, topic="financing", message="   ", introduce=True)
    assert refused.value.code == "message_required" and "message" in refused.value.fields
    peers.exchange(a, b, status="cancelled")  # they had an exchange: a new proposal may come without words
    exchange = services.propose_exchange(b, partner_id=a.id, topic="financing", introduce=True)
    assert exchange.status == "proposed" and exchange.message == ""


def test_api_keeps_the_message_optional(client, make, peers):
    a, b = peers.person("BE"), peers.person("GR")
    response = client.post("/api/v1/peers/exchanges", headers=make.bearer(a), json={"partner_id": b.id, "topic": "financing"})
    assert response.status_code == 201 and response.json["status"] == "proposed"


def test_the_page_shows_a_form_error(client, login, peers):
    a, b = peers.person("BE"), peers.person("GR")
    login(a)
    response = client.post(f"/peers/propose/{b.id}", data={"partner_id": str(b.id), "topic": "financing", "message": ""})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Write a message." in page and 'aria-invalid="true"' in page

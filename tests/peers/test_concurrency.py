"""Real clients at once against a live multi-worker server: one open exchange per pair, one answer wins,
two confirmations complete the exchange exactly once."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from app.peers.models import Exchange

pytestmark = pytest.mark.live


def call(url: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body or {}).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_concurrent_proposals_answers_and_confirmations(live_server, make, peers, db):
    a, b = peers.person("BE"), peers.person("GR")
    ta, tb = make.token(a), make.token(b)
    a_id, b_id = a.id, b.id
    api = live_server.url + "/api/v1/peers/exchanges"
    jobs = [(ta, {"partner_id": b_id, "topic": "financing"}), (tb, {"partner_id": a_id, "topic": "financing"})] * 6
    db.session.commit()  # hold no transaction (nor SQLite lock) while the server works
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(lambda job: call(api, *job), jobs))
    statuses = sorted(status for status, _body in results)
    assert statuses.count(201) == 1 and statuses.count(409) == 11, statuses
    exchange_id = next(body["id"] for status, body in results if status == 201)
    exchange = db.session.get(Exchange, exchange_id)
    invitee_token = tb if exchange.partner_id == b_id else ta
    db.session.commit()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda action: call(f"{api}/{exchange_id}/{action}", invitee_token),
                                ["accept"] * 4 + ["decline"] * 4))
    wins = [body["status"] for status, body in answers if status == 200]
    assert len(wins) == 1 and sum(status == 409 for status, _ in answers) == 7
    if wins == ["accepted"]:
        with ThreadPoolExecutor(max_workers=8) as pool:
            confirms = list(pool.map(lambda token: call(f"{api}/{exchange_id}/complete", token), [ta, tb] * 4))
        assert {status for status, _ in confirms} <= {200, 409}
        db.session.commit()
        exchange = db.session.scalar(select(Exchange).where(Exchange.id == exchange_id))
        assert exchange.status == "completed"
        assert exchange.proposer_confirmed_at and exchange.partner_confirmed_at and exchange.completed_at

"""The `peers pair` command, the demo data, and the public indicators."""
from __future__ import annotations

from sqlalchemy import func, select

from app.core.demo import load_demo
from app.core.indicators import collect_indicators
from app.peers.models import Exchange, GoodPractice, PairingRound, PeerProfile


def test_demo_has_every_state_and_published_practices_in_several_languages(app, db):
    load_demo(1)
    statuses = set(db.session.scalars(select(Exchange.status)))
    assert statuses == {"proposed", "accepted", "declined", "cancelled", "completed"}
    published = db.session.scalars(select(GoodPractice).where(GoodPractice.status == "published")).all()
    assert len({p.language for p in published}) >= 3
    countries = set(db.session.scalars(select(PeerProfile.user_id)))
    assert len(countries) >= 12
    totals, by_country = collect_indicators()
    assert totals["exchanges_completed"] == 5 and totals["good_practices"] == len(published)
    assert by_country["HR"]["exchanges_completed"] == 2 and by_country["GR"]["good_practices"] == 2


def test_cli_pair_prints_pairs_and_total_then_confirms(app, db, make, peers):
    make.admin()
    a = peers.person("BE", offers=["financing"], needs=["transport"], name="Anne Peeters")
    b = peers.person("GR", offers=["transport"], needs=["financing"], name="Bas Georgiou")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["peers", "pair"])
    assert result.exit_code == 0, result.output
    assert "Anne Peeters (BE) + Bas Georgiou (GR)" in result.output or "Bas Georgiou (GR) + Anne Peeters (BE)" in \
        result.output
    assert "Total score: 6" in result.output and "Preview only" in result.output
    result = runner.invoke(args=["peers", "pair", "--confirm"])
    assert result.exit_code == 0 and "Proposals sent: 1" in result.output
    db.session.expire_all()
    exchange = db.session.scalar(select(Exchange))
    assert {exchange.proposer_id, exchange.partner_id} == {a.id, b.id}
    assert db.session.scalar(select(func.count()).select_from(PairingRound)) == 2
    bad = runner.invoke(args=["peers", "pair", "--topic", "nonsense"])
    assert bad.exit_code == 2 and "Choose a topic" in bad.output

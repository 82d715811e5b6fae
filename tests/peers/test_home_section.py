"""The personal home's peer section: proposals waiting for my answer, my next meetings with a Join link
near the start, each a link to the exchange; never another pair's; a flat query count."""
from __future__ import annotations

from datetime import timedelta

from app.core.timeutil import utcnow
from app.peers import services
from tests.pages import home_query_count, home_section


def _section(client) -> str:
    return home_section(client, "peers")


def _meeting(user, exchange, starts, url, db):
    meeting = services.plan_meeting(user, exchange, kind="online", starts_at=starts, ends_at=starts + timedelta(hours=1),
                                    timezone="Europe/Athens", online_url=url)
    db.session.commit()
    return meeting


def test_home_lists_proposals_to_answer_and_next_meetings(client, db, login, peers):
    me, nikos, marta, other = peers.person("BE"), peers.person("GR", name="Nikos Georgiou"), \
        peers.person("PL", name="Marta Zielińska"), peers.person("ES")
    waiting = peers.exchange(nikos, me)              # waits for my answer
    mine = peers.exchange(me, marta)                 # I proposed: Marta answers, not me
    accepted = peers.exchange(other, nikos, status="accepted")  # not mine at all
    services.accept_exchange(marta, mine)
    db.session.commit()
    _meeting(me, mine, utcnow() + timedelta(minutes=10), "https://meet.example.org/soon", db)
    _meeting(me, mine, utcnow() + timedelta(days=3), "https://meet.example.org/later", db)
    _meeting(other, accepted, utcnow() + timedelta(days=1), "https://meet.example.org/theirs", db)
    login(me)
    section = _section(client)
    assert "Waiting for your answer" in section and f'href="/peers/exchanges/{waiting.id}"' in section
    assert "Nikos Georgiou" in section
    assert section.count(f'href="/peers/exchanges/{mine.id}"') == 2 and "Marta Zielińska" in section
    assert 'href="https://meet.example.org/soon"' in section
    assert "meet.example.org/later" not in section and "theirs" not in section
    assert f'/peers/exchanges/{accepted.id}"' not in section

    services.accept_exchange(me, waiting)
    db.session.commit()
    assert "Waiting for your answer" not in _section(client)


def test_home_peers_empty_state(client, login, peers):
    login(peers.person("BE"))
    assert "No proposal waits for your answer" in _section(client)


def test_home_peers_query_count_stays_flat(client, db, login, peers, count_queries):
    me = peers.person("BE")
    login(me)
    counts = []
    for countries in (("GR",), ("PL", "ES", "IT", "HR")):
        for country in countries:
            peers.exchange(peers.person(country), me)
        counts.append(home_query_count(client, count_queries))
    assert counts[0] == counts[1], counts

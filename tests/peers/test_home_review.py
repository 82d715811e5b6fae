"""The personal home's review section: good-practice reports waiting for review (trainers, admins), oldest
first, and for administrators the pairing rounds whose proposals wait for confirmation; each a link to act
on it; none of it for participants; a flat query count."""
from __future__ import annotations

from datetime import timedelta

from app.core.timeutil import utcnow
from app.peers import services
from tests.pages import home_page, home_query_count, home_section


def _section(client) -> str:
    return home_section(client, "review")


def _report(peers, db, title, *, days_ago=1, author_country="GR"):
    author = peers.person(author_country)
    exchange = peers.exchange(author, peers.person("BE"), status="accepted")
    practice = services.submit_report(author, exchange, title=title, summary="What we did.", results="R",
                                      transferability="T")
    practice.submitted_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return practice


def test_trainer_sees_the_oldest_reports_to_review_and_they_go_once_reviewed(client, db, make, login, peers):
    newest = _report(peers, db, "Newest report", days_ago=1)
    oldest = _report(peers, db, "Heat pumps in Koprivnica", days_ago=9, author_country="HR")
    middle = [_report(peers, db, f"Middle report {n}", days_ago=5 - n) for n in range(2)]
    trainer = make.trainer()
    login(trainer)
    section = _section(client)
    assert 'id="home-review-count">4<' in section
    assert f'href="/peers/review/{oldest.id}"' in section and "Heat pumps in Koprivnica" in section
    assert "Croatia" in section  # the author's country
    assert all(f'href="/peers/review/{p.id}"' in section for p in middle)
    assert f'href="/peers/review/{newest.id}"' not in section  # the oldest three only
    assert 'href="/peers/review"' in section
    assert "Pairing rounds to confirm" not in section  # trainers do not run rounds

    response = client.post(f"/peers/review/{oldest.id}", data={"note": "", "publish": "1"})
    assert response.status_code == 302
    section = _section(client)
    assert 'id="home-review-count">3<' in section and "Heat pumps in Koprivnica" not in section
    assert f'href="/peers/review/{newest.id}"' in section


def test_admin_sees_rounds_to_confirm_and_they_go_once_confirmed(client, db, make, login, peers):
    admin = make.admin()
    peers.person("BE", offers=["financing"], needs=["public-lighting"])
    peers.person("GR", offers=["public-lighting"], needs=["financing"])
    previewed = services.run_pairing_round(admin)
    db.session.commit()
    assert previewed.pairs
    login(admin)
    section = _section(client)
    assert "Pairing rounds to confirm" in section and 'id="home-rounds-count">1<' in section
    assert f'href="/peers/rounds/{previewed.id}"' in section and "Pairs: 1" in section
    assert 'href="/peers/rounds"' in section
    assert "No report waits for review." in section

    assert client.post(f"/peers/rounds/{previewed.id}/confirm").status_code == 302
    section = _section(client)
    assert f'href="/peers/rounds/{previewed.id}"' not in section
    assert "No pairing round waits for confirmation." in section


def test_a_round_without_pairs_is_nothing_to_confirm(client, db, make, login, peers):
    admin = make.admin()
    peers.person("BE")  # alone: nobody to pair with
    lonely = services.run_pairing_round(admin)
    db.session.commit()
    login(admin)
    section = _section(client)
    assert f'href="/peers/rounds/{lonely.id}"' not in section
    assert "No pairing round waits for confirmation." in section


def test_empty_state_for_a_trainer(client, make, login):
    login(make.trainer())
    section = _section(client)
    assert "No report waits for review." in section and 'id="home-review-count"' not in section


def test_participants_have_no_review_section(client, db, make, login, peers):
    _report(peers, db, "Secret draft report")
    admin = make.admin()
    peers.person("IT", offers=["financing"], needs=["public-lighting"])
    services.run_pairing_round(admin)
    db.session.commit()
    login(peers.person("PL"))
    page = home_page(client)
    assert 'id="home-review"' not in page
    assert "Secret draft report" not in page and "/peers/review" not in page and "/peers/rounds" not in page


def test_review_section_query_count_stays_flat(client, db, make, login, peers, count_queries):
    admin = make.admin()
    login(admin)
    counts = []
    for n in (1, 5):
        for i in range(n):
            _report(peers, db, f"Report {n}.{i}", days_ago=i)
            peers.person("BE", offers=["financing"], needs=["public-lighting"])
            peers.person("GR", offers=["public-lighting"], needs=["financing"])
            services.run_pairing_round(admin)
            db.session.commit()
        counts.append(home_query_count(client, count_queries))
    assert counts[0] == counts[1], counts

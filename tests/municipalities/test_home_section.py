"""The personal home's municipalities section: monitoring reports overdue or due in the next 60 days,
overdue first then by due date, each linking to its municipality; only mine; none of it for people
who follow no municipality; the query count stays flat."""
from __future__ import annotations

from datetime import timedelta

from app.core.timeutil import utcnow
from app.extensions import db
from app.municipalities.models import MunicipalityMember
from app.municipalities.services import add_years
from tests.pages import home_page, home_query_count, home_section


def _section(client) -> str:
    return home_section(client, "municipalities")


def _plan_submitted(days_until_action_report: int):
    """The action plan's date that makes its first action report (2 years later) due in that many days."""
    return add_years(utcnow().date() + timedelta(days=days_until_action_report), -2)


def test_lists_my_reports_due_soon_overdue_first_then_by_due_date(client, make, login, munis):
    me, other = make.user(name="Ana Kovač"), make.user(name="Tomasz Nowak")
    overdue = munis.municipality(name="Zadar", country="HR", followers=[me],
                                 seap_submitted_on=_plan_submitted(-10))
    soon = munis.municipality(name="Antwerp", editors=[me], seap_submitted_on=_plan_submitted(20))
    full = munis.municipality(name="Heraklion", country="GR", followers=[me],
                              seap_submitted_on=add_years(utcnow().date() + timedelta(days=40), -4), commit=False)
    munis.report(full, submitted_on=utcnow().date() - timedelta(days=300))  # action report done: full one next
    later = munis.municipality(name="Bruges", followers=[me], seap_submitted_on=_plan_submitted(90))
    theirs = munis.municipality(name="Kraków", country="PL", followers=[other],
                                seap_submitted_on=_plan_submitted(-30))
    login(me)
    section = _section(client)
    links = [f'href="/municipalities/{m.id}"' for m in (overdue, soon, full)]
    assert all(link in section for link in links)
    assert [section.index(link) for link in links] == sorted(section.index(link) for link in links)
    assert section.count(">overdue<") == 1 and section.index(">overdue<") < section.index(links[1])
    assert "Action report (every 2 years)" in section
    assert "Full report with a Monitoring Emission Inventory (every 4 years)" in section
    assert f'/municipalities/{later.id}"' not in section and "Bruges" not in section
    assert f'/municipalities/{theirs.id}"' not in section and "Kraków" not in section
    assert 'href="/municipalities/dashboard"' in section


def test_recording_the_report_takes_it_off_the_home(client, make, login, munis):
    me = make.user()
    town = munis.municipality(name="Zadar", editors=[me], seap_submitted_on=_plan_submitted(-10))
    login(me)
    assert f'/municipalities/{town.id}"' in _section(client)
    response = client.post(f"/municipalities/{town.id}/reports/new",
                           data={"submitted_on": utcnow().date().isoformat(), "kind": "action"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    section = _section(client)
    assert f'/municipalities/{town.id}"' not in section and "No report falls due in the next 60 days." in section


def test_empty_state_when_nothing_falls_due_soon(client, make, login, munis):
    me = make.user()
    munis.municipality(followers=[me], seap_submitted_on=_plan_submitted(200))
    munis.municipality(followers=[me])  # no action plan yet: nothing due
    login(me)
    section = _section(client)
    assert "No report falls due in the next 60 days." in section and "<li" not in section


def test_no_section_without_municipalities_or_with_an_invitation_only(client, make, login, munis):
    me, other = make.user(), make.user()
    town = munis.municipality(followers=[other], seap_submitted_on=_plan_submitted(-10))
    db.session.add(MunicipalityMember(municipality=town, user=me, role="follower", status="invited"))
    db.session.commit()
    login(me)
    assert 'id="home-municipalities"' not in client.get("/home").get_data(as_text=True)


def test_home_municipalities_query_count_stays_flat(client, make, login, munis, count_queries):
    me = make.user()
    login(me)
    counts = []
    for n in (1, 8):
        for i in range(n):
            town = munis.municipality(followers=[me], seap_submitted_on=_plan_submitted(-5 + i * 10), commit=False)
            munis.report(town, submitted_on=add_years(utcnow().date(), -3), kind="full")
        page = home_page(client)
        counts.append(home_query_count(client, count_queries))
        assert 'id="home-municipalities"' in page
    assert counts[0] == counts[1], counts


def test_a_coordinator_of_many_sees_the_most_urgent_five_and_how_many_in_all(client, make, login, munis):
    me = make.user()
    towns = [munis.municipality(name=f"Town {n:02d}", followers=[me], seap_submitted_on=_plan_submitted(n - 8))
             for n in range(12)]  # due from 8 days ago to 3 days from now, the first ones overdue
    login(me)
    section = _section(client)
    assert 'id="home-reports-due-count">12<' in section
    assert section.count("<li") == 5
    assert all(f'/municipalities/{t.id}"' in section for t in towns[:5])  # the longest overdue first
    assert f'/municipalities/{towns[5].id}"' not in section

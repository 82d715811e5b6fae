"""Municipality rules against a real database: validation, permissions, progress, due reports, reminders."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.core.errors import Conflict, Invalid, NotAllowed
from app.core.models import OutboxMessage
from app.municipalities import services
from app.municipalities.models import Municipality


def test_coordinator_creates_and_follows(make, db):
    coordinator = make.user(com_role="coordinator", country="GR")
    municipality = services.create_municipality(coordinator, {
        "name": " Heraklion ", "country": "gr", "population": "173 993", "seap_submitted_on": "2012-05-01",
        "baseline_year": 2005, "reduction_target_percent": 21, "baseline_emissions_t": 620000})
    db.session.commit()
    assert municipality.name == "Heraklion" and municipality.country == "GR"
    assert municipality.population == 173993
    assert municipality.seap_submitted_on == date(2012, 5, 1)
    assert municipality.followers == [coordinator]
    assert municipality.can_edit(coordinator)


def test_invalid_values_are_all_reported(make):
    admin = make.admin()
    with pytest.raises(Invalid) as caught:
        services.create_municipality(admin, {"name": "", "country": "XX", "population": "many",
                                             "reduction_target_percent": 150, "seap_submitted_on": "01/02/2012"})
    assert set(caught.value.fields) == {"name", "country", "population", "reduction_target_percent",
                                        "seap_submitted_on"}


def test_duplicate_name_in_country_conflicts(make, munis, db):
    admin = make.admin()
    munis.municipality(name="Gent", country="BE")
    with pytest.raises(Conflict) as caught:
        services.create_municipality(admin, {"name": "Gent", "country": "BE"})
    assert caught.value.code == "duplicate_municipality"
    services.create_municipality(admin, {"name": "Gent", "country": "NL"})  # another country is fine
    db.session.commit()


@pytest.mark.parametrize("com_role,role,allowed", [
    ("coordinator", "participant", True), ("supporter", "participant", True),
    ("municipality", "participant", False), ("other", "participant", False), ("other", "trainer", False),
    ("other", "admin", True)])
def test_who_may_create(make, com_role, role, allowed):
    user = make.user(com_role=com_role, role=role)
    if allowed:
        services.create_municipality(user, {"name": f"X{user.id}", "country": "IT"})
    else:
        with pytest.raises(NotAllowed):
            services.create_municipality(user, {"name": f"X{user.id}", "country": "IT"})


def test_edit_rights(make, munis):
    follower, editor, stranger, trainer = make.user(), make.user(com_role="municipality"), make.user(), make.trainer()
    municipality = munis.municipality(followers=[follower], editors=[editor])
    assert municipality.can_edit(follower) and municipality.can_edit(editor)
    assert not municipality.can_edit(stranger) and not municipality.can_edit(trainer)
    assert municipality.can_see_private(trainer) and not municipality.can_see_private(stranger)
    with pytest.raises(NotAllowed):
        services.create_action(stranger, municipality, **{"title": "x", "sector": "transport",
                                                        "area": "car-sharing", "instrument": "grants"})


def test_action_codes_are_checked(make, munis):
    follower = make.user()
    municipality = munis.municipality(followers=[follower])
    with pytest.raises(Invalid) as caught:
        services.create_action(follower, municipality, **{"title": "LED", "sector": "adaptation",
                                                        "area": "leds", "instrument": "grants",
                                                        "status": "finished"})
    assert set(caught.value.fields) == {"sector", "area", "status"}
    action = services.create_action(follower, municipality, **{
        "title": "LED street lighting", "sector": "public-lighting", "area": "efficient-lighting",
        "instrument": "energy-management", "status": "completed", "ends_on": "2015-06-30",
        "expected_co2_t": "850.5"})
    assert action.completed_on == date(2015, 6, 30)
    assert action.expected_co2_t == 850.5


def test_progress_and_due_reports(make, munis):
    municipality = munis.municipality(seap_submitted_on=date(2012, 1, 10), baseline_year=2005,
                                      baseline_emissions_t=200_000, reduction_target_percent=20,
                                      target_year=2020, commit=False)
    munis.action(municipality, status="completed", expected_co2_t=3000, achieved_co2_t=2500, commit=False)
    munis.action(municipality, status="ongoing", expected_co2_t=7000, commit=False)
    munis.action(municipality, status="cancelled", expected_co2_t=9999, commit=False)
    munis.report(municipality, submitted_on=date(2014, 1, 5), kind="action", commit=False)
    munis.report(municipality, submitted_on=date(2016, 2, 1), kind="full", monitoring_year=2014,
                 emissions_t=180_000)
    progress = services.progress(municipality, today=date(2017, 1, 1))
    assert progress.target_emissions_t == 160_000
    assert progress.achieved_reduction_percent == 10.0
    assert progress.progress_percent == 50.0
    assert progress.expected_co2_t == 10_000 and progress.achieved_co2_t == 2500
    assert progress.expected_reduction_percent == 5.0
    assert progress.actions_by_status == {"not-started": 0, "ongoing": 1, "completed": 1, "postponed": 0,
                                          "cancelled": 1}
    assert progress.points == [(2005, 200_000), (2014, 180_000)]
    due = services.due_reports(municipality, today=date(2018, 3, 1))
    assert [(d.kind, d.due_on, d.overdue) for d in due] == [("action", date(2018, 2, 1), True),
                                                            ("full", date(2020, 2, 1), False)]


def test_full_report_due_first_is_listed_alone(munis):
    municipality = munis.municipality(seap_submitted_on=date(2012, 2, 29))
    munis.report(municipality, submitted_on=date(2015, 6, 1), kind="action")
    due = services.due_reports(municipality, today=date(2016, 1, 1))
    assert [(d.kind, d.due_on) for d in due] == [("full", date(2016, 2, 29))]
    assert services.add_years(date(2012, 2, 29), 2) == date(2014, 2, 28)
    assert services.due_reports(munis.municipality(seap_submitted_on=None)) == []


def test_full_report_needs_emissions(make, munis):
    follower = make.user()
    municipality = munis.municipality(followers=[follower])
    with pytest.raises(Invalid) as caught:
        services.add_report(follower, municipality, **{"submitted_on": "2016-01-01", "kind": "full"})
    assert "emissions_t" in caught.value.fields


def test_reminders_go_to_followers_once(make, munis, db):
    coordinator, officer = make.user(com_role="coordinator"), make.user(com_role="municipality")
    municipality = munis.municipality(followers=[coordinator], editors=[officer],
                                      seap_submitted_on=date(2014, 3, 1))
    munis.municipality(followers=[coordinator], seap_submitted_on=date(2030, 1, 1))  # not due yet
    assert services.remind_due_reports(today=date(2016, 2, 15)) == 1
    db.session.commit()
    assert services.remind_due_reports(today=date(2016, 2, 16)) == 0
    mails = db.session.scalars(select(OutboxMessage)).all()
    assert [(m.user_id, m.kind) for m in mails] == [(coordinator.id, "seap_report_due")]
    assert municipality.name in mails[0].subject
    assert f"/municipalities/{municipality.id}" in mails[0].text_body


def test_indicators_by_country(munis):
    be = munis.municipality(country="BE", commit=False)
    gr = munis.municipality(country="GR", commit=False)
    munis.municipality(country="GR", commit=False)
    munis.action(be, status="completed", expected_co2_t=100, commit=False)
    munis.action(be, status="cancelled", expected_co2_t=500, commit=False)
    munis.action(gr, status="ongoing", expected_co2_t=50.25)
    totals, by_country = services.indicators()
    assert totals == {"municipalities": 3, "actions_completed": 1, "expected_co2_t": 150.3}
    assert by_country["GR"]["expected_co2_t"] == 50.3  # half away from zero, whatever the database
    assert by_country["BE"] == {"municipalities": 1, "actions_completed": 1, "expected_co2_t": 100}
    assert by_country["GR"]["municipalities"] == 2 and by_country["GR"]["actions_completed"] == 0


def test_update_rejects_duplicate_and_keeps_session_usable(make, munis, db):
    admin = make.admin()
    munis.municipality(name="Brugge", country="BE")
    other = munis.municipality(name="Brussel", country="BE")
    with pytest.raises(Conflict):
        services.update_municipality(admin, other, **{"name": "Brugge"})
    db.session.rollback()
    assert db.session.scalar(select(Municipality.name).where(Municipality.id == other.id)) == "Brussel"


def test_scheduler_tick_runs_the_reminder_job(app, make, munis, db):
    coordinator = make.user(com_role="coordinator")
    munis.municipality(followers=[coordinator], seap_submitted_on=date(2014, 3, 1))
    result = app.test_cli_runner().invoke(args=["scheduler", "tick"])
    assert result.exit_code == 0, result.output
    assert "remind_due_reports: 1" in result.output
    result = app.test_cli_runner().invoke(args=["scheduler", "tick"])
    assert "remind_due_reports: 0" in result.output
    db.session.rollback()
    assert db.session.scalar(select(OutboxMessage.kind)) == "seap_report_due"

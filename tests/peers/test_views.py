"""Peer exchange through the HTML pages: profile, suggestions, exchange, meetings, report, review,
library and pairing rounds."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.core.timeutil import utcnow
from app.peers.models import Exchange, GoodPractice, Meeting, PairingRound, PeerProfile


def test_profile_form_then_suggestions_with_reasons(client, make, login, peers, db):
    me = make.user(country="BE", languages=["nl", "en"])
    peers.person("GR", offers=["public-lighting"], needs=["financing"], name="Eleni")
    login(me)
    assert "Fill in my peer profile" in client.get("/peers/").get_data(as_text=True)
    response = client.post("/peers/profile", data={
        "offers": ["financing"], "needs": ["public-lighting"], "languages": ["en", "nl"], "bio": "Limburg",
        "places": "Hasselt, Genk", "formats": ["online", "visit"], "is_available": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/peers/suggestions")
    profile = db.session.get(PeerProfile, me.id)
    assert profile.offers == ["financing"] and profile.formats == ["online", "visit"] and profile.is_available
    page = client.get("/peers/suggestions").get_data(as_text=True)
    assert "Eleni" in page and "Offers Public lighting, which you need" in page
    assert "Needs Financing and funding, which you offer" in page
    assert "Eleni" not in client.get("/peers/suggestions?country=IT").get_data(as_text=True)
    bad = client.post("/peers/profile", data={"offers": ["financing"], "languages": []})
    assert bad.status_code == 200 and 'aria-invalid="true"' in bad.get_data(as_text=True)


def test_propose_accept_message_meet_report_review_publish(app, client, make, login, peers, db):
    proposer = peers.person("BE", offers=["financing"], needs=["public-lighting"], name="Pieter")
    partner = peers.person("GR", offers=["public-lighting"], needs=["financing"], name="Eleni")
    login(proposer)
    page = client.get(f"/peers/propose/{partner.id}").get_data(as_text=True)
    assert "Why you match" in page and "Offers Public lighting, which you need" in page
    response = client.post(f"/peers/propose/{partner.id}", data={
        "partner_id": partner.id, "topic": "public-lighting", "message": "Shall we compare LED tenders?"})
    assert response.status_code == 302
    exchange = db.session.scalar(select(Exchange))
    assert client.post(f"/peers/exchanges/{exchange.id}/accept").status_code == 302
    db.session.refresh(exchange)
    assert exchange.status == "proposed"  # the proposer cannot accept: flashed, unchanged
    client.post("/auth/logout")

    other = app.test_client()
    login(partner, target=other)
    page = other.get(f"/peers/exchanges/{exchange.id}").get_data(as_text=True)
    assert "Shall we compare LED tenders?" in page and "Accept" in page
    other.post(f"/peers/exchanges/{exchange.id}/accept")
    db.session.refresh(exchange)
    assert exchange.status == "accepted"
    other.post(f"/peers/exchanges/{exchange.id}/messages", data={"body": "Yes, gladly."})
    day = (utcnow() + timedelta(days=14)).date()
    response = other.post(f"/peers/exchanges/{exchange.id}/meetings", data={
        "kind": "visit", "start_date": day.isoformat(), "start_time": "09:30", "end_date": "",
        "end_time": "16:00", "timezone": "Europe/Athens", "place": "Heraklion town hall", "notes": "LED depot"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    meeting = db.session.scalar(select(Meeting))
    athens = meeting.starts_at.astimezone(ZoneInfo("Europe/Athens"))
    assert (athens.date(), athens.hour, athens.minute) == (day, 9, 30)  # the time given in Athens
    ics = other.get(f"/peers/meetings/{meeting.id}.ics")
    assert ics.status_code == 200 and b"METHOD:REQUEST" in ics.data
    assert client.get(f"/peers/meetings/{meeting.id}.ics").status_code == 302  # signed out: login
    page = other.get(f"/peers/exchanges/{exchange.id}").get_data(as_text=True)
    assert "Yes, gladly." in page and "Heraklion town hall" in page
    response = other.post(f"/peers/exchanges/{exchange.id}/report", data={
        "title": "LED street lighting with an ESCO", "summary": "Heraklion learnt from Limburg.",
        "activities": "A study visit.", "results": "A tender for 8,000 points.",
        "transferability": "Any municipality with its own lighting.", "topic": "public-lighting",
        "countries": ["BE", "GR"], "language": "en"})
    assert response.status_code == 302
    practice = db.session.scalar(select(GoodPractice))
    assert practice.status == "submitted"
    assert client.get(f"/good-practices/{practice.id}").status_code == 404  # not public yet

    trainer = app.test_client()
    login(make.trainer(), target=trainer)
    assert "LED street lighting with an ESCO" in trainer.get("/peers/review").get_data(as_text=True)
    response = trainer.post(f"/peers/review/{practice.id}", data={"note": "", "publish": "1"})
    assert response.status_code == 302
    db.session.refresh(practice)
    assert practice.status == "published"
    library = client.get("/good-practices/?q=ESCO&topic=public-lighting&country=GR").get_data(as_text=True)
    assert "LED street lighting with an ESCO" in library
    assert "LED street lighting" not in client.get("/good-practices/?country=IT").get_data(as_text=True)
    detail = client.get(f"/good-practices/{practice.id}").get_data(as_text=True)
    assert "Any municipality with its own lighting." in detail and "Eleni" in detail  # consent given


def test_strangers_get_404_on_exchange_pages(client, make, login, peers):
    a, b = peers.person("BE"), peers.person("GR")
    exchange = peers.exchange(a, b)
    login(peers.person("IT"))
    assert client.get(f"/peers/exchanges/{exchange.id}").status_code == 404
    assert client.post(f"/peers/exchanges/{exchange.id}/cancel").status_code == 404
    assert client.post(f"/peers/exchanges/{exchange.id}/messages", data={"body": "hi"}).status_code == 404
    assert client.get(f"/peers/exchanges/{exchange.id}/report").status_code == 404


def test_people_without_consent_are_not_shown(client, make, peers, db):
    a, b = peers.person("BE", name="Shown Person"), peers.person("GR", public=False, name="Hidden Person")
    exchange = peers.exchange(a, b, status="completed")
    from app.peers import services

    practice = services.submit_report(a, exchange, title="District heating in Koprivnica", summary="S",
                                      results="R", transferability="T")
    services.publish_practice(make.admin(), practice)
    db.session.commit()
    page = client.get(f"/good-practices/{practice.id}").get_data(as_text=True)
    assert "Shown Person" in page and "Hidden Person" not in page


def test_admin_round_preview_then_confirm(client, make, login, peers, db):
    people = [peers.person("BE", offers=["financing"], needs=["transport"], name="Anne"),
              peers.person("GR", offers=["transport"], needs=["financing"], name="Bas"),
              peers.person("IT", offers=["adaptation"], needs=["energy-poverty"], name="Carla")]
    login(make.user())
    assert client.get("/peers/rounds").status_code == 403
    client.post("/auth/logout")
    login(make.admin())
    response = client.post("/peers/rounds", data={"selection": "list", "user_ids": [p.id for p in people]})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Anne" in page and "Bas" in page and "Anne offers Financing and funding, which Bas needs" in page
    assert "Carla" in page and "Nobody in this round" in page
    round_ = db.session.scalar(select(PairingRound))
    assert round_.total_score == 6 and round_.status == "preview"
    client.post(f"/peers/rounds/{round_.id}/confirm")
    db.session.refresh(round_)
    assert round_.status == "confirmed"
    assert db.session.scalar(select(Exchange.round_id)) == round_.id


def test_library_page_query_budget(client, make, peers, db, count_queries):
    from app.peers import services

    admin = make.admin()
    for i in range(12):
        a, b = peers.person("BE"), peers.person("ES")
        exchange = peers.exchange(a, b, status="accepted")
        practice = services.submit_report(a, exchange, title=f"School retrofit {i}", summary="Deep renovation.",
                                          results="40% less heat.", transferability="Standard tender.")
        services.publish_practice(admin, practice)
    db.session.commit()
    with count_queries() as q:
        page = client.get("/good-practices/").get_data(as_text=True)
    assert "School retrofit 11" in page and "12 good practices" in page
    assert q.count <= 4


def test_exchange_page_query_budget(client, make, login, peers, count_queries):
    from app.peers import services

    a, b = peers.person("BE"), peers.person("GR")
    exchange = peers.exchange(a, b, status="accepted")
    for n in range(10):
        services.post_message(a if n % 2 else b, exchange, body=f"Message {n}")
    starts = utcnow() + timedelta(days=5)
    for n in range(3):
        services.plan_meeting(a, exchange, kind="online", starts_at=starts + timedelta(days=n),
                              ends_at=starts + timedelta(days=n, hours=1), timezone="Europe/Brussels")
    login(a)
    with count_queries() as q:
        page = client.get(f"/peers/exchanges/{exchange.id}").get_data(as_text=True)
    assert "Message 9" in page and page.count("Add to my calendar") == 3
    assert q.count <= 12


def test_meetings_across_the_spring_dst_change_keep_their_local_time(client, make, login, peers, db):
    """09:00 in Brussels is 08:00 UTC before the last Sunday of March and 07:00 UTC after it."""
    from datetime import date

    year = utcnow().year + 1
    last_sunday = max(date(year, 3, d) for d in range(25, 32) if date(year, 3, d).weekday() == 6)
    a, b = peers.person("BE"), peers.person("GR")
    exchange = peers.exchange(a, b, status="accepted")
    login(a)
    for day in (last_sunday - timedelta(days=2), last_sunday + timedelta(days=1)):
        response = client.post(f"/peers/exchanges/{exchange.id}/meetings", data={
            "kind": "online", "start_date": day.isoformat(), "start_time": "09:00", "end_time": "10:00",
            "timezone": "Europe/Brussels", "online_url": "https://meet.example.org/x"})
        assert response.status_code == 302
    before, after = db.session.scalars(select(Meeting).order_by(Meeting.starts_at)).all()
    assert (before.starts_at.hour, after.starts_at.hour) == (8, 7)
    ics = client.get(f"/peers/meetings/{after.id}.ics").get_data(as_text=True)
    assert f"DTSTART:{after.starts_at:%Y%m%d}T070000Z" in ics

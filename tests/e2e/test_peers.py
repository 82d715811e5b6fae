"""Browser journeys of peer exchange (fill a profile, see suggestions with reasons, propose, accept as the
other person, plan a meeting, report, publish as an admin, find it in the public library; a pairing round on
a phone) and concurrent API clients against the same live server."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.timeutil import utcnow
from app.extensions import db as _db
from app.peers import services
from app.peers.models import Exchange, GoodPractice, Meeting
from tests.e2e.conftest import shot, sign_in, sign_out


def test_profile_suggestion_exchange_meeting_report_library(page, browser, live_server, make, db):
    pieter = make.user(country="BE", name="Pieter Claes", organisation="Province of Limburg", languages=["nl", "en"])
    eleni = make.user(country="GR", name="Eleni Papadaki", organisation="Municipality of Heraklion",
                      languages=["el", "en"])
    services.save_profile(eleni, offers=["public-lighting"], needs=["financing", "monitoring"], languages=["el", "en"],
                          bio="We retrofitted 8,000 street lights.", places="Heraklion", is_public=True)
    admin = make.admin(name="Ana Admin")
    pieter_email, eleni_email, admin_email = pieter.email, eleni.email, admin.email
    db.session.commit()

    # Pieter fills in his peer profile.
    sign_in(page, pieter_email, make.PASSWORD)
    page.goto("/peers/")
    page.get_by_role("link", name="Fill in my peer profile").click()
    offers = page.get_by_role("group", name="Topics I can offer (good practice to share)")
    offers.get_by_label("Financing and funding").check()
    offers.get_by_label("Monitoring and reporting (BEI/MEI)").check()
    page.get_by_role("group", name="Topics I need").get_by_label("Public lighting").check()
    page.get_by_label("My municipalities or region").fill("Hasselt, Genk and 40 more")
    page.get_by_label("About me and my work").fill("Covenant coordinator for Limburg.")
    page.get_by_label("Show my name and organisation").check()
    shot(page, "peers-01-profile")
    page.get_by_role("button", name="Save and see suggestions").click()
    page.wait_for_url("**/peers/suggestions")

    # Suggestions, best first, with reasons in words.
    card = page.locator(".suggestions li.card").first
    assert "Eleni Papadaki" in card.inner_text()
    assert "Offers Public lighting, which you need" in card.inner_text()
    assert "Needs Financing and funding, which you offer" in card.inner_text()
    shot(page, "peers-02-suggestions")
    card.get_by_role("link", name="Propose an exchange to Eleni Papadaki").click()
    page.get_by_label("Topic of the exchange").select_option("public-lighting")
    page.get_by_label("Message").fill("Could we learn from your LED tender?")
    shot(page, "peers-03-propose")
    page.get_by_role("button", name="Send the proposal").click()
    page.wait_for_url("**/peers/exchanges/*")
    page.get_by_text("Proposed", exact=True).wait_for()
    exchange_url = page.url
    sign_out(page)

    # Eleni accepts, answers and plans a study visit.
    sign_in(page, eleni_email, make.PASSWORD)
    page.goto(exchange_url)
    page.get_by_text("Could we learn from your LED tender?").wait_for()
    page.get_by_role("button", name="Accept").click()
    page.get_by_text("Accepted", exact=True).wait_for()
    page.get_by_label("Your message").fill("Gladly! Come and see the depot.")
    page.get_by_role("button", name="Send", exact=True).click()
    page.get_by_text("Plan a meeting").click()
    day = (utcnow() + timedelta(days=21)).date()
    page.get_by_label("Study visit", exact=True).check()
    page.get_by_label("Start date").fill(day.isoformat())
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("End time").fill("16:00")
    page.get_by_label("Time zone of these times").select_option("Europe/Athens")
    page.get_by_label("Place (for a study visit)").fill("Heraklion town hall, lighting depot")
    shot(page, "peers-04-plan-meeting")
    page.get_by_role("button", name="Plan and invite us both").click()
    page.get_by_text("Heraklion town hall, lighting depot").wait_for()
    shot(page, "peers-05-exchange")
    db.session.rollback()
    meeting = db.session.scalar(select(Meeting))
    assert meeting is not None and meeting.kind == "visit"

    # The final report.
    page.get_by_role("link", name="Write the final report").click()
    page.get_by_label("Title").fill("LED street lighting with an energy-performance contract")
    page.get_by_label("Summary").fill("Heraklion and Limburg compared their LED tenders.")
    page.get_by_label("What was done").fill("A call and a study visit to the lighting depot.")
    page.get_by_label("Results", exact=True).fill("62% less electricity for street lighting.")
    page.get_by_label("Transferability").fill("Any municipality that owns its lighting network.")
    shot(page, "peers-06-report")
    page.get_by_role("button", name="Send for review").click()
    page.get_by_text("Submitted for review").wait_for()
    sign_out(page)

    # An admin publishes it.
    sign_in(page, admin_email, make.PASSWORD)
    page.goto("/peers/review")
    page.get_by_role("link", name="LED street lighting with an energy-performance contract").click()
    shot(page, "peers-07-review")
    page.get_by_role("button", name="Publish in the library").click()
    page.get_by_text("The good practice is published.").wait_for()
    sign_out(page)
    db.session.rollback()
    assert db.session.scalar(select(GoodPractice.status)) == "published"
    assert db.session.scalar(select(Exchange.status)) == "accepted"

    # Anyone finds it in the public library.
    page.goto("/")
    page.get_by_role("link", name="Good practices").first.click()
    page.get_by_role("textbox", name="Search").fill("LED")
    page.get_by_label("Country").select_option("GR")
    page.get_by_role("button", name="Search").click()
    shot(page, "peers-08-library")
    page.get_by_role("link", name="LED street lighting with an energy-performance contract").click()
    page.get_by_text("Any municipality that owns its lighting network.").wait_for()
    page.get_by_text("Pieter Claes, Province of Limburg").wait_for()  # consent given
    assert "Eleni Papadaki" in page.content()
    shot(page, "peers-09-practice")
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Main").is_visible()  # print.css hides the navigation
    shot(page, "peers-09b-practice-print")
    page.emulate_media(media="screen")
    assert page.console_errors == []


def test_admin_pairing_round_on_a_phone(phone, make, db):
    admin = make.admin()
    for country, offers, needs in [("BE", ["financing"], ["transport"]), ("GR", ["transport"], ["financing"]),
                                   ("IT", ["monitoring"], ["adaptation"]), ("ES", ["adaptation"], ["monitoring"]),
                                   ("PL", ["energy-poverty"], ["industry"])]:
        user = make.user(country=country, languages=["en"])
        services.save_profile(user, offers=offers, needs=needs, languages=["en"])
    email = admin.email
    _db.session.commit()
    sign_in(phone, email, make.PASSWORD)
    phone.goto("/peers/rounds")
    phone.get_by_role("button", name="Preview the pairs").click()
    phone.wait_for_url("**/peers/rounds/*")
    assert phone.locator("#total-score").inner_text() == "12"
    phone.get_by_text("Nobody in this round").wait_for()
    shot(phone, "peers-10-round-phone")
    phone.get_by_role("button", name="Confirm and send 2 proposals").click()
    phone.get_by_text("2 proposals are sent.").wait_for()


def call(url: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body or {}).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.mark.live
def test_concurrent_proposals_answers_and_confirmations(live_server, make, db):
    """Real clients at once (same live server as the browser): one open exchange per pair, one answer
    wins, two confirmations complete the exchange exactly once."""
    a, b = make.user(country="BE"), make.user(country="GR")
    for user in (a, b):
        services.save_profile(user, offers=["financing"], needs=["transport"], languages=["en"])
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

"""Download my data: a ZIP of JSON files, one per feature, with my data and nobody else's."""
from __future__ import annotations

import io
import json
import zipfile

from sqlalchemy import select

from app.core.models import AuditEvent
from app.extensions import db

FEATURE_FILES = {"account.json", "courses.json", "coaching.json", "peers.json", "municipalities.json",
                 "notifications.json"}


def _download(client, login, person):
    login(person.user, target=client)
    response = client.post("/auth/my-data")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return {name: archive.read(name).decode() for name in archive.namelist()}


def test_zip_holds_my_data_in_every_feature_and_none_of_another_users(world, client, login):
    alice, bob = world.people["ALICE"], world.people["BOB"]
    files = _download(client, login, alice)
    assert set(files) >= FEATURE_FILES
    data = {name: json.loads(text) for name, text in files.items() if name.endswith(".json")}

    account = data["account.json"]
    assert account["account"]["email"] == "alice@example.org"
    assert account["account"]["organisation"] == "ALICE-ORG"
    assert "password_hash" not in account["account"] and "feed_token_hash" not in account["account"]
    assert [t["name"] for t in account["api_tokens"]] == ["test"]
    assert "token_hash" not in account["api_tokens"][0]
    assert "login.success" in {e["action"] for e in account["audit_events"]}

    courses = data["courses.json"]
    assert {e["session_id"] for e in courses["enrolments"]} == {world.past.id, world.future.id}
    assert [e["note"] for e in courses["enrolments"] if e["session_id"] == world.future.id] == ["ALICE-NOTE"]
    assert len(courses["certificates"]) == 1
    assert [f["comment"] for f in courses["feedback"]] == ["ALICE-FEEDBACK"]

    coaching = data["coaching.json"]
    assert [a["agenda"] for a in coaching["appointments"]] == ["ALICE-AGENDA"]
    assert coaching["availability"]["bio"] == "ALICE-COACHBIO"
    assert len(coaching["availability"]["weekly"]) == 5

    peers = data["peers.json"]
    assert peers["profile"]["bio"] == "ALICE-BIO"
    [exchange] = peers["exchanges"]
    assert exchange["id"] == alice.exchange.id
    assert {m["body"] for m in exchange["messages"]} == {"ALICE-MESSAGE", "ALICE-PARTNER-REPLY"}
    assert [m["notes"] for m in exchange["meetings"]] == ["ALICE-MEETING"]
    assert [p["title"] for p in peers["good_practices_submitted"]] == ["ALICE practice"]

    assert [m["municipality"] for m in data["municipalities.json"]] == ["ALICEVILLE"]
    notes = data["notifications.json"]
    assert notes["notifications"], "the mails Alice got are mirrored in-app"
    assert notes["mail_switched_off"]

    everything = "\n".join(files.values())
    for marker in ("BOB", "bob@example.org", "Bob Person", "Bob Partner", "BOBVILLE"):
        assert marker not in everything, marker
    assert f'"user_id": {bob.user.id},' not in everything


def test_download_needs_a_post_and_a_signed_in_user(world, client, login):
    assert client.get("/auth/my-data").status_code == 405
    assert client.post("/auth/my-data").status_code == 302  # to the login page
    login(world.people["BOB"].user, target=client)
    assert client.post("/auth/my-data").status_code == 200
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.export")).all()


def test_profile_page_offers_download_and_deletion(world, client, login):
    login(world.people["ALICE"].user, target=client)
    page = client.get("/auth/profile").get_data(as_text=True)
    assert 'action="/auth/my-data"' in page
    assert 'href="/auth/delete"' in page

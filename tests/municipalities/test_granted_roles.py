"""Roles are granted, not chosen (issue 10): a registered Covenant role is a claim until an admin grants
it, and a membership of a municipality gives rights only once the invited person accepts."""
from __future__ import annotations

import io
import json

from sqlalchemy import func, select

from app.auth.models import User
from app.core.models import AuditEvent, OutboxMessage
from app.municipalities.models import Municipality, MunicipalityMember

REGISTRATION = {"name": "Fresh Account", "email": "fresh@example.org", "password": "long enough pass",
                "confirm": "long enough pass", "country": "BE", "com_role": "coordinator", "language": "en",
                "languages": ["en"]}


def _register(client, **values) -> User:
    response = client.post("/auth/register", data={**REGISTRATION, **values})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    from app.extensions import db

    return db.session.scalar(select(User).where(User.email == (values.get("email") or REGISTRATION["email"])))


def _fake_file(rows: int) -> bytes:
    return json.dumps([{"name": f"Fake {n}", "country": "BE"} for n in range(rows)]).encode()


def test_a_fresh_account_cannot_import_into_the_public_results(client, db):
    user = _register(client)
    assert user.com_role == "coordinator" and user.com_role_status == "claimed" and not user.is_coordinator
    response = client.post("/municipalities/import", data={"file": (io.BytesIO(_fake_file(50)), "fake.json")},
                           content_type="multipart/form-data")
    assert response.status_code == 403
    assert client.get("/municipalities/new").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Municipality)) == 0
    assert client.get("/api/v1/results").get_json()["municipalities"] == 0


def test_a_claimed_role_gives_no_api_rights_until_an_admin_grants_it(app, client, make, login, db):
    user = _register(client)
    auth = make.bearer(user)
    assert client.get("/api/v1/me", headers=auth).get_json()["com_role_status"] == "claimed"
    body = {"name": "Genk", "country": "BE"}
    assert client.post("/api/v1/municipalities", headers=auth, json=body).status_code == 403
    admin = login(make.admin(), target=app.test_client())
    assert admin.post(f"/admin/users/{user.id}/com-role/grant").status_code == 302
    db.session.refresh(user)
    assert user.com_role_status == "granted" and user.is_coordinator
    assert client.post("/api/v1/municipalities", headers=auth, json=body).status_code == 201
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.com_role_grant"))


def test_admin_denies_a_claim_and_lists_the_accounts_waiting(app, client, make, login, db):
    waiting = _register(client)
    _register(app.test_client(), email="other@example.org", com_role="other")
    admin = login(make.admin(), target=app.test_client())
    assert 'id="waiting-for-role" href="/admin/users?claim=waiting">1<' in admin.get("/admin/").get_data(as_text=True)
    page = admin.get("/admin/users?claim=waiting").get_data(as_text=True)
    assert "fresh@example.org" in page and "other@example.org" not in page
    edit = admin.get(f"/admin/users/{waiting.id}").get_data(as_text=True)
    assert "Grant the claimed role" in edit and "Deny the claimed role" in edit
    admin.post(f"/admin/users/{waiting.id}/com-role/deny")
    db.session.refresh(waiting)
    assert waiting.com_role_status == "denied" and not waiting.is_coordinator
    assert "fresh@example.org" not in admin.get("/admin/users?claim=waiting").get_data(as_text=True)
    participant = login(make.user(), target=app.test_client())
    assert participant.post(f"/admin/users/{waiting.id}/com-role/grant").status_code == 403


def test_changing_the_role_on_the_profile_is_a_new_claim(app, make, login, db):
    user = make.user(com_role="other")
    client = login(user, target=app.test_client())
    client.post("/auth/profile", data={"name": user.name, "country": "BE", "com_role": "supporter",
                                       "language": "en", "languages": ["en"]})
    db.session.refresh(user)
    assert user.com_role == "supporter" and user.com_role_status == "claimed" and not user.is_coordinator


def test_accounts_made_by_admins_are_granted(app, client, make, db):
    response = client.post("/api/v1/users", headers=make.bearer(make.admin()), json={
        "email": "made@example.org", "name": "Made", "password": "long enough pass", "role": "participant",
        "com_role": "coordinator", "country": "BE"})
    assert response.status_code == 201 and response.get_json()["com_role_status"] == "granted"
    result = app.test_cli_runner().invoke(args=["users", "create", "cli@example.org", "--name", "Cli",
                                                "--password", "long enough pass", "--com-role", "supporter",
                                                "--country", "GR"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(User).where(User.email == "cli@example.org")).is_coordinator


def test_demo_users_are_granted(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User).where(User.com_role_status != "granted")) == 0
    assert db.session.scalar(select(func.count()).select_from(MunicipalityMember)
                             .where(MunicipalityMember.status != "accepted")) == 0


# Memberships are invitations ---------------------------------------------------------------------------
def test_an_invitation_gives_no_rights_until_accepted(app, make, munis, login, db):
    coordinator = make.user(com_role="coordinator")
    town = munis.municipality(followers=[coordinator])
    officer = make.user(com_role="municipality", email="officer@example.org")
    inviter = login(coordinator, target=app.test_client())
    assert inviter.post(f"/municipalities/{town.id}/members",
                        data={"email": "officer@example.org", "role": "editor"}).status_code == 302
    member = db.session.scalar(select(MunicipalityMember).where(MunicipalityMember.user_id == officer.id))
    assert member.status == "invited" and member.invited_by_id == coordinator.id
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.user_id == officer.id))
    assert mail is not None and town.name in mail.subject
    invited = login(officer, target=app.test_client())
    assert invited.get(f"/municipalities/{town.id}/actions/new").status_code == 403
    dashboard = invited.get("/municipalities/dashboard").get_data(as_text=True)
    assert town.name in dashboard and f"/municipalities/{town.id}/invitation/accept" in dashboard
    assert invited.post(f"/municipalities/{town.id}/invitation/accept").status_code == 302
    assert invited.get(f"/municipalities/{town.id}/actions/new").status_code == 200
    actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "municipality.member_invite" in actions and "municipality.member_accept" in actions


def test_a_declined_invitation_gives_nothing_and_can_be_renewed(app, make, munis, login, db):
    admin = make.admin()
    town = munis.municipality()
    follower = make.user(com_role="coordinator", email="follow@example.org")
    admin_client = login(admin, target=app.test_client())
    admin_client.post(f"/municipalities/{town.id}/members", data={"email": "follow@example.org",
                                                                   "role": "follower"})
    invited = login(follower, target=app.test_client())
    invited.post(f"/municipalities/{town.id}/invitation/decline")
    db.session.expire_all()
    assert follower not in town.followers and town.members[0].status == "declined"
    assert invited.post(f"/municipalities/{town.id}/invitation/accept").status_code == 302  # nothing to accept
    db.session.expire_all()
    assert follower not in town.followers
    admin_client.post(f"/municipalities/{town.id}/members", data={"email": "follow@example.org",
                                                                   "role": "follower"})
    db.session.expire_all()
    assert town.members[0].status == "invited"
    admin_client.post(f"/municipalities/{town.id}/members/{follower.id}/remove")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "municipality.member_remove"))


def test_only_admins_and_granted_members_invite(app, make, munis, login, db):
    town = munis.municipality()
    claimed = make.user(com_role="coordinator", com_role_status="claimed")
    town.members.append(MunicipalityMember(user=claimed, role="follower", status="accepted"))
    db.session.commit()
    target = make.user(email="target@example.org")
    for user in (claimed, make.user()):
        client = login(user, target=app.test_client())
        assert client.post(f"/municipalities/{town.id}/members",
                           data={"email": "target@example.org"}).status_code == 403
    assert db.session.scalar(select(MunicipalityMember).where(MunicipalityMember.user_id == target.id)) is None


def test_imported_followers_are_invited_and_the_importer_follows(app, make, db):
    from app.municipalities import services

    coordinator = make.user(com_role="coordinator")
    other = make.user(email="colleague@example.org")
    data = b"name,country,followers\nHasselt,BE,colleague@example.org\n"
    result = services.import_municipalities(coordinator, data)
    db.session.commit()
    town = result.imported[0]
    assert coordinator in town.followers and other not in town.followers
    assert {m.user_id: m.status for m in town.members} == {coordinator.id: "accepted", other.id: "invited"}


def test_invitations_through_the_api(client, make, munis, db):
    coordinator = make.user(com_role="coordinator")
    town = munis.municipality(followers=[coordinator])
    officer = make.user(com_role="municipality", email="api-officer@example.org")
    stranger = make.user()
    invited = client.post(f"/api/v1/municipalities/{town.id}/members", headers=make.bearer(coordinator),
                          json={"email": "api-officer@example.org"})
    assert invited.status_code == 201 and invited.get_json()["status"] == "invited"
    assert invited.get_json()["role"] == "editor"
    assert client.post(f"/api/v1/municipalities/{town.id}/members", headers=make.bearer(stranger),
                       json={"email": stranger.email}).status_code == 403
    auth = make.bearer(officer)
    mine = client.get("/api/v1/me/invitations", headers=auth).get_json()
    assert [i["municipality_id"] for i in mine["items"]] == [town.id]
    action = {"title": "LED", "sector": "public-lighting", "area": "efficient-lighting",
              "instrument": "energy-management"}
    assert client.post(f"/api/v1/municipalities/{town.id}/actions", headers=auth, json=action).status_code == 403
    answered = client.post(f"/api/v1/municipalities/{town.id}/invitation/accept", headers=auth)
    assert answered.status_code == 200 and answered.get_json()["status"] == "accepted"
    assert client.post(f"/api/v1/municipalities/{town.id}/actions", headers=auth, json=action).status_code == 201
    assert client.post(f"/api/v1/municipalities/{town.id}/invitation/decline",
                       headers=make.bearer(stranger)).status_code == 404

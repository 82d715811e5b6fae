"""Every page × anonymous / participant / other participant / trainer / admin.

Pages with an id are tried with the id of an object the "other participant" owns, so that a
user never sees another's data by changing an id.
"""
from __future__ import annotations

import pytest

ROLES = ["anonymous", "participant", "other", "trainer", "admin"]

# (path, expected status by role). 302 = sent to the login page.
MATRIX = [
    ("/", dict.fromkeys(ROLES, 200)),
    ("/contact", dict.fromkeys(ROLES, 200)),
    ("/privacy", dict.fromkeys(ROLES, 200)),
    ("/auth/login", {"anonymous": 200, "participant": 302, "other": 302, "trainer": 302, "admin": 302}),
    ("/auth/register", {"anonymous": 200, "participant": 302, "other": 302, "trainer": 302, "admin": 302}),
    ("/auth/profile", {"anonymous": 302, "participant": 200, "other": 200, "trainer": 200, "admin": 200}),
    ("/auth/password", {"anonymous": 302, "participant": 200, "other": 200, "trainer": 200, "admin": 200}),
    ("/auth/delete", {"anonymous": 302, "participant": 200, "other": 200, "trainer": 200, "admin": 200}),
    ("/admin/", {"anonymous": 302, "participant": 403, "other": 403, "trainer": 403, "admin": 200}),
    ("/admin/users", {"anonymous": 302, "participant": 403, "other": 403, "trainer": 403, "admin": 200}),
    ("/admin/users/{other}", {"anonymous": 302, "participant": 403, "other": 403, "trainer": 403, "admin": 200}),
    ("/admin/outbox", {"anonymous": 302, "participant": 403, "other": 403, "trainer": 403, "admin": 200}),
    ("/admin/outbox/{mail}", {"anonymous": 302, "participant": 403, "other": 403, "trainer": 403, "admin": 200}),
    ("/admin/audit", {"anonymous": 302, "participant": 403, "other": 403, "trainer": 403, "admin": 200}),
    ("/courses/", dict.fromkeys(ROLES, 200)),
    ("/coaching/", dict.fromkeys(ROLES, 200)),
    ("/peers/", dict.fromkeys(ROLES, 200)),
    ("/municipalities/", dict.fromkeys(ROLES, 200)),
    # Creating and importing need a granted coordinator or supporter role (the participants here have
    # one; the trainer's Covenant role is "other"); see CLAIMED for a role only claimed at registration.
    ("/municipalities/new", {"anonymous": 302, "participant": 200, "other": 200, "trainer": 403, "admin": 200}),
    ("/municipalities/import", {"anonymous": 302, "participant": 200, "other": 200, "trainer": 403,
                                "admin": 200}),
    ("/municipalities/dashboard", {"anonymous": 302, "participant": 200, "other": 200, "trainer": 200,
                                   "admin": 200}),
    ("/municipalities/{town}/edit", {"anonymous": 302, "participant": 403, "other": 200, "trainer": 403,
                                     "admin": 200}),
    ("/municipalities/{town}/actions/new", {"anonymous": 302, "participant": 403, "other": 200, "trainer": 403,
                                            "admin": 200}),
    ("/results/", dict.fromkeys(ROLES, 200)),
]

POSTS = [
    # (path, data, expected by role): revoking another's token is a 404 for everyone but the owner.
    ("/auth/tokens/{other_token}/revoke", {}, {"anonymous": 302, "participant": 404, "trainer": 404,
                                               "admin": 404}),
    # Deleting someone's account is for admins only (unconfirmed here, so the admin is sent back).
    ("/admin/users/{other}/erase", {}, {"anonymous": 302, "participant": 403, "trainer": 403, "admin": 302}),
    ("/auth/my-data", {}, {"anonymous": 302, "participant": 200, "trainer": 200, "admin": 200}),
    # Granting a claimed Covenant role: administrators only.
    ("/admin/users/{claimed}/com-role/grant", {}, {"anonymous": 302, "participant": 403, "trainer": 403,
                                                   "admin": 302}),
    # Inviting to a municipality: admins and its accepted, granted members ("other" follows the town).
    ("/municipalities/{town}/members", {"email": "invitee@example.org", "role": "follower"},
     {"anonymous": 302, "participant": 403, "trainer": 403, "invited": 403, "other": 302}),
    # Only the invited person answers their invitation.
    ("/municipalities/{town}/invitation/accept", {}, {"anonymous": 302, "participant": 302, "invited": 302}),
]

# A self-registered account claiming a Covenant role: none of that role's rights until an admin grants it.
CLAIMED = [
    ("/municipalities/new", 403),
    ("/municipalities/import", 403),
    ("/municipalities/{town}/edit", 403),
    ("/admin/users", 403),
    ("/auth/profile", 200),
    ("/courses/", 200),
]


@pytest.fixture
def world(app, make, db):
    from app.auth.services import create_api_token, request_password_reset

    people = {"participant": make.user(), "other": make.user(country="GR"), "trainer": make.trainer(),
              "admin": make.admin()}
    token, _plain = create_api_token(people["other"], "theirs")
    request_password_reset(people["other"].email)
    db.session.commit()
    from sqlalchemy import select

    from app.core.models import OutboxMessage
    from app.municipalities.models import Municipality, MunicipalityMember

    people["claimed"] = make.user(com_role_status="claimed")
    people["invited"] = make.user(com_role="municipality")
    make.user(email="invitee@example.org")
    town = Municipality(name="Matrixville", country="BE", members=[
        MunicipalityMember(user=people["other"], role="follower", status="accepted"),
        MunicipalityMember(user=people["claimed"], role="follower", status="invited"),
        MunicipalityMember(user=people["invited"], role="editor", status="invited")])
    db.session.add(town)
    db.session.commit()
    ids = {"other": people["other"].id, "other_token": token.id, "claimed": people["claimed"].id,
           "mail": db.session.scalar(select(OutboxMessage.id)), "town": town.id}
    return people, ids


@pytest.mark.parametrize("path,expected", MATRIX, ids=[m[0] for m in MATRIX])
def test_page_permissions(app, world, login, path, expected):
    people, ids = world
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            login(people[role], target=client)
        response = client.get(path.format(**ids))
        assert response.status_code == expected[role], f"{role} GET {path}"
        if response.status_code == 302:  # anonymous people are sent to sign in, signed-in people onwards
            assert ("/auth/login" in response.headers["Location"]) == (role == "anonymous"), f"{role} GET {path}"


@pytest.mark.parametrize("path,data,expected", POSTS, ids=[p[0] for p in POSTS])
def test_post_permissions(app, world, login, path, data, expected):
    people, ids = world
    for role, status in expected.items():
        client = app.test_client()
        if role != "anonymous":
            login(people[role], target=client)
        assert client.post(path.format(**ids), data=data).status_code == status, f"{role} POST {path}"


@pytest.mark.parametrize("path,status", CLAIMED, ids=[c[0] for c in CLAIMED])
def test_claimed_role_permissions(app, world, login, path, status):
    people, ids = world
    client = login(people["claimed"], target=app.test_client())
    assert client.get(path.format(**ids)).status_code == status, f"claimed GET {path}"


def test_an_invitation_is_not_a_membership(app, world, login):
    """The invited editor may not edit until they accept; after accepting they may."""
    people, ids = world
    client = login(people["invited"], target=app.test_client())
    assert client.get(f"/municipalities/{ids['town']}/edit").status_code == 403
    assert client.post(f"/municipalities/{ids['town']}/invitation/accept").status_code == 302
    assert client.get(f"/municipalities/{ids['town']}/edit").status_code == 200

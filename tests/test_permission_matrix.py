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
    ("/results/", dict.fromkeys(ROLES, 200)),
]

POSTS = [
    # (path, data, expected by role): revoking another's token is a 404 for everyone but the owner.
    ("/auth/tokens/{other_token}/revoke", {}, {"anonymous": 302, "participant": 404, "trainer": 404,
                                               "admin": 404}),
    # Deleting someone's account is for admins only (unconfirmed here, so the admin is sent back).
    ("/admin/users/{other}/erase", {}, {"anonymous": 302, "participant": 403, "trainer": 403, "admin": 302}),
    ("/auth/my-data", {}, {"anonymous": 302, "participant": 200, "trainer": 200, "admin": 200}),
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

    ids = {"other": people["other"].id, "other_token": token.id,
           "mail": db.session.scalar(select(OutboxMessage.id))}
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

"""The admin area: users (search, edit, deactivate, roles), outbox, audit log."""
from __future__ import annotations

from sqlalchemy import select

from app.core.models import AuditEvent


def test_search_users_by_name_email_or_organisation(client, make, login):
    login(make.admin())
    make.user(name="Ivana Horvat", organisation="REGEA", email="ivana@regea.hr")
    make.user(name="Someone Else")
    assert "Ivana Horvat" in client.get("/admin/users?q=regea").get_data(as_text=True)
    page = client.get("/admin/users?q=ivana@").get_data(as_text=True)
    assert "Ivana Horvat" in page and "Someone Else" not in page


def test_admin_changes_role_and_deactivates_and_it_is_audited(app, client, make, login, db):
    admin = make.admin()
    user = make.user()
    their_client = app.test_client()
    login(user, target=their_client)
    login(admin)
    response = client.post(f"/admin/users/{user.id}", data={"role": "trainer", "is_coach": "y"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.role, user.is_coach, user.is_active_account) == ("trainer", True, False)
    assert their_client.get("/auth/profile").status_code == 302  # signed out at once
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.update"))
    assert event.actor_id == admin.id and "role participant->trainer" in event.detail


def test_admin_cannot_demote_themself(client, make, login, db):
    admin = make.admin()
    login(admin)
    response = client.post(f"/admin/users/{admin.id}", data={"role": "participant", "is_active": "y"})
    assert response.status_code == 200
    db.session.refresh(admin)
    assert admin.role == "admin"


def test_outbox_lists_and_shows_mail(client, make, login):
    user = make.user()
    client.post("/auth/forgot", data={"email": user.email})
    login(make.admin())
    page = client.get("/admin/outbox").get_data(as_text=True)
    assert "Reset your Mayors in Action password" in page
    assert "Reset your Mayors in Action password" in client.get("/admin/outbox?status=queued").get_data(as_text=True)
    assert "Reset your" not in client.get("/admin/outbox?status=sent").get_data(as_text=True)


def test_audit_log_page_filters(client, make, login):
    make.user(email="x@example.org")
    client.post("/auth/login", data={"email": "x@example.org", "password": "wrong pass"})
    login(make.admin())
    page = client.get("/admin/audit?action=login.failure").get_data(as_text=True)
    assert "x@example.org" in page and "login.success" not in page


def test_user_search_filters_by_country_and_role_and_paging_keeps_them(client, make, login):
    import re

    login(make.admin(country="BE"))
    for n in range(3):
        make.user(name=f"Ana Kovač {n}", country="HR", role="trainer")
    make.user(name="Ana Participant", country="HR")
    make.user(name="Anna Rossi", country="IT", role="trainer")
    html = client.get("/admin/users?country=HR&role=trainer&q=ana&per_page=2").get_data(as_text=True)
    assert "Ana Kovač 0" in html and "Ana Kovač 1" in html
    assert "Ana Participant" not in html and "Anna Rossi" not in html
    assert '<label for="country"' in html and '<option value="HR" selected>' in html
    assert '<option value="IT">' in html and '<option value="GR"' not in html  # only countries present
    link = re.search(r'href="([^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "country=HR" in link and "role=trainer" in link and "q=ana" in link
    page2 = client.get(link).get_data(as_text=True)
    assert "Ana Kovač 2" in page2 and "Anna Rossi" not in page2


def test_user_search_ignores_bad_filters(client, make, login):
    login(make.admin())
    make.user(name="Someone Here")
    for query in ("?country=ZZ", "?country=%00", "?role=root", "?q=" + "x" * 5000, "?q=%25&page=-3"):
        response = client.get("/admin/users" + query)
        assert response.status_code == 200
    assert "Someone Here" in client.get("/admin/users?country=ZZ&role=root").get_data(as_text=True)


def test_user_search_keeps_a_bounded_query_count(client, make, login, count_queries):
    login(make.admin())
    for n in range(25):
        make.user(name=f"Person {n:02d}", country="HR")
    with count_queries() as small:
        client.get("/admin/users?country=HR&per_page=5")
    with count_queries() as large:
        client.get("/admin/users?country=HR&per_page=25")
    assert large.count == small.count <= 10


def test_only_admins_see_the_admin_lists(client, make, login):
    assert client.get("/admin/users").status_code == 302
    login(make.user(role="trainer"))
    for path in ("/admin/users", "/admin/users?country=BE", "/admin/audit"):
        assert client.get(path).status_code == 403

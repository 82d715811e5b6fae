"""Browser check of the lists people find things in: the municipality registry (collated order, country
filter) and the admin user search (country and role filters), at desktop and phone widths."""
from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import expect

from app.extensions import db
from tests.e2e.conftest import shot, sign_in
from tests.municipalities.conftest import MunicipalityFactories

SHOTS = Path("/tmp/shots/lists")


def _keep(path: Path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def test_registry_and_user_search_filter_in_the_browser(page, phone, make):
    munis = MunicipalityFactories()
    for name, country in [("Zagreb", "HR"), ("Évora", "PT"), ("Ávila", "ES"), ("Łódź", "PL"), ("Lyon", "FR"),
                          ("Zadar", "HR")]:
        munis.municipality(name=name, country=country)
    make.admin(email="admin@example.org", name="Ada Admin")
    make.user(name="Ivana Horvat", country="HR", role="trainer")
    make.user(name="Marco Bianchi", country="IT")
    db.session.commit()

    page.goto("/municipalities/")
    names = page.locator("tbody th[scope=row]").all_inner_texts()
    assert names == ["Ávila", "Évora", "Łódź", "Lyon", "Zadar", "Zagreb"]
    page.get_by_label("Country").select_option("HR")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("tbody th[scope=row]")).to_have_text(["Zadar", "Zagreb"])
    _keep(shot(page, "lists-municipalities-1280"))
    phone.goto("/municipalities/?country=HR")
    _keep(shot(phone, "lists-municipalities-390"))

    sign_in(page, "admin@example.org", make.PASSWORD)
    page.goto("/admin/users")
    page.get_by_label("Country").select_option("HR")
    page.locator("#role").select_option("trainer")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Ivana Horvat")).to_be_visible()
    expect(page.get_by_role("link", name="Marco Bianchi")).to_have_count(0)
    _keep(shot(page, "lists-admin-users-1280"))
    sign_in(phone, "admin@example.org", make.PASSWORD)
    phone.goto("/admin/users?country=HR")
    _keep(shot(phone, "lists-admin-users-390"))

"""Privacy journey in a real browser: download my data, then delete my account."""
from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import shot, sign_in
from tests.factories import Factories


def test_download_my_data_then_delete_my_account(page, make, db):
    user = make.user(name="Petra Privacy", email="petra.privacy@example.org")
    db.session.commit()
    sign_in(page, user.email, Factories.PASSWORD)
    page.goto("/auth/profile")
    section = page.locator("#my-data")
    expect(section).to_be_visible()
    with page.expect_download() as download_info:
        section.get_by_role("button", name="Download my data").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    assert json.loads(archive.read("account.json"))["account"]["email"] == "petra.privacy@example.org"
    shot(page, "privacy-01-profile-my-data")

    section.get_by_role("link", name="Delete my account").click()
    expect(page.get_by_role("heading", name="Delete my account")).to_be_visible()
    page.get_by_label("Your password").fill(Factories.PASSWORD)
    page.get_by_label(re.compile("I understand")).check()
    shot(page, "privacy-02-delete-form")
    page.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_text("Your account and your personal data are deleted")).to_be_visible()
    expect(page.get_by_role("link", name="Privacy")).to_be_visible()  # in the footer
    page.get_by_role("link", name="Privacy").click()
    expect(page.get_by_role("heading", name=re.compile("how we handle personal data"))).to_be_visible()
    shot(page, "privacy-03-privacy-page")

    page.goto("/auth/login")
    page.get_by_label("Email").fill("petra.privacy@example.org")
    page.get_by_label("Password").fill(Factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").filter(has_text=re.compile("not correct"))).to_be_visible()
    assert not page.console_errors

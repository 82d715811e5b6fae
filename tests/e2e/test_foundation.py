"""Browser journey of the foundation: register, sign in, Dutch, profile, API token, sign out."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import ApiToken, User
from tests.e2e.conftest import open_user_menu, shot, sign_in, sign_out


def test_register_profile_language_token_logout(page, db):
    page.goto("/")
    shot(page, "foundation-01-home")
    page.get_by_role("link", name="Register").first.click()
    page.get_by_label("Full name").fill("Maria Konstantinou")
    page.get_by_label("Email").fill("maria@heraklion.gr")
    page.get_by_label("Password", exact=True).fill("a good long password")
    page.get_by_label("Repeat the password").fill("a good long password")
    page.get_by_label("Organisation").fill("Municipality of Heraklion")
    page.get_by_label("Country").select_option("GR")
    page.get_by_label("Your role in the Covenant of Mayors").select_option("municipality")
    page.get_by_label("Greek", exact=True).check()
    page.get_by_label("English", exact=True).check()
    shot(page, "foundation-02-register")
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url("**/auth/profile")
    expect(page.get_by_role("status").filter(has_text="Welcome, Maria Konstantinou")).to_be_visible()
    assert "Europe/Athens" in page.content()

    # Sign out and in again through the form.
    sign_out(page)
    sign_in(page, "maria@heraklion.gr", "a good long password")
    expect(page.get_by_role("button", name="Maria Konstantinou")).to_be_visible()  # the user menu

    # Switch the interface to Dutch with the language switcher of the user menu (it submits on change).
    open_user_menu(page).get_by_label("Language").select_option("nl")
    expect(page.locator("html")).to_have_attribute("lang", "nl")  # waits for the page it submits
    expect(page.locator("#sign-out")).to_have_text("Afmelden")
    shot(page, "foundation-03-home-dutch")

    # Edit the profile, in Dutch.
    open_user_menu(page).get_by_role("link", name="Mijn profiel").click()
    page.get_by_label("Organisatie").fill("Dimos Irakleiou")
    page.get_by_role("button", name="Mijn profiel opslaan").click()
    expect(page.get_by_role("status").filter(has_text="Je profiel is opgeslagen")).to_be_visible()
    db.session.rollback()
    user = db.session.scalar(select(User).where(User.email == "maria@heraklion.gr"))
    assert user.organisation == "Dimos Irakleiou" and user.language == "nl"

    # Create an API token: shown once, usable; then revoke it.
    page.get_by_label("Naam van het token").fill("regional dashboard")
    page.get_by_role("button", name="Token aanmaken").click()
    token = page.locator("#new-token").input_value()
    assert token.startswith("mia_")
    shot(page, "foundation-04-profile-token")
    api = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status == 200 and api.json()["email"] == "maria@heraklion.gr"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Intrekken").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Ingetrokken", exact=True)).to_be_visible()
    assert page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status == 401
    db.session.rollback()  # end the test's read snapshot to see what the server wrote
    assert db.session.scalar(select(ApiToken.revoked_at)) is not None

    open_user_menu(page).get_by_role("button", name="Afmelden", exact=True).click()
    expect(page.get_by_role("link", name="Aanmelden")).to_be_visible()
    assert page.console_errors == []


def test_keyboard_only_sign_in_and_phone_layout(page, phone, make, db):
    user = make.user(name="Pieter Claes")
    db.session.commit()
    page.goto("/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to content"
    page.goto("/auth/login")  # the email field has the focus
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type(user.email)
    page.keyboard.press("Tab")
    page.keyboard.type(make.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/auth/login" not in url)
    expect(page.get_by_role("button", name="Pieter Claes")).to_be_visible()

    phone.goto("/")
    shot(phone, "foundation-05-home-phone")
    toggler = phone.get_by_role("button", name="Menu")
    expect(toggler).to_be_visible()
    toggler.click()
    phone.get_by_role("link", name="Sign in").wait_for(state="visible")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    sign_in(phone, user.email, make.PASSWORD)
    phone.goto("/auth/profile")
    shot(phone, "foundation-06-profile-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_wrong_password_shows_a_clear_message(page, make, db):
    user = make.user()
    db.session.commit()
    page.goto("/auth/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert").filter(has_text=re.compile("not correct"))).to_be_visible()
    shot(page, "foundation-07-login-error")

"""Browser journey: an editor enters a monitoring inventory in the Covenant template, sees the computed
totals and the sector chart change, and the coordinator's overview shows the new status."""
from __future__ import annotations

from playwright.sync_api import expect

from app.extensions import db
from app.municipalities import inventories
from app.municipalities.models import EmissionFactor, Municipality, MunicipalityMember
from tests.e2e.conftest import shot, sign_in, watch_console

BASELINE = [{"sector": "municipal-buildings", "carrier": "electricity", "mwh": 1000},
            {"sector": "municipal-buildings", "carrier": "natural-gas", "mwh": 2000},
            {"sector": "residential-buildings", "carrier": "heating-oil", "mwh": 500},
            {"sector": "public-lighting", "carrier": "electricity", "mwh": 300},
            {"sector": "private-transport", "carrier": "diesel", "mwh": 4000},
            {"sector": "private-transport", "carrier": "gasoline", "mwh": 3000}]


def _town(make):
    editor = make.user(com_role="municipality", email="officer@example.org", name="Ana Officer")
    coordinator = make.user(com_role="coordinator", email="coord@example.org", name="Carla Coordinator")
    town = Municipality(name="Inventoria", country="BE", population=1000, baseline_year=2010, target_year=2030,
                        reduction_target_percent=40, members=[
                            MunicipalityMember(user=editor, role="editor", status="accepted"),
                            MunicipalityMember(user=coordinator, role="follower", status="accepted")])
    db.session.add(town)
    for year, factor in ((2010, 0.285), (2020, 0.2)):
        db.session.add(EmissionFactor(carrier="electricity", country="BE", year=year, approach="ipcc",
                                      factor=factor, source="JRC (test)"))
    db.session.flush()
    inventories.create_inventory(editor, town, {"kind": "baseline", "year": 2010, "population": 1000,
                                                "consumption": BASELINE})
    db.session.commit()
    return town


def _sector_svg(page, town_id) -> str:
    return page.request.get(f"/municipalities/{town_id}/sectors.svg").text()


def test_editor_enters_a_monitoring_inventory_and_the_coordinator_sees_it(page, browser, live_server, make):
    town = _town(make)
    town_id = town.id
    sign_in(page, "officer@example.org", make.PASSWORD)
    page.goto(f"/municipalities/{town_id}")
    assert "Latest" not in _sector_svg(page, town_id)  # only the baseline so far
    page.get_by_role("link", name="Enter a monitoring inventory (MEI)").click()
    page.get_by_label("Inventory year").fill("2020")
    page.get_by_label("Population that year").fill("1000")
    cells = {"Municipal buildings, equipment/facilities – Electricity, MWh": "900",
             "Municipal buildings, equipment/facilities – Natural gas, MWh": "1 500",
             "Residential buildings – Heating oil, MWh": "400",
             "Public lighting – Electricity, MWh": "150",
             "Private and commercial transport – Diesel, MWh": "3000",
             "Private and commercial transport – Gasoline, MWh": "2000,5"}
    for label, value in cells.items():
        page.get_by_label(label, exact=True).fill(value)
    # the live sums, before anything is sent
    expect(page.locator("#inv-grand-total")).to_have_text("7,950.5")
    expect(page.locator("[data-total-row='private-transport']")).to_have_text("5,000.5")
    expect(page.locator("[data-total-col='electricity']")).to_have_text("1,050")
    page.get_by_label("Kind of plant 1").select_option("photovoltaics")
    page.get_by_label("Production of plant 1, MWh").fill("50")
    shot(page, "inventories-entry-1280")
    # keyboard: Tab moves from cell to cell in reading order
    first = page.get_by_label("Residential buildings – Natural gas, MWh", exact=True)
    first.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == \
        "Residential buildings – Liquid gas, MWh"
    page.get_by_role("button", name="Save and compute the emissions").click()
    page.get_by_text("The inventory is saved").wait_for()
    # 900×EFE + 1,500×0.202 + 400×0.267 + 150×EFE + 3,000×0.267 + 2,000.5×0.249; EFE = (1,000 × 0.2) / 1,050
    efe = (1050 - 50) * 0.2 / 1050
    total = round(1050 * efe + 1500 * 0.202 + 3400 * 0.267 + 2000.5 * 0.249, 1)
    expect(page.locator("#total-t")).to_contain_text(f"{total:,.1f}".rstrip("0").rstrip("."))
    expect(page.locator("#why")).to_contain_text("EFE")
    expect(page.locator("#progress-status")).to_contain_text("on track")
    shot(page, "inventories-result-1280")
    page.goto(f"/municipalities/{town_id}#inventories")
    chart = page.locator("img[src*='/sectors.svg']")
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    assert "Latest 2020" in _sector_svg(page, town_id)  # the chart changed
    expect(page.locator("#track-status")).to_contain_text("on track")
    page.locator("#inventories").scroll_into_view_if_needed()
    shot(page, "inventories-municipality-1280")
    assert page.console_errors == []

    # the coordinator's overview shows the new status
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  locale="en-GB", timezone_id="Europe/Brussels")
    coordinator = watch_console(context.new_page())
    sign_in(coordinator, "coord@example.org", make.PASSWORD)
    coordinator.goto("/municipalities/overview")
    row = coordinator.locator(f"tr[data-municipality='{town_id}']")
    expect(row).to_contain_text("on track")
    expect(row).to_contain_text("2020")
    shot(coordinator, "inventories-overview-1280")
    assert coordinator.console_errors == []
    context.close()


def test_the_template_on_a_phone(browser, live_server, make):
    town = _town(make)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844},
                                  device_scale_factor=2, is_mobile=True, has_touch=True, locale="en-GB",
                                  timezone_id="Europe/Brussels")
    phone = context.new_page()
    sign_in(phone, "officer@example.org", make.PASSWORD)
    phone.goto(f"/municipalities/{town.id}/inventories/new?kind=monitoring")
    phone.get_by_label("Residential buildings – Natural gas, MWh", exact=True).fill("1200")
    expect(phone.locator("#inv-grand-total")).to_have_text("1,200")
    # the table scrolls inside its own box; the page itself does not scroll sideways
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.evaluate("document.querySelector('.inv-scroll').scrollWidth > "
                          "document.querySelector('.inv-scroll').clientWidth")
    shot(phone, "inventories-entry-390")
    phone.goto(f"/municipalities/{town.id}/inventories/{town.inventories[0].id}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "inventories-result-390")
    phone.goto("/municipalities/overview")
    shot(phone, "inventories-overview-390")
    context.close()

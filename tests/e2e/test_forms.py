"""Browser checks of issue 14's form widgets: the searchable multi-select and the Markdown preview of the
module form, and the calendar feed's copy button (clipboard permission granted)."""
from __future__ import annotations

import shutil
from pathlib import Path

from tests.e2e.conftest import shot, sign_in, watch_console

SHOTS = Path("/tmp/shots/forms")


def keep(page, name: str, full_page: bool = True) -> Path:
    """A screenshot in tests/e2e/artifacts/ and a copy in /tmp/shots/forms/."""
    path = shot(page, name, full_page=full_page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, SHOTS / path.name)
    return path


def _context(browser, live_server, width: int = 1280, height: int = 900, **extra):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height},
                                  locale="en-GB", timezone_id="Europe/Brussels", **extra)
    context.set_default_timeout(15_000)
    return context, watch_console(context.new_page())


def test_module_form_multiselect_filter_and_preview(browser, live_server, make, db):
    make.trainer(name="Tom Trainer", email="tom@example.org")
    make.trainer(name="Zofia Zielińska", email="zofia@example.org", country="PL")
    db.session.commit()
    context, page = _context(browser, live_server)
    sign_in(page, "tom@example.org", make.PASSWORD)
    page.goto("/courses/modules/new")
    assert "Ctrl" not in page.content()

    # The native topics select is replaced by a filter field and checkboxes; the filter ignores accents.
    topics = page.locator("#topics")
    assert topics.is_hidden()
    search = page.locator("#topics-ms-filter")
    assert page.get_by_role("searchbox", name="Topics").count() == 1
    search.fill("energy pov")
    rows = page.locator("#topics-ms-list .multiselect-option:visible")
    assert rows.count() == 1 and rows.first.inner_text() == "Energy poverty"
    # Keyboard: Enter ticks the only match; ArrowDown moves into the list, Space ticks.
    search.press("Enter")
    assert topics.evaluate("s => [...s.selectedOptions].map(o => o.value)") == ["energy-poverty"]
    search.fill("zzz")
    page.locator("#topics-ms-list").get_by_text("Nothing matches.").wait_for()
    search.press("Escape")
    assert search.input_value() == "" and page.locator("#topics-ms-list .multiselect-option:visible").count() > 10
    search.fill("financ")
    search.press("ArrowDown")
    page.keyboard.press("Space")
    assert sorted(topics.evaluate("s => [...s.selectedOptions].map(o => o.value)")) == ["energy-poverty",
                                                                                        "financing"]
    chips = page.get_by_role("list", name="Chosen").first
    assert "Energy poverty" in chips.inner_text() and "Financing and funding" in chips.inner_text()
    # A chip's remove button takes the choice away again.
    page.get_by_role("button", name="Remove Financing and funding").click()
    assert topics.evaluate("s => [...s.selectedOptions].map(o => o.value)") == ["energy-poverty"]
    # Trainers: searchable by name, the signed-in trainer is chosen already.
    page.locator("#trainer_ids-ms-filter").fill("zielin")
    page.get_by_role("checkbox", name="Zofia Zielińska").check()

    # The preview shows the server's sanitised HTML of the description.
    page.get_by_label("Title").fill("Financing energy poverty measures")
    page.get_by_role("textbox", name="Description").fill("Learn **three** ways.\n\n- grants\n- loans\n\n<script>alert(1)</script>")
    page.get_by_role("button", name="Preview the description").click()
    preview = page.get_by_role("region", name="Preview of the description")
    preview.locator("strong").wait_for()
    assert preview.locator("strong").inner_text() == "three" and preview.locator("li").count() == 2
    assert preview.locator("script").count() == 0
    keep(page, "forms-01-module-form-1280")
    # Typing again hides the stale preview.
    page.get_by_role("textbox", name="Description").press("End")
    page.get_by_role("textbox", name="Description").type(" More.")
    assert preview.is_hidden()

    page.get_by_role("button", name="Save the module").click()
    page.wait_for_url("**/sessions/new")
    assert page.console_errors == []
    context.close()
    from app.courses.models import Module
    db.session.rollback()
    module = db.session.query(Module).filter_by(title="Financing energy poverty measures").one()
    assert module.topics == ["energy-poverty"]
    assert {t.name for t in module.trainers} == {"Tom Trainer", "Zofia Zielińska"}
    assert "<strong>three</strong>" in module.description_html
    db.session.rollback()


def test_module_form_on_a_phone(browser, live_server, make, db):
    make.trainer(name="Tom Trainer", email="tom@example.org")
    db.session.commit()
    context, page = _context(browser, live_server, width=390, height=844, device_scale_factor=2, is_mobile=True,
                             has_touch=True)
    sign_in(page, "tom@example.org", make.PASSWORD)
    page.goto("/courses/modules/new")
    page.locator("#topics-ms-filter").fill("clim")
    page.get_by_role("checkbox", name="Climate adaptation").first.tap()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("textbox", name="Description").fill("## Why\n\nBecause *we* can.")
    page.get_by_role("button", name="Preview the description").tap()
    page.get_by_role("region", name="Preview of the description").locator("em").wait_for()
    keep(page, "forms-02-module-form-390")
    assert page.console_errors == []
    context.close()

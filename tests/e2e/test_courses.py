"""Browser journey of training: a trainer publishes a module with a session; participants enrol, one is
waitlisted and promoted when the other leaves; the trainer marks attendance; the certificate downloads."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from app.core.timeutil import to_zone, utcnow
from app.courses.models import TrainingSession
from tests.e2e.conftest import ARTIFACTS, shot, sign_in, watch_console


def _context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  locale="en-GB", timezone_id="Europe/Athens")
    context.set_default_timeout(15_000)
    return context, watch_console(context.new_page())


def test_training_journey(page, browser, live_server, make, db):
    make.trainer(name="Tom Trainer", email="tom@example.org")
    make.user(name="Agnieszka Wiśniewska", email="agnieszka@example.org", country="PL")
    make.user(name="Νίκος Γεωργίου", email="nikos@example.org", country="GR", timezone="Europe/Athens")
    db.session.commit()  # and no ORM access afterwards: on SQLite an open transaction would lock the server out

    # The trainer publishes a module with one seat.
    sign_in(page, "tom@example.org", make.PASSWORD)
    page.goto("/courses/manage")
    page.get_by_role("link", name="New module").click()
    page.get_by_label("Title").fill("Energy poverty: from diagnosis to action")
    page.get_by_label("Summary").fill("Find households at risk and design measures that reach them.")
    page.get_by_role("checkbox", name="Energy poverty").check()  # the searchable multi-select
    page.get_by_role("checkbox", name="Citizen and stakeholder engagement").check()
    page.get_by_label("Language of the training").select_option("en")
    page.get_by_label("Status").select_option("published")
    page.get_by_role("button", name="Save the module").click()
    page.wait_for_url("**/sessions/new")
    start = to_zone(utcnow() + timedelta(days=10), "Europe/Brussels").replace(hour=9, minute=30)
    page.get_by_label("Starts").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Ends", exact=True).fill(start.replace(hour=16).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Time zone").select_option("Europe/Brussels")
    page.get_by_label("Place").fill("Brussels, Covenant of Mayors Office")
    page.get_by_label("Country").select_option("BE")
    page.get_by_label("Seats").fill("1")
    shot(page, "courses-01-trainer-new-session")
    page.get_by_role("button", name="Save the session").click()
    page.wait_for_url("**/courses/sessions/*")
    assert "The session is saved." in page.content()
    session_url = page.url

    # Agnieszka takes the seat; Nikos (in Athens) sees the same session an hour later and is waitlisted.
    ctx_a, page_a = _context(browser, live_server)
    sign_in(page_a, "agnieszka@example.org", make.PASSWORD)
    page_a.goto("/courses/")
    page_a.get_by_role("link", name="Energy poverty: from diagnosis to action").click()
    page_a.get_by_role("button", name="Enrol").click()
    page_a.get_by_text("You are enrolled.").wait_for()
    shot(page_a, "courses-02-enrolled")

    ctx_n, page_n = _context(browser, live_server)
    sign_in(page_n, "nikos@example.org", make.PASSWORD)
    page_n.goto("/courses/")
    assert "10:30" in page_n.content()  # 09:30 in Brussels is 10:30 in Athens
    shot(page_n, "courses-03-catalogue-full")
    page_n.goto(session_url)
    page_n.get_by_role("button", name="Join the waitlist").click()
    page_n.get_by_text("number 1 on the waitlist").wait_for()
    shot(page_n, "courses-04-waitlisted")

    # Agnieszka leaves from "My training"; Nikos is promoted at once.
    page_a.once("dialog", lambda dialog: dialog.accept())
    page_a.goto("/courses/my")
    page_a.get_by_role("button", name="Leave").click()
    page_a.get_by_text("You left the session.").wait_for()
    page_n.goto("/courses/my")
    assert "Enrolled" in page_n.locator("#upcoming-heading + ul").inner_text()
    shot(page_n, "courses-05-promoted-my-training")

    # The day comes (we move the session into the past); the trainer marks attendance.
    db.session.execute(update(TrainingSession).values(starts_at=utcnow() - timedelta(hours=3),
                                                      ends_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    page.goto(session_url + "/attendance")
    page.get_by_label("Νίκος Γεωργίου was present").check()
    page.get_by_role("button", name="Save attendance").click()
    flash_text = page.get_by_text("Attendance saved.").inner_text()
    assert "1 certificate issued" in flash_text, flash_text
    shot(page, "courses-06-attendance")
    page.emulate_media(media="print")
    shot(page, "courses-07-signin-print")
    page.emulate_media(media="screen")

    # Nikos downloads his certificate.
    page_n.goto("/courses/my")
    with page_n.expect_download() as download:
        page_n.get_by_role("link", name="Download the certificate (PDF)").click()
    download.value.save_as(ARTIFACTS / "courses-certificate.pdf")
    assert (ARTIFACTS / "courses-certificate.pdf").read_bytes()[:4] == b"%PDF"
    shot(page_n, "courses-08-certificate")
    assert not page_n.console_errors
    ctx_a.close()
    ctx_n.close()


def test_catalogue_and_module_on_a_phone(phone, app, make, db):
    from app.courses import services

    trainer = make.trainer(name="Eleni Papadopoulou")
    with app.test_request_context():
        module = services.create_module(trainer, title="Ενεργειακή φτώχεια: από τη διάγνωση στη δράση",
                                        summary="Πώς εντοπίζουμε τα νοικοκυριά σε ενεργειακή φτώχεια.",
                                        topics=["energy-poverty"], language="el", status="published")
        start = utcnow().replace(microsecond=0) + timedelta(days=9)
        services.add_session(trainer, module, starts_at=start, ends_at=start + timedelta(hours=6),
                             timezone="Europe/Athens", capacity=16, location="Ηράκλειο, Περιφέρεια Κρήτης",
                             country="GR")
        module_id = module.id
    db.session.commit()
    phone.goto("/courses/")
    phone.get_by_role("heading", name="Training", exact=True).wait_for()
    shot(phone, "courses-09-phone-catalogue")
    phone.goto(f"/courses/modules/{module_id}")
    shot(phone, "courses-10-phone-module")

"""The certificate PDF read back as text (pypdf): Greek and Polish names, titles and interface words come out
as written, in the participant's language, with the European date, not as boxes or question marks."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.courses import services
from app.courses.models import Certificate


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


@pytest.mark.parametrize(("language", "name", "title", "words"), [
    ("el", "Ελένη Παπαδοπούλου", "Φτώχεια ενέργειας στην πράξη",
     ["Βεβαίωση παρακολούθησης", "Ενεργειακή φτώχεια", "Ολοκληρώθηκε"]),
    ("pl", "Łucja Żółkiewska-Grzegórzewska", "Modernizacja oświetlenia ulicznego",
     ["Zaświadczenie o uczestnictwie", "uczestniczył(a) w module szkoleniowym", "Ubóstwo energetyczne"]),
])
def test_certificate_text_in_greek_and_polish(client, make, login, courses, db, language, name, title, words):
    module = courses.module(title=title)
    session = courses.session(module, days=-1)
    trainer = module.trainers[0]
    person = make.user(name=name, language=language)
    services.enrol(trainer, session, user=person)
    db.session.commit()
    login(trainer)
    client.post(f"/courses/sessions/{session.id}/attendance", data={f"attended-{person.id}": "on"})
    certificate = db.session.scalar(select(Certificate).where(Certificate.user_id == person.id))
    assert certificate is not None
    client.post("/auth/logout")
    login(person)
    response = client.get(f"/courses/certificates/{certificate.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.data)
    assert name in text and title in text, text
    for word in words:
        assert word in text, (word, text)
    assert "?" not in text  # no glyph fell back to a question mark
    assert certificate.code in text
    assert re.search(r"\b\d{1,2} \w+ 20\d\d\b", text), text  # day before month, the month in words

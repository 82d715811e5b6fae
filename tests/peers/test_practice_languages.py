"""Good practices in their own language, with an English summary the reviewer writes when publishing."""
from __future__ import annotations

from app.extensions import db
from app.peers.models import GoodPractice

GREEK = {"title": "Φωτισμός LED στο Ηράκλειο", "summary": "Αντικατάσταση 4.100 λαμπτήρων οδοφωτισμού.",
         "results": "62% λιγότερη ηλεκτρική ενέργεια.", "transferability": "Χρειάζεται διαγωνισμό ESCO.",
         "language": "el"}


def _published(client, make, peers, **publish_body):
    a, b = peers.person("GR", languages=("el", "en")), peers.person("HR")
    exchange = peers.exchange(a, b, status="accepted")
    response = client.post(f"/api/v1/peers/exchanges/{exchange.id}/report", headers=make.bearer(a), json=GREEK)
    assert response.status_code == 201, response.json
    trainer = make.bearer(make.trainer())
    published = client.post(f"/api/v1/good-practices/{response.json['id']}/publish", headers=trainer,
                            **({"json": publish_body} if publish_body else {}))
    assert published.status_code == 200, published.json
    return published.json


def test_the_reviewer_adds_an_english_summary_when_publishing(client, make, peers):
    practice = _published(client, make, peers, summary_en="Heraklion replaced 4,100 street lamps with LEDs.")
    assert practice["summary_en"] == "Heraklion replaced 4,100 street lamps with LEDs."
    assert practice["language"] == "el" and practice["summary"] == GREEK["summary"]
    english = client.get("/good-practices/").get_data(as_text=True)
    assert "Heraklion replaced 4,100 street lamps" in english and GREEK["summary"] not in english
    greek = client.get("/good-practices/", headers={"Accept-Language": "el"}).get_data(as_text=True)
    assert GREEK["summary"] in greek
    for q in ("street lamps", "οδοφωτισμου", "ΗΡΑΚΛΕΙΟ", "Croatia", "Hrvatska", "public lighting"):
        assert client.get("/api/v1/good-practices", query_string={"q": q}).json["total"] == 1, q


def test_publishing_without_a_body_still_works(client, make, peers):
    practice = _published(client, make, peers)
    assert practice["status"] == "published" and practice["summary_en"] == ""
    assert GREEK["summary"] in client.get("/good-practices/").get_data(as_text=True)  # nothing else to show


def test_the_review_page_offers_the_english_summary(client, make, peers, login):
    a, b = peers.person("GR"), peers.person("HR")
    exchange = peers.exchange(a, b, status="accepted")
    practice_id = client.post(f"/api/v1/peers/exchanges/{exchange.id}/report", headers=make.bearer(a),
                              json=GREEK).json["id"]
    login(make.trainer())
    page = client.get(f"/peers/review/{practice_id}")
    assert page.status_code == 200 and 'name="summary_en"' in page.get_data(as_text=True)
    response = client.post(f"/peers/review/{practice_id}",
                           data={"publish": "1", "summary_en": "LED street lighting in Heraklion.", "note": ""})
    assert response.status_code == 302
    assert db.session.get(GoodPractice, practice_id).summary_en == "LED street lighting in Heraklion."

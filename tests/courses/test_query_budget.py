"""The catalogue and "My training" answer in a bounded number of queries, whatever the data size."""
from __future__ import annotations

import pytest

from app.core.demo import load_demo
from app.extensions import db


@pytest.fixture
def demo(app):
    with app.test_request_context():
        ctx = load_demo(scale=4)
    db.session.commit()
    return ctx


def test_catalogue_query_budget(client, count_queries, demo, login):
    pages = []
    for url in ("/courses/", "/courses/?per_page=50", "/courses/?when=90&country=GR", "/courses/?page=2"):
        with count_queries() as q:
            response = client.get(url)
        assert response.status_code == 200
        pages.append(q.count)
    assert max(pages) <= 8, pages
    login(demo.data["users"]["pieter"], password=demo.data["password"])
    with count_queries() as q:
        assert client.get("/courses/?per_page=50").status_code == 200
    assert q.count <= 10, q.statements


def test_my_training_query_budget(client, count_queries, demo, login):
    login(demo.data["users"]["pieter"], password=demo.data["password"])
    with count_queries() as q:
        page = client.get("/courses/my").get_data(as_text=True)
    # Pieter reads Dutch; the module title is data and the certificate a link, whatever the language.
    assert 'lang="nl"' in page and "SEAP in practice" in page and "/certificate" in page
    assert q.count <= 9, q.statements  # 8 to render it, and the data versions (it is kept, docs/caching.md)


def test_module_and_session_pages_query_budget(client, count_queries, demo, login):
    trainer = demo.data["users"]["trainer"]
    login(trainer, password=demo.data["password"])
    from sqlalchemy import select

    from app.courses.models import TrainingSession
    session = db.session.scalars(select(TrainingSession).order_by(TrainingSession.enrolled_count.desc())).first()
    with count_queries() as q:
        assert client.get(f"/courses/modules/{session.module_id}").status_code == 200
    assert q.count <= 10, q.statements
    with count_queries() as q:
        assert client.get(f"/courses/sessions/{session.id}").status_code == 200
    assert q.count <= 10, q.statements


def test_my_modules_and_attendance_query_budget(client, count_queries, demo, login):
    from sqlalchemy import select

    from app.core.timeutil import utcnow
    from app.courses.models import TrainingSession
    login(demo.data["users"]["trainer"], password=demo.data["password"])
    with count_queries() as q:
        page = client.get("/courses/manage").get_data(as_text=True)
    assert "Past sessions" in page and "Upcoming sessions" in page
    assert q.count <= 10, q.statements
    held = db.session.scalars(select(TrainingSession).where(TrainingSession.starts_at < utcnow())
                              .order_by(TrainingSession.enrolled_count.desc())).first()
    with count_queries() as q:
        assert client.get(f"/courses/sessions/{held.id}/attendance").status_code == 200
    assert q.count <= 12, q.statements

"""Markdown is rendered and sanitised once, when it is saved; pages show the stored HTML.

Before, every view of a module page rendered its Markdown again (a 2 MB description: minutes).
"""
from __future__ import annotations

from sqlalchemy import inspect, text, update

from app import create_app
from app.core.demo import load_demo
from app.courses.models import Module
from app.extensions import db as _db
from tests.conftest import base_config
from tests.test_migrations import empty_database  # noqa: F401 (the fixture: a new empty database)

SOURCE = "Intro with **bold** and a [link](https://example.org).\n\n<script>alert(1)</script>\n\n- one\n- two"


def _assert_sanitised(html: str) -> None:
    assert "<strong>bold</strong>" in html and "<li>one</li>" in html
    assert 'href="https://example.org"' in html and 'rel="nofollow"' in html
    assert "<script>" not in html


def test_the_service_stores_sanitised_html_and_updates_it(courses, db, make):
    module = courses.module(description=SOURCE, objectives="- Build a BEI\n- Set a target")
    db.session.expire_all()
    stored = db.session.get(Module, module.id)
    _assert_sanitised(stored.description_html)
    assert "<li>Build a BEI</li>" in stored.objectives_html

    from app.courses import services

    services.update_module(make.admin(), stored, description="Now *other* text")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Module, module.id).description_html == "<p>Now <em>other</em> text</p>"


def test_the_page_shows_the_stored_html_and_does_not_render_again(courses, client, db):
    module = courses.module(description=SOURCE)
    page = client.get(f"/courses/modules/{module.id}").get_data(as_text=True)
    assert "<strong>bold</strong>" in page and "<script>alert(1)</script>" not in page
    # The page shows what is stored, not a new rendering of the source:
    db.session.execute(update(Module).where(Module.id == module.id)
                       .values(description_html="<p>stored <em>once</em></p>"))
    db.session.commit()
    page = client.get(f"/courses/modules/{module.id}").get_data(as_text=True)
    assert "<p>stored <em>once</em></p>" in page and "<strong>bold</strong>" not in page


def test_demo_data_fills_the_html(app, db):
    with app.test_request_context():
        load_demo(scale=1)
    db.session.commit()
    modules = db.session.scalars(_db.select(Module)).all()
    assert modules
    for module in modules:
        if module.description:
            assert module.description_html.startswith("<p>"), module.title
        if module.objectives:
            assert "<li>" in module.objectives_html, module.title


def test_the_migration_renders_existing_rows(empty_database):  # noqa: F811
    from flask_migrate import downgrade, upgrade

    app = create_app(base_config(empty_database))
    with app.app_context():
        upgrade(revision="0006")
        with _db.engine.begin() as conn:
            conn.execute(text("INSERT INTO course_modules (title, summary, description, objectives, topics, "
                              "language, level, format, status, materials_restricted, required_sessions, "
                              "created_at, updated_at) VALUES ('Old', '', :d, '- one', '[]', 'en', 'beginner', "
                              "'online', 'published', false, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"),
                         {"d": SOURCE})
        upgrade()
        with _db.engine.connect() as conn:
            html, objectives = conn.execute(text("SELECT description_html, objectives_html FROM course_modules")).one()
        _assert_sanitised(html)
        assert objectives == "<ul>\n<li>one</li>\n</ul>"
        downgrade(revision="0006")
        assert "description_html" not in {c["name"] for c in inspect(_db.engine).get_columns("course_modules")}
        _db.engine.dispose()

"""The archive: a standalone SQLite file with every table of platform data, and no secrets."""
from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from app.auth.services import create_api_token, request_password_reset
from app.core.archive import register_archive_fts
from app.core.calendar import feed_url
from tests.municipalities.conftest import MunicipalityFactories


@pytest.fixture
def world(app, make, db):
    admin = make.admin(email="admin@example.org")
    coordinator = make.user(email="giulia@example.org", com_role="coordinator")
    create_api_token(coordinator, "script")
    with app.test_request_context():
        feed_url(coordinator)
        request_password_reset(coordinator.email)
    munis = MunicipalityFactories()
    genova = munis.municipality(name="Genova", country="IT", followers=[coordinator],
                                supporting_organisation="Province of Genoa", commit=False)
    munis.action(genova, title="Bike sharing in the old town", sector="transport", area="car-sharing",
                 instrument="mobility-planning", status="completed", completed_on=date(2016, 5, 1), commit=False)
    munis.report(genova, kind="full", emissions_t=1000)
    db.session.commit()
    return admin, coordinator


def _open(path):
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    return connection


def test_export_has_every_table_fks_and_no_secrets(app, db, world, tmp_path):
    register_archive_fts(app, "municipalities", ("name", "supporting_organisation"))
    path = tmp_path / "archive.sqlite"
    result = app.test_cli_runner().invoke(args=["data", "export", str(path)])
    assert result.exit_code == 0, result.output
    archive = _open(path)
    tables = {r["name"] for r in archive.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    denied = {"api_tokens", "password_resets", "outbox_messages", "outbox_attachments", "user_sessions"}
    expected = {t.name for t in db.metadata.sorted_tables} - denied
    assert expected <= tables
    assert not tables & denied
    user_columns = {r["name"] for r in archive.execute("PRAGMA table_info(users)")}
    assert {"email", "name", "country"} <= user_columns
    assert not user_columns & {"password_hash", "feed_salt", "feed_token_hash"}
    dump = "\n".join(archive.iterdump())
    assert "scrypt:" not in dump
    # foreign keys, declared and consistent
    fks = {(r["from"], r["table"], r["to"]) for r in archive.execute("PRAGMA foreign_key_list(seap_actions)")}
    assert ("municipality_id", "municipalities", "id") in fks
    assert archive.execute("PRAGMA foreign_key_check").fetchall() == []
    members = {(r["from"], r["table"]) for r in archive.execute("PRAGMA foreign_key_list(municipality_members)")}
    assert ("user_id", "users") in members
    # the table describing the tables
    described = {r["name"]: r for r in archive.execute("SELECT * FROM _tables")}
    assert set(described) == expected
    assert described["seap_actions"]["rows"] == 1
    assert "password_hash" in described["users"]["omitted_columns"]
    assert described["municipalities"]["description"].startswith("A Covenant signatory")
    # values: dates as ISO text, datetimes in UTC with Z
    row = archive.execute("SELECT completed_on, created_at FROM seap_actions").fetchone()
    assert row["completed_on"] == "2016-05-01" and row["created_at"].endswith("Z")
    # full-text search where registered, with triggers kept for Datasette
    hits = archive.execute("SELECT rowid FROM municipalities_fts WHERE municipalities_fts MATCH 'genoa'").fetchall()
    assert len(hits) == 1
    assert described["municipalities"]["full_text_search"] == "name, supporting_organisation"
    assert archive.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_full_text_search_only_on_the_tables_that_ask_for_it(app, world, tmp_path):
    from app.results.archive import export_archive

    counts = export_archive(tmp_path / "a.sqlite")
    assert counts["municipalities"] == 1
    archive = _open(tmp_path / "a.sqlite")
    names = {r[0] for r in archive.execute("SELECT name FROM sqlite_master WHERE name LIKE '%_fts'")}
    from app.core.archive import archive_tables

    registered = {name for name, entry in archive_tables().items() if entry.fts}
    assert {"course_modules", "good_practices"} <= registered
    assert names == {f"{t}_fts" for t in registered}


def test_download_for_admins_only(client, world, login, make):
    assert client.get("/results/archive.sqlite").status_code == 302  # to the login page
    login(make.user())
    assert client.get("/results/archive.sqlite").status_code == 403
    client.post("/auth/logout")
    login(world[0])
    response = client.get("/results/archive.sqlite")
    assert response.status_code == 200
    assert response.data.startswith(b"SQLite format 3\x00")
    assert "attachment" in response.headers["Content-Disposition"]


def test_modules_and_good_practices_get_full_text_search(app, db, world, tmp_path):
    """The real training modules and good practices are searchable in the archive, with their links."""
    from app.courses import services as courses
    from app.peers.models import GoodPractice

    trainer = world[0]
    courses.create_module(trainer, title="Energy poverty basics", summary="Heating for all households",
                          topics=["energy-poverty"], status="published")
    db.session.add(GoodPractice(title="Solar schools in Crete", summary="Photovoltaics on 40 school roofs",
                                results="40 schools", topic="local-electricity", countries=["GR"],
                                status="published", submitted_by_id=world[1].id))
    db.session.commit()
    from app.results.archive import export_archive

    export_archive(tmp_path / "a.sqlite")
    archive = _open(tmp_path / "a.sqlite")
    assert archive.execute("SELECT title FROM course_modules WHERE rowid IN (SELECT rowid FROM course_modules_fts "
                           "WHERE course_modules_fts MATCH 'heating')").fetchone()[0] == "Energy poverty basics"
    assert archive.execute("SELECT count(*) FROM good_practices_fts WHERE good_practices_fts MATCH 'crete'"
                           ).fetchone()[0] == 1
    assert ("submitted_by_id", "users") in {(r["from"], r["table"]) for r in
                                            archive.execute("PRAGMA foreign_key_list(good_practices)")}


# Issue 10: no addresses, no raw login input, no private links; downloads are audited --------------
def test_archive_leaves_out_addresses_login_input_and_meeting_links(app, client, db, world, make, tmp_path):
    from app.courses import services as courses

    admin, coordinator = world
    client.post("/auth/login", data={"email": "typo-giulia@exampel.org", "password": "wrong password"},
                environ_base={"REMOTE_ADDR": "203.0.113.77", "HTTP_USER_AGENT": "SecretBrowser/1.0"})
    client.post("/auth/login", data={"email": coordinator.email, "password": make.PASSWORD},
                environ_base={"REMOTE_ADDR": "203.0.113.78"})
    trainer = make.trainer()
    module = courses.create_module(trainer, title="Webinar", status="published")
    from datetime import timedelta

    from app.core.timeutil import utcnow

    start = utcnow().replace(microsecond=0) + timedelta(days=3)
    courses.add_session(trainer, module, starts_at=start, ends_at=start + timedelta(hours=2), capacity=5,
                        timezone="Europe/Rome", online_url="https://meet.example.org/private-room-99")
    db.session.commit()
    path = tmp_path / "archive.sqlite"
    result = app.test_cli_runner().invoke(args=["data", "export", str(path)])
    assert result.exit_code == 0, result.output
    raw = path.read_bytes()
    for secret in (b"typo-giulia", b"203.0.113.7", b"SecretBrowser", b"private-room-99"):
        assert secret not in raw, secret
    with _open(path) as connection:
        columns = {r["name"] for r in connection.execute("PRAGMA table_info(audit_events)")}
        assert "ip" not in columns and "detail" not in columns and {"action", "at", "target"} <= columns
        targets = dict(connection.execute("SELECT action, target FROM audit_events WHERE action LIKE 'login.%'")
                       .fetchall())
        assert targets == {"login.failure": "", "login.success": f"user:{coordinator.id}"}
        for table, column in (("course_sessions", "online_url"), ("peer_meetings", "online_url"),
                              ("coach_profiles", "meeting_url"), ("appointments", "location")):
            kept = {r["name"] for r in connection.execute(f"PRAGMA table_info({table})")}
            assert kept and column not in kept, table
        omitted = connection.execute("SELECT omitted_columns FROM _tables WHERE name = 'audit_events'").fetchone()
        assert "ip" in omitted[0]
    from sqlalchemy import select

    from app.core.models import AuditEvent

    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "archive.export"))


def test_archive_downloads_are_audited(client, db, world, login):
    from sqlalchemy import select

    from app.core.models import AuditEvent

    admin, _coordinator = world
    login(admin)
    assert client.get("/results/archive.sqlite").status_code == 200
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "archive.download"))
    assert event is not None and event.actor_id == admin.id


def test_the_archive_is_an_allow_list(app, world, tmp_path):
    """A table no feature registered stays out, and every registered column is a real one."""
    import sqlite3

    from sqlalchemy import Column, Integer, MetaData, String, Table

    from app.core.archive import archive_tables
    from app.results.archive import export_archive

    for name, entry in archive_tables().items():
        table = db_tables()[name]
        assert set(entry.columns) <= {c.name for c in table.columns}, name
        assert set(entry.fts) <= set(entry.columns) | {"body"}, name
    extra = Table("unregistered_notes", MetaData(), Column("id", Integer, primary_key=True), Column("text", String))
    from app.extensions import db

    extra.create(db.engine)
    try:
        export_archive(tmp_path / "archive.sqlite")
        with sqlite3.connect(tmp_path / "archive.sqlite") as connection:
            names = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "unregistered_notes" not in names and "users" in names and "user_sessions" not in names
    finally:
        extra.drop(db.engine)


def db_tables():
    from app.extensions import db

    return db.metadata.tables

"""Migrations: upgrade from empty works, and the models match them (no pending autogenerate diff)."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from app import create_app
from app.extensions import db
from tests.conftest import ROOT, base_config


@pytest.fixture
def empty_database(tmp_path, database_url):
    """A brand-new empty database of the same kind as the test database."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrate.sqlite'}"
        return
    name = f"mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = database_url.rsplit("/", 1)[0] + "/" + name
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_from_empty_matches_the_models(empty_database):
    env = dict(os.environ, DATABASE_URL=empty_database)
    result = subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "app", "db", "upgrade"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    app = create_app(base_config(empty_database))
    with app.app_context():
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        tables = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert not diff, f"models and migrations differ: {diff}"
    assert {"users", "api_tokens", "outbox_messages", "audit_events", "alembic_version"} <= tables


def test_downgrade_to_base_and_up_again(empty_database):
    from flask_migrate import downgrade, upgrade

    app = create_app(base_config(empty_database))
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "users" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_granted_roles_migration_keeps_rights_except_for_self_registered_claims(empty_database):
    """0009d: accounts made by admins stay granted, self-registered Covenant roles become claims,
    existing memberships are accepted."""
    from flask_migrate import downgrade, upgrade

    app = create_app(base_config(empty_database))
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as conn:
            for n, com_role in ((1, "coordinator"), (2, "coordinator"), (3, "other")):
                conn.execute(text(
                    "INSERT INTO users (id, email, name, password_hash, role, com_role, organisation, country, "
                    "timezone, language, languages, is_coach, is_active_account, session_version, "
                    "notification_prefs, created_at) VALUES (:id, :email, 'N', 'x', 'participant', :com_role, '', "
                    "'BE', 'Europe/Brussels', 'en', '[]', false, true, 1, '[]', CURRENT_TIMESTAMP)"),
                    {"id": n, "email": f"u{n}@example.org", "com_role": com_role})
            for n in (2, 3):
                conn.execute(text("INSERT INTO audit_events (at, actor_id, action, target, ip, detail) "
                                  "VALUES (CURRENT_TIMESTAMP, :n, 'user.register', '', '', '')"), {"n": n})
            conn.execute(text("INSERT INTO municipalities (id, name, country, supporting_organisation, notes, "
                              "created_at, updated_at) VALUES (1, 'Genk', 'BE', '', '', CURRENT_TIMESTAMP, "
                              "CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO municipality_members (municipality_id, user_id, role, created_at) "
                              "VALUES (1, 2, 'follower', CURRENT_TIMESTAMP)"))
        upgrade()
        with db.engine.connect() as conn:
            statuses = dict(conn.execute(text("SELECT id, com_role_status FROM users")).all())
            members = conn.execute(text("SELECT status FROM municipality_members")).scalars().all()
            actors = conn.execute(text("SELECT actor_id FROM audit_events ORDER BY id")).scalars().all()
        downgrade(revision="0006")
        upgrade()
        db.engine.dispose()
    assert statuses == {1: "granted", 2: "claimed", 3: "granted"}
    assert members == ["accepted"]
    assert actors == [2, 3]  # rows pointing at users survive the migration (no table copy of users)

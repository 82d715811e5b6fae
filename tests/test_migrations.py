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
    env = dict(os.environ, DATABASE_URL=empty_database)
    flask = str(Path(sys.executable).parent / "flask")
    for command in (["db", "upgrade"], ["db", "downgrade", "base"], ["db", "upgrade"]):
        result = subprocess.run([flask, "--app", "app", *command], cwd=ROOT, env=env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, (command, result.stderr)

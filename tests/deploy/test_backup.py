"""`data backup` of a live demo database under write load, `data restore` into an empty one elsewhere:
every row committed before the backup started is there, and the copy is one consistent instant."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from app import create_app
from app.extensions import db
from tests.conftest import ROOT, TEST_SECRET, base_config

FLASK = str(Path(sys.executable).parent / "flask")


def _flask(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=database_url, FLASK_SECRET_KEY=TEST_SECRET)
    env.pop("FLASK_SCHEDULER_IN_PROCESS", None)
    return subprocess.run([FLASK, "--app", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


def _snapshot(url: str) -> dict[str, set]:
    """Every table's primary keys (whole rows for tables without one)."""
    engine = create_engine(url)
    out = {}
    with engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            columns = list(table.primary_key.columns) or list(table.columns)
            out[table.name] = set(conn.execute(select(*columns)).all())
    engine.dispose()
    return out


def _revision(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    return revision


class Writer(threading.Thread):
    """Commits audit events one by one until stopped; `committed` lists their ids in commit order."""

    def __init__(self, app):
        super().__init__(daemon=True)
        self.app, self.committed, self.stop, self.error = app, [], threading.Event(), None

    def run(self):
        from app.core.audit import record

        try:
            with self.app.app_context():
                n = 0
                while not self.stop.is_set():
                    event = record("backup.load", target=f"write {n}")
                    db.session.commit()
                    self.committed.append(event.id)
                    n += 1
                    time.sleep(0.002)
                db.session.remove()
        except Exception as error:  # reported by the test
            self.error = error


@pytest.mark.live
def test_backup_under_write_load_restores_every_committed_row(fresh_database, tmp_path, _schema):
    from flask_migrate import upgrade

    from app.core.demo import load_demo

    source = fresh_database()
    app = create_app(base_config(source))
    with app.app_context():
        upgrade()
        load_demo(1)
        db.session.commit()
    writer = Writer(app)
    writer.start()
    try:
        while len(writer.committed) < 20:
            assert writer.is_alive(), writer.error
            time.sleep(0.05)
        before = _snapshot(source)  # the other tables do not change while the writer runs
        committed_before = list(writer.committed)
        backup = tmp_path / "mia.backup"
        done = _flask(source, "data", "backup", str(backup))
        during = len(writer.committed) - len(committed_before)
    finally:
        writer.stop.set()
        writer.join(timeout=60)
    assert writer.error is None, writer.error
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Backup written to" in done.stdout
    assert during > 0  # the backup ran while the platform wrote

    target = fresh_database()
    restored = _flask(target, "data", "restore", str(backup))
    assert restored.returncode == 0, restored.stderr[-3000:]
    after = _snapshot(target)
    assert sum(len(rows) for rows in before.values()) > 100  # a real demo world
    for name, rows in before.items():
        if name != "audit_events":
            assert after[name] == rows, name
    written = [(event_id,) for event_id in writer.committed]
    restored_writes = [row for row in written if row in after["audit_events"]]
    assert set(committed_before) <= {event_id for (event_id,) in restored_writes}  # nothing committed is lost
    assert restored_writes == written[:len(restored_writes)]  # one instant: a prefix of the commits, no holes
    assert before["audit_events"] - after["audit_events"] <= set(written)
    assert _revision(target) == _revision(source)  # `db upgrade` knows where the restored schema stands

    cli = create_app(base_config(target)).test_cli_runner()
    again = cli.invoke(args=["data", "restore", str(backup)])
    assert again.exit_code == 2 and "not empty" in again.output and "--force" in again.output
    forced = cli.invoke(args=["data", "restore", "--force", str(backup)])
    assert forced.exit_code == 0, forced.output
    assert _snapshot(target) == after


def test_restore_refuses_a_backup_of_the_other_kind(fresh_database, tmp_path, _schema):
    target = fresh_database()
    cli = create_app(base_config(target)).test_cli_runner()
    bogus = tmp_path / "not-a-backup"
    bogus.write_bytes(b"hello")
    done = cli.invoke(args=["data", "restore", str(bogus)])
    assert done.exit_code == 2 and "is not a backup made by `data backup`" in done.output
    other = tmp_path / "other.backup"
    other.write_bytes(b"PGDMP" if target.startswith("sqlite") else b"SQLite format 3\x00")
    done = cli.invoke(args=["data", "restore", str(other)])
    assert done.exit_code == 2 and "backup; the database is" in done.output


def test_postgresql_backup_needs_pg_dump(monkeypatch):
    from app.core import backup

    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="pg_dump was not found on PATH"):
        backup.pg_tool("pg_dump")

"""Where an installation keeps its state: MIA_INSTANCE_PATH, and the secret key from the environment or a file."""
from __future__ import annotations

import pytest

from app import create_app
from tests.conftest import ROOT, base_config


def _config(database_url: str) -> dict:
    config = base_config(database_url)
    config.pop("SECRET_KEY")
    return config


def test_source_checkout_keeps_instance_at_the_repository_root(monkeypatch, database_url, _schema):
    monkeypatch.delenv("MIA_INSTANCE_PATH", raising=False)
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    app = create_app(base_config(database_url))
    assert app.instance_path == str(ROOT / "instance")


def test_instance_path_from_the_environment(monkeypatch, tmp_path, database_url, _schema):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.setenv("MIA_INSTANCE_PATH", str(tmp_path / "state"))
    app = create_app(_config(database_url))
    assert app.instance_path == str(tmp_path / "state")
    key = (tmp_path / "state" / "secret_key").read_text()
    assert app.config["SECRET_KEY"] == key and len(key) == 64
    assert create_app(_config(database_url)).config["SECRET_KEY"] == key  # generated once


def test_secret_key_from_a_file(monkeypatch, tmp_path, database_url, _schema):
    monkeypatch.setenv("MIA_INSTANCE_PATH", str(tmp_path / "state"))
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    (tmp_path / "key").write_text("shared-by-every-server\n")
    monkeypatch.setenv("FLASK_SECRET_KEY_FILE", str(tmp_path / "key"))
    app = create_app(_config(database_url))
    assert app.config["SECRET_KEY"] == "shared-by-every-server"
    assert not (tmp_path / "state" / "secret_key").exists()


def test_a_missing_secret_key_file_is_an_error(monkeypatch, tmp_path, database_url, _schema):
    monkeypatch.setenv("MIA_INSTANCE_PATH", str(tmp_path / "state"))
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.setenv("FLASK_SECRET_KEY_FILE", str(tmp_path / "nope"))
    with pytest.raises(RuntimeError, match="SECRET_KEY_FILE"):
        create_app(_config(database_url))


def test_secret_key_from_the_environment_wins(monkeypatch, tmp_path, database_url, _schema):
    monkeypatch.setenv("MIA_INSTANCE_PATH", str(tmp_path / "state"))
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("FLASK_SECRET_KEY_FILE", str(tmp_path / "nope"))
    assert create_app(_config(database_url)).config["SECRET_KEY"] == "from-the-environment"

"""Import and upload limits per role (issue 10): IMPORT_MAX_BYTES and IMPORT_MAX_ROWS for anyone but an
administrator, UPLOAD_MAX_BYTES for each training material file."""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from app.municipalities.models import Municipality


@pytest.fixture
def app_config():
    return {"IMPORT_MAX_BYTES": 4000, "IMPORT_MAX_ROWS": 20, "UPLOAD_MAX_BYTES": 1000}


def _rows(n: int, pad: int = 0) -> bytes:
    return json.dumps([{"name": f"Town {i}", "country": "BE", "notes": "x" * pad} for i in range(n)]).encode()


def _post(client, data: bytes):
    return client.post("/municipalities/import", data={"file": (io.BytesIO(data), "towns.json")},
                       content_type="multipart/form-data")


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Municipality))


def test_a_coordinator_import_over_the_size_limit_is_refused_with_a_clear_message(client, make, login, db):
    login(make.user(com_role="coordinator"))
    response = _post(client, _rows(10, pad=500))
    assert response.status_code == 413
    assert "larger than 3.9 kB" in response.get_data(as_text=True)
    assert _count(db) == 0


def test_a_coordinator_import_over_the_row_limit_is_refused(client, make, login, db):
    login(make.user(com_role="coordinator"))
    response = _post(client, _rows(21))
    assert response.status_code == 422
    assert "import at most 20 at once" in response.get_data(as_text=True)
    assert _count(db) == 0
    assert _post(client, _rows(20)).status_code == 200
    assert _count(db) == 20


def test_administrators_import_beyond_the_limits(client, make, login, db):
    login(make.admin())
    assert _post(client, _rows(30, pad=200)).status_code == 200
    assert _count(db) == 30


def test_the_command_line_applies_the_limits_of_the_account_it_imports_as(app, make, tmp_path, db):
    coordinator = make.user(com_role="coordinator")
    path = tmp_path / "towns.json"
    path.write_bytes(_rows(25))
    result = app.test_cli_runner().invoke(args=["municipalities", "import", str(path), "--as", coordinator.email])
    assert result.exit_code == 2 and "at most 20" in result.output
    make.admin()
    assert app.test_cli_runner().invoke(args=["municipalities", "import", str(path)]).exit_code == 0


def test_material_files_keep_the_upload_limit(app, make, login, db):
    from app.courses import services

    trainer = make.trainer()
    module = services.create_module(trainer, title="Energy poverty", status="published")
    db.session.commit()
    client = login(trainer, target=app.test_client())
    for size, kept in ((1001, 0), (1000, 1)):
        response = client.post(f"/courses/modules/{module.id}/materials",
                               data={"title": "Slides", "file": (io.BytesIO(b"%" * size), "slides.pdf")},
                               content_type="multipart/form-data", follow_redirects=True)
        assert response.status_code == 200
        assert ("Files are at most 1000 B." in response.get_data(as_text=True)) is (not kept)
        db.session.expire_all()
        assert len(module.materials) == kept, size

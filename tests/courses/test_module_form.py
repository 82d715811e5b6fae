"""The module form: searchable multi-selects (no "hold Ctrl" hint) and the description's Markdown preview."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.courses.models import DESCRIPTION_MAX
from tests.factories import Factories

ROOT = Path(__file__).resolve().parents[2]


def test_module_form_marks_its_multi_selects_searchable_and_loads_the_scripts(client, make, login):
    login(make.trainer())
    page = client.get("/courses/modules/new").get_data(as_text=True)
    for name in ("topics", "trainer_ids", "prerequisite_ids"):
        assert re.search(rf'<select[^>]*data-multiselect[^>]*name="{name}"|<select[^>]*name="{name}"[^>]*data-multiselect',
                         page), name
    assert "js/multiselect.js" in page and "css/multiselect.css" in page and "js/markdown-preview.js" in page
    assert 'data-filter="Type to filter the list"' in page and 'data-remove="Remove __NAME__"' in page
    assert 'data-url="/courses/modules/preview"' in page and "Preview the description" in page
    assert "Ctrl" not in page


def test_no_template_form_or_catalogue_asks_to_hold_ctrl():
    for path in [*ROOT.glob("app/**/*.py"), *ROOT.glob("app/templates/**/*.html"), *ROOT.glob("app/**/*.po")]:
        text = path.read_text(encoding="utf-8")
        assert "Hold Ctrl" not in text, path
        for entry in re.findall(r'^msgid "(.*)"$', text, flags=re.M):
            assert "Ctrl" not in entry, path


def test_searchable_fields_work_without_javascript(client, make, login, db):
    """The native select stays the form's value: a plain POST with several values saves them all."""
    trainer, other = make.trainer(name="Tom Trainer"), make.trainer(name="Olga Other")
    db.session.commit()
    login(trainer)
    response = client.post("/courses/modules/new", data={
        "title": "Financing", "language": "en", "level": "beginner", "format": "online", "status": "draft",
        "required_sessions": "1", "topics": ["financing", "monitoring"], "trainer_ids": [trainer.id, other.id]})
    assert response.status_code == 302
    from app.courses.models import Module
    module = db.session.query(Module).filter_by(title="Financing").one()
    assert sorted(module.topics) == ["financing", "monitoring"]
    assert {t.name for t in module.trainers} == {"Tom Trainer", "Olga Other"}


def test_preview_renders_sanitised_markdown(client, make, login):
    login(make.trainer())
    response = client.post("/courses/modules/preview", data={
        "text": "**Bold** and [a link](https://example.org)\n\n<script>alert(1)</script>\n\n- one\n- two"})
    assert response.status_code == 200 and response.is_json
    html = response.get_json()["html"]
    assert "<strong>Bold</strong>" in html and 'href="https://example.org"' in html and "<li>two</li>" in html
    assert "<script" not in html
    assert response.headers["Cache-Control"] == "no-store"
    assert client.post("/courses/modules/preview", data={"text": ""}).get_json() == {"html": ""}


def test_preview_refuses_too_long_text_and_control_characters_with_json_422(client, make, login):
    login(make.trainer())
    response = client.post("/courses/modules/preview", data={"text": "x" * (DESCRIPTION_MAX + 1)})
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid"
    assert "text" in response.get_json()["error"]["fields"]
    response = client.post("/courses/modules/preview", data={"text": "bell \x07"})
    assert response.status_code == 422


def test_preview_is_for_signed_in_trainers_only(client, make, login):
    response = client.post("/courses/modules/preview", data={"text": "hi"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    login(make.user())
    assert client.post("/courses/modules/preview", data={"text": "hi"}).status_code == 403
    assert client.get("/courses/modules/preview").status_code == 405


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_preview_needs_the_csrf_token(client, make):
    user = make.trainer()
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/auth/login", data={"email": user.email, "password": Factories.PASSWORD, "csrf_token": token})
    assert client.post("/courses/modules/preview", data={"text": "hi"}).status_code == 400
    page = client.get("/courses/modules/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/courses/modules/preview", data={"text": "*hi*", "csrf_token": token})
    assert response.status_code == 200 and response.get_json()["html"] == "<p><em>hi</em></p>"


def test_preview_answers_in_few_queries(client, make, login, count_queries):
    login(make.trainer())
    with count_queries() as q:
        assert client.post("/courses/modules/preview", data={"text": "# Title"}).status_code == 200
    assert q.count <= 3, q.statements

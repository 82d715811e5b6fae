"""A request over MAX_CONTENT_LENGTH gets a clear 413: a page in the user's language, or the JSON error."""
from __future__ import annotations

import io

import pytest


@pytest.fixture
def app_config():
    return {"MAX_CONTENT_LENGTH": 2 * 1024 * 1024}


BIG = b"x" * (3 * 1024 * 1024)


def test_a_too_large_upload_gets_a_clear_page(client, make, login):
    login(make.admin())
    response = client.post("/municipalities/import", data={"file": (io.BytesIO(BIG), "big.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Too large to receive" in page
    assert "a file may have at most 2 MB" in page


def test_a_too_long_text_in_a_form_gets_the_same_page(client, make, login):
    login(make.user())
    response = client.post("/auth/profile", data={"name": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Choose a smaller file or shorten the text." in response.get_data(as_text=True)


def test_the_page_is_in_dutch_for_dutch_users(client, make, login):
    login(make.user(language="nl"))
    response = client.post("/municipalities/import", data={"file": (io.BytesIO(BIG), "big.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Te groot om te ontvangen" in page and "Too large" not in page


def test_a_too_large_api_request_gets_the_json_error(client, make):
    response = client.post("/api/v1/modules", headers=make.bearer(make.trainer()), data=BIG,
                           content_type="application/json")
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "too_large"
    assert "at most 2 MB" in error["message"]

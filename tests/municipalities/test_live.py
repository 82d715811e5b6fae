"""Many real clients against a multi-worker server: a municipality is created once, whatever the race."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.municipalities.models import Municipality

pytestmark = pytest.mark.live


def _post(url: str, token: str, body: dict) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_concurrent_creations_of_one_municipality(live_server, make, db):
    token = make.token(make.admin())
    db.session.commit()
    url = f"{live_server.url}/api/v1/municipalities"
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda i: _post(url, token, {"name": "Heraklion", "country": "GR",
                                                              "population": 170000 + i}), range(16)))
    assert sorted(statuses) == [201] + [409] * 15
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Municipality)) == 1

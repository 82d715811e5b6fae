"""The scheduler has no request: reminder mails still carry absolute links, on PUBLIC_URL."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.core.models import OutboxMessage


@pytest.fixture
def app_config():
    return {"SERVER_NAME": None, "PUBLIC_URL": "https://mia.example.eu"}


def test_tick_without_server_name(app, make, munis, db):
    coordinator = make.user(com_role="coordinator", language="nl")
    municipality = munis.municipality(followers=[coordinator], seap_submitted_on=date(2014, 3, 1))
    result = app.test_cli_runner().invoke(args=["scheduler", "tick"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    mail = db.session.scalar(select(OutboxMessage))
    assert f"https://mia.example.eu/municipalities/{municipality.id}" in mail.text_body
    assert mail.subject.startswith("Monitoring")  # nl: "Monitoringrapport verwacht voor …"
    assert "verwacht" in mail.subject and "Hallo" in mail.text_body

"""Demo data: the 40 municipalities of the six countries, followed by the demo coordinators."""
from __future__ import annotations

from sqlalchemy import func, select

from app.auth.models import User
from app.municipalities.models import Municipality, MunicipalityMember, SeapAction


def test_demo_load_tells_a_story(app, db, client):
    result = app.test_cli_runner().invoke(args=["demo", "load", "--scale", "2"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    by_country = dict(db.session.execute(
        select(Municipality.country, func.count()).where(~Municipality.name.contains("(2)"))
        .group_by(Municipality.country)).all())
    assert sum(by_country.values()) == 40 and set(by_country) == {"BE", "HR", "GR", "IT", "PL", "ES"}
    assert db.session.scalar(select(func.count()).select_from(Municipality)) == 80
    followed = dict(db.session.execute(
        select(User.email, func.count()).join(MunicipalityMember, MunicipalityMember.user_id == User.id)
        .where(MunicipalityMember.role == "follower").group_by(User.email)).all())
    for local in ("pieter", "ivana", "nikos", "giulia", "tomasz", "javier"):
        assert followed[f"{local}@demo.mayors-in-action.eu"] >= 5
        assert followed[f"{local}.2@demo.mayors-in-action.eu"] >= 5  # scaled coordinators follow the copies
    assert db.session.scalar(select(func.count()).select_from(SeapAction)
                             .where(SeapAction.status == "completed")) > 150
    body = client.get("/api/v1/results").json
    assert body["municipalities"] == 80 and body["expected_co2_t"] > 0

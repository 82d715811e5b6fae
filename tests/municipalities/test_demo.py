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


def test_demo_inventories(app, db, client):
    from app.municipalities import inventories
    from app.municipalities.models import EmissionFactor, Inventory

    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(EmissionFactor).where(~EmissionFactor.demo)) == 0
    countries = set(db.session.scalars(select(Municipality.country).join(Inventory.municipality)))
    assert countries == {"BE", "HR", "GR", "IT", "PL", "ES"}
    towns = db.session.scalars(select(Municipality).where(Municipality.inventories.any())).all()
    progress = {t.name: inventories.inventory_progress(t) for t in towns}
    assert all(p is not None for p in progress.values())  # every inventory computes
    assert progress["Karlovac"].standing.on_track is False
    assert sum(1 for p in progress.values() if p.standing.on_track) >= 8
    assert progress["Koprivnica"].latest is None  # its editor enters the monitoring inventory
    hasselt = progress["Hasselt"].baseline_result
    per_head = hasselt.total_mwh / progress["Hasselt"].baseline.population
    assert 8 < per_head < 12
    by_sector = progress["Hasselt"].baseline_result.mwh_by_sector
    assert sorted(by_sector, key=by_sector.get)[-2:] in (["residential-buildings", "private-transport"],
                                                         ["private-transport", "residential-buildings"])
    body = client.get("/api/v1/results").json
    assert body["inventory_municipalities"] == 11 and body["measured_co2_reduction_t"] > 0

"""Factories for municipalities, their actions and reports."""
from __future__ import annotations

import itertools
from datetime import date

import pytest

from app.extensions import db
from app.municipalities.models import MonitoringReport, Municipality, MunicipalityMember, SeapAction

_n = itertools.count(1)


class MunicipalityFactories:
    def municipality(self, *, followers=(), editors=(), commit=True, **values) -> Municipality:
        n = next(_n)
        values.setdefault("name", f"Town {n}")
        values.setdefault("country", "BE")
        values.setdefault("population", 50_000)
        values.setdefault("baseline_year", 2010)
        values.setdefault("baseline_emissions_t", 100_000.0)
        values.setdefault("reduction_target_percent", 20.0)
        values.setdefault("target_year", 2020)
        municipality = Municipality(**values)
        municipality.members = ([MunicipalityMember(user=u, role="follower", status="accepted") for u in followers]
                                + [MunicipalityMember(user=u, role="editor", status="accepted") for u in editors])
        db.session.add(municipality)
        db.session.flush()
        if commit:
            db.session.commit()
        return municipality

    def action(self, municipality, *, commit=True, **values) -> SeapAction:
        values.setdefault("title", f"Action {next(_n)}")
        values.setdefault("sector", "public-lighting")
        values.setdefault("area", "efficient-lighting")
        values.setdefault("instrument", "energy-management")
        values.setdefault("status", "ongoing")
        values.setdefault("expected_co2_t", 100.0)
        action = SeapAction(municipality=municipality, **values)
        db.session.add(action)
        db.session.flush()
        if commit:
            db.session.commit()
        return action

    def report(self, municipality, *, commit=True, **values) -> MonitoringReport:
        values.setdefault("submitted_on", date(2014, 3, 1))
        values.setdefault("kind", "action")
        report = MonitoringReport(municipality=municipality, **values)
        db.session.add(report)
        db.session.flush()
        if commit:
            db.session.commit()
        return report


@pytest.fixture
def munis(app) -> MunicipalityFactories:
    return MunicipalityFactories()

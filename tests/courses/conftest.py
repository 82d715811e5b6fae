"""Training factories: a published module with a trainer, sessions a week ahead by default."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.core.timeutil import utcnow
from app.courses import services
from app.extensions import db


class CourseFactories:
    def __init__(self, make):
        self.make = make

    def module(self, trainer=None, **values):
        trainer = trainer or self.make.trainer()
        values.setdefault("title", "Energy poverty: from diagnosis to action")
        values.setdefault("summary", "Find households at risk and design measures that reach them.")
        values.setdefault("topics", ["energy-poverty"])
        values.setdefault("status", "published")
        module = services.create_module(trainer, **values)
        db.session.commit()
        return module

    def session(self, module=None, *, days: float = 7, hours: float = 3, capacity: int = 10, **values):
        module = module or self.module()
        trainer = module.trainers[0]
        starts = values.pop("starts_at", None) or (utcnow() + timedelta(days=days)).replace(microsecond=0)
        values.setdefault("timezone", "Europe/Athens")
        values.setdefault("location", "Region of Crete, Heraklion")
        values.setdefault("country", "GR")
        session = services.add_session(trainer, module, starts_at=starts, ends_at=starts + timedelta(hours=hours),
                                       capacity=capacity, **values)
        db.session.commit()
        return session


@pytest.fixture
def courses(make):
    return CourseFactories(make)

"""Demo data: each feature adds its part, in the order features are registered."""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app


@dataclass
class DemoContext:
    """What loaders share: the scale, a seeded random generator, and what earlier loaders made."""

    scale: int = 1
    rng: random.Random = field(default_factory=lambda: random.Random(2014))
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, email, password)
    data: dict = field(default_factory=dict)


def register_demo(app: Flask, name: str, loader: Callable[[DemoContext], None]) -> None:
    app.extensions.setdefault("demo_loaders", []).append((name, loader))


def load_demo(scale: int = 1) -> DemoContext:
    from app.core import cache
    from app.extensions import db

    ctx = DemoContext(scale=scale)
    for _name, loader in current_app.extensions.get("demo_loaders", []):
        loader(ctx)
        db.session.commit()
    for kind in cache.watched_kinds():
        cache.bump(kind)  # bulk inserts bypass the unit of work that notes changes
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # fresh statistics: the planner misjudges freshly loaded tables
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return ctx

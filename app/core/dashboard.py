"""The coordinator dashboard's sections: features add what they have for a person.

    register_dashboard_section(app, "training", render)   # render(user) -> HTML (Markup) or None

The municipalities feature draws the dashboard; core only keeps the registry, so no feature imports
another to take part.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from markupsafe import Markup

Section = Callable[[object], "str | None"]


def register_dashboard_section(app, name: str, render: Section) -> None:
    app.extensions.setdefault("dashboard_sections", {})[name] = render


def dashboard_sections(user) -> list[Markup]:
    """Each feature's section for `user`, in registration order; sections are HTML their own
    (autoescaped) templates rendered."""
    sections = (render(user) for render in current_app.extensions.get("dashboard_sections", {}).values())
    return [Markup(section) for section in sections if section]  # noqa: S704

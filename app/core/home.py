"""The personal home's sections: each feature adds what a signed-in person has to act on.

    register_home_section(app, "notifications", render)   # render(user) -> HTML (Markup) or None

Core draws `/home` and only keeps the registry, so no feature imports another to take part. A section
returns None when it does not apply to the person (e.g. a coach section for someone who is no coach) and
its own empty state when it applies but holds nothing; it answers in a bounded number of queries.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from markupsafe import Markup

Section = Callable[[object], "str | None"]


def register_home_section(app, name: str, render: Section) -> None:
    app.extensions.setdefault("home_sections", {})[name] = render


def home_sections(user) -> list[Markup]:
    """Each feature's section for `user`, in registration order (HTML their own templates rendered)."""
    sections = (render(user) for render in current_app.extensions.get("home_sections", {}).values())
    return [Markup(section) for section in sections if section]  # noqa: S704

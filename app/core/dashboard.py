"""The coordinator dashboard's sections: features add what they have for a person.

    register_dashboard_section(app, "training", render, reads=("courses", "people"))  # render(user) -> HTML

The municipalities feature draws the dashboard; core only keeps the registry, so no feature imports
another to take part. With `reads` (the kinds of data it is made of, app/core/cache.py) a section is
kept per person until one of them changes, as the home's are (app/core/home.py).
"""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from markupsafe import Markup

from app.core import cache

Section = Callable[[object], "str | None"]


def register_dashboard_section(app, name: str, render: Section, reads: tuple[str, ...] = ()) -> None:
    app.extensions.setdefault("dashboard_sections", {})[name] = (render, tuple(reads))


def _section(user, name: str, render: Section, reads: tuple[str, ...]) -> str | None:
    if not reads:
        return render(user)

    def build() -> str | None:
        html = render(user)
        return None if html is None else str(html)

    kept = cache.personal(user, reads, ("dashboard", name), build)
    return None if kept is None else cache.own_tokens(kept)


def dashboard_sections(user) -> list[Markup]:
    """Each feature's section for `user`, in registration order; sections are HTML their own
    (autoescaped) templates rendered."""
    sections = (_section(user, name, render, reads)
                for name, (render, reads) in current_app.extensions.get("dashboard_sections", {}).items())
    return [Markup(section) for section in sections if section]  # noqa: S704

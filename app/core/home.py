"""The personal home's sections: each feature adds what a signed-in person has to act on.

    register_home_section(app, "notifications", render)   # render(user) -> HTML (Markup) or None
    return section_html(render_template(...), empty=not items)  # inside render: says if it holds anything

Core draws `/home` and only keeps the registry, so no feature imports another to take part. A section
returns None when it does not apply to the person (e.g. a coach section for someone who is no coach) and
its own empty state when it applies but holds nothing; it answers in a bounded number of queries. Sections
with something to act on come first, the empty ones after them, each group in registration order, so a
coach with an appointment in 20 minutes does not scroll past an empty training card on a phone.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from markupsafe import Markup

Section = Callable[[object], "str | None"]


def register_home_section(app, name: str, render: Section) -> None:
    app.extensions.setdefault("home_sections", {})[name] = render


class SectionHTML(Markup):
    """A section's HTML that knows whether it holds anything to act on."""

    empty = False


def section_html(html: str, *, empty: bool) -> SectionHTML:
    out = SectionHTML(html)
    out.empty = empty
    return out


def home_sections(user) -> list[Markup]:
    """Each feature's section for `user`: those with items first, then the empty ones, each group in
    registration order (HTML their own templates rendered)."""
    sections = [render(user) for render in current_app.extensions.get("home_sections", {}).values()]
    shown = [section if isinstance(section, Markup) else Markup(section)  # noqa: S704
             for section in sections if section]
    return sorted(shown, key=lambda section: bool(getattr(section, "empty", False)))

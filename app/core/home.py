"""The personal home's sections: each feature adds what a signed-in person has to act on.

    register_home_section(app, "notifications", render, reads=("notifications",))  # render(user) -> HTML
    return section_html(render_template(...), empty=not items)  # inside render: says if it holds anything

Core draws `/home` and only keeps the registry, so no feature imports another to take part. A section
returns None when it does not apply to the person (e.g. a coach section for someone who is no coach) and
its own empty state when it applies but holds nothing; it answers in a bounded number of queries. Sections
with something to act on come first, the empty ones after them, each group in registration order, so a
coach with an appointment in 20 minutes does not scroll past an empty training card on a phone.

`reads` names the kinds of data (app/core/cache.py, `watch_changes`) the section is made of, all of them:
the section is then kept per person, language, zone and minute until one of them changes, and a home whose
sections are all kept costs one query for them. A section without `reads` is rendered for every request.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from markupsafe import Markup

from app.core import cache

Section = Callable[[object], "str | None"]


def register_home_section(app, name: str, render: Section, reads: tuple[str, ...] = ()) -> None:
    app.extensions.setdefault("home_sections", {})[name] = (render, tuple(reads))


class SectionHTML(Markup):
    """A section's HTML that knows whether it holds anything to act on."""

    empty = False


def section_html(html: str, *, empty: bool) -> SectionHTML:
    out = SectionHTML(html)
    out.empty = empty
    return out


def _section(user, name: str, render: Section, reads: tuple[str, ...]) -> SectionHTML | None:
    if not reads:
        html = render(user)
        return None if html is None else section_html(html, empty=bool(getattr(html, "empty", False)))

    def build():
        html = render(user)
        return None if html is None else (str(html), bool(getattr(html, "empty", False)))

    kept = cache.personal(user, reads, ("home", name), build)
    return None if kept is None else section_html(cache.own_tokens(kept[0]), empty=kept[1])


def home_sections(user) -> list[Markup]:
    """Each feature's section for `user`: those with items first, then the empty ones, each group in
    registration order (HTML their own templates rendered)."""
    sections = [_section(user, name, render, reads)
                for name, (render, reads) in current_app.extensions.get("home_sections", {}).items()]
    return sorted((section for section in sections if section), key=lambda section: section.empty)

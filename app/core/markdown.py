"""Markdown written by people, rendered and sanitised once when it is saved (never on each view).

Models keep the HTML in a column next to the source (`description` -> `description_html`); a 2 MB
description rendered on every page view took minutes.
"""
from __future__ import annotations

import bleach
import markdown
from markupsafe import Markup

MARKDOWN_TAGS = ["p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "h5", "blockquote", "code",
                 "pre", "hr", "table", "thead", "tbody", "tr", "th", "td"]


def render_markdown(text: str | None) -> Markup:
    """Sanitised HTML: no scripts, no inline styles, safe links only."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"])
    clean = bleach.clean(html, tags=MARKDOWN_TAGS, attributes={"a": ["href", "title"]},
                         protocols=["http", "https", "mailto"], strip=True)
    return Markup(bleach.linkify(clean, callbacks=[bleach.callbacks.nofollow]))  # noqa: S704 (sanitised by bleach)

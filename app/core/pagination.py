"""Paging for HTML lists and the API: one count query, one page query."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy import Select, func, select

from app.extensions import db

# The last page anyone may ask for: beyond, the offset alone overflows databases (SQLite's 64-bit
# integers), and no list of this platform has a million pages.
MAX_PAGE = 10**6


@dataclass
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_args() -> tuple[int, int]:
    """page and per_page from the query string, clamped to sane values (HTML lists never fail on them)."""
    def _int(name: str, default: int) -> int:
        try:
            return int(request.args.get(name, default))
        except (TypeError, ValueError):
            return default
    per_page = min(max(_int("per_page", current_app.config["PER_PAGE"]), 1), current_app.config["MAX_PER_PAGE"])
    return min(max(_int("page", 1), 1), MAX_PAGE), per_page


def paginate(query: Select, page: int | None = None, per_page: int | None = None, scalars: bool = True) -> Page:
    if page is None or per_page is None:
        page, per_page = page_args()
    page = min(max(page, 1), MAX_PAGE)
    per_page = max(per_page, 1)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    result = db.session.execute(query.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars().unique()) if scalars else list(result)
    return Page(items=items, total=total, page=page, per_page=per_page)

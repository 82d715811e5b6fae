"""File sizes for people: 2 MB, 500 kB, in the viewer's number format."""
from __future__ import annotations

from flask_babel import format_decimal


def format_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{format_decimal(size / (1024 * 1024), format='#,##0.#')} MB"
    if size >= 1024:
        return f"{format_decimal(size / 1024, format='#,##0.#')} kB"
    return f"{size} B"

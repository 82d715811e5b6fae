"""Demo coaching: coaches with availability and a history of appointments."""
from __future__ import annotations

from app.core.demo import DemoContext


def load_coaching(ctx: DemoContext) -> None:
    return None

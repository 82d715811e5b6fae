"""The per-process store of kept fragments is bounded by entries and by the text it holds."""
from __future__ import annotations

from app.core.cache import LRU


def test_the_oldest_go_first_once_the_text_held_passes_its_bound():
    store = LRU(10, max_chars=100)
    store.put("first", "x" * 60)
    store.put("second", (1.0, ("y" * 60, True)))  # as kept: (expires at, (html, empty))
    assert store.get("first") is None and store.get("second") is not None
    store.put("second", "z" * 10)  # replaced: its old size no longer counts
    store.put("third", "w" * 80)
    assert store.get("second") == "z" * 10 and store.get("third") == "w" * 80
    store.put("huge", "q" * 500)  # larger than the bound alone: kept, everything older goes
    assert store.get("huge") and store.get("second") is None and store.get("third") is None


def test_the_count_bounds_it_too():
    store = LRU(2)
    for key in "abc":
        store.put(key, key)
    assert store.get("a") is None and store.get("b") == "b" and store.get("c") == "c"

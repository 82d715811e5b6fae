"""Search across languages, ignoring case and accents: one normalisation, used when saving and searching.

A searchable object keeps a normalised `search_text` column, written when it is saved (its titles,
summaries, people's names, places and country names in every interface language). Topic names are
not stored: they come from the catalogues, so a word is matched against the topic names of every
interface language when searching, and becomes a condition on the topic codes. "φτωχεια", "φτώχεια",
"poverty" and "Energy Poverty" all find a module tagged `energy-poverty`.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from babel import Locale
from flask import current_app
from sqlalchemy import and_, event, false, inspect, or_
from sqlalchemy.orm import Session

MAX_WORDS = 8
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise(*parts) -> str:
    """Lower case, no accents, words separated by one space: "Énergie  Ποσό" -> "energie ποσο"."""
    text = " ".join(str(p) for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(_NOT_WORD.sub(" ", bare).split())


# Letters that are not a base letter plus accents, so NFKD leaves them alone: folded by hand for sorting.
_SORT_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE",
                               "œ": "oe", "Œ": "OE", "ı": "i", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D"})


def sort_key(text: str | None, max_len: int = 200) -> str:
    """A name folded for a collated order that SQLite and PostgreSQL sort alike (bytewise): no case, no
    accents, single spaces; "Évora" -> "evora", "Łódź" -> "lodz". Stored beside the name it orders."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_SORT_LETTERS))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(bare.split())[:max_len]


def bytewise(column):
    """`column` compared bytewise on every database (PostgreSQL's default collation may ignore spaces and
    punctuation; SQLite compares bytes already), for columns holding a `sort_key`."""
    from app.extensions import db

    return column.collate("C") if db.engine.dialect.name == "postgresql" else column


def query_words(q: str | None) -> list[str]:
    """The words of a search, normalised, at most MAX_WORDS (LIKE wildcards cannot survive normalising)."""
    return normalise((q or "")[:200]).split()[:MAX_WORDS]


def interface_languages() -> tuple[str, ...]:
    """Names are matched in the six countries' languages and English, offered in the interface or not yet:
    a Croatian finds "Hrvatska" whatever language she reads the pages in."""
    from app.core.reference import INTERFACE_LANGUAGES

    return tuple(dict.fromkeys([*current_app.config["LANGUAGES"], *INTERFACE_LANGUAGES]))


@lru_cache(maxsize=8)
def _topic_names(languages: tuple[str, ...]) -> dict[str, str]:
    """Each topic code with its names in every interface language, normalised."""
    from app.core.i18n import in_language
    from app.core.reference import TOPICS

    names = {code: [] for code in TOPICS}
    for language in languages:
        with in_language(language):
            for code, label in TOPICS.items():
                names[code].append(str(label))
    return {code: normalise(code.replace("-", " "), *labels) for code, labels in names.items()}


def topics_matching(word: str) -> list[str]:
    """The topic codes whose name, in any interface language, contains the word."""
    return [code for code, names in _topic_names(interface_languages()).items() if word in names]


@lru_cache(maxsize=512)
def _country_names(code: str, languages: tuple[str, ...]) -> str:
    names = []
    for language in languages:
        try:
            names.append(Locale.parse("en_GB" if language == "en" else language).territories.get(code, ""))
        except (ValueError, TypeError):
            continue
    return normalise(*names)


def country_names(code: str | None) -> str:
    """A country's name in every interface language, normalised ("GR" -> "greece grece grcka ελλαδα …")."""
    return _country_names(code.upper(), interface_languages()) if code else ""


def condition(text_column, q: str | None, topic_condition=None):
    """Every word of `q` in the normalised column, or (for topic words) a topic it names.

    `topic_condition(codes)` gives the SQL condition "tagged with one of these topic codes".
    Returns None when `q` has no words."""
    words = query_words(q)
    if not words:
        return None
    parts = []
    for word in words:
        options = [text_column.like(f"%{word}%")]
        codes = topics_matching(word) if topic_condition is not None else []
        if codes:
            options.append(topic_condition(codes))
        parts.append(or_(*options))
    return and_(*parts) if parts else false()


class Searchable:
    """A model with a normalised `search_text` column, written again on flush when one of
    `searched_attributes` changed. `search_words()` says what goes in it.

    A part of such an object (a module's session, with its place) names `search_owner_attributes`
    and `search_owner()`: changing those refreshes the owner."""

    searched_attributes: tuple[str, ...] = ()

    def search_words(self) -> list:
        raise NotImplementedError

    def refresh_search_text(self) -> None:
        self.search_text = normalise(*self.search_words())


def _changed(obj, names) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "before_flush")
def _refresh_search_texts(session, flush_context, instances) -> None:
    """Seat counts and the like change nothing here, so enrolling writes no module row."""
    due = {obj for obj in session.new if isinstance(obj, Searchable)}
    due |= {obj for obj in session.dirty if isinstance(obj, Searchable) and _changed(obj, obj.searched_attributes)}
    for obj in (*session.new, *session.dirty, *session.deleted):
        names = getattr(obj, "search_owner_attributes", None)
        if names and (obj not in session.dirty or _changed(obj, names)):
            with session.no_autoflush:
                owner = obj.search_owner()
            if owner is not None:
                due.add(owner)
    with session.no_autoflush:
        for obj in due:
            if obj not in session.deleted:
                obj.refresh_search_text()

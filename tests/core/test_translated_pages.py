"""Every main page, rendered in each interface language, has no English interface text left.

Two nets: (1) no text on the page is the English original of a message the language's catalogue
translates differently (a string shown without gettext, or from the wrong catalogue); (2) no text is the
same in English and in the language unless it is data (titles, names, places from the database),
a proper name, a number or a code (a string that never went through gettext at all).
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.pofile import read_po
from sqlalchemy import String, Text, select

from app.config import Defaults
from app.core.demo import load_demo
from app.extensions import db

APP = Path(__file__).resolve().parents[2] / "app"
LANGUAGES = [lang for lang in Defaults.LANGUAGES if lang != "en"]
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
# Shown the same in every language: the product, acronyms, codes and names of languages in themselves.
SAME_EVERYWHERE = re.compile(
    r"^(Mayors in Action|English|Nederlands|Français|Hrvatski|Ελληνικά|Italiano|Polski|Español|"
    r"[A-Z]{2,6}|[A-Z]{2} ?·.*|Europe/\w+|UTC|PDF|CSV|JSON|SQLite|iCalendar|Markdown|OK|Total|Status|"
    r"Bold|Italic|Link|Editor|Admin|Coach|Module|Modules|Trainer|Code|Online|Email|E-mail|Web|Info|Format)$")


class TextNodes(HTMLParser):
    """Visible text and the attributes people read (titles, placeholders, labels for screen readers)."""

    def __init__(self):
        super().__init__()
        self.nodes: set[str] = set()
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "option"):  # options: country and zone names come from CLDR and tz
            self._skip += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self._add(value)
            if tag == "input" and name == "value" and ("type", "submit") in attrs and value:
                self._add(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "option"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._add(data)

    def _add(self, text: str) -> None:
        text = " ".join(text.split())
        if re.search(r"[A-Za-z]{3}", text):
            self.nodes.add(text)


def text_nodes(html: str) -> set[str]:
    parser = TextNodes()
    parser.feed(html)
    return parser.nodes


def english_originals(language: str) -> tuple[set[str], set[str]]:
    """Messages without placeholders the language translates into something else, and those it
    keeps as they are ("Coaching", "Menu" in Dutch)."""
    originals, kept = set(), set()
    for po in [APP / "translations", *sorted(APP.glob("*/translations"))]:
        with open(po / language / "LC_MESSAGES" / "messages.po", "rb") as f:
            for message in read_po(f):
                if message.pluralizable and message.string:
                    kept.update(bare(form) for form, english in zip(message.string, message.id, strict=False) if form == english)
                if not message.id or message.pluralizable or "%" in message.id or "{" in message.id:
                    continue
                if message.string and message.string != message.id and len(message.id) > 3:
                    originals.add(" ".join(message.id.split()))
                elif message.string == message.id:
                    kept.add(bare(message.id))
                if isinstance(message.string, str) and message.string:  # "Date" is Italian for dates
                    kept.add(bare(message.string))
    kept.update(Locale.parse(language).territories.values())  # "Romania" in Italian too
    return originals, kept


def bare(text: str) -> str:
    """A text without its numbers, placeholders, arrows and the site name of page titles."""
    text = text.removesuffix(" · Mayors in Action")
    return " ".join(re.sub(r"%\(\w+\)[sd]|\d+|[›‹…]", " ", text).split())


def data_strings() -> list[str]:
    """Every string stored in the database: titles, names, places, summaries, organisations."""
    values: list[str] = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if columns:
            for row in db.session.execute(select(*columns)):
                values.extend(" ".join(v.split()) for v in row if isinstance(v, str) and v)
    return values


def is_data(text: str, data: list[str]) -> bool:
    text = text.removesuffix("...").removesuffix("…")
    return any(text in value or (len(value) > 3 and value in text) for value in data)


def main_pages() -> list[str]:
    from app.coaching.models import CoachProfile
    from app.courses.models import Module, TrainingSession
    from app.municipalities.models import Municipality
    from app.peers.models import GoodPractice

    first = lambda model: db.session.scalars(select(model.id).order_by(model.id)).first()  # noqa: E731
    pages = ["/", "/courses/", "/courses/my", "/courses/manage", "/courses/modules/new", "/courses/verify",
             f"/courses/modules/{first(Module)}", f"/courses/sessions/{first(TrainingSession)}",
             "/coaching/",
             "/peers/", "/peers/profile", "/peers/review", "/peers/rounds", "/peers/suggestions",
             "/good-practices/", f"/good-practices/{first(GoodPractice)}",
             "/municipalities/", "/municipalities/dashboard", "/municipalities/new", "/municipalities/import",
             f"/municipalities/{first(Municipality)}", "/results/", "/notifications/",
             "/notifications/preferences", "/auth/profile", "/auth/password", "/auth/delete", "/zone",
             "/admin/", "/admin/users", "/admin/audit", "/admin/outbox", "/contact", "/privacy"]
    coach = db.session.scalars(select(CoachProfile.coach_id).order_by(CoachProfile.coach_id)).first()
    return {"admin": [*pages, f"/coaching/coaches/{coach}"],
            "eleni.coach": ["/coaching/appointments/", "/coaching/availability"],
            "trainer": ["/courses/manage", f"/courses/sessions/{first(TrainingSession)}/attendance"]}


@pytest.fixture
def site(app, login):
    with app.test_request_context():
        ctx = load_demo(scale=1)
    db.session.commit()
    return ctx, main_pages(), lambda user: login(user, password=ctx.data["password"], target=app.test_client())


def render(site, language: str) -> dict[str, set[str]]:
    ctx, pages, sign_in = site
    shown = {}
    for who, urls in pages.items():
        user = ctx.data["users"][who]
        user.language = language
        db.session.commit()
        client = sign_in(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (language, who, url, response.status_code)
            html = response.get_data(as_text=True)
            assert f'<html lang="{language}">' in html, (language, url)
            shown[f"{who} {url}"] = text_nodes(html)
    return shown


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_left_on_the_main_pages(site, language):
    english = render(site, "en")
    translated = render(site, language)
    originals, kept = english_originals(language)
    data = data_strings()
    left = {}
    for url in english:
        suspicious = {text for text in translated[url] if text in originals and bare(text) not in kept}
        suspicious |= {text for text in translated[url] & english[url]
                       if bare(text) not in kept and not SAME_EVERYWHERE.match(text) and not is_data(text, data)}
        if suspicious:
            left[url] = sorted(suspicious)
    assert not left, "\n".join(f"{url}: {texts}" for url, texts in left.items())

"""Language and time zone of the viewer, and the template helpers that use them."""
from __future__ import annotations

from datetime import date, datetime, tzinfo
from urllib.parse import unquote

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_interval, format_skeleton
from flask import current_app, has_request_context, request, session
from flask_babel import force_locale, format_decimal, get_locale, get_timezone
from flask_login import current_user

from app.core.reference import INTERFACE_LANGUAGES, country_name, language_name, topic_name
from app.core.timeutil import as_utc, is_valid_timezone, to_zone, zone

# Babel's plain "en" is American (12-hour clock, month before day); the platform's English is British,
# as its readers are European: 24-hour clock, day before month. Catalogues stay keyed by the language.
BABEL_LOCALES = {"en": "en_GB"}
LANGUAGE_COOKIE = "lang"  # a visitor's chosen language
ZONE_COOKIE = "tz"  # a visitor's zone: the browser's (static/js/app.js) or chosen at /zone; URL-encoded


def babel_locale(language: str | None) -> str:
    """The Babel locale that formats dates and numbers for an interface language ("en" -> "en_GB")."""
    language = language or current_app.config["BABEL_DEFAULT_LOCALE"]
    return BABEL_LOCALES.get(language, language)


def in_language(language: str | None):
    """Render in a person's language (mail, certificates, the scheduler): force_locale with our formats."""
    return force_locale(babel_locale(language))


def interface_language() -> str:
    """The viewer's interface language code ("en", "nl"), for menus and lang attributes."""
    locale = get_locale()
    return locale.language if locale else current_app.config["BABEL_DEFAULT_LOCALE"]


def select_locale() -> str:
    return babel_locale(_select_language())


def _select_language() -> str:
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line, scheduler: English unless force_locale says otherwise
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in supported:
        return current_user.language
    chosen = session.get("language") or request.cookies.get(LANGUAGE_COOKIE)
    if chosen in supported:
        return chosen
    return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_TIMEZONE"]
    if current_user and current_user.is_authenticated and is_valid_timezone(current_user.timezone):
        return current_user.timezone
    browser_zone = unquote(request.cookies.get(ZONE_COOKIE) or "")  # static/js/app.js or /zone, URL-encoded
    if is_valid_timezone(browser_zone):
        return browser_zone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def viewer_timezone() -> str:
    return select_timezone()


# --- Showing a moment, a day and a range: the one way (pages, mail, notifications, .ics texts) ---
# Styles name CLDR skeletons, so each language orders and abbreviates in its own way, while the clock
# is always the 24-hour one (Greek CLDR would say "1:00 μ.μ.") and never shows seconds:
#   short   08/12/2026, 12:00              tables, lists
#   medium  Tue, 8 Dec 2026, 12:00         the default
#   long    Tuesday, 8 December 2026, 12:00  mail, confirmations
#   brief   Tue 8 Dec, 12:00               within a known year (enrolment deadlines)
DAY_SKELETONS = {"short": "yMd", "medium": "yMMMEd", "brief": "MMMEd", "month": "yMMMM"}
CLOCK = "Hm"


def _locale() -> Locale:
    return get_locale() or Locale.parse(babel_locale(None))


def _zone(tz: str | tzinfo | None) -> tzinfo:
    """A zone name, a zone, or None for the viewer's (the recipient's, inside a mail)."""
    if tz is None:
        return get_timezone() or zone(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return zone(tz) if isinstance(tz, str) else tz


def _local(value: datetime, tz) -> datetime:
    return as_utc(value).astimezone(_zone(tz))


def format_day(value: date | datetime | None, style: str = "medium", tz=None) -> str:
    """A day ("Tue, 8 Dec 2026"); a datetime is first taken to the zone (the viewer's by default)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value, tz).date()
    if style == "long":
        return babel_format_date(value, "full", locale=_locale())
    return format_skeleton(DAY_SKELETONS[style], value, locale=_locale())


def format_clock(value: datetime | None, tz=None) -> str:
    """The time of day, 24-hour clock ("12:00")."""
    if value is None:
        return ""
    return format_skeleton(CLOCK, _local(value, tz), locale=_locale())


def _day_and_clock(day: str, clock: str) -> str:
    return _locale().datetime_formats["medium"].replace("{1}", day).replace("{0}", clock)


def format_moment(value: datetime | None, style: str = "medium", tz=None) -> str:
    """A moment: its day and its time, in the viewer's language and zone (or the zone given)."""
    if value is None:
        return ""
    if style == "time":
        return format_clock(value, tz)
    if style == "day":
        return format_day(value, "medium", tz)
    return _day_and_clock(format_day(value, style, tz), format_clock(value, tz))


def format_span(start: datetime | None, end: datetime | None, style: str = "medium", tz=None) -> str:
    """A range: "Tue, 8 Dec 2026, 12:00–13:00" on one day, both moments in full across days."""
    if start is None:
        return ""
    if end is None:
        return format_moment(start, style, tz)
    local_start, local_end = _local(start, tz), _local(end, tz)
    if local_start.date() == local_end.date():
        clocks = format_interval(local_start, local_end, CLOCK, locale=_locale())
        return _day_and_clock(format_day(local_start, style, tz), clocks)
    return f"{format_moment(start, style, tz)} – {format_moment(end, style, tz)}"


def format_number(value, pattern: str = "#,##0.#") -> str:
    """A number in the viewer's language ("4,5" in French, "4.5" in English); empty for None."""
    return "" if value is None else format_decimal(value, format=pattern)


def in_zone(value: datetime | None, tz_name: str | None, style: str = "medium") -> str:
    """A moment in a given zone (a session's, a coach's, a recipient's), in the viewer's language."""
    return format_moment(value, style, tz_name)


def register_template_helpers(app) -> None:
    from app.core.indicators import format_tonnes

    app.jinja_env.filters.update(
        datetime=lambda v, style="medium", tz=None: format_moment(v, style, tz),
        date=lambda v, style="medium", tz=None: format_day(v, style, tz),
        time=lambda v, tz=None: format_clock(v, tz),
        span=lambda start, end, style="medium", tz=None: format_span(start, end, style, tz),
        in_zone=in_zone,
        zone_date=lambda v, tz: to_zone(v, tz).date(),
        country=country_name,
        language=language_name,
        topic=topic_name,
        tonnes=format_tonnes,
        decimal=format_number,
    )

    @app.context_processor
    def _inject():
        return {"viewer_timezone": select_timezone, "current_locale": interface_language,
                "has_endpoint": lambda name: name in current_app.view_functions,
                "supported_languages": current_app.config["LANGUAGES"], "language_names": INTERFACE_LANGUAGES}


# --- Sentences shown later: stored as their English source and parameters, translated when shown ---
class Phrase:
    """A translatable sentence kept with its parameters, rendered when shown: in the reader's language
    and zone, not the writer's. Moments among the parameters are formatted then (`format_moment`),
    lazy strings (`_l(...)`, a topic name) translated then. Notifications store it as JSON.

        Phrase("Coaching booked: %(when)s", when=appointment.starts_at)
    """

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params):
        self.msgid, self.params = msgid, params

    @classmethod
    def of(cls, value, **params) -> Phrase | None:
        """The phrase behind a lazy string made by `_l(msgid, **params)`, or None for other values."""
        from flask_babel.speaklater import LazyString

        if isinstance(value, Phrase):
            return cls(value.msgid, **value.params, **params) if params else value
        if isinstance(value, LazyString) and len(value._args) == 1 and isinstance(value._args[0], str):
            return cls(value._args[0], **value._kwargs, **params)
        return None

    def render(self) -> str:
        from flask_babel import gettext

        values = {name: _shown(value) for name, value in self.params.items()}
        try:
            return gettext(self.msgid, **values) if values else gettext(self.msgid)
        except (KeyError, ValueError, TypeError):  # a catalogue with a broken placeholder: the source
            try:
                return self.msgid % values if values else self.msgid
            except (KeyError, ValueError, TypeError):
                return self.msgid

    __str__ = render

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(self.render()))

    def to_json(self) -> dict:
        return {"msgid": self.msgid, "params": {name: _encoded(value) for name, value in self.params.items()}}

    @classmethod
    def from_json(cls, data: dict) -> Phrase:
        return cls(str(data.get("msgid", "")), **{name: _decoded(value)
                                                  for name, value in (data.get("params") or {}).items()})


def _shown(value):
    if isinstance(value, datetime):
        return format_moment(value)
    if isinstance(value, date):
        return format_day(value)
    if isinstance(value, (int, float)):
        return value
    return str(value)  # a Phrase, a lazy string: translated now


def _encoded(value):
    if isinstance(value, datetime):
        return {"moment": as_utc(value).isoformat()}
    if isinstance(value, date):
        return {"day": value.isoformat()}
    nested = Phrase.of(value)
    if nested is not None:
        return {"phrase": nested.to_json()}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return str(value)


def _decoded(value):
    if isinstance(value, dict):
        if "moment" in value:
            return datetime.fromisoformat(value["moment"])
        if "day" in value:
            return date.fromisoformat(value["day"])
        if "phrase" in value:
            return Phrase.from_json(value["phrase"])
    return value

"""Language and time zone of the viewer, and the template helpers that use them."""
from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime as babel_format_datetime
from flask import current_app, has_request_context, request, session
from flask_babel import force_locale, format_date, format_datetime, get_locale
from flask_login import current_user

from app.core.reference import country_name, language_name, topic_name
from app.core.timeutil import as_utc, is_valid_timezone, zone

# Babel's plain "en" is American (12-hour clock, month before day); the platform's English is British,
# as its readers are European: 24-hour clock, day before month. Catalogues stay keyed by the language.
BABEL_LOCALES = {"en": "en_GB"}


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
    chosen = session.get("language")
    if chosen in supported:
        return chosen
    return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_TIMEZONE"]
    if current_user and current_user.is_authenticated and is_valid_timezone(current_user.timezone):
        return current_user.timezone
    browser_zone = request.cookies.get("tz")  # set by static/js/app.js from the browser's own zone
    if is_valid_timezone(browser_zone):
        return browser_zone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def viewer_timezone() -> str:
    return select_timezone()


def in_zone(value: datetime | None, tz_name: str, fmt: str = "medium") -> str:
    """A datetime in a given zone (a session's, a coach's), in the viewer's language."""
    if value is None:
        return ""
    return babel_format_datetime(as_utc(value), fmt, tzinfo=zone(tz_name), locale=get_locale())


def register_template_helpers(app) -> None:
    app.jinja_env.filters.update(
        datetime=lambda v, fmt="medium": format_datetime(as_utc(v), fmt) if v else "",
        date=lambda v, fmt="medium": format_date(v, fmt) if v else "",
        in_zone=in_zone,
        country=country_name,
        language=language_name,
        topic=topic_name,
    )

    @app.context_processor
    def _inject():
        return {"viewer_timezone": select_timezone, "current_locale": interface_language,
                "has_endpoint": lambda name: name in current_app.view_functions,
                "supported_languages": current_app.config["LANGUAGES"]}

"""Rules for text that people type: no control characters, a maximum length, and escaping for logs.

One place for each rule: the base form (app/core/forms.py), the base API schema (app/api) and the
services the command line calls (accounts, imports) all ask `control_problem`; log records are
escaped by `install_log_escaping`, which create_app calls.

Single-line text (names, titles, subjects, emails, links, codes) refuses every control character:
C0 (CR, LF, TAB and the rest), DEL, C1 (NEL U+0085 among them) and the Unicode line and paragraph
separators U+2028/U+2029. A name with `\\r\\nBcc: …` would otherwise end in a mail header. Multi-line
text (descriptions, messages, notes) allows CR, LF and TAB only.
"""
from __future__ import annotations

import logging
import re

from flask_babel import lazy_gettext as _l

# Length limits shared by forms, API schemas and services.
SHORT_TEXT_MAX = 200  # titles, names of things, places
NAME_MAX = 120  # people's names
EMAIL_MAX = 254
URL_MAX = 500
CODE_MAX = 64  # choice codes, time zones, languages, "HH:MM"
SEARCH_MAX = 200
LONG_TEXT_MAX = 50_000  # descriptions, reports, summaries, messages

_CONTROLS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
_SINGLE_LINE = re.compile(f"[{_CONTROLS}]")
_MULTI_LINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")  # all but TAB, LF, CR

SINGLE_LINE_MESSAGE = _l("Remove line breaks, tabs and other control characters.")
MULTI_LINE_MESSAGE = _l("Remove control characters (line breaks and tabs are fine).")


def has_control_chars(value: str, *, multiline: bool = False) -> bool:
    return bool((_MULTI_LINE if multiline else _SINGLE_LINE).search(value))


def search_words(value: str | None) -> str:
    """A search box's text from a query string: control characters (NUL included, which PostgreSQL refuses
    in text) become spaces, trimmed, at most SEARCH_MAX characters; a search is never an error."""
    return _SINGLE_LINE.sub(" ", value or "").strip()[:SEARCH_MAX]


def control_problem(value, *, multiline: bool = False):
    """The (lazy) message when `value` holds a control character it may not hold, else None."""
    if isinstance(value, str) and has_control_chars(value, multiline=multiline):
        return MULTI_LINE_MESSAGE if multiline else SINGLE_LINE_MESSAGE
    return None


def control_problems(values: dict, *, multiline: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """`{field: [message]}` for every value of `values` that breaks the rule (for a service's Invalid)."""
    problems = {}
    for name, value in values.items():
        message = control_problem(value, multiline=name in multiline)
        if message is not None:
            problems[name] = [str(message)]
    return problems


# Logs -----------------------------------------------------------------------------------------------

_ESCAPES = {"\r": "\\r", "\n": "\\n", "\t": "\\t"}


def spreadsheet_safe(text: str) -> str:
    """A CSV cell a spreadsheet would run as a formula (=, +, -, @, TAB, CR first) gets a leading apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def escape_controls(text: str) -> str:
    """`a\\nb` -> `a\\\\nb`: what is logged stays on its line, so nobody can write a line of their own."""
    return _SINGLE_LINE.sub(lambda m: _ESCAPES.get(m.group(), f"\\u{ord(m.group()):04x}"), text)


class SafeLogRecord(logging.LogRecord):
    """A record whose message has its control characters escaped, whatever the handler or formatter.

    Escaping the formatted message (not only `args`) also covers values logged through `str()` of an
    object; tracebacks are formatted apart and keep their lines.
    """

    def getMessage(self) -> str:
        return escape_controls(super().getMessage())


def install_log_escaping() -> None:
    """Every record created from now on, by any logger (ours, Flask's, gunicorn's), escapes controls.

    A record factory rather than a handler filter: handlers added later (gunicorn's, pytest's) are
    covered too. Idempotent.
    """
    factory = logging.getLogRecordFactory()
    if factory is SafeLogRecord or getattr(factory, "escapes_controls", False):
        return
    if factory is logging.LogRecord:
        logging.setLogRecordFactory(SafeLogRecord)
        return

    def escaping_factory(*args, **kwargs):  # someone installed their own factory: wrap it
        record = factory(*args, **kwargs)
        record.msg = escape_controls(record.getMessage())
        record.args = None
        return record

    escaping_factory.escapes_controls = True
    logging.setLogRecordFactory(escaping_factory)

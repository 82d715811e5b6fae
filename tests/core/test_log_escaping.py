"""Log lines cannot be forged: control characters in what people type are escaped in every log record."""
from __future__ import annotations

import io
import logging

from app.auth import services
from app.core import audit
from app.core.text import escape_controls

FORGED = "x@example.org\nINFO login.success admin"


def _capture():
    """A handler like production's: one record per line, in create_app's format."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    return stream, handler


def _lines(stream, handler):
    logging.getLogger().removeHandler(handler)
    return stream.getvalue().splitlines()


def test_a_login_attempt_cannot_write_a_fake_log_line(app, client, caplog):
    caplog.set_level(logging.INFO)
    stream, handler = _capture()
    try:
        client.post("/auth/login", data={"email": FORGED, "password": "whatever it is"})
        with app.test_request_context():
            services.authenticate(FORGED, "whatever it is")  # the service as the API or a script calls it
    finally:
        lines = _lines(stream, handler)
    assert any("login.failure" in line and "x@example.org\\nINFO login.success admin" in line for line in lines)
    assert not any(line.startswith("INFO login.success") for line in lines)
    assert not any("\n" in record.getMessage() for record in caplog.records)


def test_every_logger_escapes_controls_in_message_and_arguments(app, caplog):
    caplog.set_level(logging.INFO)
    stream, handler = _capture()
    try:
        logging.getLogger("app.anything").warning("user said %s", "a\r\nb\x1b[31mred\u2028c")
        logging.getLogger("app.anything").warning("formatted before: " + "a\nb")
        app.logger.info("object %s", ValueError("two\nlines"))
        audit.record("test.event", None, target="t\narget", detail="de\rtail")
    finally:
        lines = _lines(stream, handler)
    text = "\n".join(lines)
    assert "user said a\\r\\nb\\u001b[31mred\\u2028c" in text
    assert "formatted before: a\\nb" in text
    assert "object two\\nlines" in text
    assert "target=t\\narget de\\rtail" in text
    assert len(lines) == 4


def test_escape_controls_keeps_ordinary_text():
    assert escape_controls("Łódź – café\tok") == "Łódź – café\\tok"

"""Domain errors and the one place that maps them to HTTP (docs/architecture.md, Layers)."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A rule said no. Subclasses choose the HTTP status; `code` is stable for API clients."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str | None = None, *, code: str | None = None,
                 fields: dict[str, list[str]] | None = None):
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.message = str(message or self.__class__.__doc__ or self.code)
        if code:
            self.code = code
        self.fields = fields or {}


class Invalid(DomainError):
    """The input is not valid."""

    status = 422
    code = "invalid"


class NotAllowed(DomainError):
    """You are not allowed to do this."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """Not found."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    """This conflicts with the current state."""

    status = 409
    code = "conflict"


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return body


def json_error(status: int, code: str, message: str, fields: dict | None = None):
    response = jsonify(error_body(code, message, fields))
    response.status_code = status
    return response


HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
              422: "invalid", 429: "too_many_requests", 500: "server_error"}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        if wants_json():
            return json_error(error.status, error.code, error.message, error.fields)
        return render_template("errors/error.html", status=error.status, message=error.message), error.status

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        if status == 413:
            error.description = too_large_message()
        if wants_json():
            fields = None
            data = getattr(error, "data", None)  # webargs/flask-smorest validation messages
            if isinstance(data, dict) and "messages" in data:
                fields = _flatten_messages(data["messages"])
            message = error.description if isinstance(error.description, str) else error.name
            if status == 422 and fields:
                message = "The input is not valid."
            return json_error(status, HTTP_CODES.get(status, "error"), message, fields)
        template = f"errors/{status}.html" if status in (403, 404, 413, 429) else "errors/error.html"
        return render_template(template, status=status, message=error.description), status

    @app.errorhandler(500)
    def _server_error(error):
        if wants_json():
            return json_error(500, "server_error", "Something went wrong on our side.")
        return render_template("errors/error.html", status=500, message=None), 500


def too_large_message() -> str:
    """A request over MAX_CONTENT_LENGTH (or a form field over MAX_FORM_MEMORY_SIZE): say what to do."""
    from flask import current_app
    from flask_babel import gettext

    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    if limit:
        size = round(limit / (1024 * 1024))
        return gettext("What you sent is too large (a file may have at most %(size)s MB, a text much less). "
                       "Choose a smaller file or shorten the text.", size=size)
    return gettext("What you sent is too large. Choose a smaller file or shorten the text.")


def _flatten_messages(messages) -> dict[str, list[str]]:
    """webargs nests messages by location ({"json": {"field": [...]}}); API clients want fields."""
    out: dict[str, list[str]] = {}
    for location_or_field, value in messages.items():
        if location_or_field in ("json", "query", "form", "files", "headers") and isinstance(value, dict):
            for field, msgs in value.items():
                out[str(field)] = _as_list(msgs)
        else:
            out[str(location_or_field)] = _as_list(value)
    return out


def _as_list(msgs) -> list[str]:
    if isinstance(msgs, list):
        return [m if isinstance(m, str) else str(m) for m in msgs]
    if isinstance(msgs, dict):
        return [f"{k}: {v}" for k, v in msgs.items()]
    return [str(msgs)]

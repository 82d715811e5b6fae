"""URL converters: `<int:…>` in every route (HTML and API) stops at the database's integer range."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter, ValidationError

# Ids are INTEGER columns: PostgreSQL refuses larger values with an error (a 500), SQLite beyond 64 bits.
DB_INT_MAX = 2**31 - 1
DB_INT_MIN = -(2**31)


class IdConverter(IntegerConverter):
    """`<int:id>` matching only 0..DB_INT_MAX: a larger id is simply not found (404), never a query that
    overflows. The OpenAPI document shows the bounds (flask-smorest reads `min` and `max`)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 0, max: int | None = DB_INT_MAX,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str):
        if len(value) > len(str(DB_INT_MAX)) + 1:  # no int() of a megabyte of digits
            raise ValidationError()
        return super().to_python(value)


def register_converters(app) -> None:
    """Before any route is added: rules pick their converter when they are added to the map."""
    app.url_map.converters["int"] = IdConverter


def as_id(value) -> int | None:
    """An id from a query string or form value, or None when it is not one the database can hold."""
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > len(str(DB_INT_MAX)):
        return None
    number = int(text)
    return number if number <= DB_INT_MAX else None

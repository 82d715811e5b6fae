"""Factory functions with sensible defaults; each returns a flushed model object."""
from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from app.auth.models import User
from app.auth.services import create_api_token
from app.core.reference import country_timezone
from app.extensions import db

_counter = itertools.count(1)
_HASHES: dict[str, str] = {}
# scrypt is slow on purpose; tests hash at a cheap cost (conftest.base_config sets PASSWORD_HASH_METHOD
# to it, so signing in re-hashes nothing). Real accounts use the strong default of app/config.py.
TEST_PASSWORD_HASH_METHOD = "scrypt:1024:8:1"


def _hash(password: str) -> str:
    # Each password is hashed once per run.
    if password not in _HASHES:
        _HASHES[password] = generate_password_hash(password, method=TEST_PASSWORD_HASH_METHOD)
    return _HASHES[password]


class Factories:
    PASSWORD = "correct horse battery"

    def user(self, *, role: str = "participant", country: str = "BE", password: str | None = None,
             commit: bool = True, **values) -> User:
        n = next(_counter)
        values.setdefault("email", f"user{n}@example.org")
        values.setdefault("name", f"Test User {n}")
        values.setdefault("com_role", "coordinator" if role == "participant" else "other")
        values.setdefault("timezone", country_timezone(country))
        values.setdefault("languages", ["en"])
        values.setdefault("com_role_status", "granted")  # as if an admin made the account
        user = User(role=role, country=country, password_hash=_hash(password or self.PASSWORD), **values)
        db.session.add(user)
        db.session.flush()
        if commit:
            db.session.commit()
        return user

    def admin(self, **values) -> User:
        return self.user(role="admin", **values)

    def trainer(self, **values) -> User:
        return self.user(role="trainer", **values)

    def coach(self, **values) -> User:
        return self.user(role="trainer", is_coach=True, **values)

    def token(self, user: User) -> str:
        _token, plain = create_api_token(user, "test")
        db.session.commit()
        return plain

    def bearer(self, user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user)}"}

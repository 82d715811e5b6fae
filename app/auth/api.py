"""JSON API for accounts: tokens, users, me, and the personal calendar feed."""
from __future__ import annotations

from flask import current_app
from marshmallow import Schema, fields, validate

from app.api import (
    Blueprint,
    InputSchema,
    PageArgs,
    UTCDateTime,
    api_user,
    list_schema,
    page_of,
    public,
    require,
)
from app.auth import services
from app.auth.limits import login_limits
from app.auth.models import PASSWORD_MAX
from app.core.calendar import feed_url, rotate_feed
from app.core.errors import json_error
from app.core.text import CODE_MAX, EMAIL_MAX, NAME_MAX, SHORT_TEXT_MAX
from app.extensions import db

blp = Blueprint("accounts_api", __name__, description="Accounts, tokens and the caller's own data")


class TokenRequestSchema(InputSchema):
    email = fields.String(required=True, validate=validate.Length(max=EMAIL_MAX))
    password = fields.String(required=True, validate=validate.Length(max=PASSWORD_MAX))
    name = fields.String(load_default="API", validate=validate.Length(max=80))
    expires_in_days = fields.Integer(load_default=None, allow_none=True,
                                     validate=validate.Range(1, services.TOKEN_DAYS_MAX),
                                     metadata={"description": "Days the token works (default 365)."})


class TokenSchema(Schema):
    id = fields.Integer()
    token = fields.String(metadata={"description": "Shown once: only its hash is kept."})
    expires_at = UTCDateTime()


class TokenInfoSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    created_at = UTCDateTime()
    last_used_at = UTCDateTime(metadata={"description": "Updated at most once a minute."})
    expires_at = UTCDateTime()


class UserCreateSchema(InputSchema):
    email = fields.String(required=True, validate=validate.Length(max=EMAIL_MAX))
    name = fields.String(required=True, validate=validate.Length(max=NAME_MAX))
    password = fields.String(required=True, validate=validate.Length(max=PASSWORD_MAX))
    role = fields.String(required=True, validate=validate.OneOf(["admin", "trainer", "participant"]))
    com_role = fields.String(load_default="other",
                             validate=validate.OneOf(["coordinator", "supporter", "municipality", "other"]))
    country = fields.String(required=True, validate=validate.Length(max=CODE_MAX))
    is_coach = fields.Boolean(load_default=False)
    timezone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=CODE_MAX))
    language = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=CODE_MAX))
    organisation = fields.String(load_default="", validate=validate.Length(max=SHORT_TEXT_MAX))
    languages = fields.List(fields.String(validate=validate.Length(max=CODE_MAX)), load_default=list)


class UserSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String()
    role = fields.String()
    com_role = fields.String()
    com_role_status = fields.String(metadata={"description": "claimed | granted | denied: only a granted "
                                                             "Covenant role gives its rights"})
    organisation = fields.String()
    country = fields.String()
    timezone = fields.String()
    language = fields.String()
    languages = fields.List(fields.String())
    is_coach = fields.Boolean()


class FeedSchema(Schema):
    feed_url = fields.String()


@blp.route("/auth/tokens", methods=["POST"])
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
@blp.alt_response(401, description="Wrong email or password")
@blp.alt_response(429, description="Too many attempts")
@public
@login_limits
def create_token(data):
    """Exchange an email and password for an API token (rate-limited like the login form)."""
    user = services.authenticate(data["email"], data["password"])
    if user is None:
        db.session.commit()  # keep the audit record of the failure
        return json_error(401, "unauthorized", "The email address or password is not correct.")
    token, plain = services.create_api_token(user, data["name"], data["expires_in_days"])
    db.session.commit()
    return {"id": token.id, "token": plain, "expires_at": token.expires_at}


@blp.route("/auth/tokens", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(TokenInfoSchema))
def list_tokens(args):
    """The caller's tokens that are not revoked (never the token itself)."""
    return page_of(services.list_api_tokens(api_user()), args)


@blp.route("/auth/tokens/<int:token_id>", methods=["DELETE"])
@blp.response(204)
@blp.alt_response(404, description="Unknown, or another account's token")
def revoke_token(token_id: int):
    """Revoke one of the caller's tokens: it stops working at once."""
    services.revoke_api_token(api_user(), token_id)
    db.session.commit()
    return ""


@blp.route("/users", methods=["POST"])
@blp.arguments(UserCreateSchema)
@blp.response(201, UserSchema)
@blp.alt_response(409, description="Duplicate email")
def create_user(data):
    """Create an account (admins)."""
    require(api_user().is_admin, "Only administrators create accounts.")
    user = services.create_user(actor=api_user(), **data)
    db.session.commit()
    return user


@blp.route("/me", methods=["GET"])
@blp.response(200, UserSchema)
def me():
    """The caller's account."""
    return api_user()


@blp.route("/me/calendar", methods=["GET"])
@blp.response(200, FeedSchema)
def my_calendar():
    """The caller's secret calendar feed address (created on first use)."""
    url = feed_url(api_user())
    db.session.commit()
    return {"feed_url": url}


@blp.route("/me/calendar/rotate", methods=["POST"])
@blp.response(200, FeedSchema)
def rotate_my_calendar():
    """A new feed address; the old one stops working at once."""
    rotate_feed(api_user())
    db.session.commit()
    current_app.logger.info("feed rotated for user %s", api_user().id)
    return {"feed_url": feed_url(api_user())}

"""JSON API for peer exchange and the good-practice library (docs/api.md, Peers)."""
from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import Schema, fields, validate

from app.api import (
    Blueprint,
    InputSchema,
    PageArgs,
    Text,
    UTCDateTime,
    api_user,
    list_schema,
    page_of,
    public,
    require,
)
from app.core.errors import NotFound
from app.core.permissions import load_visible_for_api
from app.core.text import CODE_MAX, SEARCH_MAX, SHORT_TEXT_MAX, URL_MAX
from app.extensions import db
from app.peers import services
from app.peers.models import FORMATS, MEETING_KINDS, Exchange, GoodPractice, Meeting, PairingRound

blp = Blueprint("peers_api", __name__, description="Peer exchange, pairing rounds and good practices")


class ProfileInSchema(InputSchema):
    offers = fields.List(fields.String(validate=validate.Length(max=CODE_MAX)), load_default=list)
    needs = fields.List(fields.String(validate=validate.Length(max=CODE_MAX)), load_default=list)
    languages = fields.List(fields.String(validate=validate.Length(max=CODE_MAX)), required=True)
    bio = Text(load_default="", validate=validate.Length(max=2000))
    places = fields.String(load_default="", validate=validate.Length(max=300))
    formats = fields.List(fields.String(validate=[validate.OneOf(FORMATS), validate.Length(max=CODE_MAX)]),
                          load_default=None)
    available = fields.Boolean(load_default=True)
    public = fields.Boolean(load_default=None, allow_none=True)


class ProfileSchema(Schema):
    user_id = fields.Integer()
    offers = fields.List(fields.String())
    needs = fields.List(fields.String())
    languages = fields.List(fields.String())
    bio = fields.String()
    places = fields.String()
    formats = fields.List(fields.String())
    available = fields.Boolean(attribute="is_available")
    public = fields.Boolean(attribute="is_public")


class SuggestionArgs(PageArgs):
    topic = fields.String(load_default=None, validate=validate.Length(max=CODE_MAX))
    country = fields.String(load_default=None, validate=validate.Length(max=CODE_MAX))
    language = fields.String(load_default=None, validate=validate.Length(max=CODE_MAX))


class SuggestionSchema(Schema):
    user_id = fields.Integer()
    name = fields.String()
    country = fields.String()
    score = fields.Integer()
    reasons = fields.List(fields.String())
    languages = fields.List(fields.String())
    offers = fields.List(fields.String())
    needs = fields.List(fields.String())


class ExchangeInSchema(InputSchema):
    partner_id = fields.Integer(required=True)
    topic = fields.String(required=True, validate=validate.Length(max=CODE_MAX))
    message = Text(load_default="", validate=validate.Length(max=5000))


class MeetingSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    starts_at = UTCDateTime()
    ends_at = UTCDateTime()
    timezone = fields.String()
    place = fields.String()
    online_url = fields.String()
    status = fields.String()
    sequence = fields.Integer()


class ExchangeSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    topic = fields.String()
    message = fields.String()
    proposer_id = fields.Integer()
    partner_id = fields.Integer()
    round_id = fields.Integer(allow_none=True)
    created_at = UTCDateTime()
    completed_at = UTCDateTime()
    good_practice_id = fields.Function(lambda e: e.practice.id if e.practice else None)


class MyExchangeSchema(ExchangeSchema):
    partner = fields.Method("_partner")
    actions = fields.Method("_actions")

    def _partner(self, exchange):
        other = exchange.other(api_user())
        return {"id": other.id, "name": other.name, "country": other.country}

    def _actions(self, exchange):
        return services.allowed_actions(exchange, api_user())


class MessageInSchema(InputSchema):
    body = Text(required=True, validate=validate.Length(max=5000))


class MessageSchema(Schema):
    id = fields.Integer()
    author_id = fields.Integer(allow_none=True)
    body = fields.String()
    created_at = UTCDateTime()


class MeetingInSchema(InputSchema):
    kind = fields.String(required=True, validate=validate.OneOf(MEETING_KINDS))
    starts_at = UTCDateTime(required=True)
    ends_at = UTCDateTime(required=True)
    timezone = fields.String(load_default="UTC", validate=validate.Length(max=CODE_MAX))
    place = fields.String(load_default="", validate=validate.Length(max=300))
    online_url = fields.String(load_default="", validate=validate.Length(max=URL_MAX))
    notes = Text(load_default="", validate=validate.Length(max=5000))


class ReportInSchema(InputSchema):
    title = fields.String(required=True, validate=validate.Length(max=SHORT_TEXT_MAX))
    summary = Text(required=True, validate=validate.Length(max=5000))
    results = Text(required=True, validate=validate.Length(max=10000))
    transferability = Text(required=True, validate=validate.Length(max=10000))
    activities = Text(load_default="", validate=validate.Length(max=10000))
    topic = fields.String(load_default=None, validate=validate.Length(max=CODE_MAX))
    countries = fields.List(fields.String(validate=validate.Length(max=CODE_MAX)), load_default=None)
    language = fields.String(load_default=None, validate=validate.Length(max=CODE_MAX))


class GoodPracticeSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    summary = fields.String()
    summary_en = fields.String()
    activities = fields.String()
    results = fields.String()
    transferability = fields.String()
    topic = fields.String()
    countries = fields.List(fields.String())
    language = fields.String()
    status = fields.String()
    review_note = fields.String()
    exchange_id = fields.Integer(allow_none=True)
    published_at = UTCDateTime()


class PracticeArgs(PageArgs):
    q = fields.String(load_default=None, validate=validate.Length(max=SEARCH_MAX))
    topic = fields.String(load_default=None, validate=validate.Length(max=CODE_MAX))
    country = fields.String(load_default=None, validate=validate.Length(max=CODE_MAX))
    language = fields.String(load_default=None, validate=validate.Length(max=CODE_MAX))


class ReviewInSchema(InputSchema):
    note = Text(load_default="", validate=validate.Length(max=5000))
    summary_en = Text(load_default=None, validate=validate.Length(max=5000))


class RoundInSchema(InputSchema):
    topic = fields.String(load_default=None, validate=validate.Length(max=CODE_MAX))
    user_ids = fields.List(fields.Integer(), load_default=None)
    confirm = fields.Boolean(load_default=False)


class PairSchema(Schema):
    a = fields.Integer(attribute="a_id")
    b = fields.Integer(attribute="b_id")
    score = fields.Integer()
    topic = fields.String()
    exchange_id = fields.Integer(allow_none=True)


class RoundSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    pairs = fields.List(fields.Nested(PairSchema))
    total_score = fields.Integer()
    upper_bound = fields.Integer(attribute="bound")
    greedy_total = fields.Integer()
    method = fields.String()
    unmatched = fields.Function(lambda r: list(r.unmatched_reasons))
    unmatched_reasons = fields.Function(lambda r: {str(k): v for k, v in r.unmatched_reasons.items()})


def _exchange(exchange_id: int):
    """The exchange, or 404 for anyone but its two people."""
    return load_visible_for_api(Exchange, exchange_id, api_user(), can_see=Exchange.can_see,
                                not_found=_("No such exchange."))


# Profiles and suggestions -----------------------------------------------------------------------

@blp.route("/peers/profile", methods=["PUT"])
@blp.arguments(ProfileInSchema)
@blp.response(200, ProfileSchema)
def put_profile(data):
    """Create or replace the caller's peer profile (topics offered and needed, languages, availability)."""
    profile = services.save_profile(api_user(), offers=data["offers"], needs=data["needs"],
                                    languages=data["languages"], bio=data["bio"], places=data["places"],
                                    formats=data["formats"], is_available=data["available"],
                                    is_public=data["public"])
    db.session.commit()
    return profile


@blp.route("/peers/profile", methods=["GET"])
@blp.response(200, ProfileSchema)
def get_profile():
    """The caller's peer profile (404 when there is none yet)."""
    profile = services.get_profile(api_user())
    if profile is None:
        raise NotFound("You have no peer profile yet.")
    return profile


@blp.route("/peers/suggestions", methods=["GET"])
@blp.arguments(SuggestionArgs, location="query")
@blp.response(200, list_schema(SuggestionSchema))
def suggestions(args):
    """Partners for the caller, best first, with the reasons of their score (empty without a profile)."""
    found = services.suggest_partners(api_user(), topic=args["topic"], country=args["country"],
                                      language=args["language"], limit=500)
    start = (args["page"] - 1) * args["per_page"]
    items = [{"user_id": s.user.id, "name": s.user.name, "country": s.user.country, "score": s.score,
              "reasons": s.reasons, "languages": s.profile.languages, "offers": s.profile.offers,
              "needs": s.profile.needs} for s in found[start:start + args["per_page"]]]
    return {"items": items, "total": len(found), "page": args["page"], "per_page": args["per_page"]}


# Exchanges --------------------------------------------------------------------------------------

@blp.route("/peers/exchanges", methods=["POST"])
@blp.arguments(ExchangeInSchema)
@blp.response(201, ExchangeSchema)
@blp.alt_response(409, description="An open exchange with this person exists already")
@blp.alt_response(422, description="Same country, yourself, or an unknown topic")
def propose(data):
    """Propose an exchange to someone from another country."""
    exchange = services.propose_exchange(api_user(), partner_id=data["partner_id"], topic=data["topic"], message=data["message"])
    db.session.commit()
    return exchange


@blp.route("/peers/exchanges/<int:exchange_id>", methods=["GET"])
@blp.response(200, MyExchangeSchema)
def get_exchange(exchange_id):
    """One of the caller's exchanges (404 for anyone else)."""
    return _exchange(exchange_id)


def _action_view(action: str):
    def view(exchange_id):
        exchange = services.EXCHANGE_ACTIONS[action](api_user(), _exchange(exchange_id))
        db.session.commit()
        return exchange
    view.__name__ = f"{action}_exchange"
    view.__doc__ = {"accept": "Accept a proposal (the invited person).",
                    "decline": "Decline a proposal (the invited person).",
                    "cancel": "Cancel a proposed or accepted exchange (either person).",
                    "complete": "Confirm the exchange took place; completed once both confirmed."}[action]
    return view


for _action in ("accept", "decline", "complete", "cancel"):
    blp.route(f"/peers/exchanges/<int:exchange_id>/{_action}", methods=["POST"])(
        blp.response(200, MyExchangeSchema)(blp.alt_response(409, description="Wrong state")(
            _action_view(_action))))


@blp.route("/peers/exchanges/<int:exchange_id>/messages", methods=["GET"])
@blp.response(200, list_schema(MessageSchema))
def messages(exchange_id):
    """The exchange's message thread, oldest first."""
    items = _exchange(exchange_id).messages
    return {"items": items, "total": len(items), "page": 1, "per_page": len(items)}


@blp.route("/peers/exchanges/<int:exchange_id>/messages", methods=["POST"])
@blp.arguments(MessageInSchema)
@blp.response(201, MessageSchema)
def post_message(data, exchange_id):
    """Write in the exchange's thread."""
    message = services.post_message(api_user(), _exchange(exchange_id), body=data["body"])
    db.session.commit()
    return message


@blp.route("/peers/exchanges/<int:exchange_id>/meetings", methods=["POST"])
@blp.arguments(MeetingInSchema)
@blp.response(201, MeetingSchema)
def plan_meeting(data, exchange_id):
    """Plan an online call or a study visit; both people get an invitation (.ics)."""
    meeting = services.plan_meeting(api_user(), _exchange(exchange_id), kind=data["kind"],
                                    starts_at=data["starts_at"], ends_at=data["ends_at"],
                                    timezone=data["timezone"], place=data["place"],
                                    online_url=data["online_url"], notes=data["notes"])
    db.session.commit()
    return meeting


@blp.route("/peers/meetings/<int:meeting_id>/cancel", methods=["POST"])
@blp.response(200, MeetingSchema)
def cancel_meeting(meeting_id):
    """Cancel a meeting; both people get a cancellation (METHOD:CANCEL)."""
    meeting = load_visible_for_api(Meeting, meeting_id, api_user(), can_see=lambda m, u: m.exchange.can_see(u),
                                   not_found="No such meeting.")
    services.cancel_meeting(api_user(), meeting)
    db.session.commit()
    return meeting


@blp.route("/peers/exchanges/<int:exchange_id>/report", methods=["POST"])
@blp.arguments(ReportInSchema)
@blp.response(201, GoodPracticeSchema)
@blp.alt_response(409, description="A report exists already")
def report(data, exchange_id):
    """The final report: submitted for review, then published as a good practice."""
    practice = services.submit_report(api_user(), _exchange(exchange_id), **data)
    db.session.commit()
    return practice


@blp.route("/me/exchanges", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, list_schema(MyExchangeSchema))
def my_exchanges(args):
    """The caller's exchanges, newest first."""
    return page_of(services.my_exchanges(api_user()), args)


# Good practices ---------------------------------------------------------------------------------

@blp.route("/good-practices", methods=["GET"])
@blp.arguments(PracticeArgs, location="query")
@blp.response(200, list_schema(GoodPracticeSchema))
@public
def good_practices(args):
    """Published good practices (public): search text, filter by topic, country, language."""
    return page_of(services.search_practices(args["q"], args["topic"], args["country"], args["language"]), args)


@blp.route("/good-practices/<int:practice_id>", methods=["GET"])
@blp.response(200, GoodPracticeSchema)
@public
def good_practice(practice_id):
    """One good practice (published ones for everyone; reports for their authors and reviewers)."""
    return _practice(practice_id)


def _practice(practice_id: int) -> GoodPractice:
    return load_visible_for_api(GoodPractice, practice_id, api_user(), can_see=GoodPractice.can_see,
                                not_found="No such good practice.")


def _review(practice_id: int, review, **values):
    practice = _practice(practice_id)
    review(api_user(), practice, **values)
    db.session.commit()
    return practice


@blp.route("/good-practices/<int:practice_id>/publish", methods=["POST"])
@blp.arguments(ReviewInSchema, required=False)
@blp.response(200, GoodPracticeSchema)
def publish(data, practice_id):
    """Publish a submitted report (trainers, admins); optionally with a note and the English summary
    shown beside the original language."""
    return _review(practice_id, services.publish_practice, note=data.get("note", ""),
                   summary_en=data.get("summary_en"))


@blp.route("/good-practices/<int:practice_id>/request-changes", methods=["POST"])
@blp.arguments(ReviewInSchema)
@blp.response(200, GoodPracticeSchema)
def request_changes(data, practice_id):
    """Send a report back to its authors with a note (trainers, admins)."""
    return _review(practice_id, services.request_practice_changes, note=data["note"],
                   summary_en=data.get("summary_en"))


# Pairing rounds ---------------------------------------------------------------------------------

@blp.route("/peers/rounds", methods=["POST"])
@blp.arguments(RoundInSchema)
@blp.response(201, RoundSchema)
def run_round(data):
    """Run a pairing round (admins): everyone available, a topic, or a list of user ids.

    A preview unless `confirm` is true; confirm later with POST /peers/rounds/{id}/confirm."""
    require(PairingRound.can_run(api_user()), "Only administrators run pairing rounds.")
    selection = "list" if data["user_ids"] else ("topic" if data["topic"] else "all")
    round_ = services.run_pairing_round(api_user(), selection, topic=data["topic"], user_ids=data["user_ids"])
    if data["confirm"]:
        services.confirm_round(api_user(), round_)
    db.session.commit()
    return round_


@blp.route("/peers/rounds/<int:round_id>/confirm", methods=["POST"])
@blp.response(200, RoundSchema)
def confirm_round(round_id):
    """Send each pair of a previewed round its proposal (admins; once)."""
    require(PairingRound.can_run(api_user()), "Only administrators run pairing rounds.")
    round_ = load_visible_for_api(PairingRound, round_id, api_user(), not_found="No such round.")
    services.confirm_round(api_user(), round_)
    db.session.commit()
    return round_

"""JSON API for training (docs/api.md, Courses): thin over app/courses/services.py."""
from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

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
from app.auth.models import User
from app.core.calendar import ics_response
from app.core.errors import Invalid, NotFound
from app.core.permissions import load_visible_for_api
from app.core.text import CODE_MAX, SEARCH_MAX, URL_MAX
from app.courses import queries, services
from app.courses.models import (
    DESCRIPTION_MAX,
    FORMATS,
    LEVELS,
    MODULE_STATUSES,
    OBJECTIVES_MAX,
    Enrolment,
    Module,
    TrainingSession,
)
from app.extensions import db

blp = Blueprint("courses_api", __name__, description="Training modules, sessions and enrolments")


class TrainerSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class SessionSchema(Schema):
    id = fields.Integer()
    module_id = fields.Integer()
    module_title = fields.Function(lambda s: s.module.title)
    starts_at = UTCDateTime()
    ends_at = UTCDateTime()
    timezone = fields.String()
    capacity = fields.Integer()
    enrolled_count = fields.Integer()
    waitlist_count = fields.Integer()
    seats_left = fields.Integer()
    location = fields.String()
    country = fields.String(allow_none=True)
    is_online = fields.Boolean()
    requires_approval = fields.Boolean()
    enrol_opens_at = UTCDateTime(allow_none=True)
    enrol_closes_at = UTCDateTime(attribute="closes_at")
    unenrol_deadline = UTCDateTime(attribute="unenrol_until")
    status = fields.String()
    sequence = fields.Integer()


class SessionWithLinkSchema(SessionSchema):
    online_url = fields.Method("_online_url")

    def _online_url(self, session):
        """The online link only for people with a seat and the session's trainers."""
        return session.online_url_for(api_user())


class ModuleSchema(Schema):
    id = fields.Integer()
    title = fields.String()
    summary = fields.String()
    description = fields.String()
    objectives = fields.String()
    topics = fields.List(fields.String())
    language = fields.String()
    level = fields.String()
    format = fields.String()
    status = fields.String()
    materials_restricted = fields.Boolean()
    required_sessions = fields.Integer()
    trainers = fields.List(fields.Nested(TrainerSchema))
    prerequisite_ids = fields.Function(lambda m: [p.id for p in m.prerequisites])
    url = fields.Function(lambda m: url_for("courses.module_detail", module_id=m.id, _external=True))


class ModuleDetailSchema(ModuleSchema):
    sessions = fields.List(fields.Nested(SessionSchema))


class ModuleQuerySchema(PageArgs):
    q = fields.String(load_default="", validate=validate.Length(max=SEARCH_MAX))
    topic = fields.String(load_default="", validate=validate.Length(max=CODE_MAX))
    language = fields.String(load_default="", validate=validate.Length(max=CODE_MAX))
    format = fields.String(load_default="", validate=validate.Length(max=CODE_MAX))
    country = fields.String(load_default="", validate=validate.Length(max=CODE_MAX),
                            metadata={"description": "a country code, or `online`"})
    upcoming = fields.Boolean(load_default=False)


class ModuleCreateSchema(InputSchema):
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    summary = Text(load_default="", validate=validate.Length(max=500))
    description = Text(load_default="", validate=validate.Length(max=DESCRIPTION_MAX))
    objectives = Text(load_default="", validate=validate.Length(max=OBJECTIVES_MAX))
    topics = fields.List(fields.String(validate=validate.Length(max=CODE_MAX)), load_default=list)
    language = fields.String(load_default="en", validate=validate.Length(max=CODE_MAX))
    level = fields.String(load_default="beginner", validate=validate.OneOf(LEVELS))
    format = fields.String(load_default="in_person", validate=validate.OneOf(FORMATS))
    status = fields.String(load_default="draft", validate=validate.OneOf(MODULE_STATUSES))
    materials_restricted = fields.Boolean(load_default=False)
    required_sessions = fields.Integer(load_default=1, validate=validate.Range(min=1))
    trainer_ids = fields.List(fields.Integer(), load_default=None)
    prerequisite_ids = fields.List(fields.Integer(), load_default=list)


class ModulePatchSchema(InputSchema):
    title = fields.String(validate=validate.Length(min=1, max=200))
    summary = Text(validate=validate.Length(max=500))
    description = Text(validate=validate.Length(max=DESCRIPTION_MAX))
    objectives = Text(validate=validate.Length(max=OBJECTIVES_MAX))
    topics = fields.List(fields.String(validate=validate.Length(max=CODE_MAX)))
    language = fields.String(validate=validate.Length(max=CODE_MAX))
    level = fields.String(validate=validate.OneOf(LEVELS))
    format = fields.String(validate=validate.OneOf(FORMATS))
    status = fields.String(validate=validate.OneOf(MODULE_STATUSES))
    materials_restricted = fields.Boolean()
    required_sessions = fields.Integer(validate=validate.Range(min=1))
    trainer_ids = fields.List(fields.Integer())
    prerequisite_ids = fields.List(fields.Integer())


class SessionCreateSchema(InputSchema):
    starts_at = UTCDateTime(required=True)
    ends_at = UTCDateTime(required=True)
    timezone = fields.String(required=True, validate=validate.Length(max=CODE_MAX))
    capacity = fields.Integer(required=True, strict=True)
    location = fields.String(load_default="", validate=validate.Length(max=300))
    country = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=CODE_MAX))
    online_url = fields.String(load_default="", validate=validate.Length(max=URL_MAX))
    requires_approval = fields.Boolean(load_default=False)
    enrol_opens_at = UTCDateTime(load_default=None, allow_none=True)
    enrol_closes_at = UTCDateTime(load_default=None, allow_none=True)
    unenrol_deadline = UTCDateTime(load_default=None, allow_none=True)


class SessionPatchSchema(InputSchema):
    starts_at = UTCDateTime()
    ends_at = UTCDateTime()
    timezone = fields.String(validate=validate.Length(max=CODE_MAX))
    capacity = fields.Integer(strict=True)
    location = fields.String(validate=validate.Length(max=300))
    country = fields.String(allow_none=True, validate=validate.Length(max=CODE_MAX))
    online_url = fields.String(validate=validate.Length(max=URL_MAX))
    requires_approval = fields.Boolean()
    enrol_opens_at = UTCDateTime(allow_none=True)
    enrol_closes_at = UTCDateTime(allow_none=True)
    unenrol_deadline = UTCDateTime(allow_none=True)


class CancelSchema(InputSchema):
    reason = Text(load_default="", validate=validate.Length(max=1000))


class EnrolRequestSchema(InputSchema):
    user_id = fields.Integer(load_default=None, allow_none=True)
    note = Text(load_default="", validate=validate.Length(max=2000))


class EnrolmentSchema(Schema):
    id = fields.Integer()
    session_id = fields.Integer()
    user_id = fields.Integer()
    status = fields.String()
    waitlist_position = fields.Integer(allow_none=True)
    attended = fields.Boolean(allow_none=True)
    note = fields.String()
    created_at = UTCDateTime()


class ParticipantSchema(EnrolmentSchema):
    name = fields.Function(lambda e: e.user.name)
    email = fields.Function(lambda e: e.user.email)
    country = fields.Function(lambda e: e.user.country)
    organisation = fields.Function(lambda e: e.user.organisation)


class MyEnrolmentSchema(EnrolmentSchema):
    session = fields.Nested(SessionSchema)
    online_url = fields.Function(lambda e: e.session.online_url_for(e.user, e))
    module_id = fields.Function(lambda e: e.session.module_id)
    module_title = fields.Function(lambda e: e.session.module.title)
    ics_url = fields.Function(lambda e: url_for("courses_api.session_ics", session_id=e.session_id,
                                                _external=True))


class MoveSchema(InputSchema):
    session_id = fields.Integer(required=True, metadata={"description": "another session of the same module"})


class EnrolmentQuerySchema(PageArgs):
    status = fields.String(load_default="", validate=validate.Length(max=CODE_MAX))


class AttendanceSchema(InputSchema):
    user_id = fields.Integer(required=True)
    attended = fields.Boolean(required=True)


class FeedbackSchema(InputSchema):
    rating = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    comment = Text(load_default="", validate=validate.Length(max=4000))


class FeedbackOutSchema(Schema):
    id = fields.Integer()
    session_id = fields.Integer()
    rating = fields.Integer()
    comment = fields.String()


# Helpers ------------------------------------------------------------------------------------------
def _module(module_id: int) -> Module:
    return load_visible_for_api(Module, module_id, api_user(), can_see=Module.can_see,
                                options=[selectinload(Module.trainers)])


def _session(session_id: int) -> TrainingSession:
    return load_visible_for_api(TrainingSession, session_id, api_user(), can_see=TrainingSession.can_see)


def _managed(session_id: int) -> TrainingSession:
    return load_visible_for_api(TrainingSession, session_id, api_user(), can_see=TrainingSession.can_see,
                                can_change=TrainingSession.can_manage,
                                not_allowed="Only the session's trainers and administrators do this.")


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise Invalid(fields={"user_id": ["Unknown user."]})
    return user


# Modules ------------------------------------------------------------------------------------------
@blp.route("/modules", methods=["GET"])
@blp.arguments(ModuleQuerySchema, location="query")
@blp.response(200, list_schema(ModuleSchema))
@public
def list_modules(args):
    """Training modules: published ones, or every module for trainers and admins."""
    query = queries.module_query(api_user(), q=args["q"], topic=args["topic"], language=args["language"],
                                 format=args["format"], country=args["country"],
                                 upcoming=args["upcoming"]).options(selectinload(Module.trainers),
                                                                    selectinload(Module.prerequisites))
    return page_of(query, args)


@blp.route("/modules", methods=["POST"])
@blp.arguments(ModuleCreateSchema)
@blp.response(201, ModuleSchema)
def create_module(data):
    """Create a module (trainers and admins); its creator trains it unless `trainer_ids` says otherwise."""
    module = services.create_module(api_user(), **data)
    db.session.commit()
    return module


@blp.route("/modules/<int:module_id>", methods=["GET"])
@blp.response(200, ModuleDetailSchema)
@public
def get_module(module_id):
    """A module with its sessions."""
    return _module(module_id)


@blp.route("/modules/<int:module_id>", methods=["PATCH"])
@blp.arguments(ModulePatchSchema)
@blp.response(200, ModuleSchema)
def patch_module(data, module_id):
    """Change a module (its trainers, admins)."""
    module = _module(module_id)
    require(module.can_edit(api_user()), "Only the module's trainers and administrators change it.")
    services.update_module(api_user(), module, **data)
    db.session.commit()
    return module


@blp.route("/modules/<int:module_id>/sessions", methods=["POST"])
@blp.arguments(SessionCreateSchema)
@blp.response(201, SessionWithLinkSchema)
def create_session(data, module_id):
    """Add a session (past dates allowed, to record a training already held)."""
    module = _module(module_id)
    require(module.can_edit(api_user()), "Only the module's trainers and administrators add sessions.")
    session = services.add_session(api_user(), module, **data)
    db.session.commit()
    return session


# Sessions -----------------------------------------------------------------------------------------
@blp.route("/sessions/<int:session_id>", methods=["GET"])
@blp.response(200, SessionWithLinkSchema)
@public
def get_session(session_id):
    """A session with its seat and waitlist counts; the online link only for participants and trainers."""
    return _session(session_id)


@blp.route("/sessions/<int:session_id>", methods=["PATCH"])
@blp.arguments(SessionPatchSchema)
@blp.response(200, SessionWithLinkSchema)
def patch_session(data, session_id):
    """Change a session; people enrolled get the updated invitation."""
    session = services.update_session(api_user(), _managed(session_id), **data)
    db.session.commit()
    return session


@blp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@blp.arguments(CancelSchema)
@blp.response(200, SessionWithLinkSchema)
def cancel_session(data, session_id):
    """Cancel a session; everyone in it gets a METHOD:CANCEL invitation."""
    session = services.cancel_session(api_user(), _managed(session_id), reason=data["reason"])
    db.session.commit()
    return session


@blp.route("/sessions/<int:session_id>/duplicate", methods=["POST"])
@blp.response(201, SessionWithLinkSchema)
def duplicate_session(session_id):
    """A copy of the session one week later."""
    session = services.duplicate_session(api_user(), _managed(session_id))
    db.session.commit()
    return session


@blp.route("/sessions/<int:session_id>/ics", methods=["GET"])
@public
def session_ics(session_id):
    """The session as an invitation (`METHOD:REQUEST`; `METHOD:CANCEL` once cancelled)."""
    session = _session(session_id)
    method = "CANCEL" if session.is_cancelled else "REQUEST"
    return ics_response(services.session_ics(session, api_user(), method), f"session-{session.id}.ics", method)


# Enrolments ---------------------------------------------------------------------------------------
@blp.route("/sessions/<int:session_id>/enrolments", methods=["POST"])
@blp.arguments(EnrolRequestSchema)
@blp.response(201, EnrolmentSchema)
@blp.alt_response(409, description="Already enrolled, session full (past), cancelled or closed")
def enrol(data, session_id):
    """Enrol yourself (or, as its trainer or an admin, `user_id`, also in a past session)."""
    session = _session(session_id)
    user = _user(data["user_id"]) if data.get("user_id") else None
    enrolment = services.enrol(api_user(), session, user=user, note=data["note"])
    db.session.commit()
    return enrolment


@blp.route("/sessions/<int:session_id>/enrolments/me", methods=["DELETE"])
@blp.response(204)
def unenrol_me(session_id):
    """Leave the session (or its waitlist); the first waitlisted person is promoted at once."""
    services.unenrol(api_user(), _session(session_id))
    db.session.commit()


@blp.route("/sessions/<int:session_id>/enrolments/<int:user_id>", methods=["DELETE"])
@blp.response(204)
def remove_participant(session_id, user_id):
    """Take someone off the session (its trainers, admins)."""
    session = _managed(session_id)
    services.unenrol(api_user(), session, _user(user_id))
    db.session.commit()


@blp.route("/sessions/<int:session_id>/enrolments", methods=["GET"])
@blp.arguments(EnrolmentQuerySchema, location="query")
@blp.response(200, list_schema(ParticipantSchema))
def list_enrolments(args, session_id):
    """Who is in, waiting or pending (the session's trainers, admins)."""
    session = _managed(session_id)
    query = (select(Enrolment).where(Enrolment.session_id == session.id)
             .options(selectinload(Enrolment.user))
             .order_by(Enrolment.status, Enrolment.waitlist_position, Enrolment.id))
    if args["status"]:
        query = query.where(Enrolment.status == args["status"])
    return page_of(query, args)


def _enrolment_of(session: TrainingSession, user_id: int) -> Enrolment:
    enrolment = db.session.scalar(select(Enrolment).where(Enrolment.session_id == session.id,
                                                          Enrolment.user_id == user_id))
    if enrolment is None:
        raise NotFound()
    return enrolment


@blp.route("/sessions/<int:session_id>/enrolments/<int:user_id>/approve", methods=["POST"])
@blp.response(200, EnrolmentSchema)
def approve(session_id, user_id):
    """Accept a pending request: a seat, or the end of the waitlist when full."""
    session = _managed(session_id)
    enrolment = services.approve_enrolment(api_user(), _enrolment_of(session, user_id))
    db.session.commit()
    return enrolment


@blp.route("/sessions/<int:session_id>/enrolments/<int:user_id>/decline", methods=["POST"])
@blp.response(200, EnrolmentSchema)
def decline(session_id, user_id):
    """Decline a request (or take someone off); a freed seat goes to the waitlist."""
    session = _managed(session_id)
    enrolment = services.decline_enrolment(api_user(), _enrolment_of(session, user_id))
    db.session.commit()
    return enrolment


@blp.route("/sessions/<int:session_id>/enrolments/<int:user_id>/move", methods=["POST"])
@blp.arguments(MoveSchema)
@blp.response(201, EnrolmentSchema)
def move(data, session_id, user_id):
    """Move someone to another session of the same module (a seat there, or its waitlist)."""
    session = _managed(session_id)
    target = _managed(data["session_id"])
    enrolment = services.move_enrolment(api_user(), _enrolment_of(session, user_id), target=target)
    db.session.commit()
    return enrolment


@blp.route("/sessions/<int:session_id>/attendance", methods=["POST"])
@blp.arguments(AttendanceSchema)
@blp.response(200, EnrolmentSchema)
def attendance(data, session_id):
    """Mark whether someone came (the session's trainers, once it has started)."""
    session = _managed(session_id)
    enrolment = services.mark_attendance(api_user(), session, user_id=data["user_id"], attended=data["attended"])
    db.session.commit()
    return enrolment


@blp.route("/sessions/<int:session_id>/feedback", methods=["POST"])
@blp.arguments(FeedbackSchema)
@blp.response(201, FeedbackOutSchema)
def feedback(data, session_id):
    """Rate a session you took part in (1-5) with an optional comment."""
    result = services.submit_feedback(api_user(), _session(session_id), **data)
    db.session.commit()
    return result


@blp.route("/me/enrolments", methods=["GET"])
@blp.arguments(EnrolmentQuerySchema, location="query")
@blp.response(200, list_schema(MyEnrolmentSchema))
def my_enrolments(args):
    """Your enrolments (enrolled, waitlisted, pending, declined, cancelled), latest session first."""
    query = (select(Enrolment).join(TrainingSession).where(Enrolment.user_id == api_user().id)
             .options(selectinload(Enrolment.session).selectinload(TrainingSession.module))
             .order_by(TrainingSession.starts_at.desc()))
    if args["status"]:
        query = query.where(Enrolment.status == args["status"])
    return page_of(query, args)

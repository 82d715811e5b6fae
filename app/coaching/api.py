"""JSON API for coaching (docs/api.md, Coaching): thin over app.coaching.services."""
from __future__ import annotations

from datetime import timedelta

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.api import (
    Blueprint,
    InputSchema,
    PageArgs,
    Text,
    UTCDateTime,
    api_user,
    list_schema,
    page_of,
    require,
)
from app.coaching import services
from app.coaching.models import Appointment
from app.core.calendar import ics_response, uid_for
from app.core.errors import NotFound
from app.core.permissions import load_visible_for_api
from app.core.text import CODE_MAX, URL_MAX
from app.core.timeutil import to_zone, utcnow
from app.extensions import db

blp = Blueprint("coaching_api", __name__, description="Coaching: availability, slots and appointments")


def _hhmm(value) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


class WeeklyInSchema(InputSchema):
    weekday = fields.Integer(required=True, validate=validate.Range(0, 6))
    start = fields.String(required=True, validate=validate.Length(max=CODE_MAX))
    end = fields.String(required=True, validate=validate.Length(max=CODE_MAX))


class ExceptionInSchema(InputSchema):
    date = fields.Date(required=True)
    kind = fields.String(load_default="off", validate=validate.OneOf(["off", "extra"]))
    start = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=CODE_MAX))
    end = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=CODE_MAX))


class AvailabilityInSchema(InputSchema):
    timezone = fields.String(required=True, validate=validate.Length(max=CODE_MAX))
    slot_minutes = fields.Integer(required=True)
    buffer_minutes = fields.Integer(load_default=None, allow_none=True)
    min_notice_hours = fields.Integer(load_default=None, allow_none=True)
    weekly = fields.List(fields.Nested(WeeklyInSchema), required=True)
    exceptions = fields.List(fields.Nested(ExceptionInSchema), load_default=list)
    max_per_day = fields.Integer(load_default=None, allow_none=True)
    horizon_days = fields.Integer(load_default=None, allow_none=True)
    cancel_cutoff_hours = fields.Integer(load_default=None, allow_none=True)
    topics = fields.List(fields.String(validate=validate.Length(max=CODE_MAX)), load_default=None, allow_none=True)
    languages = fields.List(fields.String(validate=validate.Length(max=CODE_MAX)), load_default=None,
                            allow_none=True)
    meeting_mode = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(["online", "place"]))
    meeting_url = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=URL_MAX))
    meeting_place = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))
    bio = Text(load_default=None, allow_none=True, validate=validate.Length(max=4000))
    is_accepting = fields.Boolean(load_default=None, allow_none=True)


class AvailabilitySchema(Schema):
    coach_id = fields.Integer()
    timezone = fields.String()
    slot_minutes = fields.Integer()
    buffer_minutes = fields.Integer()
    min_notice_hours = fields.Integer()
    max_per_day = fields.Integer(allow_none=True)
    horizon_days = fields.Integer(allow_none=True)
    cancel_cutoff_hours = fields.Integer()
    topics = fields.List(fields.String())
    languages = fields.List(fields.String())
    meeting_mode = fields.String()
    meeting_url = fields.String()
    meeting_place = fields.String()
    bio = fields.String()
    is_accepting = fields.Boolean()
    weekly = fields.Function(lambda p: [{"weekday": r.weekday, "start": _hhmm(r.start_time),
                                         "end": _hhmm(r.end_time)} for r in p.weekly])
    exceptions = fields.Function(lambda p: [{"date": e.day.isoformat(), "kind": e.kind, "start": _hhmm(e.start_time),
                                             "end": _hhmm(e.end_time)} for e in p.exceptions])


class CoachSchema(Schema):
    id = fields.Integer(attribute="coach_id")
    name = fields.Function(lambda p: p.coach.name)
    country = fields.Function(lambda p: p.coach.country)
    languages = fields.List(fields.String())
    topics = fields.List(fields.String())
    timezone = fields.String()
    slot_minutes = fields.Integer()
    meeting_mode = fields.String()
    bio = fields.String()


class CoachFilterSchema(PageArgs):
    topic = fields.String(load_default=None, validate=validate.Length(max=CODE_MAX))
    language = fields.String(load_default=None, validate=validate.Length(max=CODE_MAX))
    country = fields.String(load_default=None, validate=validate.Length(max=CODE_MAX))


class SlotArgs(InputSchema):
    from_ = fields.Date(data_key="from", load_default=None)
    to = fields.Date(load_default=None)

    @validates_schema
    def _order(self, data, **kwargs):
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError("'to' must not come before 'from'.", "to")


class SlotSchema(Schema):
    starts_at = UTCDateTime()
    ends_at = UTCDateTime()


class AppointmentSchema(Schema):
    id = fields.Integer()
    uid = fields.Function(lambda a: uid_for("appointment", a.id))
    status = fields.String()
    starts_at = UTCDateTime()
    ends_at = UTCDateTime()
    sequence = fields.Integer()
    coach_id = fields.Integer()
    coach_name = fields.Function(lambda a: a.coach.name)
    participant_id = fields.Integer()
    participant_name = fields.Function(lambda a: a.participant.name)
    topic = fields.String(allow_none=True)
    agenda = fields.String()
    meeting_mode = fields.String()
    location = fields.String()
    summary = fields.String()
    action_points = fields.String()
    cancelled_at = UTCDateTime(allow_none=True)
    created_at = UTCDateTime()


class BookSchema(InputSchema):
    coach_id = fields.Integer(required=True)
    starts_at = UTCDateTime(required=True)
    topic = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=CODE_MAX))
    agenda = Text(load_default="", validate=validate.Length(max=4000))


class CancelSchema(InputSchema):
    reason = Text(load_default="", validate=validate.Length(max=2000))


class RescheduleSchema(InputSchema):
    starts_at = UTCDateTime(required=True)


class MyAppointmentsArgs(PageArgs):
    when = fields.String(load_default=None, validate=validate.OneOf(["upcoming", "past"]))
    status = fields.String(load_default=None, validate=validate.OneOf(["booked", "cancelled", "no_show"]))
    role = fields.String(load_default=None, validate=validate.OneOf(["coach", "participant"]))


def _load_appointment(appointment_id: int) -> Appointment:
    """Somebody else's appointment is 404, as if it did not exist."""
    return load_visible_for_api(Appointment, appointment_id, api_user(), can_see=Appointment.can_see,
                                not_found="No such appointment.")


@blp.route("/coaching/availability", methods=["PUT"])
@blp.arguments(AvailabilityInSchema)
@blp.response(200, AvailabilitySchema)
def put_availability(data):
    """Replace the caller's availability (coaches): weekly hours and exceptions in the coach's zone."""
    require(api_user().is_coach, "Only coaches have availability.")
    profile = services.set_availability(api_user(), services.validate_availability(**data))
    db.session.commit()
    return profile


@blp.route("/coaching/availability", methods=["GET"])
@blp.response(200, AvailabilitySchema)
def get_availability():
    """The caller's availability (coaches)."""
    require(api_user().is_coach, "Only coaches have availability.")
    profile = services.get_profile(api_user().id)
    if profile is None:
        raise NotFound("No availability yet: PUT it first.")
    return profile


@blp.route("/coaching/coaches", methods=["GET"])
@blp.arguments(CoachFilterSchema, location="query")
@blp.response(200, list_schema(CoachSchema))
def coaches(args):
    """Coaches who take bookings, by topic, language and country."""
    query = services.find_coaches(topic=args.pop("topic"), language=args.pop("language"),
                                  country=args.pop("country"))
    return page_of(query, args)


@blp.route("/coaching/coaches/<int:coach_id>/slots", methods=["GET"])
@blp.arguments(SlotArgs, location="query")
@blp.response(200, list_schema(SlotSchema))
def slots(args, coach_id):
    """Free slots between two dates (the coach's local days, both included; default: two weeks)."""
    profile = services.get_profile(coach_id)
    if profile is None or not profile.coach.is_coach:
        raise NotFound("No such coach.")
    first = args.get("from_") or to_zone(utcnow(), profile.timezone).date()
    last = args.get("to") or first + timedelta(days=13)
    items = services.free_slots(profile, first, last)
    return {"items": items, "total": len(items), "page": 1, "per_page": len(items)}


@blp.route("/coaching/appointments", methods=["POST"])
@blp.arguments(BookSchema)
@blp.response(201, AppointmentSchema)
@blp.alt_response(409, description="slot_taken: somebody booked it first")
@blp.alt_response(422, description="Not an offered slot, in the past, or unparsable")
def book(data):
    """Book a free slot of a coach."""
    appointment = services.book_appointment(api_user(), coach_id=data["coach_id"], starts_at=data["starts_at"], topic=data["topic"],
                                            agenda=data["agenda"])
    db.session.commit()
    return appointment


@blp.route("/coaching/appointments/<int:appointment_id>", methods=["GET"])
@blp.response(200, AppointmentSchema)
def get_appointment(appointment_id):
    """One of the caller's appointments."""
    return _load_appointment(appointment_id)


@blp.route("/coaching/appointments/<int:appointment_id>/cancel", methods=["POST"])
@blp.arguments(CancelSchema, required=False)
@blp.response(200, AppointmentSchema)
def cancel(data, appointment_id):
    """Cancel (either side, until the cut-off); the slot is free again at once."""
    appointment = services.cancel_appointment(api_user(), _load_appointment(appointment_id),
                                              reason=(data or {}).get("reason", ""))
    db.session.commit()
    return appointment


@blp.route("/coaching/appointments/<int:appointment_id>/reschedule", methods=["POST"])
@blp.arguments(RescheduleSchema)
@blp.response(200, AppointmentSchema)
def reschedule(data, appointment_id):
    """Move to another free slot; the sequence increases."""
    appointment = services.reschedule_appointment(api_user(), _load_appointment(appointment_id),
                                                  starts_at=data["starts_at"])
    db.session.commit()
    return appointment


@blp.route("/coaching/appointments/<int:appointment_id>/ics", methods=["GET"])
@blp.response(200, description="text/calendar: METHOD:REQUEST, or METHOD:CANCEL once cancelled",
              content_type="text/calendar")
def appointment_ics(appointment_id):
    """The invitation; one UID for the appointment's whole life."""
    data, method = services.appointment_ics(_load_appointment(appointment_id))
    return ics_response(data, f"coaching-{appointment_id}.ics", method=method)


@blp.route("/me/appointments", methods=["GET"])
@blp.arguments(MyAppointmentsArgs, location="query")
@blp.response(200, list_schema(AppointmentSchema))
def my_appointments(args):
    """The caller's appointments, as participant or coach."""
    query = services.appointments_of(api_user(), when=args.pop("when"), status=args.pop("status"),
                                     role=args.pop("role"))
    return page_of(query, args)


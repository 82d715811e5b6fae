"""Coaching forms: finding a coach, booking, changing, summaries and the availability editor."""
from __future__ import annotations

from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.forms import SEARCHABLE, BaseForm, BaseSubForm, ValidTimezone, form_values
from app.core.reference import TOPICS, country_choices, spoken_language_choices
from app.core.text import CODE_MAX
from app.core.timeutil import all_timezones

WEEKDAY_NAMES = [_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"),
                 _l("Sunday")]


def topic_choices(codes=None):
    return [(code, str(TOPICS[code])) for code in (codes or TOPICS) if code in TOPICS]


class CoachFilterForm(BaseForm):
    """GET filters on the coach list (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    topic = SelectField(_l("Topic"), validators=[Optional()])
    language = SelectField(_l("Language"), validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.topic.choices = [("", _l("Any topic"))] + topic_choices()
        self.language.choices = [("", _l("Any language"))] + spoken_language_choices()
        self.country.choices = [("", _l("Any country"))] + country_choices()


class BookForm(BaseForm):
    starts_at = HiddenField(validators=[DataRequired(), Length(max=CODE_MAX)])
    topic = SelectField(_l("Topic"), validators=[Optional()])
    agenda = TextAreaField(_l("What would you like to discuss?"), validators=[Optional(), Length(max=4000)],
                           description=_l("Questions, documents you will bring, what a good result would be."),
                           render_kw={"rows": 5})

    def __init__(self, *args, topics=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.topic.choices = [("", _l("Choose a topic…"))] + topic_choices(topics)
        if topics:  # a coach who lists topics is booked on one of them
            self.topic.validators = [InputRequired(message=_l("Choose a topic."))]
            self.topic.flags.required = True

    def values(self) -> dict:
        """The start is read by the view (it is a slot of the page, not a service argument)."""
        return form_values(self, exclude=("starts_at",), topic=None, agenda="")


class SlotForm(BaseForm):
    """One button per slot (reschedule): the start is a hidden field."""

    starts_at = HiddenField(validators=[DataRequired(), Length(max=CODE_MAX)])


class CancelForm(BaseForm):
    reason = TextAreaField(_l("Reason (optional, shared with the other side)"),
                           validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})

    def values(self) -> dict:
        return form_values(self, reason="")


class SummaryForm(BaseForm):
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(), Length(max=10000)],
                            description=_l("Shared with the participant."), render_kw={"rows": 6})
    action_points = TextAreaField(_l("Action points"), validators=[Optional(), Length(max=10000)],
                                  description=_l("One per line."), render_kw={"rows": 4})

    def values(self) -> dict:
        return form_values(self, action_points="")


class NoShowForm(BaseForm):
    no_show = HiddenField(default="1", validators=[Length(max=CODE_MAX)])

    def values(self) -> dict:
        return {"no_show": self.no_show.data == "1"}


class WeeklyRowForm(BaseSubForm):
    weekday = SelectField(_l("Day"), coerce=int, choices=list(enumerate(WEEKDAY_NAMES)))
    start = TimeField(_l("From"), validators=[Optional()])
    end = TimeField(_l("To"), validators=[Optional()])


class ExceptionRowForm(BaseSubForm):
    day = DateField(_l("Date"), validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=[("off", _l("Not available")), ("extra", _l("Extra hours"))])
    start = TimeField(_l("From"), validators=[Optional()], description=_l("Empty: the whole day."))
    end = TimeField(_l("To"), validators=[Optional()])


class AvailabilityForm(BaseForm):
    timezone = SelectField(_l("Your time zone"), validators=[DataRequired(), ValidTimezone()],
                           description=_l("Your hours below are in this zone; participants see them in theirs."))
    slot_minutes = IntegerField(_l("Length of an appointment (minutes)"),
                                validators=[DataRequired(), NumberRange(10, 480)])
    buffer_minutes = IntegerField(_l("Pause between appointments (minutes)"), default=0,
                                  validators=[Optional(), NumberRange(0, 240)])
    min_notice_hours = IntegerField(_l("Minimum notice (hours)"), default=24,
                                    validators=[Optional(), NumberRange(0, 1440)])
    cancel_cutoff_hours = IntegerField(_l("Changes allowed until (hours before)"), default=4,
                                       validators=[Optional(), NumberRange(0, 336)])
    max_per_day = IntegerField(_l("At most per day"), validators=[Optional(), NumberRange(1, 50)],
                               description=_l("Empty: no limit."))
    horizon_days = IntegerField(_l("Bookable up to (days ahead)"), validators=[Optional(), NumberRange(1, 730)],
                                description=_l("Empty: no limit."))
    topics = SelectMultipleField(_l("Topics you coach on"), validators=[Optional()], render_kw=SEARCHABLE)
    languages = SelectMultipleField(_l("Languages you coach in"), validators=[Optional()])
    meeting_mode = SelectField(_l("Where you meet"), choices=[("online", _l("Online")), ("place", _l("In person"))])
    meeting_url = StringField(_l("Meeting link"), validators=[Optional(), Length(max=500)],
                              render_kw={"placeholder": "https://"})
    meeting_place = StringField(_l("Meeting place"), validators=[Optional(), Length(max=300)])
    bio = TextAreaField(_l("About your coaching"), validators=[Optional(), Length(max=4000)], render_kw={"rows": 3})
    is_accepting = BooleanField(_l("I take new bookings"), default=True)
    weekly = FieldList(FormField(WeeklyRowForm), min_entries=0)
    exceptions = FieldList(FormField(ExceptionRowForm), min_entries=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = sorted(all_timezones())
        self.topics.choices = topic_choices()
        self.languages.choices = spoken_language_choices()

    def filled_rows(self) -> dict[str, list]:
        """The rows with content, numbered as the service names them in its errors (`weekly.<i>`)."""
        return {"weekly": [row for row in self.weekly if row.start.data or row.end.data],
                "exceptions": [row for row in self.exceptions if row.day.data]}

    def values(self) -> dict:
        rows = self.filled_rows()
        return {**form_values(self, exclude=("weekly", "exceptions"), buffer_minutes=0, min_notice_hours=0,
                              cancel_cutoff_hours=0, meeting_url="", meeting_place="", bio=""),
                "weekly": [{"weekday": row.weekday.data, "start": row.start.data, "end": row.end.data}
                           for row in rows["weekly"]],
                "exceptions": [{"date": row.day.data, "kind": row.kind.data, "start": row.start.data,
                                "end": row.end.data} for row in rows["exceptions"]]}

    def show_errors(self, error) -> None:
        """A row's message goes next to its end time, the others onto their fields."""
        rows = self.filled_rows()
        for name, messages in error.fields.items():
            section, _dot, index = name.partition(".")
            if section in rows and index.isdigit():
                row = rows[section][int(index)]
                row.end.errors = list(row.end.errors or []) + list(messages)
            elif hasattr(self, name):
                getattr(self, name).errors = list(getattr(self, name).errors or []) + list(messages)
        flash(_("Please correct the marked fields."), "danger")

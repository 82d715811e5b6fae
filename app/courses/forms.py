"""Training forms; times are read as wall-clock time in the session's own zone."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, ValidationError

from app.core.forms import SEARCHABLE, BaseForm, ValidTimezone, form_values
from app.core.reference import TOPICS, country_choices, spoken_language_choices
from app.core.timeutil import all_timezones, local_to_utc
from app.courses.models import DESCRIPTION_MAX, OBJECTIVES_MAX

LEVEL_LABELS = {"beginner": _l("Beginner"), "intermediate": _l("Intermediate"), "advanced": _l("Advanced")}
FORMAT_LABELS = {"in_person": _l("In person"), "online": _l("Online"), "blended": _l("Blended")}
STATUS_LABELS = {"draft": _l("Draft"), "published": _l("Published"), "archived": _l("Archived")}
ENROLMENT_LABELS = {"enrolled": _l("Enrolled"), "waitlisted": _l("Waitlist"), "pending": _l("Waiting for approval"),
                    "declined": _l("Declined"), "cancelled": _l("Left")}


class ModuleForm(BaseForm):
    """Topics, trainers and prerequisites are searchable multi-selects (static/js/multiselect.js);
    without the script they stay native selects."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=500)],
                            description=_l("One or two sentences shown in the catalogue."),
                            render_kw={"rows": 2})
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=DESCRIPTION_MAX)],
                                description=_l("Markdown: **bold**, *italic*, lists, links."),
                                render_kw={"rows": 8})
    objectives = TextAreaField(_l("Learning objectives"), validators=[Optional(), Length(max=OBJECTIVES_MAX)],
                               description=_l("One per line, starting with “- ”."), render_kw={"rows": 4})
    topics = SelectMultipleField(_l("Topics"), validators=[Optional()], render_kw=SEARCHABLE)
    language = SelectField(_l("Language of the training"), validators=[DataRequired()])
    level = SelectField(_l("Level"), validators=[DataRequired()])
    format = SelectField(_l("Format"), validators=[DataRequired()])
    status = SelectField(_l("Status"), validators=[DataRequired()],
                         description=_l("Only published modules appear in the catalogue."))
    required_sessions = IntegerField(_l("Sessions to attend for the certificate"), default=1,
                                     validators=[DataRequired(), NumberRange(min=1, max=50)])
    materials_restricted = BooleanField(_l("Materials only for enrolled participants"))
    trainer_ids = SelectMultipleField(_l("Trainers"), coerce=int, validators=[Optional()], render_kw=SEARCHABLE)
    prerequisite_ids = SelectMultipleField(_l("Prerequisites"), coerce=int, validators=[Optional()],
                                           description=_l("Modules to take before this one."), render_kw=SEARCHABLE)

    def __init__(self, *args, trainers=(), modules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.topics.choices = [(code, str(name)) for code, name in TOPICS.items()]
        self.language.choices = spoken_language_choices()
        self.level.choices = list(LEVEL_LABELS.items())
        self.format.choices = list(FORMAT_LABELS.items())
        self.status.choices = list(STATUS_LABELS.items())
        self.trainer_ids.choices = [(t.id, t.name) for t in trainers]
        self.prerequisite_ids.choices = [(m.id, m.title) for m in modules]

    def values(self, **defaults) -> dict:
        """`defaults` fills blank fields: the trainers when none is chosen."""
        return form_values(self, summary="", description="", objectives="", topics=[], prerequisite_ids=[],
                           **defaults)


class PreviewForm(BaseForm):
    """The description of a module, sent to see it rendered before saving."""

    text = TextAreaField(validators=[Optional(), Length(max=DESCRIPTION_MAX)])


class SessionForm(BaseForm):
    starts_at = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()],
                                   description=_l("In the session's time zone."))
    ends_at = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    timezone = SelectField(_l("Time zone"), validators=[DataRequired(), ValidTimezone(_l("Choose a known time zone."))])
    capacity = IntegerField(_l("Seats"), validators=[DataRequired(), NumberRange(min=1, max=10000)])
    location = StringField(_l("Place"), validators=[Optional(), Length(max=300)],
                           description=_l("Address, building and room."))
    country = SelectField(_l("Country"), validators=[Optional()],
                          description=_l("Where it takes place; leave empty for online sessions."))
    online_url = URLField(_l("Online link"), validators=[Optional(), URL(), Length(max=500)],
                          description=_l("Shown to participants with a seat only."))
    requires_approval = BooleanField(_l("I approve each participant"))
    enrol_opens_at = DateTimeLocalField(_l("Enrolment opens"), format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                        description=_l("Empty: open now."))
    enrol_closes_at = DateTimeLocalField(_l("Enrolment closes"), format="%Y-%m-%dT%H:%M", validators=[Optional()],
                                         description=_l("Empty: at the start."))
    unenrol_deadline = DateTimeLocalField(_l("Participants may leave until"), format="%Y-%m-%dT%H:%M",
                                          validators=[Optional()], description=_l("Empty: until the start."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [(z, z) for z in sorted(all_timezones()) if "/" in z and not z.startswith("Etc/")]
        self.country.choices = [("", _l("Online / none"))] + country_choices()

    def validate_ends_at(self, field):
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))

    def values(self) -> dict:
        """Wall-clock times in the session's zone become UTC."""
        values = form_values(self, location="", country=None, online_url="")
        for name in ("starts_at", "ends_at", "enrol_opens_at", "enrol_closes_at", "unenrol_deadline"):
            local = values[name]
            values[name] = local_to_utc(local.date(), local.time(), self.timezone.data) if local else None
        return values


class EnrolForm(BaseForm):
    note = TextAreaField(_l("Note to the trainer (optional)"), validators=[Optional(), Length(max=2000)],
                         render_kw={"rows": 2})

    def values(self) -> dict:
        return form_values(self, note="")


class CancelSessionForm(BaseForm):
    reason = TextAreaField(_l("Reason, sent to the participants"), validators=[Optional(), Length(max=1000)],
                           render_kw={"rows": 2})

    def values(self) -> dict:
        return form_values(self, reason="")


class AddParticipantForm(BaseForm):
    email = StringField(_l("Email of the person to enrol"), validators=[DataRequired(), Length(max=254)])


class MaterialForm(BaseForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    file = FileField(_l("File"), description=_l("PDF, Office or OpenDocument files, images; at most 10 MB."))
    url = URLField(_l("Or a link"), validators=[Optional(), URL(), Length(max=500)])

    def values(self, *, max_bytes: int) -> dict:
        """The upload as its name and at most `max_bytes` + 1 bytes (the service refuses larger files)."""
        upload = self.file.data
        return {**form_values(self, exclude=("file",), title="", url=""),
                "filename": upload.filename if upload else "",
                "data": upload.read(max_bytes + 1) if upload else None}


class FeedbackForm(BaseForm):
    rating = SelectField(_l("Your rating"), coerce=int, validators=[DataRequired()])
    comment = TextAreaField(_l("What worked well, what could be better?"),
                            validators=[Optional(), Length(max=4000)], render_kw={"rows": 4})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rating.choices = [(5, _l("5 – excellent")), (4, _l("4 – good")), (3, _l("3 – fair")),
                               (2, _l("2 – poor")), (1, _l("1 – very poor"))]

    def values(self) -> dict:
        return form_values(self, comment="")


class VerifyForm(BaseForm):
    class Meta:
        csrf = False

    code = StringField(_l("Verification code"), validators=[DataRequired(), Length(max=40)])

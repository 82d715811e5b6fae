"""Peer exchange forms; each validates its own fields."""
from __future__ import annotations

from datetime import datetime, time

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import SEARCHABLE, BaseForm, CheckboxListField, ValidTimezone, form_values
from app.core.reference import TOPICS, country_choices, spoken_language_choices
from app.core.text import CODE_MAX
from app.core.timeutil import all_timezones, local_to_utc


def topic_choices():
    return [(code, str(name)) for code, name in TOPICS.items()]


FORMAT_CHOICES = [("online", _l("Online call")), ("visit", _l("Study visit (I travel)")),
                  ("hosting", _l("Hosting a visit"))]


class ProfileForm(BaseForm):
    offers = CheckboxListField(_l("Topics I can offer (good practice to share)"), validators=[Optional()])
    needs = CheckboxListField(_l("Topics I need"), validators=[Optional()])
    languages = SelectMultipleField(_l("Languages I can work in"), validators=[DataRequired()], render_kw=SEARCHABLE)
    bio = TextAreaField(_l("About me and my work"), validators=[Optional(), Length(max=2000)],
                        render_kw={"rows": 4})
    places = StringField(_l("My municipalities or region"), validators=[Optional(), Length(max=300)])
    formats = CheckboxListField(_l("Exchange formats I accept"), validators=[Optional()], choices=FORMAT_CHOICES)
    is_available = BooleanField(_l("Available for pairing"), default=True)
    is_public = BooleanField(_l("Show my name and organisation on the good practices I take part in"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offers.choices = topic_choices()
        self.needs.choices = topic_choices()
        self.languages.choices = spoken_language_choices()


class SuggestionFilterForm(BaseForm):
    class Meta:
        csrf = False

    topic = SelectField(_l("Topic"), validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])
    language = SelectField(_l("Language"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.topic.choices = [("", _l("All topics"))] + topic_choices()
        self.country.choices = [("", _l("All countries"))] + country_choices()
        self.language.choices = [("", _l("All languages"))] + spoken_language_choices()


class ProposeForm(BaseForm):
    partner_id = HiddenField(validators=[DataRequired(), Length(max=CODE_MAX)])
    topic = SelectField(_l("Topic of the exchange"), validators=[DataRequired()])
    message = TextAreaField(_l("Message"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 4},
                            description=_l("Say who you are and what you would like to learn or share."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.topic.choices = topic_choices()

    def values(self) -> dict:
        """The partner is the page's person (the hidden field only carries it through the form)."""
        return form_values(self, exclude=("partner_id",))


class MessageForm(BaseForm):
    body = TextAreaField(_l("Your message"), validators=[DataRequired(), Length(max=5000)], render_kw={"rows": 3})


class MeetingForm(BaseForm):
    kind = RadioField(_l("Kind of meeting"), choices=[("online", _l("Online call")), ("visit", _l("Study visit"))],
                      default="online", validators=[DataRequired()])
    start_date = DateField(_l("Start date"), validators=[DataRequired()])
    start_time = TimeField(_l("Start time"), validators=[DataRequired()], default=time(10, 0))
    end_date = DateField(_l("End date"), validators=[Optional()],
                         description=_l("Leave empty when it ends on the start date."))
    end_time = TimeField(_l("End time"), validators=[DataRequired()], default=time(11, 0))
    timezone = SelectField(_l("Time zone of these times"), validators=[DataRequired(), ValidTimezone()])
    place = StringField(_l("Place (for a study visit)"), validators=[Optional(), Length(max=300)])
    online_url = StringField(_l("Link of the online call"), validators=[Optional(), Length(max=500)])
    notes = TextAreaField(_l("Agenda or notes"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [(z, z) for z in sorted(all_timezones())]

    def starts_at(self) -> datetime:
        return local_to_utc(self.start_date.data, self.start_time.data, self.timezone.data)

    def ends_at(self) -> datetime:
        return local_to_utc(self.end_date.data or self.start_date.data, self.end_time.data, self.timezone.data)

    def values(self) -> dict:
        """The dates and times in the chosen zone become `starts_at` and `ends_at` in UTC."""
        return {**form_values(self, exclude=("start_date", "start_time", "end_date", "end_time")),
                "starts_at": self.starts_at(), "ends_at": self.ends_at()}


class ReportForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(), Length(max=5000)], render_kw={"rows": 3})
    activities = TextAreaField(_l("What was done"), validators=[Optional(), Length(max=10000)],
                               render_kw={"rows": 4})
    results = TextAreaField(_l("Results"), validators=[DataRequired(), Length(max=10000)], render_kw={"rows": 4},
                            description=_l("Figures help: kWh saved, tonnes of CO₂, euros, people reached."))
    transferability = TextAreaField(_l("Transferability"), validators=[DataRequired(), Length(max=10000)],
                                    render_kw={"rows": 3},
                                    description=_l("What another municipality needs to do the same."))
    topic = SelectField(_l("Topic"), validators=[DataRequired()])
    countries = SelectMultipleField(_l("Countries"), validators=[DataRequired()])
    language = SelectField(_l("Language of this text"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.topic.choices = topic_choices()
        self.countries.choices = country_choices()
        self.language.choices = spoken_language_choices()


class ReviewForm(BaseForm):
    summary_en = TextAreaField(_l("Summary in English"), validators=[Optional(), Length(max=5000)],
                               render_kw={"rows": 4},
                               description=_l("Shown to readers who do not read the report’s language. "
                                              "Write or correct it before publishing."))
    note = TextAreaField(_l("Note to the authors"), validators=[Optional(), Length(max=5000)],
                         render_kw={"rows": 3})

    def values(self) -> dict:
        return form_values(self, note="", summary_en="")


class RoundForm(BaseForm):
    selection = RadioField(_l("Who takes part"), default="all", validators=[DataRequired()],
                           choices=[("all", _l("Everyone available for pairing")),
                                    ("topic", _l("Everyone available with a topic")),
                                    ("list", _l("A list of people"))])
    topic = SelectField(_l("Topic"), validators=[Optional()])
    user_ids = SelectMultipleField(_l("People"), validators=[Optional()], coerce=int, render_kw=SEARCHABLE)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.topic.choices = [("", _l("Choose…"))] + topic_choices()
        self.user_ids.choices = [(u.id, f"{u.name} ({u.country})") for u in people]

    def values(self) -> dict:
        return form_values(self, topic=None)


class LibraryFilterForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    topic = SelectField(_l("Topic"), validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])
    language = SelectField(_l("Language"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.topic.choices = [("", _l("All topics"))] + topic_choices()
        self.country.choices = [("", _l("All countries"))] + country_choices()
        self.language.choices = [("", _l("All languages"))] + spoken_language_choices()

"""Forms of the municipality pages; the services check the same rules again for the API and imports."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, EmailField, FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from app.core.forms import BaseForm
from app.core.reference import country_choices
from app.municipalities.codes import AREAS, INSTRUMENTS, REPORT_KINDS, STATUSES, choices, sector_choices

_optional_number = [Optional(), NumberRange(min=0)]
_year = [Optional(), NumberRange(min=1990, max=2100)]


class MunicipalityForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    population = IntegerField(_l("Population"), validators=_optional_number)
    supporting_organisation = StringField(
        _l("Supporting organisation"), validators=[Optional(), Length(max=200)],
        description=_l("The Covenant Coordinator or Supporter that helps this municipality."))
    covenant_signed_on = DateField(_l("Covenant signed on"), validators=[Optional()])
    seap_submitted_on = DateField(_l("Action plan (SEAP) submitted on"), validators=[Optional()],
                                  description=_l("Monitoring reports fall due from this date on."))
    baseline_year = IntegerField(_l("Baseline year"), validators=_year)
    baseline_emissions_t = FloatField(_l("Baseline emissions (t CO2)"), validators=_optional_number,
                                      description=_l("From the Baseline Emission Inventory (BEI)."))
    reduction_target_percent = FloatField(_l("Reduction target (%)"),
                                          validators=[Optional(), NumberRange(min=0, max=100)])
    target_year = IntegerField(_l("Target year"), validators=_year)
    notes = TextAreaField(_l("Internal notes"), validators=[Optional(), Length(max=5000)],
                          description=_l("Seen only by its followers, its editors and the project's staff."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Choose…"))] + country_choices()


class ActionForm(BaseForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    sector = SelectField(_l("Sector"), validators=[DataRequired()])
    area = SelectField(_l("Area of intervention"), validators=[DataRequired()])
    instrument = SelectField(_l("Policy instrument"), validators=[DataRequired()])
    status = SelectField(_l("Status"), validators=[DataRequired()])
    responsible_body = StringField(_l("Responsible body"), validators=[Optional(), Length(max=200)])
    starts_on = DateField(_l("Start"), validators=[Optional()])
    ends_on = DateField(_l("End"), validators=[Optional()])
    completed_on = DateField(_l("Completed on"), validators=[Optional()])
    expected_co2_t = FloatField(_l("Expected CO2 reduction (t per year)"), validators=_optional_number)
    expected_energy_saving_mwh = FloatField(_l("Expected energy saving (MWh per year)"),
                                            validators=_optional_number)
    expected_renewable_mwh = FloatField(_l("Expected renewable production (MWh per year)"),
                                        validators=_optional_number)
    investment_eur = FloatField(_l("Investment (EUR)"), validators=_optional_number)
    achieved_co2_t = FloatField(_l("Achieved CO2 reduction (t per year)"), validators=_optional_number)
    achieved_energy_saving_mwh = FloatField(_l("Achieved energy saving (MWh per year)"),
                                            validators=_optional_number)
    achieved_renewable_mwh = FloatField(_l("Achieved renewable production (MWh per year)"),
                                        validators=_optional_number)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = [("", _l("Choose…"))] + sector_choices()
        self.area.choices = [("", _l("Choose…"))] + choices(AREAS)
        self.instrument.choices = [("", _l("Choose…"))] + choices(INSTRUMENTS)
        self.status.choices = choices(STATUSES)


class ReportForm(BaseForm):
    submitted_on = DateField(_l("Sent to the Covenant on"), validators=[DataRequired()])
    kind = SelectField(_l("Kind of report"), validators=[DataRequired()])
    monitoring_year = IntegerField(_l("Monitoring year"), validators=_year)
    emissions_t = FloatField(_l("Emissions in the monitoring year (t CO2)"), validators=_optional_number,
                             description=_l("Required for a full report (Monitoring Emission Inventory)."))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(REPORT_KINDS)


class ImportForm(BaseForm):
    file = FileField(_l("File (CSV, TSV or JSON)"), validators=[
        FileRequired(), FileAllowed(["csv", "tsv", "txt", "json"], _l("Choose a CSV, TSV or JSON file."))])


class MemberForm(BaseForm):
    email = EmailField(_l("Email of the account"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Link as"), choices=[
        ("follower", _l("Follower (coordinator or supporter)")),
        ("editor", _l("Editor (municipality officer)"))])

"""Account forms; each validates its own fields."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional, ValidationError

from app.auth.models import PASSWORD_MAX, PASSWORD_MIN
from app.core.forms import BaseForm, CheckboxListField, ValidTimezone, form_values
from app.core.reference import (
    COM_ROLES,
    INTERFACE_LANGUAGES,
    ROLES,
    country_choices,
    country_timezone,
    spoken_language_choices,
)
from app.core.timeutil import all_timezones


class HardToGuess:
    """Refuses common and breached-style passwords, and ones built from the account's name or address:
    the form's face of services.password_problem (the API and the CLI call it directly)."""

    def __call__(self, form, field):
        from flask_login import current_user

        from app.auth.services import password_problem, user_inputs_for

        inputs = list(getattr(form, "user_inputs", None) or [])
        for name in ("name", "email"):
            if name in form and form[name].data:
                inputs += user_inputs_for(form[name].data)
        if current_user.is_authenticated:
            inputs += user_inputs_for(current_user.name, current_user.email)
        if field.data and (problem := password_problem(field.data, user_inputs=inputs)):
            raise ValidationError(problem)


_password = [DataRequired(), Length(min=PASSWORD_MIN, max=PASSWORD_MAX), HardToGuess()]


def _language_choices():
    return [(c, INTERFACE_LANGUAGES.get(c, c)) for c in current_app.config["LANGUAGES"]]


class ProfileFields:
    """Fields shared by registration and the profile page."""

    def _fill_choices(self):
        self.country.choices = [("", _l("Choose…"))] + country_choices()
        self.com_role.choices = [(k, v) for k, v in COM_ROLES.items()]
        self.languages.choices = spoken_language_choices()
        self.language.choices = _language_choices()


class RegisterForm(BaseForm, ProfileFields):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField(_l("Password"), validators=_password,
                             description=lazy_ngettext("At least %(num)d character.", "At least %(num)d characters.", PASSWORD_MIN),
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), Length(max=PASSWORD_MAX),
                                        EqualTo("password", _l("The passwords differ."))],
                            render_kw={"autocomplete": "new-password"})
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)],
                               description=_l("Province, region, energy agency, association or municipality."),
                               render_kw={"autocomplete": "organization"})
    country = SelectField(_l("Country"), validators=[DataRequired()])
    com_role = SelectField(_l("Your role in the Covenant of Mayors"), validators=[DataRequired()])
    languages = CheckboxListField(_l("Languages you work in"), validators=[Optional()])
    language = SelectField(_l("Interface language"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._fill_choices()

    def values(self) -> dict:
        return form_values(self, exclude=("confirm",))


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=PASSWORD_MAX)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device"))


class ProfileForm(BaseForm, ProfileFields):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    country = SelectField(_l("Country"), validators=[DataRequired()])
    com_role = SelectField(_l("Your role in the Covenant of Mayors"), validators=[DataRequired()])
    timezone = SelectField(_l("Time zone"), validators=[Optional(), ValidTimezone()],
                           description=_l("Leave empty to use your country's time zone."))
    languages = CheckboxListField(_l("Languages you work in"), validators=[Optional()])
    language = SelectField(_l("Interface language"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._fill_choices()
        self.timezone.choices = [("", _l("Same as my country"))] + [(z, z) for z in sorted(all_timezones())]

    def values(self) -> dict:
        """An empty zone is the country's."""
        values = form_values(self, organisation="")
        values["timezone"] = values["timezone"] or country_timezone(values["country"])
        return values


class PasswordChangeForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=PASSWORD_MAX)],
                                     render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"), validators=_password,
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), Length(max=PASSWORD_MAX),
                                        EqualTo("password", _l("The passwords differ."))],
                            render_kw={"autocomplete": "new-password"})

    def values(self) -> dict:
        return form_values(self, exclude=("confirm",))


class ForgotPasswordForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class ResetPasswordForm(BaseForm):
    password = PasswordField(_l("New password"), validators=_password,
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), Length(max=PASSWORD_MAX),
                                        EqualTo("password", _l("The passwords differ."))],
                            render_kw={"autocomplete": "new-password"})

    def values(self) -> dict:
        return form_values(self, exclude=("confirm",))


class TokenForm(BaseForm):
    """Shown on the profile page beside the profile form: prefixed so field ids stay unique."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="token", **kwargs)

    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=80)],
                       description=_l("What will use it, e.g. “regional dashboard”."))
    expires_in_days = IntegerField(_l("Valid for (days)"), default=365,
                                   validators=[Optional(), NumberRange(min=1, max=3650)])


class AdminUserForm(BaseForm):
    role = SelectField(_l("Role"), choices=[(k, v) for k, v in ROLES.items()])
    is_coach = BooleanField(_l("Coaches participants"))
    is_active = BooleanField(_l("Account active"))


class DeleteAccountForm(BaseForm):
    """Deleting one's own account: the password confirms it is really them."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=PASSWORD_MAX)],
                             render_kw={"autocomplete": "current-password"})
    keep_name_on_practices = BooleanField(
        _l("Keep my name and organisation on the good practices I took part in"))
    confirm = BooleanField(_l("I understand that my account and my personal data are deleted for good"),
                           validators=[DataRequired(_l("Tick this box to delete your account."))])

    def values(self) -> dict:
        """The tick box only confirms: it is no argument of the service."""
        return form_values(self, exclude=("confirm",))


class AdminEraseForm(BaseForm):
    """An administrator deletes an account on the person's request."""

    keep_name_on_practices = BooleanField(
        _l("The person agreed to stay credited by name on their good practices"))
    confirm = BooleanField(_l("Delete this account and its personal data for good"),
                           validators=[DataRequired(_l("Tick this box to delete the account."))])

    def values(self) -> dict:
        """The tick box only confirms: it is no argument of the service."""
        return form_values(self, exclude=("confirm",))

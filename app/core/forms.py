"""The base of every form, small forms and fields used on every page, and the one way views save."""
from contextlib import contextmanager

from flask import current_app, flash
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.errors import DomainError
from app.core.reference import INTERFACE_LANGUAGES, timezone_choices
from app.core.text import control_problem
from app.core.timeutil import is_valid_timezone
from app.extensions import db


def _refuse_controls(form, field) -> None:
    """First in every text field's chain: a control character stops validation with the field's error."""
    message = control_problem(field.data, multiline=isinstance(field, TextAreaField))
    if message is not None:
        raise StopValidation(str(message))


class _RefuseControlsMeta:
    """Binds every text field with `_refuse_controls` in front of its own validators.

    Single-line fields are StringField and its kinds (email, URL, search, hidden, password…);
    a TextAreaField may also hold CR, LF and TAB (app/core/text.py has the rule).
    """

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        if isinstance(field, StringField):
            field.validators = [_refuse_controls, *field.validators]
        return field


class BaseForm(FlaskForm):
    """Every form of the platform inherits this one instead of FlaskForm (tests/core/test_input.py checks)."""

    class Meta(_RefuseControlsMeta):
        pass

    def values(self) -> dict:
        """The service's keyword arguments (`form_values`); forms override it for defaults or conversions."""
        return form_values(self)


class BaseSubForm(Form):
    """The same, for the rows of a FieldList(FormField(…)) (no CSRF token of their own)."""

    class Meta(_RefuseControlsMeta):
        pass


class ConfirmForm(BaseForm):
    """An empty form: just the CSRF token, for POST buttons (revoke, rotate, cancel…)."""


# render_kw of a SelectMultipleField that the page enhances into a searchable list of checkboxes
# (static/js/multiselect.js, included by templates/_multiselect.html); a native select without JS.
SEARCHABLE = {"data-multiselect": True}


class CheckboxListField(SelectMultipleField):
    """Several choices as checkboxes: easier than a multi-select (Ctrl-click) on phones and with a keyboard."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ValidTimezone:
    """A zone field's value is an IANA time zone the platform can convert in (an empty value passes:
    DataRequired or Optional decide about that)."""

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field):
        if field.data and not is_valid_timezone(field.data):
            raise ValidationError(self.message or _l("Unknown time zone."))


class TimezoneForm(BaseForm):
    """The visitor's zone picker: the six countries' zones first, then all."""

    timezone = SelectField(_l("Time zone"), validators=[DataRequired(), ValidTimezone()], validate_choice=False)
    next = HiddenField(validators=[Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class LanguageForm(BaseForm):
    language = SelectField(validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [(c, INTERFACE_LANGUAGES.get(c, c)) for c in current_app.config["LANGUAGES"]]


def form_errors_from(form, error) -> None:
    """Show a service's field messages (DomainError.fields) on the form's fields, the rest as a flash."""
    shown = False
    for name, messages in error.fields.items():
        field = getattr(form, name, None) if form is not None else None
        if field is not None:
            field.errors = list(field.errors or []) + list(messages)
            shown = True
    if not shown:
        flash(error.message, "danger")


class Attempt:
    """What `saving` tells the view afterwards: true once committed; `error` holds the DomainError otherwise."""

    def __init__(self) -> None:
        self.error: DomainError | None = None
        self.saved = False

    def __bool__(self) -> bool:
        return self.saved


@contextmanager
def saving(form=None, *, success=None, category: str = "success", messages: dict | None = None, show=None):
    """Call the service, commit, or roll back and show the errors: the one shape of a writing view.

    With the form that the view renders again, a DomainError's field messages go onto its fields
    (`form_errors_from`); without one (the view redirects) they are flashed. `messages` replaces the
    flash of some error classes ({SlotTaken: _("Somebody was quicker.")}); `show(error)` replaces the
    display altogether, for a form that maps field names itself. `success` is flashed after the commit.

        with saving(form, success=_("The module is saved.")) as saved:
            module = services.create_module(current_user, **form.values())
        if saved:
            return redirect(url_for("courses.module_detail", module_id=module.id))
        return render_template("courses/module_form.html", form=form)
    """
    attempt = Attempt()
    try:
        yield attempt
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        attempt.error = error
        special = next((m for cls, m in (messages or {}).items() if isinstance(error, cls)), None)
        if show is not None:
            show(error)
        elif special is not None:
            flash(str(special), "danger")
        elif form is None and error.fields:
            flash(" ".join(dict.fromkeys(m for ms in error.fields.values() for m in ms)), "danger")
        else:
            form_errors_from(form, error)
    else:
        attempt.saved = True
        if success:
            flash(success, category)


def form_values(form, *, exclude=(), **defaults) -> dict:
    """The service's keyword arguments from a form: one per field, CSRF token and submit buttons left out.

    Forms expose it as their `values()` method; a blank field (None, "" or an empty list) takes its value
    from `defaults`, so views need not list `form.x.data or ""` by hand:

        def values(self) -> dict:
            return form_values(self, summary="", topics=[])
    """
    skip = {"csrf_token", "submit", *exclude}
    out = {}
    for name, value in form.data.items():
        if name not in skip:
            blank = value is None or (isinstance(value, str | list) and not value)
            out[name] = defaults[name] if blank and name in defaults else value
    return out

"""The base of every form, and small forms used on every page."""
from flask import current_app, flash
from flask_wtf import FlaskForm
from wtforms import Form, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, StopValidation

from app.core.reference import INTERFACE_LANGUAGES
from app.core.text import control_problem


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


class BaseSubForm(Form):
    """The same, for the rows of a FieldList(FormField(…)) (no CSRF token of their own)."""

    class Meta(_RefuseControlsMeta):
        pass


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

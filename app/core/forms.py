"""Small forms used on every page."""
from flask import current_app, flash
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired

from app.core.reference import INTERFACE_LANGUAGES


class LanguageForm(FlaskForm):
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

"""Small forms used on every page."""
from flask import current_app
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired

from app.core.reference import INTERFACE_LANGUAGES


class LanguageForm(FlaskForm):
    language = SelectField(validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [(c, INTERFACE_LANGUAGES.get(c, c)) for c in current_app.config["LANGUAGES"]]

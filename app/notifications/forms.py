"""Preferences form: one switch per optional kind of mail."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import Length

from app.core.forms import BaseForm, CheckboxListField, form_values
from app.core.mail import mail_kinds_for
from app.core.text import CODE_MAX


class PreferencesForm(BaseForm):
    receive = CheckboxListField(_l("Mail I receive"), validate_choice=True)
    # With every switch off a browser sends no field at all: this one makes "nothing" a real answer.
    sent = HiddenField(default="1", validators=[Length(max=CODE_MAX)])

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.receive.choices = [(k.kind, k.label) for k in mail_kinds_for(user)]

    def values(self) -> dict:
        return form_values(self, exclude=("sent",), receive=[])

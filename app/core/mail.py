"""Queue mail in the recipient's language; delivery is the scheduler's job."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select

from app.core.models import OutboxAttachment, OutboxMessage
from app.extensions import db

# Mail kinds nobody can switch off: they carry security or cancellations.
ESSENTIAL_KINDS = frozenset({"password_reset", "password_changed", "account", "cancellation"})


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes


def calendar_attachment(ics: bytes, method: str, filename: str = "invite.ics") -> Attachment:
    """A .ics part whose MIME type carries the iTIP method, as Outlook and Google expect."""
    return Attachment(filename, f"text/calendar; charset=UTF-8; method={method}", ics)


def queue_mail(user, kind: str, template: str, *, subject, context: dict | None = None,
               attachments: list[Attachment] | None = None, dedupe_key: str | None = None,
               to_email: str | None = None) -> OutboxMessage | None:
    """Render the template in the recipient's language and add the mail to the outbox.

    `template` is "password_reset" for `mail/password_reset.txt`, or a feature's own path such as
    "courses/mail/enrolled" for `courses/mail/enrolled.txt` (so it lands in that feature's catalogue).

    The HTML part is the same text in the mail layout (paragraphs, links), so each mail is written once.

    `subject` is a lazy string or a callable, evaluated in that language. Returns None when the
    recipient switched this kind of mail off, or when `dedupe_key` was queued already.
    """
    if user is not None and kind not in ESSENTIAL_KINDS and not user.wants_mail(kind):
        return None
    if dedupe_key and db.session.scalar(select(OutboxMessage.id).filter_by(dedupe_key=dedupe_key)):
        return None
    language = getattr(user, "language", None) or current_app.config["BABEL_DEFAULT_LOCALE"]
    context = dict(context or {}, recipient=user)
    with force_locale(language):
        subject_text = str(subject() if callable(subject) else subject)
        path = f"{template}.txt" if "/" in template else f"mail/{template}.txt"
        text_body = render_template(path, **context)
        html_body = render_template("mail/layout.html", subject=subject_text, text=text_body)
    message = OutboxMessage(
        user_id=getattr(user, "id", None), to_email=to_email or user.email,
        to_name=getattr(user, "name", "") or "", kind=kind, subject=subject_text,
        text_body=text_body, html_body=html_body, language=language, dedupe_key=dedupe_key,
        attachments=[OutboxAttachment(filename=a.filename, content_type=a.content_type, data=a.data)
                     for a in attachments or []],
    )
    db.session.add(message)
    return message

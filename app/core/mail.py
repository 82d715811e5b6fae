"""Queue mail in the recipient's language; delivery is the scheduler's job (app/core/delivery.py)."""
from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from flask import current_app, render_template, url_for
from sqlalchemy import select

from app.core.i18n import Phrase, in_language
from app.core.models import OutboxAttachment, OutboxMessage
from app.extensions import db

# Mail kinds nobody can switch off: they carry security or cancellations.
ESSENTIAL_KINDS = frozenset({"password_reset", "password_changed", "account", "cancellation"})

# Called for each mail to a known user: `hook(user, kind, subject, url, in_app)`, also when the user
# switched that kind of mail off. `subject` is the Phrase behind the subject when it has one (so it can
# be shown later in another language), else its text. The notifications feature registers one that
# mirrors important mail in the user's in-app list.
MailHook = Callable[[object, str, "Phrase | str", "str | None", "bool | None"], None]


def register_mail_hook(app, hook: MailHook) -> None:
    app.extensions.setdefault("mail_hooks", []).append(hook)


# A mail that carries a secret (a password-reset link) is stored with this text in its place, so the
# outbox, which admins read, never holds a working link. When the mail is sent, the resolver its kind
# registered gives the secret back (`resolver(message) -> str | None`; None leaves the placeholder:
# the link no longer works anyway).
SECRET_PLACEHOLDER = "link-hidden-in-the-outbox"


def register_mail_secret(app, kind: str, resolver: Callable[[OutboxMessage], str | None]) -> None:
    app.extensions.setdefault("mail_secrets", {})[kind] = resolver


def reveal_secret(message: OutboxMessage) -> tuple[str, str]:
    """The text and HTML bodies as they are sent: with the secret in place of the placeholder."""
    text, html = message.text_body, message.html_body or ""
    resolver = current_app.extensions.get("mail_secrets", {}).get(message.kind)
    if resolver is not None and SECRET_PLACEHOLDER in text + html:
        secret = resolver(message)
        if secret:
            text, html = text.replace(SECRET_PLACEHOLDER, secret), html.replace(SECRET_PLACEHOLDER, secret)
    return text, html


@contextlib.contextmanager
def _recipient_timezone(user):
    """Dates in a mail in the recipient's zone, not the zone of whoever triggered it (or none, in a job).

    flask-babel keeps the zone per context in `g._flask_babel.babel_tzinfo` (a pytz zone); we set it
    for the rendering and put back what was there.
    """
    import pytz
    from flask import g

    from app.core.timeutil import is_valid_timezone

    name = getattr(user, "timezone", None)
    if not is_valid_timezone(name):
        name = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    holder = g.setdefault("_flask_babel", SimpleNamespace())
    previous = getattr(holder, "babel_tzinfo", None)
    holder.babel_tzinfo = pytz.timezone(name)
    try:
        yield
    finally:
        holder.babel_tzinfo = previous


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
               to_email: str | None = None, url: str | None = None,
               in_app: bool | None = None) -> OutboxMessage | None:
    """Render the template in the recipient's language and add the mail to the outbox.

    `template` is "password_reset" for `mail/password_reset.txt`, or a feature's own path such as
    "courses/mail/enrolled" for `courses/mail/enrolled.txt` (so it lands in that feature's catalogue).

    The HTML part is the same text in the mail layout (paragraphs, links), so each mail is written once.

    `subject` is a Phrase, a lazy string or a callable, evaluated in that language; dates use the
    recipient's time zone. Returns None when the recipient switched this kind of mail off, or when `dedupe_key`
    was queued already.

    Important mail is mirrored in the recipient's in-app notifications (with `url` as its link, by
    default the page the mail links to: its context's `link` or `url`), even when they switched the
    mail off; `in_app=False` prevents that, `in_app=True` forces it.
    """
    url = url or (context or {}).get("link") or (context or {}).get("url")
    if dedupe_key and db.session.scalar(select(OutboxMessage.id).filter_by(dedupe_key=dedupe_key)):
        return None
    wanted = user is None or kind in ESSENTIAL_KINDS or user.wants_mail(kind)
    mirrored = getattr(user, "id", None) is not None and in_app is not False
    hooks = current_app.extensions.get("mail_hooks", []) if mirrored else []
    if not wanted and not hooks:
        return None
    language = getattr(user, "language", None) or current_app.config["BABEL_DEFAULT_LOCALE"]
    context = dict(context or {}, recipient=user)
    with in_language(language), _recipient_timezone(user):
        subject_text = str(subject() if callable(subject) else subject)
        for hook in hooks:
            hook(user, kind, Phrase.of(subject) or subject_text, url, in_app)
        if not wanted:
            return None
        path = f"{template}.txt" if "/" in template else f"mail/{template}.txt"
        text_body = render_template(path, **context)
        if "notifications.preferences" in current_app.view_functions and \
                url_for("notifications.preferences", _external=True) not in text_body:
            # Every mail says where to switch mail off, also when its template forgot the footer.
            text_body = text_body.rstrip() + "\n\n" + render_template("mail/_footer.txt")
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


# What features tell the mail system ----------------------------------------------------------------
@dataclass(frozen=True)
class MailKind:
    kind: str
    label: object  # a lazy string
    trainers_only: bool = False


def register_mail_kind(app, kind: str, label, *, trainers_only: bool = False) -> None:
    """A kind of mail people may switch off on their preferences page (features add theirs)."""
    if kind in ESSENTIAL_KINDS:
        raise ValueError(f"{kind} is essential mail and cannot be switched off")
    app.extensions.setdefault("mail_kinds", {})[kind] = MailKind(kind, label, trainers_only)


def mail_kinds_for(user) -> list[MailKind]:
    kinds = current_app.extensions.get("mail_kinds", {}).values()
    return [k for k in kinds if user.is_trainer or not k.trainers_only]


Section = Callable[[object], "list[str] | None"]


@dataclass
class DigestSection:
    fn: Section
    title: object = None  # lazy string, shown above the lines


def register_digest_section(app, fn: Section, title=None) -> None:
    """`fn(user)` returns the lines of this section for a trainer, or None/[] when there is nothing."""
    app.extensions.setdefault("digest_sections", []).append(DigestSection(fn, title))

"""Deliver the outbox over SMTP, each message exactly once (docs/domain.md, "Scheduled work").

A delivery run claims due messages with a conditional UPDATE that sets a lease (`claimed_until`) and
commits the claim before it talks to the mail server, so a second scheduler started by mistake skips
them. Each message is marked sent (and committed) right after the server accepted it. A failure
records the attempt, the error and the next try (exponential backoff); after MAIL_MAX_ATTEMPTS the
message is `failed`, and an admin can queue it again (`retry_message`).

Without MAIL_SERVER nothing is sent: mail stays queued and admins read it in the outbox.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.utils import format_datetime, parseaddr

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import selectinload

from app.core.mail import reveal_secret
from app.core.models import OutboxMessage
from app.core.timeutil import utcnow
from app.extensions import db

log = logging.getLogger("app.mail")

# SMTP replies that will not change by trying again: the message fails at once.
PERMANENT_CODES = range(500, 600)


@dataclass
class DeliveryResult:
    sent: int = 0
    failed: int = 0  # attempts that failed this run (the message may be retried later)
    # `attempts` on a message counts failed attempts; `last_error` stays as a record once it is sent.
    gave_up: int = 0  # messages that reached MAIL_MAX_ATTEMPTS or got a permanent refusal
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        text = f"{self.sent} sent, {self.failed} failed"
        if self.gave_up:
            text += f" ({self.gave_up} given up)"
        return text


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: MAIL_RETRY_SECONDS, doubled after every failed attempt, capped."""
    config = current_app.config
    base = float(config.get("MAIL_RETRY_SECONDS", 60))
    cap = float(config.get("MAIL_RETRY_MAX_SECONDS", 6 * 3600))
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


# Building the MIME message -------------------------------------------------------------------------

def _content_type(value: str) -> tuple[str, str, dict[str, str]]:
    """'text/calendar; charset=UTF-8; method=REQUEST' -> ('text', 'calendar', {'charset':…, 'method':…})."""
    parsed = Message()
    parsed["Content-Type"] = value
    maintype, subtype = parsed.get_content_maintype(), parsed.get_content_subtype()
    params = {key.lower(): val for key, val in (parsed.get_params() or [])[1:]}
    return maintype, subtype, params


def _address(name: str, email: str) -> Address:
    local, _, domain = email.rpartition("@")
    return Address(display_name=name or "", username=local, domain=domain)


def build_email(message: OutboxMessage, sender: str | None = None) -> EmailMessage:
    """multipart/mixed: alternative(text, HTML[, text/calendar; method=…]) plus the attachments.

    A calendar invitation goes inside the alternative part with its iTIP method, where Outlook, Google
    and Apple look for it, and again as an `.ics` file for people who save it by hand.
    """
    sender = sender or current_app.config["MAIL_DEFAULT_SENDER"]
    sender_name, sender_email = parseaddr(sender)
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = _address(sender_name, sender_email)
    mail["To"] = _address(message.to_name, message.to_email)
    mail["Date"] = format_datetime(message.created_at or utcnow())
    # Stable per outbox row: should a message ever go out twice, receiving servers can drop the copy.
    domain = current_app.config.get("SERVER_NAME_FOR_UIDS") or "mayors-in-action.eu"
    mail["Message-ID"] = f"<outbox-{message.id}@{domain}>"
    mail["Auto-Submitted"] = "auto-generated"
    text_body, html_body = reveal_secret(message)  # a reset link's token exists only in the sent mail
    mail.set_content(text_body)
    if html_body:
        mail.add_alternative(html_body, subtype="html")
    calendars = []
    for attachment in message.attachments:
        maintype, subtype, params = _content_type(attachment.content_type)
        if (maintype, subtype) == ("text", "calendar"):
            calendars.append((attachment, params))
    for attachment, params in calendars:
        if not mail.is_multipart():
            mail.make_alternative()
        charset = params.get("charset", "utf-8")
        mail.add_alternative(attachment.data.decode(charset), subtype="calendar")
        method = params.get("method")
        if method:  # unquoted, as Outlook and Google write it themselves
            mail.get_payload()[-1].replace_header(
                "Content-Type", f'text/calendar; charset="utf-8"; method={method.upper()}')
    for attachment in message.attachments:
        maintype, subtype, params = _content_type(attachment.content_type)
        if (maintype, subtype) == ("text", "calendar"):
            # The same invitation as a file, for people who import it by hand.
            mail.add_attachment(attachment.data, maintype="application", subtype="ics",
                                filename=attachment.filename)
        else:
            mail.add_attachment(attachment.data, maintype=maintype, subtype=subtype,
                                filename=attachment.filename)
    if message.language:  # after the body: set_content drops Content-* headers
        mail["Content-Language"] = message.language
    return mail


# Delivering -----------------------------------------------------------------------------------------

class _Connection:
    """One SMTP session for a delivery run, opened on the first message."""

    def __init__(self, config):
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def get(self) -> smtplib.SMTP:
        if self.smtp is None:
            config = self.config
            host, port = config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25)
            timeout = float(config.get("MAIL_TIMEOUT", 30))
            # Certificates are verified; MAIL_CA_FILE trusts a private CA (or a test server's certificate).
            context = ssl.create_default_context(cafile=config.get("MAIL_CA_FILE") or None)
            if config.get("MAIL_USE_SSL"):
                smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
            else:
                smtp = smtplib.SMTP(host, port, timeout=timeout)
                if config.get("MAIL_USE_TLS"):
                    smtp.starttls(context=context)
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            self.smtp = smtp
        return self.smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def _claim(now: datetime, limit: int, lease: timedelta) -> list[int]:
    """Claim up to `limit` due messages; rowcount 1 means this process owns the message until the lease ends."""
    candidates = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now,
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)).all()
    claimed = []
    for message_id in candidates:
        result = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == "queued",
                   or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now))
            .values(claimed_until=now + lease)
            .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            claimed.append(message_id)
    db.session.commit()  # the claim is visible to other schedulers before any mail leaves
    return claimed


def _record_failure(message_id: int, error: str, now: datetime, result: DeliveryResult,
                    permanent: bool = False) -> None:
    message = db.session.get(OutboxMessage, message_id)
    message.attempts = (message.attempts or 0) + 1
    message.last_error = error[:2000]
    message.claimed_until = None
    result.failed += 1
    if permanent or message.attempts >= int(current_app.config.get("MAIL_MAX_ATTEMPTS", 8)):
        message.status = "failed"
        result.gave_up += 1
        log.error("mail %s to %s failed for good after %s attempts: %s", message.id, message.to_email,
                  message.attempts, error)
    else:
        message.next_attempt_at = now + retry_delay(message.attempts)
        log.warning("mail %s to %s failed (attempt %s), next try at %s: %s", message.id, message.to_email,
                    message.attempts, message.next_attempt_at.isoformat(), error)
    db.session.commit()


def _error_text(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{rcpt}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
                         for rcpt, (code, msg) in error.recipients.items())
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error
        message = message.decode(errors="replace") if isinstance(message, bytes) else message
        return f"{error.smtp_code} {message}"
    return f"{type(error).__name__}: {error}"


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code in PERMANENT_CODES for code, _msg in error.recipients.values())
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return False  # a configuration problem: fix it and the mail goes out
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code in PERMANENT_CODES


def deliver_outbox(now: datetime | None = None, *, max_batches: int | None = None) -> DeliveryResult | str:
    """The scheduler job: send due outbox messages over SMTP; a no-op without MAIL_SERVER."""
    if not mail_configured():
        return "no MAIL_SERVER: mail stays in the outbox"
    config = current_app.config
    now = now or utcnow()
    lease = timedelta(seconds=int(config.get("MAIL_CLAIM_SECONDS", 600)))
    batch_size = int(config.get("MAIL_BATCH_SIZE", 200))
    max_batches = max_batches or int(config.get("MAIL_MAX_BATCHES", 50))
    # Stop sending well before our lease could run out, so nobody else ever holds a claim we still use.
    stop_at = time.monotonic() + lease.total_seconds() / 2
    result = DeliveryResult()
    connection = _Connection(config)
    sender = config["MAIL_DEFAULT_SENDER"]
    envelope_from = parseaddr(sender)[1]
    try:
        for _batch in range(max_batches):
            claimed = _claim(now, batch_size, lease)
            if not claimed:
                break
            loaded = {m.id: m for m in db.session.scalars(
                select(OutboxMessage).where(OutboxMessage.id.in_(claimed))
                .options(selectinload(OutboxMessage.attachments)))}
            batch, unbuildable = [], []
            for message_id in claimed:
                # Each message on its own: one that cannot be built (a header with a line break…) fails
                # with its reason, and the others still go out.
                try:
                    batch.append((message_id, loaded[message_id].to_email, build_email(loaded[message_id], sender)))
                except Exception as error:  # whatever breaks one message must not stop the rest
                    unbuildable.append((message_id, f"The message cannot be built: {_error_text(error)}"))
            for message in loaded.values():  # from here on plain UPDATEs: commits need not expire them
                for attachment in message.attachments:
                    db.session.expunge(attachment)
                db.session.expunge(message)
            db.session.commit()  # hold no lock (SQLite: the write lock) while talking to the mail server
            for message_id, reason in unbuildable:
                _record_failure(message_id, reason, now, result, permanent=True)
            broken: Exception | None = None
            for message_id, to_email, mail in batch:
                if broken is not None:
                    _record_failure(message_id, _error_text(broken), now, result)
                    continue
                if time.monotonic() > stop_at:  # out of time: release the claim untouched
                    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                                       .values(claimed_until=None).execution_options(synchronize_session=False))
                    db.session.commit()
                    continue
                try:
                    connection.get().send_message(mail, from_addr=envelope_from, to_addrs=[to_email])
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused,
                        smtplib.SMTPNotSupportedError) as error:
                    # The server answered: this message has a problem, the connection is fine.
                    _record_failure(message_id, _error_text(error), now, result, permanent=_is_permanent(error))
                    if getattr(error, "smtp_code", None) == 421:  # "service closing": the rest waits too
                        connection.close()
                        broken = error
                    elif isinstance(error, smtplib.SMTPSenderRefused):
                        connection.close()
                except ValueError as error:
                    # smtplib refused to write it (an address with a line break, or one it cannot encode):
                    # this message fails for good; a fresh connection for the next, as a MAIL command may be open.
                    connection.close()
                    _record_failure(message_id, f"The message cannot be sent: {_error_text(error)}", now, result,
                                    permanent=True)
                except (smtplib.SMTPException, OSError) as error:
                    # No server, or it went away: this message and the rest of the batch wait for the next try.
                    connection.close()
                    broken = error
                    _record_failure(message_id, _error_text(error), now, result)
                else:
                    db.session.execute(
                        update(OutboxMessage).where(OutboxMessage.id == message_id)
                        .values(status="sent", sent_at=utcnow(), claimed_until=None)
                        .execution_options(synchronize_session=False))
                    db.session.commit()
                    result.sent += 1
            if broken is not None or time.monotonic() > stop_at:
                if broken is not None:
                    result.errors.append(_error_text(broken))
                break
    finally:
        connection.close()
    if result.sent or result.failed:
        log.info("outbox delivery: %s", result)
    return result


def retry_message(message: OutboxMessage, now: datetime | None = None) -> bool:
    """An admin queues a failed message again: attempts start over, it goes out on the next run."""
    changed = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == message.id, OutboxMessage.status == "failed")
        .values(status="queued", attempts=0, next_attempt_at=now or utcnow(), claimed_until=None)
        .execution_options(synchronize_session=False))
    db.session.refresh(message)
    return changed.rowcount == 1

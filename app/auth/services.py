"""Account use cases, shared by the HTML views, the API and the command line."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import PASSWORD_MAX, PASSWORD_MIN, ApiToken, PasswordReset, User, UserSession
from app.core import audit
from app.core.db import write_apart
from app.core.errors import Conflict, Invalid, NotAllowed, NotFound
from app.core.mail import SECRET_PLACEHOLDER, queue_mail
from app.core.reference import COM_ROLES, ROLES, country_timezone, is_country, spoken_language_codes
from app.core.text import control_problems
from app.core.timeutil import is_valid_timezone, utcnow
from app.core.tokens import hash_token, new_token
from app.extensions import db


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise Invalid(str(error), fields={"email": [str(_l("Enter a valid email address."))]}) from None


def password_problem(password: str | None, user_inputs: list[str] | None = None) -> str | None:
    """Why a new password is refused, or None: the one check behind every form, the API and the CLI.

    Common and breached-style passwords (and ones built from the account's own name or address) are
    refused offline with zxcvbn: its lists of the most used passwords, words and names, and patterns
    (repeats, sequences, keyboard rows, dates). PASSWORD_MIN_SCORE (0-4) sets how hard to guess.
    """
    if not password or len(password) < PASSWORD_MIN:
        return ngettext("Use at least %(num)d character.", "Use at least %(num)d characters.", PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        return ngettext("Use at most %(num)d character.", "Use at most %(num)d characters.", PASSWORD_MAX)
    minimum = int(current_app.config.get("PASSWORD_MIN_SCORE", 3))
    if minimum <= 0:
        return None
    from zxcvbn import zxcvbn

    inputs = [part.lower() for part in user_inputs or [] if part and len(part) >= 3]
    result = zxcvbn(password, user_inputs=inputs, max_length=PASSWORD_MAX)
    if result["score"] >= minimum:
        return None
    sources = {match.get("dictionary_name") for match in result["sequence"]}
    patterns = {match.get("pattern") for match in result["sequence"]}
    if "user_inputs" in sources:
        reason = _l("It contains your name or email address.")
    elif "passwords" in sources:
        reason = _l("It is one of the most used passwords, or close to one: attackers try those first.")
    elif patterns & {"repeat", "sequence", "spatial", "date", "regex"}:
        reason = _l("It is built from repeats, sequences, keyboard rows or dates, which attackers try first.")
    else:
        reason = _l("It is made of common words or names, which attackers try first.")
    return str(_l("This password is too easy to guess. %(reason)s Add a few uncommon words, "
                  "or let a password manager make one.", reason=reason))


def user_inputs_for(*values: str | None) -> list[str]:
    """A name and an address, and their parts: what a password must not be built from."""
    parts: list[str] = []
    for value in values:
        if value:
            parts += [value, *value.replace("@", " ").replace(".", " ").split()]
    return parts


def _user_inputs(user: User | None) -> list[str]:
    return user_inputs_for(user.name, user.email) if user is not None else []


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def create_user(*, email: str, name: str, password: str, country: str, role: str = "participant",
                com_role: str = "other", organisation: str = "", is_coach: bool = False,
                timezone: str | None = None, language: str | None = None,
                languages: list[str] | None = None, actor=None, self_registered: bool = False) -> User:
    """Validate everything, then add the account; Invalid lists every bad field at once.

    Accounts made by administrators (pages, API, command line) get their Covenant role granted; a
    self-registered account only claims it, until an administrator grants it (`decide_com_role`).
    """
    fields: dict[str, list[str]] = {}
    try:
        email = normalise_email(email or "")
    except Invalid as error:
        fields.update(error.fields)
    name = (name or "").strip()
    if not name or len(name) > 120:
        fields["name"] = [str(_l("Enter a name of at most 120 characters."))]
    fields.update(control_problems({"email": email, "name": name, "organisation": organisation or ""}))
    if problem := password_problem(password, user_inputs=user_inputs_for(name, email)):
        fields["password"] = [problem]
    country = (country or "").strip().upper()
    if not is_country(country):
        fields["country"] = [str(_l("Choose a country (ISO 3166-1 code)."))]
    if role not in ROLES:
        fields["role"] = [str(_l("Choose participant, trainer or admin."))]
    if com_role not in COM_ROLES:
        fields["com_role"] = [str(_l("Choose coordinator, supporter, municipality or other."))]
    if timezone and not is_valid_timezone(timezone):
        fields["timezone"] = [str(_l("Unknown time zone."))]
    supported = current_app.config["LANGUAGES"]
    if language and language not in supported:
        fields["language"] = [str(_l("Choose one of: %(langs)s.", langs=", ".join(supported)))]
    unknown = [code for code in languages or [] if code not in spoken_language_codes()]
    if unknown:
        fields["languages"] = [str(_l("Unknown languages: %(codes)s.", codes=", ".join(unknown)))]
    if fields:
        raise Invalid(str(_l("Please correct the marked fields.")), fields=fields)
    if find_user_by_email(email):
        raise Conflict(str(_l("An account with this email address exists already.")), code="duplicate_email",
                       fields={"email": [str(_l("An account with this email address exists already."))]})
    user = User(email=email, name=name, country=country, role=role, com_role=com_role,
                organisation=(organisation or "").strip(), is_coach=bool(is_coach),
                timezone=timezone or country_timezone(country), language=language or "en",
                languages=list(languages or []),
                com_role_status=claim_status(com_role) if self_registered else "granted")
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(str(_l("An account with this email address exists already.")),
                       code="duplicate_email") from None
    if actor is not None:
        audit.record("user.create", actor, target=f"user:{user.id}", detail=f"role={role}")
    return user


def claim_status(com_role: str) -> str:
    """"other" claims no rights, so there is nothing to grant."""
    return "granted" if com_role == "other" else "claimed"


def decide_com_role(actor: User, user: User, grant: bool) -> None:
    """An administrator grants (or denies) the Covenant role an account claims."""
    if not actor.is_admin:
        raise NotAllowed()
    status = "granted" if grant else "denied"
    if user.com_role_status != status:
        user.com_role_status = status
        user.com_role_decided_at = utcnow()
        audit.record(f"user.com_role_{'grant' if grant else 'deny'}", actor, target=f"user:{user.id}",
                     detail=f"com_role={user.com_role}")


_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash of nothing, at the configured cost: unknown accounts take as long to refuse as known ones."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    return _DUMMY_HASHES[method]


def authenticate(email: str, password: str) -> User | None:
    """The user when the password matches an active account; every attempt is audited.

    A hash made at an older cost is made again at the configured one (PASSWORD_HASH_METHOD).
    """
    user = find_user_by_email(email or "")
    if user is None or not user.password_hash:
        check_password_hash(_dummy_hash(), password or "")  # the same work as for a real account
        ok = False
    else:
        ok = user.check_password(password or "") and user.is_active_account
    if ok:
        if user.password_needs_rehash():
            user.set_password(password)
        user.last_login_at = utcnow()
        audit.record("login.success", user, target=f"user:{user.id}")
        return user
    audit.record("login.failure", None, target=(email or "")[:200])
    return None


# Browser sessions ------------------------------------------------------------------------------------

def _duration(value) -> timedelta:
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def start_user_session(user: User, *, remember: bool, ip: str = "", user_agent: str = "") -> str:
    """A new UserSession for a browser; returns its random key (kept in the cookies, only its hash here)."""
    key = new_token()
    now = utcnow()
    db.session.add(UserSession(
        user_id=user.id, token_hash=hash_token(key), is_remembered=bool(remember), created_at=now,
        last_seen_at=now, expires_at=now + _duration(current_app.config["REMEMBER_COOKIE_DURATION"]),
        ip=(ip or "")[:64], user_agent=(user_agent or "")[:300]))
    user.session_key = key
    return key


def user_for_session(key: str | None, *, touch: bool = False, now=None) -> User | None:
    """The account of a live browser session, or None when it ended, expired or sat idle too long.

    With `touch`, `last_seen_at` moves on (at most once a minute) and a dead row is deleted, each in a
    short write transaction of its own (`write_apart`), so a reading request stays a reader.
    """
    if not key:
        return None
    now = now or utcnow()
    row = db.session.scalar(select(UserSession).join(UserSession.user).options(contains_eager(UserSession.user))
                            .where(UserSession.token_hash == hash_token(key)))  # one query, as before
    if row is None:
        return None
    user = row.user
    idle = timedelta(minutes=int(current_app.config["SESSION_IDLE_MINUTES"]))
    if row.expires_at <= now or not user.is_active_account or (
            not row.is_remembered and row.last_seen_at + idle <= now):
        if touch:
            with write_apart():
                db.session.execute(delete(UserSession).where(UserSession.id == row.id))
        return None
    if touch and now - row.last_seen_at >= timedelta(minutes=1):
        with write_apart():
            db.session.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now)
                               .execution_options(synchronize_session=False))
    user.session_key = key
    return user


def end_user_session(key: str | None) -> None:
    if key:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == hash_token(key)))


def end_user_sessions(user: User, keep_key: str | None = None) -> None:
    """Sign the account out everywhere (except the browser holding `keep_key`)."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_key:
        query = query.where(UserSession.token_hash != hash_token(keep_key))
    db.session.execute(query.execution_options(synchronize_session=False))


def active_sessions(user: User) -> list[UserSession]:
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                             UserSession.expires_at > utcnow())
                                   .order_by(UserSession.last_seen_at.desc())))


def purge_user_sessions(now=None) -> str:
    """Scheduler job: forget expired and idle browser sessions."""
    now = now or utcnow()
    idle = timedelta(minutes=int(current_app.config["SESSION_IDLE_MINUTES"]))
    result = db.session.execute(delete(UserSession).where(
        (UserSession.expires_at <= now)
        | ((UserSession.is_remembered.is_(False)) & (UserSession.last_seen_at <= now - idle))))
    db.session.commit()
    return f"{result.rowcount} sessions ended"


def update_profile(user: User, **values) -> User:
    """Own profile changes; a new Covenant role is a claim again, for an administrator to grant."""
    if problems := control_problems({k: values.get(k) for k in ("name", "organisation")}):
        raise Invalid(str(_l("Please correct the marked fields.")), fields=problems)
    new_role = values.get("com_role")
    if new_role is not None and new_role != user.com_role:
        if new_role not in COM_ROLES:
            raise Invalid(fields={"com_role": [str(_l("Choose coordinator, supporter, municipality or other."))]})
        user.com_role_status = claim_status(new_role)
        user.com_role_decided_at = None
        audit.record("user.com_role_claim", user, target=f"user:{user.id}", detail=f"com_role={new_role}")
    for key in ("name", "organisation", "country", "com_role", "timezone", "language", "languages"):
        if key in values and values[key] is not None:
            setattr(user, key, values[key])
    return user


def change_password(user: User, *, current_password: str, password: str, keep_session: str | None = None) -> None:
    """A new password; every browser but the one holding `keep_session` is signed out."""
    if not user.check_password(current_password):
        raise Invalid(str(_l("Your current password is not correct.")),
                      fields={"current_password": [str(_l("Your current password is not correct."))]})
    set_new_password(user, password, keep_session=keep_session)
    audit.record("password.change", user, target=f"user:{user.id}")


def set_new_password(user: User, new: str, *, keep_session: str | None = None) -> None:
    """The new password ends every other browser session, every API token and every open reset link,
    and a mail tells the owner (the one way they learn of it when it was not them)."""
    if problem := password_problem(new, user_inputs=_user_inputs(user)):
        raise Invalid(problem, fields={"password": [problem]})
    user.set_password(new)
    end_user_sessions(user, keep_key=keep_session)
    _end_password_resets(user)
    revoke_api_tokens(user)
    queue_mail(user, "password_changed", "password_changed",
               subject=_l("Your Mayors in Action password was changed"),
               context={"reset_url": url_for("auth.forgot_password", _external=True),
                        "contact": current_app.config["CONTACT_EMAIL"], "at": utcnow()})


def _reset_token(salt: str) -> str:
    """A reset link's token: HMAC(secret key, salt), rebuilt when the mail is sent; only its hash is stored."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    digest = hmac.new(key, f"password-reset:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _end_password_resets(user: User) -> None:
    """Every reset link of the account still open stops working."""
    db.session.execute(update(PasswordReset)
                       .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                       .values(used_at=utcnow()).execution_options(synchronize_session=False))


def request_password_reset(email: str) -> None:
    """Mail a single-use link; silent for unknown addresses so accounts cannot be discovered.

    A newer request ends the older links. The outbox keeps the mail with the link hidden
    (SECRET_PLACEHOLDER): `reset_link_secret` puts the token in when the mail is sent.
    """
    user = find_user_by_email(email)
    if user is None or not user.is_active_account:
        return
    _end_password_resets(user)
    salt = secrets.token_hex(32)
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    reset = PasswordReset(user_id=user.id, token_salt=salt, token_hash=hash_token(_reset_token(salt)),
                          expires_at=utcnow() + timedelta(minutes=minutes))
    db.session.add(reset)
    db.session.flush()
    queue_mail(user, "password_reset", "password_reset", subject=_l("Reset your Mayors in Action password"),
               context={"link": url_for("auth.reset_password", token=SECRET_PLACEHOLDER, _external=True),
                        "minutes": minutes},
               dedupe_key=f"password_reset:{reset.id}")
    audit.record("password.reset_requested", user, target=f"user:{user.id}")


def reset_link_secret(message) -> str | None:
    """The token of a reset mail being sent (app/core/mail.py register_mail_secret), while the link is open."""
    reference = (message.dedupe_key or "").removeprefix("password_reset:")
    reset = db.session.get(PasswordReset, int(reference)) if reference.isdigit() else None
    if reset is None or reset.token_salt is None or reset.user_id != message.user_id \
            or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return _reset_token(reset.token_salt)


def find_password_reset(token: str | None) -> PasswordReset | None:
    """The open reset for a link's token, or None when unknown, used, ended or expired."""
    if not token:
        return None
    reset = db.session.scalar(select(PasswordReset).where(PasswordReset.token_hash == hash_token(token)))
    if reset is None or reset.used_at is not None or reset.expires_at < utcnow():
        return None
    return reset


def reset_password(token: str, *, password: str) -> User:
    """Use a reset link once: the conditional update makes a second use (or a race) fail."""
    reset = find_password_reset(token)
    if reset is None:
        raise NotFound(str(_l("This link is invalid or has expired. Ask for a new one.")), code="invalid_token")
    if problem := password_problem(password, user_inputs=_user_inputs(reset.user)):
        raise Invalid(problem, fields={"password": [problem]})
    claimed = db.session.execute(
        update(PasswordReset).where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow()))
    if claimed.rowcount != 1:
        raise NotFound(str(_l("This link is invalid or has expired. Ask for a new one.")), code="invalid_token")
    set_new_password(reset.user, password)
    audit.record("password.reset", reset.user, target=f"user:{reset.user_id}")
    return reset.user


TOKEN_DAYS_MAX = 3650


def create_api_token(user: User, name: str, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """A new token, valid for `expires_in_days` (API_TOKEN_DAYS by default); the plain value is
    returned once and never stored."""
    days = int(expires_in_days or current_app.config["API_TOKEN_DAYS"])
    if not 1 <= days <= TOKEN_DAYS_MAX:
        message = ngettext("Choose between 1 and %(num)d day.", "Choose between 1 and %(num)d days.", TOKEN_DAYS_MAX)
        raise Invalid(message, fields={"expires_in_days": [message]})
    name = (name or "").strip()[:80] or "API"
    plain = new_token("mia_")
    now = utcnow()
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(plain), prefix=plain[:10],
                     created_at=now, expires_at=now + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    audit.record("token.create", user, target=f"token:{token.id}", detail=f"days={days}")
    return token, plain


def list_api_tokens(user: User):
    """The account's tokens that still work or expired, newest first (revoked ones are gone)."""
    return (select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))


def revoke_api_token(user: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("token.revoke", user, target=f"token:{token.id}")
    return token


def revoke_api_tokens(user: User) -> None:
    """Every token of the account stops working (a password change)."""
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()).execution_options(synchronize_session=False))


def user_for_api_token(plain: str, now=None) -> User | None:
    """The account of a live token; `last_used_at` moves on at most once a minute (the caller commits)."""
    now = now or utcnow()
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain),
                                                     ApiToken.revoked_at.is_(None)))
    if token is None or token.is_expired(now) or not token.user.is_active_account:
        return None
    if token.last_used_at is None or now - token.last_used_at >= timedelta(minutes=1):
        token.last_used_at = now
    return token.user


def set_role(actor: User, user: User, *, role: str, is_coach: bool, is_active: bool) -> None:
    if role not in ROLES:
        raise Invalid(str(_l("Unknown role.")), fields={"role": [str(_l("Unknown role."))]})
    if user.id == actor.id and (role != "admin" or not is_active):
        raise Conflict(str(_l("You cannot remove your own administrator rights or deactivate yourself.")))
    changes = []
    if user.role != role:
        changes.append(f"role {user.role}->{role}")
        user.role = role
    if user.is_coach != is_coach:
        changes.append(f"coach {user.is_coach}->{is_coach}")
        user.is_coach = is_coach
    if user.is_active_account != is_active:
        changes.append(f"active {user.is_active_account}->{is_active}")
        user.is_active_account = is_active
        if not is_active:
            end_user_sessions(user)
    if changes:
        audit.record("user.update", actor, target=f"user:{user.id}", detail="; ".join(changes))


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


class LastAdmin(Conflict):
    code = "last_admin"


def active_admin_count() -> int:
    return db.session.scalar(select(func.count(User.id)).where(User.role == "admin",
                                                               User.is_active_account.is_(True))) or 0


def erase_user(actor: User, user: User, *, password: str | None = None,
               keep_name_on_practices: bool = False) -> list[str]:
    """Delete an account on its owner's request (password confirmed) or by an admin; audited.

    Every feature erases or anonymises its part (app/core/privacy.py); the caller commits.
    """
    from app.core.privacy import ErasureRequest, erase_personal_data

    if user.is_erased:
        raise Conflict(str(_l("This account is deleted already.")), code="already_erased")
    if actor.id == user.id:
        if not user.check_password(password or ""):
            raise Invalid(str(_l("Your password is not correct.")),
                          fields={"password": [str(_l("Your password is not correct."))]})
    elif not actor.is_admin:
        raise NotFound()
    if user.is_admin and user.is_active_account and active_admin_count() <= 1:
        raise LastAdmin(str(_l("The last administrator cannot be deleted. Make someone else an "
                               "administrator first.")))
    request = ErasureRequest(actor=actor, keep_name_on_practices=keep_name_on_practices)
    notes = erase_personal_data(user, request)
    audit.record("user.erase", actor, target=f"user:{user.id}",
                 detail=("self" if actor.id == user.id else "by admin") + "; " + "; ".join(notes))
    return notes

"""Account pages: register, log in and out, profile, password, API tokens, calendar feed."""
from __future__ import annotations

from flask import abort, flash, g, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from app.auth import bp, services
from app.auth.forms import (
    DeleteAccountForm,
    ForgotPasswordForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    TokenForm,
)
from app.auth.limits import forgot_limits, login_limits
from app.auth.models import ApiToken, User
from app.core import audit
from app.core.calendar import feed_url, revoke_feed, rotate_feed
from app.core.forms import ConfirmForm, form_errors_from, saving
from app.core.timeutil import utcnow
from app.core.tokens import hash_token
from app.core.urls import safe_next
from app.extensions import db, login_manager


@login_manager.user_loader
def load_user(session_key: str) -> User | None:
    """The session and remember cookies carry a browser's random key: a live UserSession, or nobody."""
    return services.user_for_session(session_key, touch=g.get("auth_may_write", False))


@bp.before_app_request
def _load_user_first():
    """Load the signed-in user before any view runs, so the loader's write commits nothing else."""
    if request.path.startswith(("/static/", "/api/")):
        return
    g.auth_may_write = True
    try:
        current_user._get_current_object()
    finally:
        g.auth_may_write = False


def _start_session(user: User, remember: bool) -> None:
    next_url = session.get("next_after_login")
    language = session.get("language")
    session.clear()  # a fresh session at login: nothing set before it survives (fixation)
    if language:
        session["language"] = language
    services.start_user_session(user, remember=remember, ip=audit.client_ip(),
                                user_agent=request.user_agent.string)
    db.session.commit()
    login_user(user, remember=remember)
    if next_url:
        session["next_after_login"] = next_url


def _end_session() -> None:
    """Sign this browser out: the session is emptied and Flask-Login deletes the remember cookie."""
    language = current_user.language  # the interface stays in the language they were using
    session.clear()
    logout_user()  # after clear(): it leaves the instruction to delete the remember cookie
    session["language"] = language


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = RegisterForm()
    if request.method == "GET":
        form.language.data = session.get("language") or request.accept_languages.best_match(
            [c for c, _label in form.language.choices]) or "en"
    if form.validate_on_submit():
        with saving(form) as saved:
            user = services.create_user(**form.values(), self_registered=True)
            audit.record("user.register", user, target=f"user:{user.id}")
        if saved:
            _start_session(user, remember=False)  # a fresh session: the welcome is flashed into it
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.name), "success")
            if user.is_waiting_for_role:
                flash(_("An administrator will confirm your role in the Covenant of Mayors; until then you "
                        "can take part in training, coaching and peer exchanges."), "info")
            return redirect(url_for("auth.profile"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        db.session.commit()  # the audit record, also of a failure
        if user is not None:
            target = safe_next(request.args.get("next"))
            _start_session(user, remember=form.remember.data)
            flash(_("Welcome back, %(name)s.", name=user.name), "success")
            return redirect(target or url_for("core.home"))
        flash(_("The email address or password is not correct."), "danger")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = ConfirmForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        services.end_user_session(current_user.get_id())
        audit.record("logout", current_user, target=f"user:{current_user.id}")
        db.session.commit()
        _end_session()
        flash(_("You are signed out."), "info")
    return redirect(url_for("core.home"))


@bp.route("/sessions/end", methods=["POST"])
@login_required
def end_sessions():
    """Sign out everywhere: every browser and remember cookie of the account, this one included."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.end_user_sessions(current_user)
    audit.record("logout.everywhere", current_user, target=f"user:{current_user.id}")
    db.session.commit()
    _end_session()
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("auth.login"))


def _profile_page(form: ProfileForm, token_form: TokenForm | None = None, new_token: str | None = None):
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == current_user.id)
                                .order_by(ApiToken.created_at.desc())).all()
    return render_template("auth/profile.html", form=form, tokens=tokens, token_form=token_form or TokenForm(),
                           sessions=services.active_sessions(current_user),
                           current_session_hash=hash_token(current_user.get_id()),
                           confirm_form=ConfirmForm(), feed=feed_url(current_user, create=False),
                           new_token=new_token, now=utcnow(),
                           feed_notice=request.args.get("feed"))  # the template says only "new" or "off"


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        with saving(form) as saved:
            services.update_profile(current_user, **form.values())
        if saved:
            session["language"] = form.language.data
            flash(_("Your profile is saved."), "success")  # after the change: in the language just chosen
            return redirect(url_for("auth.profile"))
    return _profile_page(form)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        with saving(form, success=_("Your password is changed. Other devices are signed out.")) as saved:
            services.change_password(current_user, **form.values(), keep_session=current_user.get_id())
        if saved:
            return redirect(url_for("auth.profile"))
    return render_template("auth/password.html", form=form)


@bp.route("/forgot", methods=["GET", "POST"])
@forgot_limits
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash(_("If an account uses this address, we have sent it a link to choose a new password."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


def _show_reset_error(form: ResetPasswordForm, error) -> None:
    """A dead link is said at the top of the page it sends to; a weak password next to its field."""
    if error.status == 404:
        flash(error.message, "danger")
    else:
        form_errors_from(form, error)


@bp.route("/reset", methods=["GET", "POST"], defaults={"token": None})
@bp.route("/reset/<token>", methods=["GET", "POST"])  # a POST here is treated as opening the link
def reset_password(token: str | None):
    """The link from the mail parks its token in the session and redirects to /auth/reset: the token
    leaves the address bar, the history and the access logs after the first request."""
    if token is not None:
        if services.find_password_reset(token) is None:
            flash(_("This link is invalid or has expired. Ask for a new one."), "danger")
            return redirect(url_for("auth.forgot_password"))
        session["reset_token"] = token
        return redirect(url_for("auth.reset_password"))
    reset = services.find_password_reset(session.get("reset_token"))
    if reset is None:
        session.pop("reset_token", None)
        flash(_("This link is invalid or has expired. Ask for a new one."), "danger")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    form.user_inputs = services.user_inputs_for(reset.user.name, reset.user.email)
    if form.validate_on_submit():
        with saving(form, success=_("Your new password is set. Please sign in."),
                    show=lambda error: _show_reset_error(form, error)) as saved:
            services.reset_password(session.get("reset_token"), **form.values())
        if saved:
            session.pop("reset_token", None)
            return redirect(url_for("auth.login"))
        if saved.error is not None and saved.error.status == 404:  # the link was used meanwhile, or expired
            return redirect(url_for("auth.forgot_password"))
    return render_template("auth/reset.html", form=form)


@bp.route("/tokens", methods=["POST"])
@login_required
def create_token():
    """The new token is shown once, in the answer to this POST: never in the session cookie or a flash."""
    form = TokenForm()
    if form.validate_on_submit():
        with saving(form, success=_("Your new API token is shown below. Copy it now: it will not be shown "
                                    "again.")) as saved:
            _token, plain = services.create_api_token(current_user, **form.values())
        if saved:
            return _profile_page(ProfileForm(obj=current_user), new_token=plain)
    else:
        flash(_("Give the token a name."), "danger")
    return _profile_page(ProfileForm(obj=current_user), token_form=form), 422


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.revoke_api_token(current_user, token_id)
    db.session.commit()
    flash(_("The token is revoked."), "info")
    return redirect(url_for("auth.profile") + "#tokens")


@bp.route("/calendar/<action>", methods=["POST"])
@login_required
def calendar_feed(action: str):
    if action not in ("rotate", "revoke") or not ConfirmForm().validate_on_submit():
        abort(400)
    if action == "rotate":
        rotate_feed(current_user)
    else:
        revoke_feed(current_user)
    audit.record(f"calendar.{action}", current_user, target=f"user:{current_user.id}")
    db.session.commit()
    # The page opens at the calendar section, so its message is said there, in view (not at the top).
    return redirect(url_for("auth.profile", feed="new" if action == "rotate" else "off") + "#calendar")


@bp.route("/my-data", methods=["POST"])
@login_required
def download_my_data():
    """Everything the platform holds about me, one JSON file per feature in a ZIP (POST: CSRF, no cache)."""
    from app.core.privacy import personal_data_zip

    if not ConfirmForm().validate_on_submit():
        abort(400)
    data = personal_data_zip(current_user)
    audit.record("user.export", current_user, target=f"user:{current_user.id}")
    db.session.commit()
    response = make_response(data)
    response.headers["Content-Type"] = "application/zip"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="mayors-in-action-my-data-{current_user.id}.zip"')
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        with saving(form) as saved:
            services.erase_user(user, user, **form.values())
        if saved:
            language = session.get("language")
            logout_user()
            session.clear()
            if language:
                session["language"] = language
            flash(_("Your account and your personal data are deleted. Thank you for taking part."), "info")
            return redirect(url_for("core.home"))
    return render_template("auth/delete.html", form=form)

"""Peer exchange pages and the public good-practice library; thin over services."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.calendar import ics_response
from app.core.forms import ConfirmForm, saving
from app.core.i18n import viewer_timezone
from app.core.pagination import paginate
from app.core.permissions import allowed_if, load_visible
from app.extensions import db
from app.peers import bp, library_bp, services
from app.peers.forms import (
    FORMAT_CHOICES,
    LibraryFilterForm,
    MeetingForm,
    MessageForm,
    ProfileForm,
    ProposeForm,
    ReportForm,
    ReviewForm,
    RoundForm,
    SuggestionFilterForm,
)
from app.peers.matching import score_parts
from app.peers.models import (
    Exchange,
    ExchangeMessage,
    GoodPractice,
    Meeting,
    PairingRound,
    PeerProfile,
    RoundPair,
)

ACTION_LABELS = {"accept": _l("Accept"), "decline": _l("Decline"), "cancel": _l("Cancel the exchange"),
                 "complete": _l("Confirm it took place")}


def _exchange_or_404(exchange_id: int) -> Exchange:
    return load_visible(Exchange, exchange_id, current_user, can_see=lambda e, u: e.can_see(u),
                        options=[selectinload(Exchange.proposer), selectinload(Exchange.partner),
                                 selectinload(Exchange.messages).selectinload(ExchangeMessage.author),
                                 selectinload(Exchange.meetings), selectinload(Exchange.practice)])


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return render_template("peers/index.html", profile=None, exchanges=[], suggestions=[])
    profile = services.get_profile(current_user)
    exchanges = db.session.scalars(services.my_exchanges(current_user).limit(50)).all()
    suggestions = services.suggest_partners(current_user, limit=3) if profile else []
    to_review = (db.session.scalar(select(func.count()).select_from(services.practices_to_review().subquery()))
                 if current_user.is_trainer else 0)
    return render_template("peers/index.html", profile=profile, exchanges=exchanges, suggestions=suggestions,
                           to_review=to_review)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    current = services.get_profile(current_user)
    form = ProfileForm(obj=current)
    if request.method == "GET" and current is None:
        form.languages.data = list(current_user.languages or [])
        form.formats.data = ["online", "visit", "hosting"]
    if form.validate_on_submit():
        with saving(form, success=_("Your peer profile is saved.")) as saved:
            services.save_profile(current_user, **form.values())
        if saved:
            return redirect(url_for("peers.suggestions"))
    return render_template("peers/profile.html", form=form, profile=current)


@bp.route("/suggestions")
@login_required
def suggestions():
    form = SuggestionFilterForm(request.args)
    profile = services.get_profile(current_user)
    found = []
    if profile is not None:
        form.validate()
        found = services.suggest_partners(current_user, topic=form.topic.data or None,
                                          country=form.country.data or None, language=form.language.data or None)
    return render_template("peers/suggestions.html", form=form, profile=profile, suggestions=found,
                           format_names=dict(FORMAT_CHOICES))


@bp.route("/propose/<int:user_id>", methods=["GET", "POST"])
@login_required
def propose(user_id: int):
    partner = db.session.get(User, user_id)
    if partner is None or not partner.is_active_account:
        abort(404)
    partner_profile = services.get_profile(partner)
    mine = services.get_profile(current_user)
    form = ProposeForm()
    parts = None
    if partner_profile is not None and mine is not None:
        parts = score_parts(services.peer_of(partner_profile), services.peer_of(mine))
    if request.method == "GET":
        form.partner_id.data = partner.id
        if parts is not None:
            form.topic.data = services.best_topic(parts)
    if form.validate_on_submit():
        with saving(form, success=_("Your proposal is sent to %(name)s.", name=partner.name)) as saved:
            exchange = services.propose_exchange(current_user, partner_id=partner.id, introduce=True, **form.values())
        if saved:
            return redirect(url_for("peers.exchange", exchange_id=exchange.id))
    reasons = services.reasons_for_viewer(parts) if parts is not None and parts.score else []
    return render_template("peers/propose.html", form=form, partner=partner, partner_profile=partner_profile,
                           reasons=reasons)


@bp.route("/exchanges/<int:exchange_id>")
@login_required
def exchange(exchange_id: int):
    item = _exchange_or_404(exchange_id)
    meeting_form = MeetingForm()
    if not meeting_form.is_submitted():
        meeting_form.timezone.data = viewer_timezone()
    return render_template("peers/exchange.html", exchange=item, other=item.other(current_user),
                           actions=services.allowed_actions(item, current_user), action_labels=ACTION_LABELS,
                           can_plan=item.can_plan(current_user), can_report=item.can_report(current_user),
                           message_form=MessageForm(), meeting_form=meeting_form, confirm_form=ConfirmForm())


@bp.route("/exchanges/<int:exchange_id>/<action>", methods=["POST"])
@login_required
def exchange_action(exchange_id: int, action: str):
    if action not in services.EXCHANGE_ACTIONS:
        abort(404)
    item = _exchange_or_404(exchange_id)
    if ConfirmForm().validate_on_submit():
        messages = {"accept": _("You accepted the exchange. Say hello and plan a first meeting."),
                    "decline": _("You declined the proposal."), "cancel": _("The exchange is cancelled."),
                    "complete": _("Thank you. The exchange is completed once you both confirmed.")}
        with saving(success=messages[action]):
            services.EXCHANGE_ACTIONS[action](current_user, item)
    return redirect(url_for("peers.exchange", exchange_id=exchange_id))


@bp.route("/exchanges/<int:exchange_id>/messages", methods=["POST"])
@login_required
def post_message(exchange_id: int):
    item = _exchange_or_404(exchange_id)
    form = MessageForm()
    if form.validate_on_submit():
        with saving():
            services.post_message(current_user, item, **form.values())
    else:
        flash(_("Write a message."), "danger")
    return redirect(url_for("peers.exchange", exchange_id=exchange_id, _anchor="thread"))


@bp.route("/exchanges/<int:exchange_id>/meetings", methods=["POST"])
@login_required
def plan_meeting(exchange_id: int):
    item = _exchange_or_404(exchange_id)
    form = MeetingForm()
    if form.validate_on_submit():
        with saving(form, success=_("The meeting is planned; you both receive an invitation for your calendar.")
                    ) as saved:
            services.plan_meeting(current_user, item, **form.values())
        if saved:
            return redirect(url_for("peers.exchange", exchange_id=exchange_id, _anchor="meetings"))
    return render_template("peers/exchange.html", exchange=item, other=item.other(current_user),
                           actions=services.allowed_actions(item, current_user), action_labels=ACTION_LABELS,
                           can_plan=item.can_plan(current_user), can_report=item.can_report(current_user),
                           message_form=MessageForm(), meeting_form=form, confirm_form=ConfirmForm()), 422


def _meeting_or_404(meeting_id: int) -> Meeting:
    return load_visible(Meeting, meeting_id, current_user, can_see=lambda m, u: m.exchange.can_see(u))


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
@login_required
def cancel_meeting(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    if ConfirmForm().validate_on_submit():
        with saving(success=_("The meeting is cancelled; you both receive the cancellation.")):
            services.cancel_meeting(current_user, meeting)
    return redirect(url_for("peers.exchange", exchange_id=meeting.exchange_id, _anchor="meetings"))


@bp.route("/meetings/<int:meeting_id>.ics")
@login_required
def meeting_ics(meeting_id: int):
    meeting = _meeting_or_404(meeting_id)
    data, method = services.meeting_ics(meeting)
    return ics_response(data, f"peer-meeting-{meeting.id}.ics", method)


@bp.route("/exchanges/<int:exchange_id>/report", methods=["GET", "POST"])
@login_required
def report(exchange_id: int):
    item = _exchange_or_404(exchange_id)
    practice = item.practice
    if not item.can_report(current_user):
        flash(_("A report is written once the exchange is accepted."), "info")
        return redirect(url_for("peers.exchange", exchange_id=exchange_id))
    if practice is not None and practice.status != "changes_requested":
        return redirect(url_for("good_practices.show", practice_id=practice.id))
    form = ReportForm(obj=practice)
    if request.method == "GET" and practice is None:
        form.topic.data = item.topic
        form.countries.data = sorted({p.country for p in item.people})
        form.language.data = current_user.language or "en"
    if form.validate_on_submit():
        with saving(form, success=_("Thank you! Your report is sent for review; once published it appears in "
                                    "the library.")) as saved:
            practice = services.submit_report(current_user, item, **form.values())
        if saved:
            return redirect(url_for("peers.exchange", exchange_id=exchange_id, _anchor="report"))
    return render_template("peers/report.html", form=form, exchange=item, practice=practice)


# Review of reports (trainers, admins) ----------------------------------------------------------

@bp.route("/review")
@allowed_if(GoodPractice.can_review)
def review_list():
    page = paginate(services.practices_to_review())
    return render_template("peers/review_list.html", page=page)


@bp.route("/review/<int:practice_id>", methods=["GET", "POST"])
@allowed_if(GoodPractice.can_review)
def review(practice_id: int):
    practice = load_visible(GoodPractice, practice_id, current_user, can_see=lambda p, u: p.can_see(u))
    form = ReviewForm(summary_en=practice.summary_en or (practice.summary if practice.language == "en" else ""))
    if form.validate_on_submit():
        publish = "publish" in request.form
        with saving(form, success=_("The good practice is published.") if publish
                    else _("The authors are asked for changes.")) as saved:
            if publish:
                services.publish_practice(current_user, practice, **form.values())
            else:
                services.request_practice_changes(current_user, practice, **form.values())
        if saved:
            return redirect(url_for("peers.review_list"))
    return render_template("peers/review.html", practice=practice, form=form,
                           people=services.practice_people(practice))


# Pairing rounds (admins) ------------------------------------------------------------------------

@bp.route("/rounds", methods=["GET", "POST"])
@allowed_if(PairingRound.can_run)
def rounds():
    people = db.session.scalars(select(User).join(PeerProfile, PeerProfile.user_id == User.id)
                                .where(User.is_active_account.is_(True)).order_by(User.name)).all()
    form = RoundForm(people=people)
    if form.validate_on_submit():
        with saving(form) as saved:
            round_ = services.run_pairing_round(current_user, **form.values())
        if saved:
            return redirect(url_for("peers.round_preview", round_id=round_.id))
    recent = db.session.scalars(select(PairingRound).order_by(PairingRound.id.desc()).limit(10)).all()
    return render_template("peers/rounds.html", form=form, recent=recent)


@bp.route("/rounds/<int:round_id>")
@allowed_if(PairingRound.can_run)
def round_preview(round_id: int):
    round_ = load_visible(PairingRound, round_id, current_user,
                          options=[selectinload(PairingRound.pairs).selectinload(RoundPair.a),
                                   selectinload(PairingRound.pairs).selectinload(RoundPair.b)])
    ids = [int(i) for i in round_.unmatched_reasons]
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    return render_template("peers/round.html", round=round_, reasons=services.round_pair_reasons(round_),
                           unmatched=[(people.get(i), i, r) for i, r in round_.unmatched_reasons.items()],
                           reason_texts=services.NOT_IN_ROUND_REASONS, confirm_form=ConfirmForm())


@bp.route("/rounds/<int:round_id>/confirm", methods=["POST"])
@allowed_if(PairingRound.can_run)
def confirm_round(round_id: int):
    round_ = load_visible(PairingRound, round_id, current_user)
    if ConfirmForm().validate_on_submit():
        with saving() as saved:
            made = services.confirm_round(current_user, round_)
        if saved:
            flash(ngettext("%(num)d proposal is sent.", "%(num)d proposals are sent.", made), "success")
    return redirect(url_for("peers.round_preview", round_id=round_id))


# The public library -----------------------------------------------------------------------------

@library_bp.route("/", endpoint="index")
def library():
    form = LibraryFilterForm(request.args)
    form.validate()
    page = paginate(services.search_practices(form.q.data, form.topic.data or None, form.country.data or None,
                                              form.language.data or None))
    return render_template("peers/library.html", form=form, page=page)


@library_bp.route("/<int:practice_id>")
def show(practice_id: int):
    user = current_user if current_user.is_authenticated else None
    practice = load_visible(GoodPractice, practice_id, user, can_see=lambda p, u: p.can_see(u))
    return render_template("peers/practice.html", practice=practice, people=services.practice_people(practice),
                           can_review=practice.awaits_review_by(user))

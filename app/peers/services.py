"""Peer exchange use cases: profiles, suggestions, exchanges and their states, meetings, reports,
good practices and pairing rounds. Views, the API and the CLI all call these."""
from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, case, func, or_, select, type_coerce, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core import search
from app.core.calendar import CalendarEvent, build_calendar, uid_for
from app.core.errors import Conflict, Invalid, NotAllowed, NotFound
from app.core.home import section_html
from app.core.mail import calendar_attachment, queue_mail
from app.core.reference import TOPICS, is_country, spoken_language_codes, topic_name
from app.core.reminders import cancel_reminders, schedule_reminders
from app.core.timeutil import is_valid_timezone, utcnow
from app.extensions import db
from app.peers.matching import (
    NO_ELIGIBLE_PARTNER,
    PARTNERS_TAKEN,
    Peer,
    ScoreParts,
    pair_key,
    pair_round,
    score_parts,
)
from app.peers.models import (
    FORMATS,
    MEETING_KINDS,
    OPEN_STATUSES,
    Exchange,
    ExchangeMessage,
    GoodPractice,
    Meeting,
    PairingRound,
    PeerProfile,
    RoundPair,
)

log = logging.getLogger("app.peers")

NOT_IN_ROUND_REASONS = {
    NO_ELIGIBLE_PARTNER: _l("Nobody in this round is from another country, shares a language and a topic "
                            "with them, without an earlier exchange."),
    PARTNERS_TAKEN: _l("Their possible partners are in pairs that score more overall."),
    "no_profile": _l("No peer profile yet."),
    "not_available": _l("Not available for pairing."),
    "unknown": _l("No such active account."),
}


STATUS_NAMES = {"proposed": _l("proposed"), "accepted": _l("accepted"), "declined": _l("declined"),
                "cancelled": _l("cancelled"), "completed": _l("completed")}


class SameCountry(Invalid):
    """Exchanges are between people of different countries."""

    code = "same_country"


class WrongState(Conflict):
    """The exchange is not in a state that allows this."""

    code = "wrong_state"


# Profiles ---------------------------------------------------------------------------------------

def get_profile(user) -> PeerProfile | None:
    return db.session.get(PeerProfile, user.id)


def _check_codes(values: Iterable[str], allowed: Iterable[str], field: str, errors: dict) -> list[str]:
    values = list(dict.fromkeys(v for v in values or [] if v))
    unknown = [v for v in values if v not in set(allowed)]
    if unknown:
        errors[field] = [_("Unknown: %(codes)s", codes=", ".join(unknown))]
    return values


def save_profile(user, *, offers: Iterable[str], needs: Iterable[str], languages: Iterable[str],
                 bio: str = "", places: str = "", formats: Iterable[str] | None = None,
                 is_available: bool = True, is_public: bool | None = None) -> PeerProfile:
    errors: dict[str, list[str]] = {}
    offers = _check_codes(offers, TOPICS, "offers", errors)
    needs = _check_codes(needs, TOPICS, "needs", errors)
    languages = _check_codes(languages, spoken_language_codes(), "languages", errors)
    formats = _check_codes(formats if formats is not None else FORMATS, FORMATS, "formats", errors)
    if not languages and "languages" not in errors:
        errors["languages"] = [_("Choose at least one language you can work in.")]
    if not offers and not needs and "offers" not in errors:
        errors["offers"] = [_("Choose at least one topic you offer or need.")]
    if len(bio or "") > 2000:
        errors["bio"] = [_("At most 2,000 characters.")]
    if len(places or "") > 300:
        errors["places"] = [_("At most 300 characters.")]
    if errors:
        raise Invalid(_("The profile is not valid."), fields=errors)
    profile = get_profile(user)
    if profile is None:
        profile = PeerProfile(user_id=user.id)
        db.session.add(profile)
    profile.offers, profile.needs, profile.languages, profile.formats = offers, needs, languages, formats
    profile.bio, profile.places, profile.is_available = (bio or "").strip(), (places or "").strip(), is_available
    if is_public is not None:
        profile.is_public = is_public
    try:
        db.session.flush()
    except IntegrityError as error:  # two first saves at once
        db.session.rollback()
        raise Conflict(_("Your profile was saved at the same moment elsewhere; try again.")) from error
    return profile


def peer_of(profile: PeerProfile) -> Peer:
    return Peer.of(profile.user_id, profile.user.country, profile.languages, profile.offers, profile.needs)


def exchanged_pairs(user_id: int | None = None) -> set[frozenset[int]]:
    """Pairs of people who had an exchange (in any state): they are not suggested or paired again."""
    query = select(Exchange.low_id, Exchange.high_id)
    if user_id is not None:
        query = query.where(or_(Exchange.low_id == user_id, Exchange.high_id == user_id))
    return {pair_key(a, b) for a, b in db.session.execute(query)}


# Suggestions ------------------------------------------------------------------------------------

@dataclass
class Suggestion:
    user: User
    profile: PeerProfile
    score: int
    parts: ScoreParts

    @property
    def reasons(self) -> list[str]:
        return reasons_for_viewer(self.parts)


def reasons_for_viewer(parts: ScoreParts) -> list[str]:
    """The score in words, from the viewer's side (`parts` computed as (candidate, viewer))."""
    reasons = [_("Offers %(topic)s, which you need", topic=topic_name(t)) for t in parts.a_offers_b_needs]
    reasons += [_("Needs %(topic)s, which you offer", topic=topic_name(t)) for t in parts.b_offers_a_needs]
    reasons += [_("Also needs %(topic)s, like you", topic=topic_name(t)) for t in parts.shared_needs]
    return reasons


def reasons_for_pair(parts: ScoreParts, a: User, b: User) -> list[str]:
    """The score of a pair in words, for a third person (the admin's round preview)."""
    reasons = [_("%(a)s offers %(topic)s, which %(b)s needs", a=a.name, b=b.name, topic=topic_name(t))
               for t in parts.a_offers_b_needs]
    reasons += [_("%(a)s offers %(topic)s, which %(b)s needs", a=b.name, b=a.name, topic=topic_name(t))
                for t in parts.b_offers_a_needs]
    reasons += [_("Both need %(topic)s", topic=topic_name(t)) for t in parts.shared_needs]
    return reasons


def suggest_partners(user, *, topic: str | None = None, country: str | None = None,
                     language: str | None = None, limit: int = 50) -> list[Suggestion]:
    """The best partners for `user` first; only people scoring above 0 (the formula in docs/api.md)."""
    mine = get_profile(user)
    if mine is None:
        return []
    me = peer_of(mine)
    met = exchanged_pairs(user.id)
    query = (select(PeerProfile).join(PeerProfile.user).options(selectinload(PeerProfile.user))
             .where(PeerProfile.is_available.is_(True), PeerProfile.user_id != user.id,
                    User.is_active_account.is_(True), User.country != user.country))
    if country:
        query = query.where(User.country == country.upper())
    found = []
    for profile in db.session.scalars(query):
        if topic and topic not in profile.offers and topic not in profile.needs:
            continue
        if language and language not in profile.languages:
            continue
        parts = score_parts(peer_of(profile), me, pair_key(user.id, profile.user_id) in met)
        if parts.score > 0:
            found.append(Suggestion(profile.user, profile, parts.score, parts))
    found.sort(key=lambda s: (-s.score, s.user.name.lower(), s.user.id))
    return found[:limit]


# Exchanges: the states and who may do what, in one place --------------------------------------

# action -> (states it starts from, who may do it)
EXCHANGE_RULES = {
    "accept": (("proposed",), "invitee"),
    "decline": (("proposed",), "invitee"),
    "cancel": (OPEN_STATUSES, "party"),
    "complete": (("accepted",), "party"),  # each confirms; completed when both have
}


def _is_invitee(exchange: Exchange, user) -> bool:
    """The partner answers a proposal; in a round both people were invited, so either may."""
    if exchange.round_id is not None:
        return exchange.is_party(user)
    return user.id == exchange.partner_id


def allowed_actions(exchange: Exchange, user) -> list[str]:
    actions = []
    for action, (states, who) in EXCHANGE_RULES.items():
        if exchange.status not in states:
            continue
        if who == "invitee" and not _is_invitee(exchange, user):
            continue
        if who == "party" and not exchange.is_party(user):
            continue
        if action == "complete" and exchange.confirmed_by(user):
            continue
        actions.append(action)
    return actions


def _link(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)  # outside requests: PUBLIC_URL


def _notify(user, kind: str, template: str, subject, exchange: Exchange, **context) -> None:
    queue_mail(user, kind, f"peers/mail/{template}", subject=subject,
               context=dict(context, exchange=exchange, link=_link("peers.exchange", exchange_id=exchange.id)))


def propose_exchange(user, *, partner_id: int, topic: str, message: str = "", round_id: int | None = None,
                     notify: bool = True, introduce: bool = False) -> Exchange:
    """Propose an exchange. With ``introduce`` (the web form), a first proposal to someone the proposer never
    exchanged with needs a message; the API keeps ``message`` optional, as its contract says."""
    partner = db.session.get(User, partner_id)
    if partner is None or not partner.is_active_account:
        raise NotFound(_("No such person."))
    if partner.id == user.id:
        raise Invalid(_("You cannot propose an exchange to yourself."), code="self_exchange",
                      fields={"partner_id": [_("Choose someone else.")]})
    if partner.country == user.country:
        raise SameCountry(_("Exchanges are between people of different countries."),
                          fields={"partner_id": [_("This person is from your country.")]})
    if topic not in TOPICS:
        raise Invalid(_("Choose a topic."), fields={"topic": [_("Unknown topic.")]})
    if len(message or "") > 5000:
        raise Invalid(_("The message is too long."), fields={"message": [_("At most 5,000 characters.")]})
    if (introduce and round_id is None and not (message or "").strip()
            and pair_key(user.id, partner.id) not in exchanged_pairs(user.id)):  # a first word to a stranger
        raise Invalid(_("Write a message."), code="message_required", fields={"message": [_("Write a message.")]})
    profile = get_profile(partner)
    if round_id is None and (profile is None or not profile.is_available):
        raise Conflict(_("This person is not available for exchanges at the moment."), code="not_available")
    low, high = sorted((user.id, partner.id))
    exchange = Exchange(proposer_id=user.id, partner_id=partner.id, low_id=low, high_id=high, topic=topic,
                        message=(message or "").strip(), round_id=round_id, status="proposed")
    try:
        with db.session.begin_nested():
            db.session.add(exchange)
    except IntegrityError as error:
        raise Conflict(_("You have an open exchange with this person already."), code="duplicate") from error
    if notify:
        invited = [partner, user] if round_id is not None else [partner]
        for person in invited:
            _notify(person, "peer_exchange", "proposed", _l("A peer exchange is proposed to you"), exchange,
                    other=exchange.other(person))
    return exchange


def accept_exchange(user, exchange: Exchange) -> Exchange:
    """The invited person accepts a proposal."""
    return _change_exchange(user, exchange, "accept")


def decline_exchange(user, exchange: Exchange) -> Exchange:
    """The invited person declines a proposal."""
    return _change_exchange(user, exchange, "decline")


def cancel_exchange(user, exchange: Exchange) -> Exchange:
    """Either person cancels an open exchange; its planned meetings are cancelled too."""
    return _change_exchange(user, exchange, "cancel")


def complete_exchange(user, exchange: Exchange) -> Exchange:
    """Either person confirms it took place; completed once both have."""
    return _change_exchange(user, exchange, "complete")


# action (in URLs and allowed_actions) -> its service
EXCHANGE_ACTIONS = {"accept": accept_exchange, "decline": decline_exchange, "cancel": cancel_exchange,
                    "complete": complete_exchange}


def _change_exchange(user, exchange: Exchange, action: str) -> Exchange:
    """One step of EXCHANGE_RULES; a conditional UPDATE makes concurrent answers safe."""
    if not exchange.can_see(user):
        raise NotFound(_("No such exchange."))
    states, who = EXCHANGE_RULES[action]
    if (who == "invitee" and not _is_invitee(exchange, user)):
        raise NotAllowed(_("Only the invited person answers a proposal."))
    now = utcnow()
    query = update(Exchange).where(Exchange.id == exchange.id, Exchange.status.in_(states))
    if action == "accept":
        query = query.values(status="accepted", responded_at=now)
    elif action == "decline":
        query = query.values(status="declined", responded_at=now)
    elif action == "cancel":
        query = query.values(status="cancelled", cancelled_by_id=user.id)
    else:
        mine, theirs = ((Exchange.proposer_confirmed_at, Exchange.partner_confirmed_at)
                        if user.id == exchange.proposer_id else
                        (Exchange.partner_confirmed_at, Exchange.proposer_confirmed_at))
        both = theirs.is_not(None)
        query = query.values({mine: func.coalesce(mine, now),
                              Exchange.status: case((both, "completed"), else_=Exchange.status),
                              Exchange.completed_at: case((both, now), else_=Exchange.completed_at)})
    result = db.session.execute(query.execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(exchange)
        raise WrongState(_("This exchange is %(status)s; that is not possible any more.",
                           status=STATUS_NAMES.get(exchange.status, exchange.status)))
    db.session.refresh(exchange)
    other = exchange.other(user)
    if action == "accept":
        _notify(other, "peer_exchange", "accepted", _l("Your peer exchange is accepted"), exchange, other=user)
    elif action == "decline":
        _notify(other, "peer_exchange", "declined", _l("Your peer exchange proposal was declined"), exchange,
                other=user)
    elif action == "cancel":
        for meeting in exchange.meetings:
            if meeting.status == "planned":
                _cancel_meeting(meeting)
        _notify(other, "cancellation", "cancelled", _l("A peer exchange was cancelled"), exchange, other=user)
    elif exchange.status == "completed":
        for person in exchange.people:
            _notify(person, "peer_exchange", "completed", _l("Your peer exchange is completed"), exchange,
                    other=exchange.other(person))
    else:
        _notify(other, "peer_exchange", "confirm", _l("Please confirm your peer exchange is completed"),
                exchange, other=user)
    return exchange


def post_message(user, exchange: Exchange, *, body: str) -> ExchangeMessage:
    if not exchange.can_see(user):
        raise NotFound(_("No such exchange."))
    body = (body or "").strip()
    if not body:
        raise Invalid(_("Write a message."), fields={"body": [_("Write a message.")]})
    if len(body) > 5000:
        raise Invalid(_("The message is too long."), fields={"body": [_("At most 5,000 characters.")]})
    if exchange.status in ("declined", "cancelled"):
        raise WrongState(_("This exchange is closed."))
    message = ExchangeMessage(exchange=exchange, author_id=user.id, body=body)
    db.session.add(message)
    other = exchange.other(user)
    _notify(other, "peer_message", "message", _l("New message in your peer exchange"), exchange, other=user,
            body=body)
    return message


def my_exchanges(user):
    return (select(Exchange).where(or_(Exchange.proposer_id == user.id, Exchange.partner_id == user.id))
            .options(selectinload(Exchange.proposer), selectinload(Exchange.partner))
            .order_by(Exchange.created_at.desc(), Exchange.id.desc()))


# Meetings ---------------------------------------------------------------------------------------

def meeting_event(meeting: Meeting) -> CalendarEvent:
    exchange = meeting.exchange
    kind = _("Online call") if meeting.kind == "online" else _("Study visit")
    summary = _("Peer exchange: %(kind)s, %(a)s and %(b)s", kind=kind, a=exchange.proposer.name,
                b=exchange.partner.name)
    description = "\n".join(x for x in [topic_name(exchange.topic), meeting.notes, meeting.online_url] if x)
    return CalendarEvent(
        uid=uid_for("peer-meeting", meeting.id), starts_at=meeting.starts_at, ends_at=meeting.ends_at,
        summary=summary, description=description, location=meeting.place or meeting.online_url,
        url=_link("peers.exchange", exchange_id=exchange.id), sequence=meeting.sequence,
        status="CANCELLED" if meeting.status == "cancelled" else "CONFIRMED",
        organizer=("Mayors in Action", current_app.config["MAIL_DEFAULT_SENDER"].split("<")[-1].strip(">")),
        attendees=[(p.name, p.email) for p in exchange.people])


def meeting_ics(meeting: Meeting) -> tuple[bytes, str]:
    method = "CANCEL" if meeting.status == "cancelled" else "REQUEST"
    return build_calendar([meeting_event(meeting)], method=method), method


def _send_invitations(meeting: Meeting, template: str, subject) -> None:
    data, method = meeting_ics(meeting)
    for person in meeting.exchange.people:
        queue_mail(person, "cancellation" if method == "CANCEL" else "peer_meeting", f"peers/mail/{template}",
                   subject=subject, context={"meeting": meeting, "exchange": meeting.exchange,
                                             "link": _link("peers.exchange", exchange_id=meeting.exchange_id)},
                   attachments=[calendar_attachment(data, method)])


def plan_meeting(user, exchange: Exchange, *, kind: str, starts_at: datetime, ends_at: datetime, timezone: str,
                 place: str = "", online_url: str = "", notes: str = "") -> Meeting:
    if not exchange.can_see(user):
        raise NotFound(_("No such exchange."))
    if not exchange.can_plan(user):
        raise WrongState(_("Meetings are planned once the exchange is accepted."))
    errors: dict[str, list[str]] = {}
    if kind not in MEETING_KINDS:
        errors["kind"] = [_("Choose an online call or a study visit.")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The end must be after the start.")]
    if starts_at < utcnow():
        errors["starts_at"] = [_("Choose a time in the future.")]
    if not is_valid_timezone(timezone):
        errors["timezone"] = [_("Unknown time zone.")]
    if kind == "visit" and not (place or "").strip():
        errors["place"] = [_("Where does the visit take place?")]
    if online_url and not online_url.startswith(("https://", "http://")):
        errors["online_url"] = [_("A web address starting with https://")]
    if errors:
        raise Invalid(_("The meeting is not valid."), fields=errors)
    meeting = Meeting(exchange=exchange, kind=kind, starts_at=starts_at, ends_at=ends_at, timezone=timezone,
                      place=(place or "").strip(), online_url=(online_url or "").strip(),
                      notes=(notes or "").strip(), created_by_id=user.id)
    db.session.add(meeting)
    db.session.flush()
    schedule_reminders("peer_meeting", meeting.id, [exchange.proposer_id, exchange.partner_id], starts_at)
    _send_invitations(meeting, "meeting", _l("Invitation: peer exchange meeting"))
    return meeting


def _cancel_meeting(meeting: Meeting) -> bool:
    """Cancel once (conditional UPDATE), drop its reminders, send METHOD:CANCEL with a higher SEQUENCE."""
    claimed = db.session.execute(update(Meeting).where(Meeting.id == meeting.id, Meeting.status == "planned")
                                 .values(status="cancelled", sequence=Meeting.sequence + 1)
                                 .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        return False
    db.session.refresh(meeting)
    cancel_reminders("peer_meeting", meeting.id)
    _send_invitations(meeting, "meeting_cancelled", _l("Cancelled: peer exchange meeting"))
    return True


def cancel_meeting(user, meeting: Meeting) -> Meeting:
    if not meeting.exchange.can_see(user):
        raise NotFound(_("No such meeting."))
    if not _cancel_meeting(meeting):
        raise WrongState(_("This meeting is cancelled already."))
    return meeting


def meetings_for(user) -> list[CalendarEvent]:
    """The personal calendar feed: planned meetings of the user's open or completed exchanges."""
    meetings = db.session.scalars(
        select(Meeting).join(Meeting.exchange)
        .where(or_(Exchange.proposer_id == user.id, Exchange.partner_id == user.id),
               Meeting.status == "planned", Exchange.status.in_(("accepted", "completed")))
        .options(selectinload(Meeting.exchange).selectinload(Exchange.proposer),
                 selectinload(Meeting.exchange).selectinload(Exchange.partner)))
    return [meeting_event(m) for m in meetings]


def render_meeting_reminder(reminder) -> None:
    meeting = db.session.get(Meeting, reminder.object_id)
    if meeting is None or meeting.status != "planned" or meeting.exchange.status not in ("accepted", "completed"):
        return
    user = db.session.get(User, reminder.user_id)
    if user is None:
        return
    queue_mail(user, "reminder", "peers/mail/reminder", subject=_l("Reminder: peer exchange meeting"),
               context={"meeting": meeting, "exchange": meeting.exchange,
                        "link": _link("peers.exchange", exchange_id=meeting.exchange_id)},
               dedupe_key=f"peer-meeting-{meeting.id}-{user.id}-{reminder.lead_minutes}-{reminder.starts_at:%Y%m%d%H%M}")


# Reports and good practices ---------------------------------------------------------------------

REPORT_LIMITS = {"title": 200, "summary": 5000, "activities": 10000, "results": 10000, "transferability": 10000}


def submit_report(user, exchange: Exchange, *, title: str, summary: str, results: str, transferability: str,
                  activities: str = "", topic: str | None = None, countries: Iterable[str] | None = None,
                  language: str | None = None) -> GoodPractice:
    """The exchange's final report; a trainer or admin publishes it as a good practice."""
    if not exchange.can_see(user):
        raise NotFound(_("No such exchange."))
    if not exchange.can_report(user):
        raise WrongState(_("A report is written once the exchange is accepted."))
    values = {"title": title, "summary": summary, "activities": activities, "results": results,
              "transferability": transferability}
    values = {k: (v or "").strip() for k, v in values.items()}
    errors = {k: [_("Please fill this in.")] for k in ("title", "summary", "results", "transferability")
              if not values[k]}
    errors.update({k: [_("At most %(n)d characters.", n=n)] for k, n in REPORT_LIMITS.items() if len(values[k]) > n})
    topic = topic or exchange.topic
    if topic not in TOPICS:
        errors["topic"] = [_("Unknown topic.")]
    countries = list(dict.fromkeys(c.upper() for c in (countries or [p.country for p in exchange.people])))
    if not countries or not all(is_country(c) for c in countries):
        errors["countries"] = [_("Unknown country.")]
    language = language or user.language or "en"
    if language not in spoken_language_codes():
        errors["language"] = [_("Unknown language.")]
    if errors:
        raise Invalid(_("The report is not complete."), fields=errors)
    practice = exchange.practice
    if practice is not None and practice.status != "changes_requested":
        raise Conflict(_("This exchange has a report already."), code="duplicate")
    if practice is None:
        practice = GoodPractice(exchange=exchange)
        db.session.add(practice)
    for key, value in values.items():
        setattr(practice, key, value)
    practice.topic, practice.countries, practice.language = topic, countries, language
    practice.status, practice.submitted_by_id, practice.submitted_at = "submitted", user.id, utcnow()
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise Conflict(_("This exchange has a report already."), code="duplicate") from error
    return practice


def publish_practice(user, practice: GoodPractice, *, note: str = "", summary_en: str | None = None) -> GoodPractice:
    """A trainer or admin publishes a submitted report in the library (publishing twice is harmless),
    with the English summary shown beside the original language (None keeps the one it has)."""
    return _review_practice(user, practice, "publish", note, summary_en)


def request_practice_changes(user, practice: GoodPractice, *, note: str,
                             summary_en: str | None = None) -> GoodPractice:
    """A trainer or admin sends a submitted report back to its authors, saying what should change."""
    return _review_practice(user, practice, "request_changes", note, summary_en)


def _review_practice(user, practice: GoodPractice, action: str, note: str = "",
                     summary_en: str | None = None) -> GoodPractice:
    if not GoodPractice.can_review(user):
        raise NotAllowed(_("Only trainers and administrators review good practices."))
    if action == "request_changes" and not (note or "").strip():
        raise Invalid(_("Say what should change."), fields={"note": [_("Say what should change.")]})
    new_status = "published" if action == "publish" else "changes_requested"
    values = {"status": new_status, "reviewed_by_id": user.id, "review_note": (note or "").strip()}
    if action == "publish":
        values["published_at"] = utcnow()
    claimed = db.session.execute(update(GoodPractice)
                                 .where(GoodPractice.id == practice.id, GoodPractice.status == "submitted")
                                 .values(**values).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        db.session.refresh(practice)
        if practice.status == new_status == "published":
            return practice  # publishing twice is harmless
        raise WrongState(_("Only submitted reports are reviewed."))
    db.session.refresh(practice)
    if summary_en is not None:
        practice.summary_en = summary_en.strip()[:5000]
    if practice.exchange is not None:
        for person in practice.exchange.people:
            _notify(person, "peer_exchange", "reviewed", _l("Your good practice was reviewed"),
                    practice.exchange, practice=practice)
    return practice


def search_practices(q: str | None = None, topic: str | None = None, country: str | None = None,
                     language: str | None = None):
    """Published good practices, newest first, matching the text and filters."""
    query = select(GoodPractice).where(GoodPractice.status == "published")
    if (matching := search.condition(GoodPractice.search_text, q, GoodPractice.topic.in_)) is not None:
        query = query.where(matching)
    if topic:
        query = query.where(GoodPractice.topic == topic)
    if country:
        # JSON text: match the quoted code (type_coerce keeps the pattern from being JSON-encoded).
        query = query.where(type_coerce(GoodPractice.countries, Text).like(f'%"{country.upper()[:2]}"%'))
    if language:
        query = query.where(GoodPractice.language == language)
    return query.order_by(GoodPractice.published_at.desc(), GoodPractice.id.desc())


def practices_to_review():
    return (select(GoodPractice).where(GoodPractice.status == "submitted")
            .order_by(GoodPractice.submitted_at, GoodPractice.id))


def rounds_to_confirm():
    """Previewed pairing rounds with pairs to propose (a confirmation sends them), newest first."""
    return (select(PairingRound).where(PairingRound.status == "preview", PairingRound.pairs.any())
            .order_by(PairingRound.created_at.desc(), PairingRound.id.desc()))


@dataclass
class FormerCredit:
    """Someone of the practice whose account was deleted: named only if they agreed to stay credited."""

    name: str
    organisation: str
    country: str


def former_credits(practice: GoodPractice) -> list[FormerCredit]:
    credits = []
    for item in practice.former_credits or []:
        data = json.loads(item)
        credits.append(FormerCredit(name=data.get("name") or _("A former participant"),
                                    organisation=data.get("organisation") or "", country=data.get("country") or ""))
    return credits


def practice_people(practice: GoodPractice) -> list[User | FormerCredit]:
    """The people of a practice who agreed to be shown (profile consent), and its former participants."""
    if practice.exchange is None:
        return former_credits(practice)
    people = [p for p in practice.exchange.people if not p.is_erased]
    public = set(db.session.scalars(select(PeerProfile.user_id).where(
        PeerProfile.user_id.in_([p.id for p in people]), PeerProfile.is_public.is_(True))))
    return [p for p in people if p.id in public] + former_credits(practice)


# Pairing rounds ---------------------------------------------------------------------------------

def select_participants(selection: str = "all", topic: str | None = None,
                        user_ids: Iterable[int] | None = None) -> tuple[list[PeerProfile], dict[int, str]]:
    """Who takes part: everyone available, those with a topic, or a list; and who was left out, why."""
    query = (select(PeerProfile).join(PeerProfile.user).options(selectinload(PeerProfile.user))
             .where(User.is_active_account.is_(True)))
    left_out: dict[int, str] = {}
    if selection == "list":
        ids = list(dict.fromkeys(int(i) for i in user_ids or []))
        if not ids:
            raise Invalid(_("Choose the people who take part."), fields={"user_ids": [_("Choose people.")]})
        profiles = {p.user_id: p for p in db.session.scalars(query.where(PeerProfile.user_id.in_(ids)))}
        known = set(db.session.scalars(select(User.id).where(User.id.in_(ids), User.is_active_account.is_(True))))
        chosen = []
        for user_id in ids:
            profile = profiles.get(user_id)
            if user_id not in known:
                left_out[user_id] = "unknown"
            elif profile is None:
                left_out[user_id] = "no_profile"
            elif not profile.is_available:
                left_out[user_id] = "not_available"
            else:
                chosen.append(profile)
        return chosen, left_out
    chosen = list(db.session.scalars(query.where(PeerProfile.is_available.is_(True)).order_by(PeerProfile.user_id)))
    if selection == "topic":
        if topic not in TOPICS:
            raise Invalid(_("Choose a topic."), fields={"topic": [_("Unknown topic.")]})
        chosen = [p for p in chosen if topic in p.offers or topic in p.needs]
    elif selection != "all":
        raise Invalid(_("Unknown selection."), fields={"selection": [_("all, topic or list")]})
    return chosen, left_out


def best_topic(parts: ScoreParts) -> str:
    for topics in (parts.a_offers_b_needs, parts.b_offers_a_needs, parts.shared_needs):
        if topics:
            return topics[0]
    return "monitoring"


def run_pairing_round(admin, selection: str = "all", topic: str | None = None,
                      user_ids: Iterable[int] | None = None) -> PairingRound:
    """Compute a round (a preview until confirmed): pairs maximising the total score."""
    if not PairingRound.can_run(admin):
        raise NotAllowed(_("Only administrators run pairing rounds."))
    profiles, left_out = select_participants(selection, topic, user_ids)
    peers = [peer_of(p) for p in profiles]
    ids = {p.user_id for p in profiles}
    met = {key for key in exchanged_pairs() if key <= ids}
    result = pair_round(peers, met)
    by_id = {p.id: p for p in peers}
    label = {"all": "all", "topic": f"topic:{topic}", "list": "list"}[selection]
    round_ = PairingRound(created_by_id=admin.id, selection=label, participant_ids=[str(i) for i in sorted(ids)],
                          total_score=result.total, bound=int(result.bound), greedy_total=result.greedy_total,
                          method=result.method, seconds=f"{result.seconds:.2f}",
                          unmatched=[f"{i}:{r}" for i, r in {**result.unmatched, **left_out}.items()])
    for a, b, score in result.pairs:
        parts = score_parts(by_id[a], by_id[b])
        round_.pairs.append(RoundPair(a_id=a, b_id=b, score=score, topic=best_topic(parts)))
    db.session.add(round_)
    db.session.flush()
    log.info("pairing round %s: %d people, %d pairs, total %d (bound %d, greedy %d, %s, %.2f s)", round_.id,
             len(peers), len(result.pairs), result.total, int(result.bound), result.greedy_total, result.method,
             result.seconds)
    return round_


def round_pair_reasons(round_: PairingRound) -> dict[int, list[str]]:
    """Reasons in words for each pair of a round (for the preview)."""
    ids = {i for pair in round_.pairs for i in (pair.a_id, pair.b_id)}
    profiles = {p.user_id: p for p in db.session.scalars(
        select(PeerProfile).where(PeerProfile.user_id.in_(ids)).options(selectinload(PeerProfile.user)))}
    reasons = {}
    for pair in round_.pairs:
        a, b = profiles.get(pair.a_id), profiles.get(pair.b_id)
        if a is None or b is None:
            reasons[pair.id] = []
            continue
        reasons[pair.id] = reasons_for_pair(score_parts(peer_of(a), peer_of(b)), a.user, b.user)
    return reasons


def confirm_round(admin, round_: PairingRound) -> int:
    """Send each pair a proposal (once: a second confirmation is refused). Returns proposals made."""
    if not PairingRound.can_run(admin):
        raise NotAllowed(_("Only administrators run pairing rounds."))
    claimed = db.session.execute(update(PairingRound).where(PairingRound.id == round_.id,
                                                            PairingRound.status == "preview")
                                 .values(status="confirmed", confirmed_at=utcnow())
                                 .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise WrongState(_("This round was confirmed already."))
    db.session.refresh(round_)
    made = 0
    for pair in round_.pairs:
        with contextlib.suppress(Conflict, Invalid, NotFound):
            exchange = propose_exchange(pair.a, partner_id=pair.b_id, topic=pair.topic or "monitoring",
                                        message=_("Suggested by the pairing round: you complement each other."),
                                        round_id=round_.id)
            pair.exchange_id = exchange.id
            made += 1
    return made


# Indicators -------------------------------------------------------------------------------------

def indicators() -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """exchanges_completed and good_practices (published), overall and by country."""
    completed = db.session.execute(
        select(Exchange.id, User.country).join(User, or_(User.id == Exchange.proposer_id,
                                                         User.id == Exchange.partner_id))
        .where(Exchange.status == "completed")).all()
    by_country: dict[str, dict[str, float]] = {}
    for _id, country in completed:
        entry = by_country.setdefault(country, {"exchanges_completed": 0, "good_practices": 0})
        entry["exchanges_completed"] += 1
    published = db.session.scalars(select(GoodPractice.countries).where(GoodPractice.status == "published")).all()
    for countries in published:
        for country in set(countries or []):
            entry = by_country.setdefault(country, {"exchanges_completed": 0, "good_practices": 0})
            entry["good_practices"] += 1
    totals = {"exchanges_completed": len({i for i, _c in completed}), "good_practices": len(published)}
    return totals, by_country


def home_section(user):
    """The personal home's peer part (app/core/home.py): proposals waiting for my answer and my next
    meetings (a Join link when online and within 30 minutes), each a link; two queries."""
    from flask import render_template

    now = utcnow()
    waiting = db.session.scalars(
        select(Exchange).where(Exchange.partner_id == user.id, Exchange.status == "proposed")
        .options(selectinload(Exchange.proposer)).order_by(Exchange.created_at).limit(5)).all()
    meetings = db.session.scalars(
        select(Meeting).join(Exchange).where(or_(Exchange.proposer_id == user.id, Exchange.partner_id == user.id),
                                             Meeting.status == "planned", Meeting.ends_at > now)
        .options(selectinload(Meeting.exchange).selectinload(Exchange.proposer),
                 selectinload(Meeting.exchange).selectinload(Exchange.partner))
        .order_by(Meeting.starts_at).limit(3)).all()
    return section_html(render_template("peers/_home.html", waiting=waiting, meetings=meetings, now=now, user=user),
                        empty=not (waiting or meetings))


def review_home_section(user):
    """The personal home's part for reviewers (trainers, admins): the reports waiting for review, oldest
    first, and for those who run pairing rounds the previews still to confirm; each a link; four queries."""
    may_review, may_confirm = GoodPractice.can_review(user), PairingRound.can_run(user)
    if not (may_review or may_confirm):
        return None
    from flask import render_template

    to_review, review_count, rounds, round_count = [], 0, [], 0
    if may_review:
        waiting = practices_to_review()
        review_count = db.session.scalar(select(func.count()).select_from(waiting.order_by(None).subquery()))
        to_review = db.session.scalars(waiting.options(selectinload(GoodPractice.submitted_by)).limit(3)).all()
    if may_confirm:
        previews = rounds_to_confirm()
        round_count = db.session.scalar(select(func.count()).select_from(previews.order_by(None).subquery()))
        pair_count = (select(func.count()).where(RoundPair.round_id == PairingRound.id)
                      .correlate(PairingRound).scalar_subquery())
        rounds = db.session.execute(previews.add_columns(pair_count).limit(3)).all()
    return section_html(render_template("peers/_home_review.html", may_review=may_review, may_confirm=may_confirm,
                                        to_review=to_review, review_count=review_count, rounds=rounds,
                                        round_count=round_count), empty=not (review_count or round_count))

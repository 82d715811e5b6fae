"""Municipality use cases, shared by the HTML views, the JSON API, the importer and the scheduler."""
from __future__ import annotations

import csv
import io
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app, url_for
from flask_babel import format_decimal, lazy_ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core import audit
from app.core.errors import Conflict, Invalid, NotAllowed, NotFound
from app.core.home import section_html
from app.core.mail import queue_mail
from app.core.reference import is_country
from app.core.routing import DB_INT_MAX
from app.core.search import bytewise, sort_key
from app.core.sizes import format_size
from app.core.text import control_problem
from app.core.timeutil import MAX_YEAR, MIN_YEAR, check_year, utcnow
from app.extensions import db
from app.municipalities.codes import (
    AREAS,
    INSTRUMENTS,
    REPORT_INTERVAL_YEARS,
    REPORT_KINDS,
    SECTORS,
    STATUSES,
)
from app.municipalities.models import MonitoringReport, Municipality, MunicipalityMember, SeapAction

log = logging.getLogger(__name__)

# The columns of POST /municipalities (and of an import file); the first two are required.
MUNICIPALITY_FIELDS = ("name", "country", "population", "supporting_organisation", "covenant_signed_on",
                       "seap_submitted_on", "baseline_year", "target_year", "reduction_target_percent",
                       "baseline_emissions_t", "notes", "target_per_capita")
ACTION_FIELDS = ("title", "sector", "area", "instrument", "status", "responsible_body", "starts_on", "ends_on",
                 "completed_on", "expected_co2_t", "expected_energy_saving_mwh", "expected_renewable_mwh",
                 "investment_eur", "achieved_co2_t", "achieved_energy_saving_mwh", "achieved_renewable_mwh")
REPORT_FIELDS = ("submitted_on", "kind", "monitoring_year", "emissions_t", "notes")
REMIND_DAYS_BEFORE = 30


# --- parsing plain values (forms, JSON and CSV cells alike) -----------------------------------------------

class _Errors(dict):
    def add(self, name: str, message) -> None:
        self.setdefault(name, []).append(str(message))

    def raise_if_any(self) -> None:
        if self:
            raise Invalid(str(_l("Please correct the marked fields.")), fields=dict(self))


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(values: dict, name: str, errors: _Errors, *, required=False, max_len=200,
          multiline=False) -> str | None:
    value = values.get(name)
    if _blank(value) and not control_problem(value, multiline=multiline):
        if required:
            errors.add(name, _l("This field is required."))
        return None if value is None else ""
    value = str(value)
    if problem := control_problem(value, multiline=multiline):
        errors.add(name, problem)
    value = value.strip()
    if len(value) > max_len:
        errors.add(name, lazy_ngettext("Use at most %(num)d character.", "Use at most %(num)d characters.", max_len))
    return value


def _number(values: dict, name: str, errors: _Errors, *, integer=False, minimum=None, maximum=None):
    value = values.get(name)
    if _blank(value):
        return None
    if isinstance(value, bool):
        errors.add(name, _l("Enter a number."))
        return None
    try:
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace("\u00a0", "")
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            raise ValueError
        if integer:
            if number != int(number):
                raise ValueError
            number = int(number)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an integer beyond any float
        errors.add(name, _l("Enter a whole number.") if integer else _l("Enter a number."))
        return None
    if integer and maximum is None:
        maximum = DB_INT_MAX  # the column's limit
    if minimum is not None and number < minimum:
        errors.add(name, _l("Enter at least %(n)s.", n=minimum))
    if maximum is not None and number > maximum:
        errors.add(name, _l("Enter at most %(n)s.", n=maximum))
    return number


def _date(values: dict, name: str, errors: _Errors, *, required=False) -> date | None:
    value = values.get(name)
    if _blank(value):
        if required:
            errors.add(name, _l("This field is required."))
        return None
    try:
        return check_year(value if isinstance(value, date) else date.fromisoformat(str(value).strip()[:10]))
    except ValueError:
        errors.add(name, _l("Enter a date as YYYY-MM-DD, between the years %(first)d and %(last)d.",
                            first=MIN_YEAR, last=MAX_YEAR))
        return None


def _code(values: dict, name: str, codes, errors: _Errors, *, required=True, default=None) -> str | None:
    value = values.get(name)
    if _blank(value):
        if default is not None:
            return default
        if required:
            errors.add(name, _l("This field is required."))
        return None
    value = str(value).strip()
    if value not in codes:
        errors.add(name, _l("Unknown code %(code)s; use one of: %(codes)s.", code=value, codes=", ".join(codes)))
        return None
    return value


def clean_municipality(values: dict, *, partial: bool = False) -> dict:
    """Checked, typed values; Invalid lists every bad field at once. `partial`: only the keys given."""
    errors = _Errors()
    out: dict = {}

    def wanted(name):
        return not partial or name in values

    if wanted("name"):
        out["name"] = _text(values, "name", errors, required=True)
    if wanted("country"):
        country = _text(values, "country", errors, required=True, max_len=2)
        if country:
            country = country.upper()
            if not is_country(country):
                errors.add("country", _l("Choose a country (ISO 3166-1 code)."))
        out["country"] = country
    if wanted("population"):
        out["population"] = _number(values, "population", errors, integer=True, minimum=0)
    if wanted("supporting_organisation"):
        out["supporting_organisation"] = _text(values, "supporting_organisation", errors) or ""
    for name in ("covenant_signed_on", "seap_submitted_on"):
        if wanted(name):
            out[name] = _date(values, name, errors)
    for name in ("baseline_year", "target_year"):
        if wanted(name):
            out[name] = _number(values, name, errors, integer=True, minimum=1990, maximum=2100)
    if wanted("reduction_target_percent"):
        out["reduction_target_percent"] = _number(values, "reduction_target_percent", errors, minimum=0,
                                                  maximum=100)
    if wanted("baseline_emissions_t"):
        out["baseline_emissions_t"] = _number(values, "baseline_emissions_t", errors, minimum=0)
    if wanted("notes"):
        out["notes"] = _text(values, "notes", errors, max_len=5000, multiline=True) or ""
    if wanted("target_per_capita"):
        value = values.get("target_per_capita")
        if isinstance(value, str):
            value = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False,
                     "": False}.get(value.strip().lower(), value)
        if value is None:
            value = False
        if not isinstance(value, bool):
            errors.add("target_per_capita", _l("Answer true or false."))
        out["target_per_capita"] = value is True
    signed, submitted = out.get("covenant_signed_on"), out.get("seap_submitted_on")
    if signed and submitted and submitted < signed:
        errors.add("seap_submitted_on", _l("The action plan comes after signing the Covenant."))
    errors.raise_if_any()
    return out


def clean_action(values: dict, *, partial: bool = False) -> dict:
    errors = _Errors()
    out: dict = {}

    def wanted(name):
        return not partial or name in values

    if wanted("title"):
        out["title"] = _text(values, "title", errors, required=True, max_len=300)
    if wanted("sector"):
        out["sector"] = _code(values, "sector", SECTORS, errors)
    if wanted("area"):
        out["area"] = _code(values, "area", AREAS, errors)
    if wanted("instrument"):
        out["instrument"] = _code(values, "instrument", INSTRUMENTS, errors)
    if wanted("status"):
        out["status"] = _code(values, "status", STATUSES, errors, default="not-started")
    if wanted("responsible_body"):
        out["responsible_body"] = _text(values, "responsible_body", errors) or ""
    for name in ("starts_on", "ends_on", "completed_on"):
        if wanted(name):
            out[name] = _date(values, name, errors)
    for name in ("expected_co2_t", "expected_energy_saving_mwh", "expected_renewable_mwh", "investment_eur",
                 "achieved_co2_t", "achieved_energy_saving_mwh", "achieved_renewable_mwh"):
        if wanted(name):
            out[name] = _number(values, name, errors, minimum=0)
    starts, ends = out.get("starts_on"), out.get("ends_on")
    if starts and ends and ends < starts:
        errors.add("ends_on", _l("The end comes after the start."))
    errors.raise_if_any()
    return out


def clean_report(values: dict) -> dict:
    errors = _Errors()
    out = {
        "submitted_on": _date(values, "submitted_on", errors, required=True),
        "kind": _code(values, "kind", REPORT_KINDS, errors),
        "monitoring_year": _number(values, "monitoring_year", errors, integer=True, minimum=1990, maximum=2100),
        "emissions_t": _number(values, "emissions_t", errors, minimum=0),
        "notes": _text(values, "notes", errors, max_len=5000, multiline=True) or "",
    }
    if out["kind"] == "full" and out["emissions_t"] is None and "emissions_t" not in errors:
        errors.add("emissions_t", _l("A full report carries the emissions of its monitoring year (MEI)."))
    if out["submitted_on"] and out["submitted_on"] > utcnow().date():
        errors.add("submitted_on", _l("A report cannot be sent in the future."))
    errors.raise_if_any()
    return out


# --- municipalities ------------------------------------------------------------------------------------------

def _not_a_creator() -> NotAllowed:
    return NotAllowed(str(_l("Only administrators, and coordinators and supporters whose role an administrator "
                             "confirmed, add municipalities.")))


def create_municipality(actor, values: dict, *, followers: list[User] | None = None) -> Municipality:
    """A new municipality; a coordinator or supporter who adds it follows it, the others named are invited."""
    if not Municipality.can_create(actor):
        raise _not_a_creator()
    data = clean_municipality(values)
    municipality = Municipality(**data)
    people = list(followers or [])
    if actor.is_coordinator and actor not in people:
        people.insert(0, actor)
    now = utcnow()
    municipality.members = [
        MunicipalityMember(user=u, role=_role_for(u), invited_by_id=actor.id,
                           status="accepted" if u.id == actor.id else "invited",
                           responded_at=now if u.id == actor.id else None) for u in people]
    try:
        with db.session.begin_nested():
            db.session.add(municipality)
            db.session.flush()
    except IntegrityError:
        raise _duplicate() from None
    audit.record("municipality.create", actor, target=f"municipality:{municipality.id}")
    for member in municipality.members:
        if member.status == "invited":
            _invited(municipality, actor, member)
    return municipality


def _duplicate() -> Conflict:
    message = str(_l("A municipality with this name exists already in this country."))
    return Conflict(message, code="duplicate_municipality", fields={"name": [message]})


def _role_for(user: User) -> str:
    return "editor" if user.com_role == "municipality" else "follower"


def update_municipality(actor, municipality: Municipality, **values) -> Municipality:
    if not municipality.can_edit(actor):
        raise NotAllowed()
    data = clean_municipality(values, partial=True)
    for key, value in data.items():
        setattr(municipality, key, value)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise _duplicate() from None
    return municipality


def _member_audit(action: str, actor, member: MunicipalityMember) -> None:
    audit.record(f"municipality.member_{action}", actor, target=f"municipality:{member.municipality_id}",
                 detail=f"user:{member.user_id} role={member.role}")


def _invited(municipality: Municipality, actor, member: MunicipalityMember) -> None:
    """Audit the invitation and tell the person; it gives rights once they accept."""
    _member_audit("invite", actor, member)
    user = member.user or db.session.get(User, member.user_id)
    queue_mail(user, "municipality_invitation", "municipalities/mail/invitation",
               subject=_l("Invitation: %(name)s", name=municipality.name),
               context={"municipality": municipality, "member": member, "inviter": actor,
                        "url": url_for("municipalities.dashboard", _external=True)},
               url=url_for("municipalities.dashboard", _external=True))


def add_member(actor, municipality: Municipality, *, user: User, role: str | None = None) -> MunicipalityMember:
    """Invite a coordinator or supporter (follower) or a municipality officer (editor) to the municipality.

    Admins, and its accepted members who are granted coordinators or editors, invite; the membership
    gives rights only once the person accepts (`respond_to_invitation`).
    """
    if not municipality.can_invite(actor):
        raise NotAllowed()
    role = role or _role_for(user)
    if role not in ("follower", "editor"):
        raise Invalid(fields={"role": [str(_l("Choose follower or editor."))]})
    existing = db.session.scalar(select(MunicipalityMember).where(
        MunicipalityMember.municipality_id == municipality.id, MunicipalityMember.user_id == user.id))
    if existing is not None and existing.status != "declined":
        raise Conflict(str(_l("This person is linked to the municipality already.")), code="already_member")
    if existing is not None:  # asked again after declining
        member = existing
        member.role, member.status, member.invited_by_id, member.responded_at = role, "invited", actor.id, None
    else:
        member = MunicipalityMember(municipality_id=municipality.id, user_id=user.id, role=role,
                                    status="invited", invited_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(member)
            db.session.flush()
    except IntegrityError:
        raise Conflict(str(_l("This person is linked to the municipality already.")),
                       code="already_member") from None
    db.session.expire(municipality, ["members"])
    _invited(municipality, actor, member)
    return member


def invitations_query(user):
    """The user's open invitations, oldest first, with their municipality and inviter."""
    return (select(MunicipalityMember).where(MunicipalityMember.user_id == user.id,
                                             MunicipalityMember.status == "invited")
            .options(selectinload(MunicipalityMember.municipality), selectinload(MunicipalityMember.invited_by))
            .order_by(MunicipalityMember.created_at, MunicipalityMember.id))


def pending_invitations(user) -> list[MunicipalityMember]:
    return list(db.session.scalars(invitations_query(user)))


def respond_to_invitation(user, municipality: Municipality, *, accept: bool) -> MunicipalityMember:
    """The invited person accepts (the membership now gives its rights) or declines."""
    member = municipality.membership(user)
    if member is None or member.status != "invited":
        raise NotFound(str(_l("There is no invitation for you to this municipality.")), code="no_invitation")
    member.status = "accepted" if accept else "declined"
    member.responded_at = utcnow()
    _member_audit("accept" if accept else "decline", user, member)
    return member


def remove_member(actor, municipality: Municipality, *, user_id: int) -> None:
    """Admins remove anyone (an invitation too); members may leave."""
    if not (actor.is_admin or actor.id == user_id):
        raise NotAllowed()
    for member in list(municipality.members):
        if member.user_id == user_id:
            _member_audit("remove", actor, member)
            municipality.members.remove(member)


def municipalities_query(country: str | None = None, q: str | None = None):
    """By name in a collated order (case and accents ignored), then country; `q` ignores them too."""
    query = select(Municipality).order_by(bytewise(Municipality.sort_name), Municipality.country, Municipality.id)
    if country:
        query = query.where(Municipality.country == country.upper())
    if q and sort_key(q):
        query = query.where(Municipality.sort_name.contains(sort_key(q), autoescape=True))
    return query


def _my_municipalities_query(user):
    """The municipalities the person follows or edits (an accepted membership), by country and name."""
    return (select(Municipality).join(MunicipalityMember)
            .where(MunicipalityMember.user_id == user.id, MunicipalityMember.status == "accepted")
            .order_by(Municipality.country, Municipality.name))


def my_municipalities(user, options: tuple = ()) -> list[Municipality]:
    return list(db.session.scalars(_my_municipalities_query(user).options(
        selectinload(Municipality.actions), selectinload(Municipality.reports), *options)))


# --- actions and reports -------------------------------------------------------------------------------------

def create_action(actor, municipality: Municipality, **values) -> SeapAction:
    if not municipality.can_edit(actor):
        raise NotAllowed()
    data = clean_action(values)
    if data["status"] == "completed" and not data.get("completed_on"):
        data["completed_on"] = data.get("ends_on") or utcnow().date()
    action = SeapAction(municipality=municipality, **data)
    db.session.add(action)
    db.session.flush()
    return action


def update_action(actor, action: SeapAction, **values) -> SeapAction:
    if not action.can_edit(actor):
        raise NotAllowed()
    data = clean_action(values, partial=True)
    for key, value in data.items():
        setattr(action, key, value)
    if action.status == "completed" and not action.completed_on:
        action.completed_on = utcnow().date()
    if action.status != "completed":
        action.completed_on = None
    starts, ends = action.starts_on, action.ends_on
    if starts and ends and ends < starts:
        raise Invalid(fields={"ends_on": [str(_l("The end comes after the start."))]})
    db.session.flush()
    return action


def add_report(actor, municipality: Municipality, **values) -> MonitoringReport:
    if not municipality.can_edit(actor):
        raise NotAllowed()
    report = MonitoringReport(municipality=municipality, **clean_report(values))
    db.session.add(report)
    db.session.flush()
    return report


# --- progress and due reports --------------------------------------------------------------------------------

def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class DueReport:
    kind: str
    due_on: date
    overdue: bool

    @property
    def label(self) -> str:
        return str(REPORT_KINDS[self.kind])


def due_reports(municipality: Municipality, today: date | None = None) -> list[DueReport]:
    """The next reports owed to the Covenant: an action report 2 years after the last report (or the
    action plan), a full report with an MEI 4 years after the last full one. A full report also counts
    as an action report, so when the full one falls due first it is the only one listed."""
    start = municipality.seap_submitted_on
    if start is None:
        return []
    today = today or utcnow().date()
    reports = municipality.reports
    last_any = max([r.submitted_on for r in reports] + [start])
    last_full = max([r.submitted_on for r in reports if r.kind == "full"] + [start])
    action_due = add_years(last_any, REPORT_INTERVAL_YEARS["action"])
    full_due = add_years(last_full, REPORT_INTERVAL_YEARS["full"])
    due = [DueReport("full", full_due, full_due < today)]
    if action_due < full_due:
        due.insert(0, DueReport("action", action_due, action_due < today))
    return due


def overdue_reports(municipality: Municipality, today: date | None = None) -> list[DueReport]:
    return [d for d in due_reports(municipality, today) if d.overdue]


HOME_DUE_DAYS = 60
HOME_DUE_SHOWN = 5  # a coordinator of a province follows hundreds: the most urgent, and how many in all


def reports_due_soon(user, *, days: int = HOME_DUE_DAYS, today: date | None = None
                     ) -> list[tuple[Municipality, DueReport]] | None:
    """The reports of my municipalities that are overdue or fall due within `days`, overdue first then by
    due date; None when I follow or edit no municipality. Two queries whatever their number."""
    municipalities = db.session.scalars(
        _my_municipalities_query(user).options(selectinload(Municipality.reports))).all()
    if not municipalities:
        return None
    today = today or utcnow().date()
    horizon = today + timedelta(days=days)
    due = [(m, d) for m in municipalities for d in due_reports(m, today) if d.due_on <= horizon]
    return sorted(due, key=lambda pair: (not pair[1].overdue, pair[1].due_on, pair[0].sort_name, pair[0].id))


def home_section(user):
    """The personal home's municipalities part (app/core/home.py): monitoring reports overdue or due in
    the next 60 days, each linking to its municipality; None for people who follow no municipality."""
    from flask import render_template

    due = reports_due_soon(user)
    if due is None:
        return None
    return section_html(render_template("municipalities/_home.html", due=due, days=HOME_DUE_DAYS,
                                        shown=HOME_DUE_SHOWN), empty=not due)


@dataclass
class Progress:
    baseline_year: int | None
    baseline_emissions_t: float | None
    reduction_target_percent: float | None
    target_year: int | None
    target_emissions_t: float | None
    latest_year: int | None
    latest_emissions_t: float | None
    achieved_reduction_percent: float | None  # measured by the latest MEI against the baseline
    progress_percent: float | None  # share of the target reached, 100 = target met
    expected_co2_t: float  # t/year, actions not cancelled
    achieved_co2_t: float  # t/year, completed actions
    expected_reduction_percent: float | None
    actions_by_status: dict[str, int]
    points: list[tuple[int, float]]  # (year, emissions t): baseline then every MEI
    due: list[DueReport] = field(default_factory=list)
    measured_by: str | None = None  # "inventories" (computed emission inventories), "reports" (typed), None

    @property
    def overdue(self) -> list[DueReport]:
        return [d for d in self.due if d.overdue]

    def as_dict(self) -> dict:
        return {
            "baseline_year": self.baseline_year, "baseline_emissions_t": self.baseline_emissions_t,
            "reduction_target_percent": self.reduction_target_percent, "target_year": self.target_year,
            "target_emissions_t": self.target_emissions_t, "latest_year": self.latest_year,
            "latest_emissions_t": self.latest_emissions_t,
            "achieved_reduction_percent": self.achieved_reduction_percent,
            "progress_percent": self.progress_percent, "expected_co2_t": self.expected_co2_t,
            "achieved_co2_t": self.achieved_co2_t, "expected_reduction_percent": self.expected_reduction_percent,
            "actions_by_status": self.actions_by_status,
            "emissions": [{"year": y, "emissions_t": e} for y, e in self.points],
            "reports_due": [{"kind": d.kind, "due_on": d.due_on.isoformat(), "overdue": d.overdue}
                            for d in self.due],
            "measured_by": self.measured_by,
        }


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def progress(municipality: Municipality, today: date | None = None, measured=None,
             measured_points: list[tuple[int, float]] | None = None) -> Progress:
    """Where the municipality stands against its reduction target (uses its loaded actions and reports).

    `measured` is its progress from emission inventories (`inventories.inventory_progress`): when it has a
    baseline and a later monitoring inventory, the measured figures all come from them (never a typed
    baseline with a computed latest year); otherwise from the baseline and reports typed in. Pages and the
    API call `inventories.municipality_progress`, which passes it."""
    target = municipality.reduction_target_percent
    if measured is not None and measured.latest is not None:
        baseline_year, baseline = measured.baseline.year, measured.baseline_result.total_t
        latest_year, latest = measured.latest.year, measured.latest_result.total_t
        def value(result):  # absolute or per inhabitant, as the target says (unrounded: no double rounding)
            return result.per_capita_t if measured.per_capita else result.total_t

        first, last = value(measured.baseline_result), value(measured.latest_result)
        achieved = (first - last) / first * 100 if first else None
        points = measured_points or [(baseline_year, baseline), (latest_year, latest)]
        measured_by = "inventories"
    else:
        baseline_year, baseline = municipality.baseline_year, municipality.baseline_emissions_t
        measured_rows = sorted(((r.monitoring_year or r.submitted_on.year, r.emissions_t)
                                for r in municipality.reports if r.emissions_t is not None), key=lambda p: p[0])
        points = ([(baseline_year, baseline)] if baseline is not None and baseline_year else []) + measured_rows
        latest_year, latest = measured_rows[-1] if measured_rows else (None, None)
        achieved = (baseline - latest) / baseline * 100 if baseline and latest is not None else None
        measured_by = "reports" if latest is not None else None
    counts = Counter(a.status for a in municipality.actions)
    expected = sum(a.expected_co2_t or 0 for a in municipality.actions if a.status != "cancelled")
    # achieved is what was reported as achieved: an expected figure is never counted as done
    done = sum(a.achieved_co2_t or 0 for a in municipality.actions if a.status == "completed")
    return Progress(
        baseline_year=baseline_year, baseline_emissions_t=baseline,
        reduction_target_percent=target, target_year=municipality.target_year,
        target_emissions_t=_round(baseline * (1 - target / 100)) if baseline is not None and target is not None
        else None,
        latest_year=latest_year, latest_emissions_t=latest,
        achieved_reduction_percent=_round(achieved),
        progress_percent=_round(achieved / target * 100) if achieved is not None and target else None,
        expected_co2_t=round(expected, 1), achieved_co2_t=round(done, 1),
        expected_reduction_percent=_round(expected / baseline * 100) if baseline else None,
        actions_by_status={code: counts.get(code, 0) for code in STATUSES},
        points=points, due=due_reports(municipality, today), measured_by=measured_by)


# --- reminders (scheduler) -----------------------------------------------------------------------------------

def remind_due_reports(today: date | None = None) -> int:
    """Mail each following coordinator when a report falls due (30 days ahead, or overdue): once per
    municipality and next report, so recording the report (or the next one falling due) starts anew."""
    today = today or utcnow().date()
    horizon = today.toordinal() + REMIND_DAYS_BEFORE
    queued = 0
    municipalities = db.session.scalars(
        select(Municipality).where(Municipality.seap_submitted_on.is_not(None))
        .where(Municipality.members.any((MunicipalityMember.role == "follower")
                                        & (MunicipalityMember.status == "accepted")))
        .options(selectinload(Municipality.reports),
                 selectinload(Municipality.members).selectinload(MunicipalityMember.user)))
    for municipality in municipalities:
        due = [d for d in due_reports(municipality, today) if d.due_on.toordinal() <= horizon]
        if not due:
            continue
        first = due[0]  # one mail per follower until that report is recorded, listing all that are due
        for user in municipality.followers:
            if not user.is_active_account:
                continue
            key = f"seap-report-due:{municipality.id}:{first.kind}:{first.due_on.isoformat()}:{user.id}"
            message = queue_mail(
                user, "seap_report_due", "municipalities/mail/report_due",
                subject=_l("Monitoring report due for %(name)s", name=municipality.name),
                context={"municipality": municipality, "dues": due}, dedupe_key=key)
            queued += message is not None
    log.info("queued %s monitoring report reminders", queued)
    return queued


# --- public indicators ---------------------------------------------------------------------------------------

def indicators() -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """municipalities, actions_completed, expected_co2_t (t/year, actions not cancelled), by country."""
    by_country: dict[str, dict[str, float]] = {}
    for country, n in db.session.execute(select(Municipality.country, func.count()).group_by(
            Municipality.country)):
        by_country.setdefault(country, {})["municipalities"] = n
    completed = func.sum(case((SeapAction.status == "completed", 1), else_=0))
    expected = func.sum(case((SeapAction.status != "cancelled", func.coalesce(SeapAction.expected_co2_t, 0)),
                                else_=0))
    for country, done, co2 in db.session.execute(
            select(Municipality.country, completed, expected).join(SeapAction.municipality)
            .group_by(Municipality.country)):
        row = by_country.setdefault(country, {})
        row["actions_completed"] = int(done or 0)
        row["expected_co2_t"] = round_tenths(co2)
    for row in by_country.values():
        for key in ("municipalities", "actions_completed", "expected_co2_t"):
            row.setdefault(key, 0)
    totals = {key: sum(row[key] for row in by_country.values())
              for key in ("municipalities", "actions_completed", "expected_co2_t")}
    totals["expected_co2_t"] = round_tenths(totals["expected_co2_t"])
    return totals, by_country


def round_tenths(value) -> float:
    """Tonnes to one decimal, halves away from zero on every database (Python's round() goes to even)."""
    return float(Decimal(str(value or 0)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def time_series() -> dict[str, list[tuple[date, float]]]:
    """Dated events for the charts over time: signatures, completed actions, expected CO2 by start."""
    signed = db.session.execute(select(Municipality.covenant_signed_on, Municipality.created_at))
    municipalities = [(s or c.date(), 1) for s, c in signed]
    completed = [(d, 1) for (d,) in db.session.execute(
        select(SeapAction.completed_on).where(SeapAction.status == "completed",
                                              SeapAction.completed_on.is_not(None)))]
    co2 = [(s or c.date(), e) for s, c, e in db.session.execute(
        select(SeapAction.starts_on, SeapAction.created_at, SeapAction.expected_co2_t)
        .where(SeapAction.status != "cancelled", SeapAction.expected_co2_t.is_not(None)))]
    return {"municipalities": municipalities, "actions_completed": completed, "expected_co2_t": co2}


# --- import --------------------------------------------------------------------------------------------------

class UnreadableFile(Exception):
    """The file is not CSV, TSV or JSON we can read."""


@dataclass
class ImportResult:
    format: str
    imported: list[Municipality] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line or item number, reason)

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0


def read_rows(data: bytes) -> tuple[list[dict], str]:
    """Rows of a CSV, TSV or JSON file, through sqlite-utils' format detection."""
    from sqlite_utils.utils import RowError, RowsFromFileError, rows_from_file

    try:
        rows, fmt = rows_from_file(io.BytesIO(data))
        rows = list(rows)
    except (csv.Error, UnicodeDecodeError, json.JSONDecodeError, RowsFromFileError, RowError, TypeError,
            ValueError) as error:
        raise UnreadableFile(str(error)) from None
    if any(not isinstance(row, dict) for row in rows):
        raise UnreadableFile("JSON must be a list of objects")
    return rows, fmt.name


def _row_reason(error) -> str:
    if getattr(error, "fields", None):
        return "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in error.fields.items())
    return str(error.message if hasattr(error, "message") else error)


def import_limits(user) -> tuple[int | None, int | None]:
    """(largest file in bytes, most rows) a user may import at once; administrators have no limit."""
    if user is not None and getattr(user, "is_admin", False):
        return None, None
    config = current_app.config
    return int(config["IMPORT_MAX_BYTES"]), int(config["IMPORT_MAX_ROWS"])


def import_municipalities(actor, data: bytes) -> ImportResult:
    """Import every good row; each row is written whole or not at all (a savepoint per row).

    Columns: those of POST /municipalities, plus an optional `followers` column of email addresses
    separated by semicolons. Bad rows are reported with their line (CSV/TSV) or item number (JSON).
    The caller commits once.
    """
    if not Municipality.can_create(actor):
        raise _not_a_creator()
    max_bytes, max_rows = import_limits(actor)
    if max_bytes is not None and len(data) > max_bytes:
        message = str(_l("The file is larger than %(size)s. Split it, or ask an administrator to import it.",
                         size=format_size(max_bytes)))
        raise Invalid(message, code="import_too_large", fields={"file": [message]})
    rows, fmt = read_rows(data)
    if max_rows is not None and len(rows) > max_rows:
        message = str(_l("The file has %(rows)s rows; import at most %(max)s at once, or ask an administrator.",
                         rows=format_decimal(len(rows)), max=format_decimal(max_rows)))
        raise Invalid(message, code="import_too_many_rows", fields={"file": [message]})
    result = ImportResult(format=fmt)
    first = 2 if fmt in ("CSV", "TSV") else 1  # CSV line 1 is the header
    for index, row in enumerate(rows):
        number = index + first
        row = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
        unknown = sorted(set(row) - set(MUNICIPALITY_FIELDS) - {"followers", "id"})
        if unknown:
            result.rejected.append((number, str(_l("Unknown columns: %(names)s.", names=", ".join(unknown)))))
            continue
        followers, missing = [], []
        for email in str(row.get("followers") or "").replace(",", ";").split(";"):
            if email.strip():
                user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
                (followers.append(user) if user else missing.append(email.strip()))
        if missing:
            result.rejected.append((number, str(_l("followers: no account for %(emails)s.",
                                                   emails=", ".join(missing)))))
            continue
        try:
            result.imported.append(create_municipality(actor, row, followers=followers))
        except (Invalid, Conflict) as error:
            result.rejected.append((number, _row_reason(error)))
    return result


def audit_municipalities(ids, viewer) -> dict:
    """Municipality names for the audit log, linked to their public page."""
    from flask import url_for

    rows = db.session.execute(select(Municipality.id, Municipality.name).where(Municipality.id.in_(ids))).all()
    return {i: (name, url_for("municipalities.show", municipality_id=i)) for i, name in rows}

"""Municipality pages: registry, municipality page, actions, reports, import and the coordinator dashboard."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core import cache
from app.core.charts import svg_response
from app.core.dashboard import dashboard_sections
from app.core.forms import ConfirmForm, saving
from app.core.pagination import paginate
from app.core.permissions import load_visible
from app.core.reference import PROJECT_COUNTRIES, is_country
from app.core.text import search_words
from app.extensions import db
from app.municipalities import bp, inventories, services
from app.municipalities.charts import progress_chart
from app.municipalities.codes import AREAS, INSTRUMENTS, REPORT_KINDS, STATUSES, label, sector_name
from app.municipalities.forms import ActionForm, ImportForm, MemberForm, MunicipalityForm, ReportForm
from app.municipalities.models import Municipality, MunicipalityMember, SeapAction

# What the municipality page and the dashboard are made of (app/core/cache.py): kept until one changes.
PAGE_READS = ("municipalities", "people")


@bp.app_context_processor
def _codes():
    return {"action_status": lambda c: label(STATUSES, c), "action_area": lambda c: label(AREAS, c),
            "action_instrument": lambda c: label(INSTRUMENTS, c), "action_sector": sector_name,
            "report_kind": lambda c: label(REPORT_KINDS, c)}


def _load(municipality_id: int, *, edit: bool = False) -> Municipality:
    return load_visible(Municipality, municipality_id, current_user,
                        can_change=(lambda m, u: m.can_edit(u)) if edit else None,
                        options=[selectinload(Municipality.actions), selectinload(Municipality.reports),
                                 selectinload(Municipality.members).selectinload(MunicipalityMember.user),
                                 *inventories.with_inventories()])


def _inventory_table(municipality: Municipality, book: inventories.FactorBook | None = None):
    """(summaries with their missing factor, the progress from inventories, chart points)."""
    book = book or inventories.FactorBook()
    rows = []
    for inventory in municipality.inventories:
        result, missing = inventories.try_compute(inventory, book)
        rows.append((inventory, result, missing))
    measured = inventories.inventory_progress(municipality, book)
    points = []
    if measured is not None:
        value = (lambda r: r.per_capita_t) if measured.per_capita else (lambda r: r.total_t)
        points = [(measured.baseline.year, value(measured.baseline_result))] + [
            (i.year, value(r)) for i, r, _m in rows
            if i.kind == "monitoring" and r is not None and i.year > measured.baseline.year]
    return rows, measured, points


def _require_creator() -> None:
    if not Municipality.can_create(current_user):
        abort(403)


@bp.route("/")
def index():
    country = (request.args.get("country") or "").strip().upper()
    if not is_country(country):
        country = ""  # an unknown country is ignored, not an error
    q = search_words(request.args.get("q"))
    page = paginate(services.municipalities_query(country or None, q or None))
    counts = dict(db.session.execute(
        select(SeapAction.municipality_id, func.count()).where(
            SeapAction.municipality_id.in_([m.id for m in page.items]), SeapAction.status == "completed")
        .group_by(SeapAction.municipality_id)).all()) if page.items else {}
    countries = db.session.scalars(select(Municipality.country).distinct()).all()
    ordered = [c for c in PROJECT_COUNTRIES if c in countries] + sorted(c for c in countries
                                                                          if c not in PROJECT_COUNTRIES)
    return render_template("municipalities/index.html", page=page, country=country, q=q, countries=ordered,
                           completed=counts, can_create=Municipality.can_create(current_user))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    _require_creator()
    form = MunicipalityForm()
    if form.validate_on_submit():
        with saving(form) as saved:
            municipality = services.create_municipality(current_user, form.values())
        if saved:
            flash(_("%(name)s was added.", name=municipality.name), "success")
            return redirect(url_for(".show", municipality_id=municipality.id))
    return render_template("municipalities/form.html", form=form, municipality=None)


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_():
    _require_creator()
    form = ImportForm()
    result = None
    status = 200
    if form.validate_on_submit():
        max_bytes, _max_rows = services.import_limits(current_user)
        # Read one byte past the limit only: a larger file is refused without loading it all.
        data = form.file.data.read(max_bytes + 1) if max_bytes is not None else form.file.data.read()
        try:
            with saving(form) as saved:
                result = services.import_municipalities(current_user, data)
        except services.UnreadableFile:
            db.session.rollback()
            form.file.errors = [_("This file is not CSV, TSV or JSON that we can read.")]
        if not saved and saved.error is not None:
            status = 413 if saved.error.code == "import_too_large" else 422
    return render_template("municipalities/import.html", form=form, result=result,
                           columns=services.MUNICIPALITY_FIELDS,
                           limits=services.import_limits(current_user)), status


@bp.route("/dashboard")
@login_required
def dashboard():
    """The municipalities I follow or edit: progress and overdue reports at a glance (kept per person,
    `cache.personal`), then the other features' sections."""
    def render_body() -> str:
        book = inventories.FactorBook()
        rows = [(m, inventories.municipality_progress(m, book)[0]) for m in services.my_municipalities(
            current_user, options=tuple(inventories.with_inventories()))]
        return render_template("municipalities/_dashboard.html", rows=rows,
                               invitations=services.pending_invitations(current_user), confirm_form=ConfirmForm(),
                               can_create=Municipality.can_create(current_user))

    return render_template("municipalities/dashboard.html",
                           body=cache.personal_html(current_user, PAGE_READS, ("dashboard",), render_body),
                           sections=dashboard_sections(current_user))


@bp.route("/<int:municipality_id>/invitation/<answer>", methods=["POST"])
@login_required
def answer_invitation(municipality_id: int, answer: str):
    """The invited person accepts or declines following or editing the municipality."""
    if answer not in ("accept", "decline") or not ConfirmForm().validate_on_submit():
        abort(400)
    municipality = _load(municipality_id)
    if answer == "accept":
        success, category = _("You now take part in %(name)s.", name=municipality.name), "success"
    else:
        success, category = _("You declined the invitation to %(name)s.", name=municipality.name), "info"
    with saving(success=success, category=category):
        services.respond_to_invitation(current_user, municipality, accept=answer == "accept")
    return redirect(url_for(".dashboard"))


@bp.route("/<int:municipality_id>")
def show(municipality_id: int):
    """The municipality page. Its body is kept (`cache.fragment`, docs/caching.md) per the viewer's rights
    on it, so of all who have the same rights only the first loads the inventories and reports."""
    municipality = load_visible(Municipality, municipality_id, current_user,
                                options=[selectinload(Municipality.members)])  # the viewer's rights
    mine = municipality.membership(current_user)
    rights = (municipality.can_edit(current_user), municipality.can_see_private(current_user),
              municipality.can_invite(current_user), current_user.is_authenticated and current_user.is_admin,
              mine.status if mine else None)
    body = cache.fragment_html(PAGE_READS, ("municipality", municipality.id, rights),
                               lambda: _show_body(municipality.id, rights))
    return render_template("municipalities/show.html", m=municipality, body=body)


def _show_body(municipality_id: int, rights: tuple) -> str:
    municipality = db.session.get(Municipality, municipality_id, populate_existing=True, options=[
        selectinload(Municipality.actions), selectinload(Municipality.reports),
        selectinload(Municipality.members).selectinload(MunicipalityMember.user), *inventories.with_inventories()])
    can_edit, can_see_private, can_invite, can_remove, membership = rights
    book = inventories.FactorBook()
    progress, _measured = inventories.municipality_progress(municipality, book)
    inventory_rows, measured, _points = _inventory_table(municipality, book)
    by_status = {code: [a for a in municipality.actions if a.status == code] for code in STATUSES}
    return render_template("municipalities/_show.html", m=municipality, progress=progress, by_status=by_status,
                           can_edit=can_edit, can_see_private=can_see_private, can_remove=can_remove,
                           member_form=MemberForm() if can_invite else None, invited=membership == "invited",
                           confirm_form=ConfirmForm(), inventory_rows=inventory_rows, measured=measured)


@bp.route("/<int:municipality_id>/progress.svg")
def progress_svg(municipality_id: int):
    municipality = _load(municipality_id)
    book = inventories.FactorBook()
    _rows, _measured, points = _inventory_table(municipality, book)
    return svg_response(progress_chart(inventories.municipality_progress(municipality, book)[0], municipality.name,
                                       points))


@bp.route("/<int:municipality_id>/edit", methods=["GET", "POST"])
@login_required
def edit(municipality_id: int):
    municipality = _load(municipality_id, edit=True)
    form = MunicipalityForm(obj=municipality)
    if form.validate_on_submit():
        with saving(form, success=_("Saved.")) as saved:
            services.update_municipality(current_user, municipality, **form.values())
        if saved:
            return redirect(url_for(".show", municipality_id=municipality.id))
    return render_template("municipalities/form.html", form=form, municipality=municipality)


@bp.route("/<int:municipality_id>/actions/new", methods=["GET", "POST"])
@login_required
def action_new(municipality_id: int):
    municipality = _load(municipality_id, edit=True)
    form = ActionForm()
    if form.validate_on_submit():
        with saving(form, success=_("The action was added.")) as saved:
            services.create_action(current_user, municipality, **form.values())
        if saved:
            return redirect(url_for(".show", municipality_id=municipality.id, _anchor="actions"))
    return render_template("municipalities/action_form.html", form=form, m=municipality, action=None)


@bp.route("/<int:municipality_id>/actions/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def action_edit(municipality_id: int, action_id: int):
    action = load_visible(SeapAction, action_id, current_user, can_see=lambda a, u: a.municipality_id ==
                          municipality_id, can_change=lambda a, u: a.can_edit(u))
    form = ActionForm(obj=action)
    if form.validate_on_submit():
        with saving(form, success=_("Saved.")) as saved:
            services.update_action(current_user, action, **form.values())
        if saved:
            return redirect(url_for(".show", municipality_id=municipality_id, _anchor="actions"))
    return render_template("municipalities/action_form.html", form=form, m=action.municipality, action=action)


@bp.route("/<int:municipality_id>/reports/new", methods=["GET", "POST"])
@login_required
def report_new(municipality_id: int):
    municipality = _load(municipality_id, edit=True)
    form = ReportForm()
    if form.validate_on_submit():
        with saving(form, success=_("The report was recorded.")) as saved:
            services.add_report(current_user, municipality, **form.values())
        if saved:
            return redirect(url_for(".show", municipality_id=municipality.id, _anchor="reports"))
    return render_template("municipalities/report_form.html", form=form, m=municipality)


@bp.route("/<int:municipality_id>/members", methods=["POST"])
@login_required
def add_member(municipality_id: int):
    municipality = _load(municipality_id)
    if not municipality.can_invite(current_user):
        abort(403)
    form = MemberForm()
    if not form.validate_on_submit():
        flash(_("Enter the email address of an account."), "danger")
    else:
        user = db.session.scalar(select(User).where(User.email == form.email.data.strip().lower()))
        if user is None:
            flash(_("No account with this email address."), "danger")
        elif not municipality.can_invite(current_user):
            abort(403)
        else:
            with saving(success=_("%(name)s is invited to %(municipality)s; the link counts once they accept.",
                                  name=user.name, municipality=municipality.name)):
                services.add_member(current_user, municipality, user=user, role=form.role.data)
    return redirect(url_for(".show", municipality_id=municipality.id, _anchor="members"))


@bp.route("/<int:municipality_id>/members/<int:user_id>/remove", methods=["POST"])
@login_required
def remove_member(municipality_id: int, user_id: int):
    municipality = _load(municipality_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not (current_user.is_admin or current_user.id == user_id):
        abort(403)
    with saving(success=_("Removed.")):
        services.remove_member(current_user, municipality, user_id=user_id)
    return redirect(url_for(".show", municipality_id=municipality.id, _anchor="members"))

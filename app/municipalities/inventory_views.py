"""Emission inventory pages: entry in the Covenant template, the computed result, progress by sector, the
coordinator's overview, import/export and the national electricity factors (admins)."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.core.charts import svg_response
from app.core.forms import ConfirmForm, form_errors_from, saving
from app.core.permissions import load_visible
from app.extensions import db
from app.municipalities import bp, inventories
from app.municipalities import inventory as calc
from app.municipalities.charts import sector_chart
from app.municipalities.forms import (
    FactorForm,
    InventoryImportForm,
    _cell_name,
    fill_inventory_form,
    fuel_field,
    inventory_form,
    inventory_values,
)
from app.municipalities.models import Inventory, Municipality


def _municipality(municipality_id: int, *, edit: bool = False) -> Municipality:
    return load_visible(Municipality, municipality_id, current_user,
                        can_change=(lambda m, u: m.can_edit(u)) if edit else None,
                        options=inventories.with_inventories())


def _inventory(municipality: Municipality, inventory_id: int) -> Inventory:
    inventory = next((i for i in municipality.inventories if i.id == inventory_id), None)
    if inventory is None:
        abort(404)
    return inventory


def _grid() -> list[dict]:
    """The template's rows: sector groups, their sectors, and for each carrier its form field name or None."""
    groups = []
    for code, label in calc.SECTOR_GROUPS.items():
        sectors = [(s, v[0], {c: (_cell_name(s, c) if calc.allowed(s, c) else None) for c in calc.CARRIERS})
                   for s, v in calc.SECTORS.items() if v[1] == code]
        groups.append({"code": code, "label": label, "sectors": sectors})
    return groups


def _entry(municipality: Municipality, inventory: Inventory | None):
    form = inventory_form(inventory, request.form if request.method == "POST" else None)
    if request.method == "GET":
        if inventory is not None:
            fill_inventory_form(form, inventory)
        else:
            kind = request.args.get("kind")
            has_baseline = any(i.is_baseline for i in municipality.inventories)
            form.kind.data = kind if kind in calc.KINDS else ("monitoring" if has_baseline else "baseline")
            form.population.data = municipality.population
            if form.kind.data == "baseline" and municipality.baseline_year:
                form.year.data = municipality.baseline_year
    failed = False
    if form.validate_on_submit():
        values, names = inventory_values(form)

        def show(error):
            mapped = {}
            for key, messages in error.fields.items():
                mapped.setdefault(names.get(key, key), []).extend(messages)
            error.fields = mapped
            form_errors_from(form, error)  # flashes what no field shows
            if error.code == "missing_factor" and any(getattr(form, k, None) is not None for k in mapped):
                flash(error.message, "danger")

        with saving(form, show=show) as saved:
            if inventory is None:
                inventory = inventories.create_inventory(current_user, municipality, values)
            else:
                inventory = inventories.update_inventory(current_user, inventory, values)
        if saved:
            flash(_("The inventory is saved; its emissions are computed below."), "success")
            return redirect(url_for(".inventory_show", municipality_id=municipality.id, inventory_id=inventory.id))
        failed = True
    status = 422 if form.errors or failed else 200
    return render_template("municipalities/inventory_form.html", form=form, m=municipality, inventory=inventory,
                           grid=_grid(), carriers=calc.CARRIERS, carrier_groups=calc.CARRIER_GROUPS,
                           fuel_field=fuel_field), status


@bp.route("/<int:municipality_id>/inventories/new", methods=["GET", "POST"])
@login_required
def inventory_new(municipality_id: int):
    return _entry(_municipality(municipality_id, edit=True), None)


@bp.route("/<int:municipality_id>/inventories/<int:inventory_id>/edit", methods=["GET", "POST"])
@login_required
def inventory_edit(municipality_id: int, inventory_id: int):
    municipality = _municipality(municipality_id, edit=True)
    return _entry(municipality, _inventory(municipality, inventory_id))


@bp.route("/<int:municipality_id>/inventories/<int:inventory_id>")
def inventory_show(municipality_id: int, inventory_id: int):
    municipality = _municipality(municipality_id)
    inventory = _inventory(municipality, inventory_id)
    book = inventories.FactorBook()
    result, missing = inventories.try_compute(inventory, book)
    neefe = book.neefe_row(municipality.country, inventory.year, inventory.approach)
    progress = inventories.inventory_progress(municipality, book)
    return render_template("municipalities/inventory_show.html", m=municipality, inventory=inventory,
                           result=result, missing=missing, neefe=neefe, progress=progress,
                           warnings=inventories.warnings(inventory, result, book), grid=_grid(),
                           carriers=calc.CARRIERS, can_edit=municipality.can_edit(current_user),
                           plant_kinds={**calc.HEAT_PLANT_KINDS, **calc.PLANT_KINDS},
                           confirm_form=ConfirmForm(), import_form=InventoryImportForm())


@bp.route("/<int:municipality_id>/inventories/<int:inventory_id>/delete", methods=["POST"])
@login_required
def inventory_delete(municipality_id: int, inventory_id: int):
    municipality = _municipality(municipality_id, edit=True)
    inventory = _inventory(municipality, inventory_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with saving(success=_("The inventory was deleted.")):
        inventories.delete_inventory(current_user, inventory)
    return redirect(url_for(".show", municipality_id=municipality.id, _anchor="inventories"))


@bp.route("/<int:municipality_id>/inventories/<int:inventory_id>.csv")
def inventory_csv(municipality_id: int, inventory_id: int):
    municipality = _municipality(municipality_id)
    inventory = _inventory(municipality, inventory_id)
    name = f"inventory-{municipality.id}-{inventory.kind}-{inventory.year}.csv"
    return Response(inventories.export_csv(inventory), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/<int:municipality_id>/inventories/<int:inventory_id>.xlsx")
def inventory_xlsx(municipality_id: int, inventory_id: int):
    from app.municipalities import inventory_xlsx

    municipality = _municipality(municipality_id)
    inventory = _inventory(municipality, inventory_id)
    result, _missing = inventories.try_compute(inventory)
    name = f"inventory-{municipality.id}-{inventory.kind}-{inventory.year}.xlsx"
    return Response(inventory_xlsx.export(inventory, result),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/<int:municipality_id>/inventories/<int:inventory_id>/import", methods=["POST"])
@login_required
def inventory_import(municipality_id: int, inventory_id: int):
    """Replace the consumption from a CSV (long form) or XLSX (template); all or nothing."""
    from app.municipalities import inventory_xlsx

    municipality = _municipality(municipality_id, edit=True)
    inventory = _inventory(municipality, inventory_id)
    form = InventoryImportForm()
    if not form.validate_on_submit():
        for messages in form.errors.values():
            flash(" ".join(str(m) for m in messages), "danger")
        return redirect(url_for(".inventory_show", municipality_id=municipality.id, inventory_id=inventory.id))
    data = form.file.data.read(2_000_001)
    if len(data) > 2_000_000:
        flash(_("The file is larger than 2 MB."), "danger")
        return redirect(url_for(".inventory_show", municipality_id=municipality.id, inventory_id=inventory.id))
    if data[:2] == b"PK":
        rows, errors = inventory_xlsx.read(data)
    else:
        rows, errors = inventories.read_consumption_csv(data)
    if errors:
        flash(_("Nothing was imported:") + " " + " ".join(
            _("line %(line)d: %(reason)s", line=n, reason=r) for n, r in errors[:20]), "danger")
    else:
        with saving(success=_("The consumption was imported; emissions are computed again.")):
            inventories.import_consumption(current_user, inventory, rows)
    return redirect(url_for(".inventory_show", municipality_id=municipality.id, inventory_id=inventory.id))


@bp.route("/<int:municipality_id>/sectors.svg")
def sectors_svg(municipality_id: int):
    municipality = _municipality(municipality_id)
    return svg_response(sector_chart(inventories.inventory_progress(municipality), municipality.name))


def _overview_rows():
    rows = inventories.overview(current_user)
    sort = request.args.get("sort", "name")
    if sort not in inventories.OVERVIEW_COLUMNS:
        sort = "name"
    reverse = request.args.get("order") == "desc"
    present = [r for r in rows if r[sort] not in (None, [], "")]
    absent = [r for r in rows if r[sort] in (None, [], "")]
    present.sort(key=lambda r: (len(r[sort]) if isinstance(r[sort], list) else
                                (r[sort] if not isinstance(r[sort], str) else r[sort].casefold())), reverse=reverse)
    return present + absent, sort, reverse


@bp.route("/overview")
@login_required
def overview():
    """The coordinator's view across their municipalities: inventories, reduction, target, status."""
    rows, sort, reverse = _overview_rows()
    return render_template("municipalities/overview.html", rows=rows, sort=sort, reverse=reverse)


@bp.route("/overview.csv")
@login_required
def overview_csv():
    rows, _sort, _reverse = _overview_rows()
    return Response(inventories.overview_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="inventories-overview.csv"'})


@bp.route("/emission-factors", methods=["GET", "POST"])
@login_required
def emission_factors():
    """National electricity factors (admins change them; everybody signed in reads them)."""
    form = FactorForm() if current_user.is_admin else None
    if form is not None and form.validate_on_submit():
        with saving(form, success=_("The factor is saved.")) as saved:
            inventories.set_electricity_factor(current_user, **{k: form[k].data for k in (
                "country", "year", "approach", "factor", "source")})
        if saved:
            return redirect(url_for(".emission_factors"))
    elif request.method == "POST" and form is None:
        abort(403)
    from app.municipalities.models import EmissionFactor

    rows = db.session.scalars(select(EmissionFactor).where(EmissionFactor.carrier == "electricity").order_by(
        EmissionFactor.country, EmissionFactor.year.desc(), EmissionFactor.approach)).all()
    return render_template("municipalities/emission_factors.html", form=form, rows=rows,
                           ipcc=calc.IPCC_FACTORS, carriers=calc.CARRIERS, ipcc_source=calc.IPCC_SOURCE), \
        422 if form is not None and form.errors else 200


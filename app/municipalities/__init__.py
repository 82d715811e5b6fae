"""Municipalities: the registry of Covenant signatories, their SEAP actions and monitoring reports."""
from flask import Blueprint

bp = Blueprint("municipalities", __name__, url_prefix="/municipalities")


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from app.core.audit import register_audit_reference, register_audit_sentence
    from app.municipalities.services import audit_municipalities

    register_audit_reference(app, "municipality", audit_municipalities)
    for action, sentence in {
            "municipality.create": _l("%(actor)s added %(target)s"),
            "municipality.member_invite": _l("%(actor)s invited %(user)s to %(target)s"),
            "inventory.create": _l("%(actor)s added an emission inventory of %(target)s"),
            "inventory.update": _l("%(actor)s changed an emission inventory of %(target)s")}.items():
        register_audit_sentence(app, action, sentence)
    from app.core.archive import register_archive_table

    register_archive_table(app, "municipalities", ("id", "name", "country", "population", "supporting_organisation",
                           "covenant_signed_on", "seap_submitted_on", "baseline_year", "target_year",
                           "reduction_target_percent", "baseline_emissions_t", "notes", "created_at", "updated_at"))
    register_archive_table(app, "municipality_members", ("id", "municipality_id", "user_id", "role", "status",
                           "invited_by_id", "responded_at", "created_at"))
    register_archive_table(app, "seap_actions", ("id", "municipality_id", "title", "sector", "area", "instrument",
                           "status", "responsible_body", "starts_on", "ends_on", "completed_on", "expected_co2_t",
                           "expected_energy_saving_mwh", "expected_renewable_mwh", "investment_eur",
                           "achieved_co2_t", "achieved_energy_saving_mwh", "achieved_renewable_mwh", "created_at",
                           "updated_at"))
    register_archive_table(app, "inventories", ("id", "municipality_id", "kind", "year", "approach", "unit",
                           "population", "green_electricity_mwh", "heat_factor", "other_fossil_factor", "created_at",
                           "updated_at"))
    register_archive_table(app, "inventory_cells", ("id", "inventory_id", "sector", "carrier", "mwh"))
    register_archive_table(app, "inventory_plants", ("id", "inventory_id", "product", "kind", "mwh"))
    register_archive_table(app, "inventory_plant_inputs", ("id", "plant_id", "carrier", "mwh"))
    register_archive_table(app, "emission_factors", ("id", "carrier", "country", "year", "approach", "factor",
                           "source", "demo", "updated_at"))
    register_archive_table(app, "monitoring_reports", ("id", "municipality_id", "submitted_on", "kind",
                           "monitoring_year", "emissions_t", "notes", "created_at"))

    from app.core.privacy import register_personal_data
    from app.municipalities import privacy as _privacy

    register_personal_data(app, "municipalities", _privacy.export_memberships, _privacy.erase_memberships, order=40)
    from app.core.demo import register_demo
    from app.core.indicators import register_indicators, register_time_series
    from app.core.scheduler import register_job
    from app.municipalities import cli, demo, services

    register_indicators(app, "municipalities", services.indicators)
    register_time_series(app, "municipalities", services.time_series)
    register_job(app, "remind_due_reports", services.remind_due_reports, minutes=60)
    register_demo(app, "municipalities", demo.load_municipalities)
    register_demo(app, "inventories", demo.load_inventories)
    app.cli.add_command(cli.municipalities_cli)
    app.cli.add_command(cli.factors_cli)
    from app.municipalities import inventories

    register_indicators(app, "inventories", inventories.measured_indicators)
    from app.core.i18n import format_number

    app.add_template_filter(format_number, "quantity")  # a number in the viewer's language, one decimal at most
    from app.core.sizes import format_size

    app.add_template_filter(format_size, "file_size")

    from flask_babel import lazy_gettext as _l

    from app.core.mail import register_mail_kind

    register_mail_kind(app, "seap_report_due", _l("Monitoring reports falling due for my municipalities"))
    register_mail_kind(app, "municipality_invitation", _l("Invitations to follow or edit a municipality"))

    from app.core.cache import watch_models
    from app.core.home import register_home_section
    from app.municipalities import models

    watch_models("municipalities", models)
    register_home_section(app, "municipalities", services.home_section, reads=("municipalities", "people"))


from app.municipalities import inventory_views, views  # noqa: E402,F401

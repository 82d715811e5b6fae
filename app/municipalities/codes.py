"""Code lists of SEAP actions and monitoring (docs/domain.md): stable codes, translated labels."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.reference import SECTOR_CODES, topic_name

AREAS: dict[str, object] = {
    "building-envelope": _l("Building envelope"),
    "renewables-heating": _l("Renewables for heating and hot water"),
    "efficient-heating": _l("Efficient heating"),
    "efficient-lighting": _l("Efficient lighting"),
    "efficient-appliances": _l("Efficient appliances"),
    "integrated-action": _l("Integrated action"),
    "ict": _l("ICT"),
    "behavioural-change": _l("Behavioural change"),
    "clean-vehicles": _l("Cleaner and electric vehicles"),
    "modal-shift-public-transport": _l("Modal shift to public transport"),
    "modal-shift-walking-cycling": _l("Modal shift to walking and cycling"),
    "car-sharing": _l("Car sharing"),
    "logistics": _l("Logistics"),
    "road-network": _l("Road network optimisation"),
    "mixed-use": _l("Mixed-use development"),
    "eco-driving": _l("Eco-driving"),
    "hydro": _l("Hydro"),
    "wind": _l("Wind"),
    "photovoltaics": _l("Photovoltaics"),
    "biomass": _l("Biomass"),
    "chp": _l("Combined heat and power"),
    "district-heating": _l("District heating and cooling"),
    "smart-grids": _l("Smart grids"),
    "other": _l("Other"),
}

INSTRUMENTS: dict[str, object] = {
    "awareness": _l("Awareness raising and training"),
    "energy-management": _l("Energy management"),
    "certification": _l("Certification and labelling"),
    "grants": _l("Grants and subsidies"),
    "third-party-financing": _l("Third-party financing"),
    "public-procurement": _l("Public procurement"),
    "building-standards": _l("Building standards"),
    "land-use-planning": _l("Land-use planning"),
    "mobility-planning": _l("Mobility planning"),
    "voluntary-agreements": _l("Voluntary agreements"),
    "other": _l("Other"),
}

STATUSES: dict[str, object] = {
    "not-started": _l("Not started"),
    "ongoing": _l("Ongoing"),
    "completed": _l("Completed"),
    "postponed": _l("Postponed"),
    "cancelled": _l("Cancelled"),
}

# Monitoring: an action report every 2 years, a full report with an MEI every 4 (docs/domain.md).
REPORT_KINDS: dict[str, object] = {
    "action": _l("Action report (every 2 years)"),
    "full": _l("Full report with a Monitoring Emission Inventory (every 4 years)"),
}
REPORT_INTERVAL_YEARS = {"action": 2, "full": 4}

SECTORS = SECTOR_CODES


def sector_name(code: str) -> str:
    return topic_name(code)


def label(codes: dict[str, object], code: str | None) -> str:
    return str(codes.get(code, code or ""))


def sector_choices() -> list[tuple[str, str]]:
    return [(c, topic_name(c)) for c in SECTORS]


def choices(codes: dict[str, object]) -> list[tuple[str, str]]:
    return [(c, str(v)) for c, v in codes.items()]

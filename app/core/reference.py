"""Reference data of docs/domain.md: topics, countries, zones and languages."""
from __future__ import annotations

from functools import lru_cache

from babel import Locale
from babel.core import get_global
from babel.languages import get_official_languages
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

TOPICS: dict[str, object] = {
    "municipal-buildings": _l("Municipal buildings, equipment and facilities"),
    "tertiary-buildings": _l("Tertiary buildings and facilities"),
    "residential-buildings": _l("Residential buildings"),
    "public-lighting": _l("Public lighting"),
    "industry": _l("Industry (non-ETS)"),
    "transport": _l("Transport and mobility"),
    "local-electricity": _l("Local electricity production"),
    "local-heat-cold": _l("Local heat and cold production, district heating"),
    "waste-water": _l("Waste and wastewater"),
    "land-use-planning": _l("Land-use planning"),
    "public-procurement": _l("Green public procurement"),
    "citizen-engagement": _l("Citizen and stakeholder engagement"),
    "financing": _l("Financing and funding"),
    "monitoring": _l("Monitoring and reporting (BEI/MEI)"),
    "adaptation": _l("Climate adaptation"),
    "energy-poverty": _l("Energy poverty"),
}
SECTOR_CODES = list(TOPICS)[:9]

# The six countries of the project, with their zone and languages (docs/domain.md).
PROJECT_COUNTRIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "BE": ("Europe/Brussels", ("nl", "fr", "de")),
    "HR": ("Europe/Zagreb", ("hr",)),
    "GR": ("Europe/Athens", ("el",)),
    "IT": ("Europe/Rome", ("it",)),
    "PL": ("Europe/Warsaw", ("pl",)),
    "ES": ("Europe/Madrid", ("es", "ca", "eu", "gl")),
}

# The other countries whose municipalities sign the Covenant of Mayors – Europe (the EU, the EEA,
# the United Kingdom, Switzerland, the Western Balkans, Türkiye and the Eastern Partnership) and the
# Covenant's Mediterranean signatories: after the six in country lists, before the rest of the world.
COVENANT_COUNTRIES = frozenset((
    "AT", "BG", "CY", "CZ", "DE", "DK", "EE", "FI", "FR", "HU", "IE", "LT", "LU", "LV", "MT", "NL", "PT", "RO",
    "SE", "SI", "SK", "IS", "LI", "NO", "CH", "GB", "AL", "BA", "ME", "MK", "RS", "XK", "TR", "AM", "AZ", "BY",
    "GE", "MD", "UA", "MA", "TN", "DZ", "EG", "IL", "JO", "LB", "PS"))

# Interface languages, each named in itself (the language menu).
INTERFACE_LANGUAGES = {"en": "English", "nl": "Nederlands", "fr": "Français", "hr": "Hrvatski",
                       "el": "Ελληνικά", "it": "Italiano", "pl": "Polski", "es": "Español"}

COM_ROLES = {
    "coordinator": _l("Covenant Coordinator"),
    "supporter": _l("Covenant Supporter"),
    "municipality": _l("Municipality officer"),
    "other": _l("Other"),
}
ROLES = {"participant": _l("Participant"), "trainer": _l("Trainer"), "admin": _l("Administrator")}


def topic_name(code: str) -> str:
    return str(TOPICS.get(code, code))


def _display_locale() -> Locale:
    return get_locale() or Locale("en")


@lru_cache(maxsize=1)
def _country_codes() -> tuple[str, ...]:
    """ISO 3166-1 alpha-2 codes known to CLDR (numeric regions and pseudo codes left out)."""
    names = Locale("en").territories
    zones = get_global("territory_zones")
    return tuple(sorted(c for c in names if len(c) == 2 and c.isalpha() and c in zones and c != "ZZ"))


def is_country(code: str | None) -> bool:
    return bool(code) and code.upper() in _country_codes()


def country_name(code: str) -> str:
    return _display_locale().territories.get(code, code)


def country_timezone(code: str) -> str:
    if code in PROJECT_COUNTRIES:
        return PROJECT_COUNTRIES[code][0]
    zones = get_global("territory_zones").get(code) or ["UTC"]
    return zones[0]


def country_languages(code: str) -> list[str]:
    if code in PROJECT_COUNTRIES:
        return list(PROJECT_COUNTRIES[code][1])
    return list(get_official_languages(code)) or ["en"]


def countries(project_first: bool = True) -> list[dict]:
    """Every country with zone and languages: the project's six first, then the other Covenant
    countries, then the rest, each group by name in the viewer's language."""
    codes = list(_country_codes())
    if project_first:
        covenant = sorted((c for c in codes if c in COVENANT_COUNTRIES), key=_by_name)
        rest = sorted((c for c in codes if c not in PROJECT_COUNTRIES and c not in COVENANT_COUNTRIES), key=_by_name)
        ordered = sorted(PROJECT_COUNTRIES, key=_by_name) + covenant + rest
    else:
        ordered = sorted(codes, key=_by_name)
    return [{"code": c, "name": country_name(c), "timezone": country_timezone(c),
             "languages": country_languages(c)} for c in ordered]


def _by_name(code: str) -> str:
    from app.core.search import normalise

    return normalise(country_name(code))  # "Österreich" among the O's, "Ελλάδα" with the E's of Greek


def country_choices() -> list[tuple[str, str]]:
    return [(c["code"], c["name"]) for c in countries()]


def timezone_choices() -> dict[str, list[tuple[str, str]]]:
    """Zones for a select, in groups: the six countries' zones first (named with their countries), then all."""
    from app.core.timeutil import all_timezones

    first = {}
    for code, (tz, _languages) in PROJECT_COUNTRIES.items():
        first.setdefault(tz, []).append(country_name(code))
    project = [(tz, f"{tz} · {', '.join(names)}") for tz, names in first.items()]
    rest = [(tz, tz) for tz in sorted(all_timezones()) if tz not in first and "/" in tz
            and not tz.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/"))]
    return {str(_l("The project's countries")): project, str(_l("All time zones")): [("UTC", "UTC"), *rest]}


def language_name(code: str) -> str:
    return _display_locale().languages.get(code, code)


@lru_cache(maxsize=1)
def spoken_language_codes() -> tuple[str, ...]:
    """Languages people may say they work in: the project's, then the EU's other official ones."""
    first = ["en", "nl", "fr", "de", "hr", "el", "it", "pl", "es", "ca", "eu", "gl"]
    others = ["bg", "cs", "da", "et", "fi", "ga", "hu", "lt", "lv", "mt", "pt", "ro", "sk", "sl", "sv",
              "sr", "bs", "sq", "mk", "tr", "uk"]
    return tuple(first + others)


def spoken_language_choices() -> list[tuple[str, str]]:
    return [(c, language_name(c)) for c in spoken_language_codes()]

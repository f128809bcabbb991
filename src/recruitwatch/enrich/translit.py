"""Transliteration and normalisation, so that matching works across scripts.

``match_form(text, lang)`` is the one canonical form that entities and
near-duplicate fingerprints are computed on: ``normalise`` (NFKC, case folding,
invisible characters removed, apostrophes and dashes unified, whitespace
collapsed), then Cyrillic -> Latin by language, then Arabic-script letter
variants unified. An Uzbek post and its Cyrillic-script copy give the same (or a
near-identical) matching form: ``Тошкент``, ``Toshkent`` and ``TOSHKENT`` all
give ``toshkent``; ``Ўзбекистон`` and ``Oʻzbekiston`` give ``o'zbekiston``.

Letter tables are data (``data/translit/cyrillic.json``, one scheme per
language, each documented there); the positional rules are here:

- ``е`` is ``ye`` at the start of a word and after vowels, ``ъ`` and ``ь``, else
  ``e`` (all schemes); capitals follow the word: ``Ш`` -> ``Sh``, ``SH`` when the
  neighbouring letters are capitals too.
- Uzbek (official 1995 alphabet): ``ц`` -> ``s`` at the start of a word and after
  consonants, ``ts`` after vowels; ``ъ`` -> ``ʼ`` (tutuq belgisi) but dropped before
  ``е ё ю я`` (объект -> obyekt); ``с`` + ``ҳ`` -> ``sʼh`` (Исҳоқ -> Isʼhoq), as the
  official rules separate them; ``ь`` dropped.
- Without a language, Cyrillic text is sniffed by its letters: ҷ ӣ ӯ Tajik, ў Uzbek,
  ї є ґ generic, ә і ұ һ Kazakh, ө ү ң ѳ Kyrgyz, қ ғ ҳ Uzbek, ъ before anything but
  е ё ю я Uzbek (маълумот), else Russian.

Uzbek Latin -> Cyrillic reads every apostrophe variant (``' ‘ ’ ` ʻ ʼ ´ ʹ ′``): one
after ``o``/``g`` makes ``ў``/``ғ``; one between letters elsewhere is ``ъ``.
``sh`` is always ``ш`` and ``ch`` ``ч`` (``s`` + ``h`` across a morpheme boundary is
rare and official spelling writes it ``sʼh``, read back as ``сҳ``); ``ts`` is ``ц``
only after a vowel and before ``i`` + vowel (the -tsiya/-tsion loan suffixes), else
``тс``; ``e`` is ``э`` at the start of a word and after vowels, else ``е``; ``ye`` is
``е`` there and ``йе`` after consonants. ``ь`` and most ``ц`` cannot be recovered.

Arabic script (``normalise_arabic``): yeh and alef maksura (ي ى and ئ) -> Persian
yeh ی; Arabic kaf ك (and swash kaf ڪ) -> keheh ک; alef variants أ إ آ ٱ ٲ ٳ -> ا;
ؤ -> و; teh marbuta ة -> ه (the usual search folding; Persian spellings with ت stay
different); heh forms ۀ ہ ۂ ە and Urdu's aspirate ھ -> ه (so Urdu ``بھ`` reads as
Persian ``به``); Pashto ې ۍ and Urdu ے are letters of their own and are kept.
Combining marks of the Arabic blocks (harakat U+064B-U+065F, U+0670, Quranic
marks), tatweel U+0640, ZWNJ/ZWJ and the Arabic letter mark are removed (ZWNJ
removed, not spaced: می‌خواهم matches میخواهم); Arabic-Indic and Persian digits
become ASCII; presentation forms are NFKC-folded first.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, partial
from importlib import resources
from typing import Any

__all__ = [
    "cyrl_to_latn",
    "ky_to_latn",
    "match_form",
    "normalise",
    "normalise_arabic",
    "tg_to_latn",
    "uz_cyrl_to_latn",
    "uz_latn_to_cyrl",
]

APOSTROPHES = "'‘’`ʻʼ´ʹ′"
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
INVISIBLE = (
    "\u00ad\u034f\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d"
    "\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
_OKINA, _TUTUQ = "\u02bb", "\u02bc"
_LETTER = r"[^\W\d_]"
_LATIN_VOWELS = "aeiouAEIOU"
_LATIN_CONSONANTS = "bcdfghjklmnpqrstvwxyzBCDFGHJKLMNPQRSTVWXYZ"

# --- normalise -------------------------------------------------------------------------

_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_APOSTROPHE = re.compile("[" + APOSTROPHES.replace("'", "") + "]")
_DASH = re.compile(f"[{DASHES}]")


def _fold(text: str) -> str:
    """NFKC and case folding, repeated until stable (a fold can undo NFKC form)."""
    text = unicodedata.normalize("NFKC", text)
    for _ in range(4):
        folded = text.casefold()
        if folded == text:
            break
        text = unicodedata.normalize("NFKC", folded)
        if text == folded:
            break
    return text


def normalise(text: str) -> str:
    """NFKC + casefold + invisible characters removed + apostrophes/dashes unified + spaces.

    Every apostrophe variant becomes ``'``, every hyphen and dash ``-``; zero-width
    and bidi control characters and soft hyphens are removed; runs of whitespace
    become one space, with none at either end. Idempotent.
    """
    if text.isascii():
        return " ".join(text.lower().replace("`", "'").split())
    text = _fold(_INVISIBLE.sub("", text).replace("\u00b4", "'"))
    return " ".join(_DASH.sub("-", _APOSTROPHE.sub("'", text)).split())


# --- Cyrillic -> Latin -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Scheme:
    name: str
    table: dict[int, str]
    caps: dict[str, str]
    rules: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Rules:
    """The compiled positional rules, shared by every scheme."""

    cyrillic: re.Pattern[str]
    caps: re.Pattern[str]
    e_lower: re.Pattern[str]
    e_upper: re.Pattern[str]
    ts_lower: re.Pattern[str]
    ts_upper: re.Pattern[str]
    markers: re.Pattern[str]
    consonants: frozenset[str]
    vowels: frozenset[str]


_HARD_SIGN_IOTATED = re.compile("[ъЪ](?=[еёюяЕЁЮЯ]|Y)")
_TUTUQ_LIKE = re.compile("[ъЪ](?![еёюяЕЁЮЯ])")  # Russian ъ only precedes е ё ю я
_S_BEFORE_H = re.compile("с(?=[ҳҲ])")
_S_BEFORE_H_UPPER = re.compile("С(?=[ҳҲ])")
_SNIFF = (
    ("tg", "ҷӣӯ"),
    ("uz", "ў"),
    ("generic", "їєґ"),
    ("kk", "әіұһ"),
    ("ky", "өүңѳ"),
    ("uz", "қғҳ"),
)
_LANG_ALIASES = {"uzn": "uz", "uzb": "uz", "tgk": "tg", "kir": "ky", "kaz": "kk", "rus": "ru"}


@cache
def _data() -> dict[str, Any]:
    path = resources.files("recruitwatch").joinpath("data/translit/cyrillic.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _with_accented(letters: dict[str, str]) -> dict[str, str]:
    """Add the accented Cyrillic letters (ѐ ӂ ӑ ...) as their base letter's Latin."""
    extra = {}
    for cp in range(0x0400, 0x0530):
        base = unicodedata.normalize("NFD", chr(cp))[0].lower()
        if chr(cp).islower() and chr(cp) not in letters and base in letters:
            extra[chr(cp)] = letters[base]
    return letters | extra


def _build_scheme(name: str, letters: dict[str, str], rules: list[str]) -> _Scheme:
    table: dict[int, str] = {}
    caps: dict[str, str] = {}
    for cyr, lat in _with_accented(letters).items():
        upper = cyr.upper()
        table[ord(cyr)] = lat
        table[ord(upper)] = lat[:1].upper() + lat[1:]
        caps[upper] = lat.upper()
    return _Scheme(name, table, caps, frozenset(rules))


@cache
def _schemes() -> dict[str, _Scheme]:
    specs = _data()["schemes"]
    generic = specs["generic"]["letters"]
    return {
        name: _build_scheme(name, {**generic, **spec["letters"]}, spec["rules"])
        for name, spec in specs.items()
    }


def _char_class(chars: str) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(set(chars))) + "]"


@cache
def _rules() -> _Rules:
    letters = "".join(_data()["schemes"]["generic"]["letters"])
    lower_vowels = _data()["vowels"]
    vowels = lower_vowels + lower_vowels.upper() + _LATIN_VOWELS
    consonants = "".join(c for c in letters if c not in lower_vowels and c not in "ъь")
    consonants += consonants.upper() + _LATIN_CONSONANTS
    upper = letters.upper() + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    multi = "".join(c for s in _schemes().values() for c, v in s.caps.items() if len(v) > 1)
    cons, vow, up = _char_class(consonants), _char_class(vowels), _char_class(upper)
    return _Rules(
        cyrillic=re.compile("[\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f]"),
        caps=re.compile(f"{_char_class(multi + 'ЕЦ')}(?:(?={up})|(?<={up}.)(?!{_LETTER}))"),
        e_lower=re.compile(f"е(?<={cons}е)"),
        e_upper=re.compile(f"Е(?<={cons}Е)"),
        ts_lower=re.compile(f"ц(?<={vow}ц)"),
        ts_upper=re.compile(f"Ц(?<={vow}Ц)"),
        markers=re.compile(_char_class("".join(m + m.upper() for _, m in _SNIFF))),
        consonants=frozenset(consonants),
        vowels=frozenset(vowels),
    )


def _caps_letter(scheme: _Scheme, match: re.Match[str]) -> str:
    """A capital inside an all-caps word: ``SH``, ``YE`` or ``E``, ``TS`` or ``S``."""
    letter, start, text = match.group(), match.start(), match.string
    previous = text[start - 1] if start else ""
    if letter == "Е" and previous in _rules().consonants:
        return "E"
    if letter == "Ц" and "ts_after_vowel" in scheme.rules:
        return "TS" if previous in _rules().vowels else "S"
    return scheme.caps[letter]


def _uzbek_rules(text: str, cased: bool) -> str:
    rules = _rules()
    text = rules.ts_lower.sub("ts", text)
    text = _HARD_SIGN_IOTATED.sub("", text)
    text = _S_BEFORE_H.sub("s" + _TUTUQ, text)
    if cased:
        text = rules.ts_upper.sub("Ts", text)
        text = _S_BEFORE_H_UPPER.sub("S" + _TUTUQ, text)
    return text


def _to_latin(text: str, scheme: _Scheme, cased: bool = True) -> str:
    rules = _rules()
    if not rules.cyrillic.search(text):
        return text
    if cased:
        text = rules.caps.sub(partial(_caps_letter, scheme), text)
        text = rules.e_upper.sub("E", text)
    text = rules.e_lower.sub("e", text)
    if scheme.rules:
        text = _uzbek_rules(text, cased)
    return text.translate(scheme.table)


def _lang_code(lang: str | None) -> str | None:
    if not lang:
        return None
    code = re.split("[-_]", lang.strip().lower(), maxsplit=1)[0]
    return _LANG_ALIASES.get(code, code)


def _sniff(text: str) -> str:
    found = {c.lower() for c in _rules().markers.findall(text)}
    for name, letters in _SNIFF:
        if not found.isdisjoint(letters):
            return name
    return "uz" if _TUTUQ_LIKE.search(text) else "ru"


def _scheme_for(lang: str | None, text: str) -> _Scheme:
    schemes = _schemes()
    code = _lang_code(lang)
    return schemes[code] if code in schemes else schemes[_sniff(text)]


def uz_cyrl_to_latn(text: str) -> str:
    """Uzbek Cyrillic -> official Latin (1995): Тошкент -> Toshkent, ЎЗБЕКИСТОН -> OʻZBEKISTON."""
    return _to_latin(text, _schemes()["uz"])


def tg_to_latn(text: str) -> str:
    """Tajik Cyrillic -> Latin (scheme in data/translit/cyrillic.json): Тоҷикистон -> Tojikiston."""
    return _to_latin(text, _schemes()["tg"])


def ky_to_latn(text: str) -> str:
    """Kyrgyz Cyrillic -> Latin after BGN/PCGN: Кыргызстан -> Kyrgyzstan, Өзгөн -> Özgön."""
    return _to_latin(text, _schemes()["ky"])


def cyrl_to_latn(text: str, lang: str | None = None) -> str:
    """Cyrillic -> Latin by language (uz, tg, ky, kk, ru; BCP 47 or ISO 639-3 codes).

    An unknown or missing language is sniffed from the text's letters (see the
    module docstring); Latin and other scripts pass through unchanged.
    """
    return _to_latin(text, _scheme_for(lang, text))


# --- Uzbek Latin -> Cyrillic -----------------------------------------------------------

_APOS = _char_class(APOSTROPHES)
_LATIN_TOKEN = re.compile(
    f"(?P<sh>[Ss]{_APOS}[Hh])|[Ss][Hh]|[Cc][Hh]|[OoGg]{_APOS}"
    f"|[Yy][Oo](?!{_APOS})|[Yy][UuAa]|(?P<ye>[Yy]?[Ee])"
    f"|(?:(?<=[{_LATIN_VOWELS}])|(?<=[Oo]{_APOS}))[Tt][Ss](?=[Ii][Yy]?[AaOoUuEe](?!{_APOS}))"
    f"|(?P<tutuq>(?:(?<={_LETTER})|(?<=[OoGg]{_APOS})){_APOS}(?={_LETTER}))"
)
_LATIN_DIGRAPHS = {
    "sh": "ш", "ch": "ч", "o'": "ў", "g'": "ғ", "yo": "ё", "yu": "ю", "ya": "я", "ts": "ц",
    "s'h": "сҳ",
}  # fmt: skip
_LATIN_LETTERS = str.maketrans(
    "abdfghijklmnopqrstuvxyzABDFGHIJKLMNOPQRSTUVXYZ",
    "абдфгҳижклмнопқрстувхйзАБДФГҲИЖКЛМНОПҚРСТУВХЙЗ",
)
_UNIFY_APOSTROPHES = {ord(c): "'" for c in APOSTROPHES}
_NEXT_LETTER = re.compile(f"{_APOS}*(.)")


def _cased(source: str, cyrillic: str) -> str:
    if not source[0].isupper():
        return cyrillic
    if len(source) > 1 and source[-1].isupper():
        return cyrillic.upper()
    return cyrillic[:1].upper() + cyrillic[1:]


def _after_consonant(text: str, index: int) -> bool:
    """Whether the Latin letter before ``index`` is a consonant (gʻ counts, oʻ does not)."""
    previous = text[index - 1] if index else ""
    if previous in APOSTROPHES:
        return index >= 2 and text[index - 2] in "gG"
    return previous.isalpha() and previous.lower() not in "aeiou" and previous not in "ʻʼ"


def _latin_e(match: re.Match[str]) -> str:
    token = match.group()
    consonant = _after_consonant(match.string, match.start())
    if len(token) == 1:
        return _cased(token, "е" if consonant else "э")
    return _cased(token, "йе" if consonant else "е")


def _latin_token(match: re.Match[str]) -> str:
    token = match.group()
    if match.group("ye"):
        return _latin_e(match)
    if match.group("tutuq"):
        following = _NEXT_LETTER.match(match.string, match.end())
        return "Ъ" if following and following.group(1).isupper() else "ъ"
    key = token.lower().translate(_UNIFY_APOSTROPHES)
    return _cased(token, _LATIN_DIGRAPHS[key])


def uz_latn_to_cyrl(text: str) -> str:
    """Uzbek Latin -> Cyrillic: Oʻzbekiston, O'zbekiston, O‘zbekiston -> Ўзбекистон."""
    return _LATIN_TOKEN.sub(_latin_token, text).translate(_LATIN_LETTERS)


# --- Arabic script ---------------------------------------------------------------------

_ARABIC_RANGES = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x0870, 0x08FF))
_ARABIC_LETTERS = {
    "ي": "ی", "ى": "ی", "ئ": "ی", "ك": "ک", "ڪ": "ک", "أ": "ا", "إ": "ا", "آ": "ا",
    "ٱ": "ا", "ٲ": "ا", "ٳ": "ا", "ؤ": "و", "ة": "ه", "ۀ": "ه", "ہ": "ه", "ۂ": "ه",
    "ە": "ه", "ھ": "ه", "،": ",", "؛": ";", "؟": "?", "٪": "%",
}  # fmt: skip
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]")


@cache
def _arabic_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord(k): v for k, v in _ARABIC_LETTERS.items()}
    for low, high in _ARABIC_RANGES:
        for cp in range(low, high + 1):
            if unicodedata.category(chr(cp)) == "Mn":
                table[cp] = None
    for digit in range(10):
        table[0x0660 + digit] = table[0x06F0 + digit] = str(digit)
    for cp in (0x0640, 0x061C, 0x200C, 0x200D):
        table[cp] = None
    return table


@cache
def _arabic_variants() -> re.Pattern[str]:
    return re.compile(_char_class("".join(map(chr, _arabic_table()))) + "+")


def _unify_arabic_run(match: re.Match[str]) -> str:
    return match.group().translate(_arabic_table())


def normalise_arabic(text: str) -> str:
    """Unify Arabic-script letter variants and drop marks (see the module docstring)."""
    if _PRESENTATION_FORMS.search(text):
        text = unicodedata.normalize("NFKC", text)
    return _arabic_variants().sub(_unify_arabic_run, text)


# --- the matching form -----------------------------------------------------------------

WORD_CACHE_SIZE = 1 << 17
_word_forms: dict[str, dict[str, str]] = {}


def _convert(text: str, scheme: _Scheme) -> str:
    """Normalised text -> matching form, keeping every space (a word may become empty)."""
    form = _to_latin(text, scheme, cased=False)
    if _ARABIC_SCRIPT.search(form):
        form = normalise_arabic(form)
    return _fold(form).replace(_OKINA, "'").replace(_TUTUQ, "'")  # the only ones added


def _forms_of(words: list[str], scheme: _Scheme, cache: dict[str, str]) -> list[str]:
    """Cached forms looked up, the rest converted in one batch (safe if another thread clears)."""
    forms = {w: f for w in dict.fromkeys(words) if (f := cache.get(w)) is not None}
    missing = [w for w in dict.fromkeys(words) if w not in forms]
    converted = _convert(" ".join(missing), scheme).split(" ")
    if len(converted) != len(missing):  # never seen: conversion neither adds nor drops spaces
        converted = [normalise(_convert(w, scheme)) for w in missing]
    new = dict(zip(missing, converted, strict=True))
    if len(cache) + len(new) > WORD_CACHE_SIZE:
        cache.clear()
    cache.update(new)
    forms.update(new)
    return [forms[w] for w in words]


def _words_in_form(text: str, scheme: _Scheme) -> str:
    """``_convert`` word by word through the cache of converted words."""
    cache = _word_forms.setdefault(scheme.name, {})
    words = text.split(" ")
    try:
        forms = [cache[w] for w in words]
    except KeyError:
        forms = _forms_of(words, scheme, cache)
    return " ".join(filter(None, forms))


def match_form(text: str, lang: str | None = None) -> str:
    """The canonical form for matching across scripts (entities, near-duplicates).

    ``normalise``, then Cyrillic -> Latin (by ``lang`` when known, sniffed from the
    letters otherwise), then ``normalise_arabic``; apostrophes end up as ``'`` (oʻ ->
    o', gʻ -> g', ʼ -> '). Never raises on any ``str``; idempotent. Every rule looks
    no further than the surrounding word, so converted words are cached (at most
    ``WORD_CACHE_SIZE`` per scheme): a channel's vocabulary is converted once.
    """
    form = normalise(text)
    if form.isascii() or not (_rules().cyrillic.search(form) or _ARABIC_SCRIPT.search(form)):
        return form
    return _words_in_form(form, _scheme_for(lang, form))

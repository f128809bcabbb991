"""Token keys: the form in which text and gazetteer names meet (see entities.py).

A token's *form* is ``translit.match_form`` under a language *profile* (its
transliteration scheme) with Latin diacritics folded. Gazetteer names are keyed
by the forms of their tokens with apostrophes dropped (``Oʻzbekiston`` ->
``ozbekiston``), and, for Russian, also by their stems (``Витебская область`` ->
``vitebsk oblast``), because Russian names are adjectives and nouns that inflect.
The set of every name token's key is the *vocabulary*.

A text token is reduced to the first of these that the vocabulary has: for Russian,
its stem by the names' rule (names are keyed by stems too); its form; that stem; the
longest of the forms left by stripping the inflectional endings of its language
family (Russian case endings once; Uzbek, Kazakh and Kyrgyz case and possessive
suffixes up to three deep; Tajik ezafe, plural and -ro; English possessive).
Otherwise it stays as it is. So ``Баткенде``, ``Оштогу``, ``Toshkentdagi`` and
``России`` meet ``Batken``, ``Ош``, ``Toshkent`` and ``Россия``, while ``Аксы`` (a
district) does not become ``Аксу`` (a city): text is only ever reduced to a word
the gazetteer has.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8"
    "\u06ea-\u06ed\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963\u200c\u200d\u00ad"
)
APOSTROPHES = "'’ʻʼ‘`´"
TOKEN = re.compile(f"[\\w{MARKS}]+(?:[{APOSTROPHES}][\\w{MARKS}]+)*")
MIN_STEM = 3


@dataclass(frozen=True, slots=True)
class Profile:
    """How one language group is keyed: transliteration scheme and ending rules."""

    name: str
    scheme: str | None
    family: str


PROFILES = (
    Profile("ru", "ru", "ru"),
    Profile("uz", "uz", "turkic"),
    Profile("kk", "kk", "turkic"),
    Profile("ky", "ky", "turkic"),
    Profile("tg", "tg", "tg"),
    Profile("turkic", None, "turkic"),
    Profile("en", None, "en"),
    Profile("plain", None, "plain"),
)
PROFILE_BY_NAME = {p.name: p for p in PROFILES}
LANG_PROFILES = {
    "ru": "ru", "be": "ru", "uk": "ru", "bg": "ru", "sr": "ru", "mk": "ru",
    "uz": "uz", "kk": "kk", "ky": "ky", "tg": "tg",
    "tr": "turkic", "az": "turkic", "tk": "turkic", "tt": "turkic", "ba": "turkic",
    "ug": "turkic", "crh": "turkic", "en": "en",
}  # fmt: skip
ENDINGS = {
    "ru": "a ya u yu e ye i y o om em yem oy ey yey oyu eyu yeyu akh yakh am yam ami yami ov ev "
    "yev iy ii iya iyu iye iyey iyakh iyam iyami aya yaya oye yeye ogo yego omu yemu ym im ykh "
    "ikh uyu yuyu yye",
    "turkic": "da de ta te do to ga ge ka ke qa go ko gha ghe g'a dan den tan ten don ton nan nen "
    "non ning nin nyng nyn nun dyng ding dyn din dun tyng ting tyn tin tun ni ny nu dy di du ty ti "
    "tu na ne no nda nde ndo dagi degi tagi tegi dagy degy daghy deghi taghy tegi dogu togu "
    "si sy su",
    "tg": "ro i yi ho hoi hoyi",
    "en": "'s '",
    "plain": "",
}
_FAMILY_ENDINGS = {family: frozenset(endings.split()) for family, endings in ENDINGS.items()}
_ENDING_LENGTHS = {
    family: sorted({len(e) for e in endings}, reverse=True)
    for family, endings in _FAMILY_ENDINGS.items()
}
_REPEAT = {"turkic", "tg"}
_LONG_STEM = {"ru"}  # a Russian ending of two letters or more leaves at least four (Денов, день)


@cache
def profile_for(lang: str | None) -> Profile:
    code = re.split("[-_]", (lang or "").lower(), maxsplit=1)[0]
    return PROFILE_BY_NAME[LANG_PROFILES.get(code, "plain")]


@cache
def _latin_fold() -> dict[int, str]:
    table = {}
    for cp in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        base = unicodedata.normalize("NFD", chr(cp))[0]
        if base.isascii() and base.isalpha() and base != chr(cp):
            table[cp] = base.lower()
    table.update({ord("ı"): "i", ord("ø"): "o", ord("ł"): "l", ord("đ"): "d", ord("ħ"): "h"})
    return table


def _letters(form: str) -> int:
    return sum(ch.isalpha() for ch in form)


def _least(family: str, ending: int, name: bool = False) -> int:
    """The shortest stem an ending may leave: Russian names keep four letters (Дели is not
    "del"), Russian text may come down to three when the vocabulary has it (Оше -> Ош)."""
    if family in _LONG_STEM and (name or ending > 1):
        return MIN_STEM + 1
    return MIN_STEM


# Endings a Russian name has in its citation form (nominative): only these are taken off
# names. Oblique endings (-ов, -ом, -ах ...) are part of names (Ростов, Иванов) and come
# off text only. Neuter names in -ово/-ево/-ино keep their ending (Пушкино is not Пушкин).
_NOMINATIVE = frozenset(
    [
        "a",
        "ya",
        "iya",
        "aya",
        "yaya",
        "yy",
        "iy",
        "oy",
        "oye",
        "yeye",
        "yye",
        "iye",
        "y",
        "i",
        "o",
        "e",
        "ye",
    ]
)
_KEEP_NEUTER = ("ovo", "evo", "ino", "yno")


def _name_stem(form: str) -> str | None:
    """The stem a Russian gazetteer name is also keyed by (Витебская -> vitebsk)."""
    if form.endswith(_KEEP_NEUTER):
        return None
    letters = _letters(form)
    for length in (4, 3, 2, 1):
        if letters - length >= MIN_STEM + 1 and form[-length:] in _NOMINATIVE:
            return form[:-length]
    return None


def _strip_once(form: str, family: str, name: bool = False) -> str | None:
    """The form without its longest ending (the stem rule for gazetteer names)."""
    letters, endings = _letters(form), _FAMILY_ENDINGS[family]
    for length in _ENDING_LENGTHS[family]:
        if letters - length >= _least(family, length, name) and form[-length:] in endings:
            return form[:-length]
    return None


def _stripped(form: str, family: str) -> list[str]:
    """Every form left by stripping endings (one deep, or three for suffix chains)."""
    found, frontier = [], [form]
    for _ in range(3 if family in _REPEAT else 1):
        step = []
        for current in frontier:
            letters = _letters(current)
            for length in _ENDING_LENGTHS[family]:
                ending_ok = current[-length:] in _FAMILY_ENDINGS[family]
                if ending_ok and letters - length >= _least(family, length):
                    step.append(current[:-length])
        found += step
        frontier = step
    return found


def _form(token: str, scheme: str | None) -> str:
    from .translit import match_form

    return match_form(token, scheme).replace(" ", "").translate(_latin_fold())


def _bare(form: str) -> str:
    return form.replace("'", "")


_CYRILLIC = re.compile("[\u0400-\u052f]")


def token_keys(token: str) -> tuple[tuple[str, str], ...]:
    """(key, stem key) of a gazetteer name token under every profile, in ``PROFILES`` order.

    The stem key differs from the key only for Russian (``vitebskaya`` -> ``vitebsk``)."""
    if _CYRILLIC.search(token):
        forms = {p.scheme: _form(token, p.scheme) for p in PROFILES}
    else:
        forms = dict.fromkeys({p.scheme for p in PROFILES}, _form(token, None))
    out = []
    for profile in PROFILES:
        form = forms[profile.scheme]
        stem = None
        if profile.family in _LONG_STEM:
            stem = _name_stem(form)
        out.append((_bare(form), _bare(stem or form)))
    return tuple(out)


def text_key(token: str, profile: Profile, vocabulary: frozenset[str] | set[str]) -> str:
    """The key of a text token: its form, or the longest stripped form the vocabulary has."""
    form = _form(token, profile.scheme)
    if not (form.isalpha() or "'" in form):
        return _bare(form)
    if profile.family == "en" and form.endswith(("'s", "'")):
        form = form[: form.rindex("'")]  # Queen's is not Queens
    stem = _strip_once(form, profile.family)
    stem_key = _bare(stem) if stem is not None else ""
    if profile.family in _LONG_STEM and stem_key in vocabulary:
        return stem_key  # names are keyed by their stems too: России -> ross, as Россия
    if _bare(form) in vocabulary:
        return _bare(form)
    if stem_key in vocabulary:
        return stem_key
    known = [c for c in map(_bare, _stripped(form, profile.family)) if c in vocabulary]
    return max(known, key=len) if known else _bare(form)


NO_KEY = "\x01"  # stands for a token no gazetteer name contains


class KeyCache:
    """Token -> key for one profile (``NO_KEY`` outside the vocabulary), bounded: cleared
    when it grows past ``limit``."""

    def __init__(self, profile: Profile, vocabulary: frozenset[str], limit: int = 200_000) -> None:
        self.profile, self.vocabulary, self.limit = profile, vocabulary, limit
        self.keys: dict[str, str] = {}

    def __call__(self, token: str) -> str:
        key = self.keys.get(token)
        if key is None:
            if len(self.keys) >= self.limit:
                self.keys.clear()
            key = text_key(token, self.profile, self.vocabulary)
            key = self.keys[token] = key if key in self.vocabulary else NO_KEY
        return key

    def keys_for(self, tokens: list[str]) -> list[str]:
        """The keys of ``tokens`` (one per token, in order)."""
        get = self.keys.get
        keys = [get(t) for t in tokens]
        if None in keys:
            keys = [k if k is not None else self(t) for k, t in zip(keys, tokens, strict=True)]
        return keys  # type: ignore[return-value]  # no None is left


def name_keys(
    name: str, cache: dict[str, tuple[tuple[str, str], ...]] | None = None
) -> dict[str, int]:
    """Keys of ``name`` (plain and, for Russian, stemmed) -> bit mask of the profiles."""
    cache = {} if cache is None else cache
    per_token = []
    for token in TOKEN.findall(name):
        if token not in cache:
            cache[token] = token_keys(token)
        per_token.append(cache[token])
    out: dict[str, int] = {}
    for bit in range(len(PROFILES)):
        for variant in (0, 1):
            key = " ".join(keys[bit][variant] for keys in per_token if keys[bit][variant])
            if key:
                out[key] = out.get(key, 0) | (1 << bit)
    return out

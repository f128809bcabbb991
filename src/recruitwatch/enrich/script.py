"""Writing-system detection and text sanitising for language identification.

``sanitise`` makes any ``str`` safe to hand to pycld2 (which raises on C0/C1
control characters, Unicode noncharacters and lone surrogates) without
changing its words:

- C0/C1 control characters (except tab, newline, carriage return) become spaces;
- invisible format characters (bidi marks and isolates, BOM, soft hyphen, zero
  width space, word joiner) are dropped; ZWNJ and ZWJ are kept because Persian
  and Devanagari spelling uses them;
- surrogate pairs stored as two code points are joined, lone surrogates and
  noncharacters (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF) are dropped;
- runs of whitespace collapse to one space.

URLs, e-mail addresses, @mentions and #hashtags are *not* touched by
``sanitise`` (other stages need them). ``strip_markup`` removes them for
language identification only: they are identifiers, mostly ASCII, and say
nothing about the language a post is written in.

Scripts are ISO 15924 codes. ``Latn``, ``Cyrl``, ``Arab`` and ``Deva`` letters
are collected with compiled character classes, and only for the scripts whose
UTF-8 lead bytes occur (a cheap test, so a Cyrillic post costs one regex pass).
Letters of any other script are named through ``unicodedata`` (``Hani``,
``Grek``, ``Hebr`` ...; ``Zzzz`` if unknown); letters outside the Basic
Multilingual Plane (CJK extension B, historic scripts) are not counted, and
neither are emoji, digits, punctuation or combining marks. ``detect_script``
answers ``mixed`` when no script holds ``MIXED_BELOW`` of the letters and
``none`` when there are no letters at all.
"""

from __future__ import annotations

import re
import unicodedata

MIXED_BELOW = 0.75

_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufeff\ufff9-\ufffb\ufdd0-\ufdef\ufffe\uffff]"
)
_ASTRAL_NONCHAR = re.compile(
    "[" + "".join(chr(p * 0x10000 + 0xFFFE) + chr(p * 0x10000 + 0xFFFF) for p in range(1, 17)) + "]"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_MARKUP = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|\b(?:[a-z0-9-]+\.)+[a-z]{2,}/\S*"
    r"|\S+@[a-z0-9-]+(?:\.[a-z0-9-]+)+"
    r"|(?<!\w)[@#]\w+",
    re.IGNORECASE,
)

SCRIPT_CLASSES: dict[str, re.Pattern[str]] = {
    "Latn": re.compile(
        "[A-Za-z\u00aa\u00ba\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u02b0-\u02ff\u1e00-\u1eff]"
    ),
    "Cyrl": re.compile("[\u0400-\u0481\u048a-\u052f\u1c80-\u1c88\u2de0-\u2dff\ua640-\ua69f]"),
    "Arab": re.compile(
        "[\u0620-\u063f\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc"
        "\u06ff\u0750-\u077f\u08a0-\u08c9\ufb50-\ufdfb\ufe70-\ufefc]"
    ),
    "Deva": re.compile("[\u0904-\u0939\u093d\u0950\u0958-\u0961\u0971-\u097f]"),
}
_RUNS = {code: re.compile(rx.pattern + "+") for code, rx in SCRIPT_CLASSES.items()}
_OTHER_LETTER = re.compile(
    "(?!" + "|".join(p.pattern for p in SCRIPT_CLASSES.values()) + r")[^\W\d_]"
)


def _lead_table() -> bytes:
    """UTF-8 byte -> which script its character may belong to (L, C, A, D, O, or space)."""
    table = bytearray(b" " * 256)
    spans = {
        b"L": [(0x41, 0x5A), (0x61, 0x7A), (0xC3, 0xCB)],
        b"C": [(0xD0, 0xD4)],
        b"A": [(0xD8, 0xDB), (0xDD, 0xDD)],
        b"D": [(0xE0, 0xE0)],
        b"O": [(0xCD, 0xCF), (0xD5, 0xD7), (0xDC, 0xDC), (0xDE, 0xDF), (0xE1, 0xE1), (0xE3, 0xEF)],
    }
    for mark, ranges in spans.items():
        for low, high in ranges:
            table[low : high + 1] = mark * (high - low + 1)
    return bytes(table)


_LEADS = _lead_table()
_DEVA_BYTES = (b"\xe0\xa4", b"\xe0\xa5")

_NAME_TO_SCRIPT = {
    "CJK": "Hani", "HIRAGANA": "Hira", "KATAKANA": "Kana", "HANGUL": "Hang", "GREEK": "Grek",
    "HEBREW": "Hebr", "THAI": "Thai", "GEORGIAN": "Geor", "ARMENIAN": "Armn", "BENGALI": "Beng",
    "GURMUKHI": "Guru", "GUJARATI": "Gujr", "TAMIL": "Taml", "TELUGU": "Telu", "KANNADA": "Knda",
    "MALAYALAM": "Mlym", "SINHALA": "Sinh", "ETHIOPIC": "Ethi", "KHMER": "Khmr", "LAO": "Laoo",
    "MYANMAR": "Mymr", "TIBETAN": "Tibt", "SYRIAC": "Syrc", "THAANA": "Thaa", "MONGOLIAN": "Mong",
    "ORIYA": "Orya", "LATIN": "Latn", "CYRILLIC": "Cyrl", "ARABIC": "Arab", "DEVANAGARI": "Deva",
}  # fmt: skip


def _join_surrogates(text: str) -> str:
    """Join surrogate pairs into one code point; lone surrogates become U+FFFD, then go."""
    joined = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return joined.replace("\ufffd", "")


def _has_astral(text: str) -> bool:
    return len(text.encode("utf-16-le")) > 2 * len(text)


def sanitise(text: str) -> str:
    """Return ``text`` without what makes pycld2 raise or misread (see module docstring)."""
    if not text.isascii():
        if _SURROGATE.search(text):
            text = _join_surrogates(text)
        if _has_astral(text):
            text = _ASTRAL_NONCHAR.sub("", text)
    if _UNSAFE.search(text):
        text = _UNSAFE.sub("", _CONTROL.sub(" ", text))
    return " ".join(text.split())


def strip_markup(text: str) -> str:
    """Remove URLs, e-mail addresses, @mentions and #hashtags (for language ID only)."""
    if "/" in text or "@" in text or "#" in text or "www." in text:
        return " ".join(_MARKUP.sub(" ", text).split())
    return text


def _other_script(char: str) -> str:
    first = unicodedata.name(char, "").split(" ", 1)[0]
    return _NAME_TO_SCRIPT.get(first, "Zzzz")


def _present(text: str) -> bytes:
    """Script marks (see ``_lead_table``) of the scripts whose lead bytes occur."""
    raw = text.encode("utf-8", "surrogatepass")
    marks = raw.translate(_LEADS)
    if b"D" in marks and not any(pair in raw for pair in _DEVA_BYTES):
        marks = marks.replace(b"D", b"O")
    return marks


def script_letters(text: str) -> dict[str, str]:
    """The letters of each script that occurs, in text order (a sanitised text)."""
    marks = _present(text)
    found: dict[str, str] = {}
    for code, mark in (("Latn", b"L"), ("Cyrl", b"C"), ("Arab", b"A"), ("Deva", b"D")):
        if mark in marks:
            letters = "".join(_RUNS[code].findall(text))
            if letters:
                found[code] = letters
    if b"O" in marks:
        for char in _OTHER_LETTER.findall(text):
            code = _other_script(char)
            found[code] = found.get(code, "") + char
    return found


def script_counts(text: str) -> dict[str, int]:
    """Letters per script (only scripts that occur)."""
    return {code: len(letters) for code, letters in script_letters(text).items()}


def dominant_script(counts: dict[str, int]) -> tuple[str, float]:
    """The script with most letters and its share; ("none", 0.0) without letters."""
    total = sum(counts.values())
    if not total:
        return "none", 0.0
    code = max(counts, key=counts.__getitem__)
    return code, counts[code] / total


def script_label(counts: dict[str, int]) -> str:
    """``detect_script``'s answer for precomputed counts."""
    code, share = dominant_script(counts)
    return "mixed" if code != "none" and share < MIXED_BELOW else code


def detect_script(text: str) -> str:
    """ISO 15924 code of the text's writing system, ``mixed`` or ``none`` (no letters)."""
    return script_label(script_counts(sanitise(text)))

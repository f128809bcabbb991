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

Scripts are ISO 15924 codes: ``Latn``, ``Cyrl``, ``Arab``, ``Deva`` are counted
with compiled character classes (fast); letters of any other script are named
through ``unicodedata`` (``Hani``, ``Grek``, ``Hebr`` ...; ``Zzzz`` if unknown).
``detect_script`` answers ``mixed`` when no script holds ``MIXED_BELOW`` of the
letters and ``none`` when there are no letters at all.
"""

from __future__ import annotations

import re
import unicodedata

MIXED_BELOW = 0.75

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_FORMAT = re.compile(
    "[\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
_NONCHAR = re.compile(
    "[\ufdd0-\ufdef"
    + "".join(chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF) for plane in range(17))
    + "]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_SPACES = re.compile(r"\s+")

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
_OTHER_LETTER = re.compile(
    "(?!" + "|".join(p.pattern for p in SCRIPT_CLASSES.values()) + r")[^\W\d_]"
)

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


def sanitise(text: str) -> str:
    """Return ``text`` without what makes pycld2 raise or misread (see module docstring)."""
    if _SURROGATE.search(text):
        text = _join_surrogates(text)
    text = _CONTROL.sub(" ", text)
    text = _FORMAT.sub("", text)
    text = _NONCHAR.sub("", text)
    return _SPACES.sub(" ", text).strip()


def strip_markup(text: str) -> str:
    """Remove URLs, e-mail addresses, @mentions and #hashtags (for language ID only)."""
    return _SPACES.sub(" ", _MARKUP.sub(" ", text)).strip()


def _other_script(char: str) -> str:
    first = unicodedata.name(char, "").split(" ", 1)[0]
    return _NAME_TO_SCRIPT.get(first, "Zzzz")


def script_counts(text: str) -> dict[str, int]:
    """Letters per script (only scripts that occur)."""
    counts = {code: len(rx.findall(text)) for code, rx in SCRIPT_CLASSES.items()}
    counts = {code: n for code, n in counts.items() if n}
    for char in _OTHER_LETTER.findall(text):
        code = _other_script(char)
        counts[code] = counts.get(code, 0) + 1
    return counts


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

"""Alphabet evidence for language identification, from data/langid/letters.json.

A language is *compatible* with a text when the text's letters (of that
language's script, lower-cased) all belong to its alphabet; a long text may
carry one stray letter per ``STRAY_PER`` letters (a quoted name, a typo). It is
*plausible* when the letters it uses most ("expect") occur, or the text is too
short for their absence to matter: with ``N`` letters and none of them, the
chance is ``(1 - rate) ** N``, implausible under ``IMPLAUSIBLE``. Languages
marked ``require`` need at least one expected letter whatever the length.
Both rules follow from the alphabets alone; no word lists are involved.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

IMPLAUSIBLE = 0.02
STRAY_PER = 100


@dataclass(frozen=True, slots=True)
class Alphabet:
    code: str
    script: str
    letters: frozenset[str]
    marks: frozenset[str]
    expect: frozenset[str]
    rate: float
    require: bool = False
    variants: frozenset[str] = frozenset()

    def compatible(self, letters: frozenset[str], n: int) -> bool:
        """Every letter of the text is in the alphabet (up to the stray allowance); a
        variant letter counts only in a text that also has one of the language's marks."""
        foreign = letters - self.letters
        if self.variants and not self.marks & letters:
            foreign |= self.variants & letters
        return len(foreign) <= n // STRAY_PER

    def absence(self, letters: frozenset[str], n: int) -> float:
        """Chance of seeing none of the expected letters in ``n`` letters (1.0 if some occur)."""
        if self.expect & letters or not self.expect:
            return 1.0
        return (1.0 - self.rate) ** n

    def plausible(self, letters: frozenset[str], n: int) -> bool:
        """The expected letters occur, or the text is too short to miss them."""
        if self.expect & letters or not self.expect:
            return True
        return not self.require and self.absence(letters, n) >= IMPLAUSIBLE

    def valid(self, letters: frozenset[str], n: int) -> bool:
        return self.compatible(letters, n) and self.plausible(letters, n)

    def evidence(self, letters: frozenset[str]) -> tuple[int, int]:
        """How many of its distinctive, then of its expected letters the text has."""
        return len(self.marks & letters), len(self.expect & letters)


@dataclass(frozen=True, slots=True)
class ScriptTable:
    """The alphabets of one script; ``distinctive`` finds the letters not shared by all;
    ``endings`` finds the word endings only one language's grammar writes."""

    script: str
    fallback: tuple[str, ...]
    languages: dict[str, Alphabet]
    distinctive: re.Pattern[str]
    endings: dict[str, re.Pattern[str]]

    def ending_count(self, code: str, text: str) -> int:
        """How many words of ``text`` (lower-case) end as only ``code`` writes them."""
        pattern = self.endings.get(code)
        return len(pattern.findall(text)) if pattern else 0


def _distinctive(langs: dict[str, Alphabet]) -> re.Pattern[str]:
    """Letters in every alphabet and never a mark or expected letter say nothing: skip them."""
    shared = frozenset.intersection(*(a.letters for a in langs.values()))
    used = frozenset().union(*(a.marks | a.expect for a in langs.values()))
    return re.compile("[^" + re.escape("".join(sorted(shared - used))) + "]")


def _endings(entry: dict[str, Any]) -> re.Pattern[str] | None:
    """Words ending in one of the entry's ``endings`` (after at least one letter)."""
    endings = entry.get("endings")
    if not endings:
        return None
    return re.compile(r"(?<=\w)(?:" + "|".join(map(re.escape, endings)) + r")\b")


def _alphabet(code: str, script: str, loans: str, entry: dict[str, Any]) -> Alphabet:
    variants = entry.get("variants", "")
    letters = entry["letters"] + variants + (loans if entry.get("borrows") else "")
    return Alphabet(
        code=code,
        script=script,
        letters=frozenset(letters),
        marks=frozenset(entry["marks"]),
        expect=frozenset(entry["expect"]),
        rate=float(entry["rate"]),
        require=bool(entry.get("require", False)),
        variants=frozenset(variants),
    )


def _table(script: str, raw: dict[str, Any]) -> ScriptTable:
    langs = {
        code: _alphabet(code, script, raw["loans"], entry)
        for code, entry in raw["languages"].items()
    }
    endings = {code: _endings(entry) for code, entry in raw["languages"].items()}
    found = {code: pattern for code, pattern in endings.items() if pattern is not None}
    return ScriptTable(script, tuple(raw["fallback"]), langs, _distinctive(langs), found)


@cache
def letter_data() -> dict[str, Any]:
    """The parsed letters.json (loaded once, on first use)."""
    path = files("recruitwatch") / "data" / "langid" / "letters.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@cache
def script_tables() -> dict[str, ScriptTable]:
    """Alphabet tables by script (``Cyrl``, ``Arab``)."""
    return {script: _table(script, raw) for script, raw in letter_data()["scripts"].items()}


@cache
def relatives() -> dict[str, frozenset[str]]:
    """pycld2 code -> the codes of its language family (``families`` in letters.json)."""
    found: dict[str, frozenset[str]] = {}
    for members in letter_data()["families"].values():
        for code in members:
            found[code] = found.get(code, frozenset()) | frozenset(members)
    return found


@cache
def devanagari_words() -> dict[str, frozenset[str]]:
    """Function words (grammar, not topic) that tell Hindi from Nepali and Marathi."""
    return {k: frozenset(v) for k, v in letter_data()["devanagari_words"].items()}


@cache
def constructed_languages() -> frozenset[str]:
    """pycld2 codes never accepted as an answer (Klingon, Interlingua ...)."""
    return frozenset(letter_data()["constructed"])

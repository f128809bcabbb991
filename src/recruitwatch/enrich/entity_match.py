"""The matcher: an Aho-Corasick automaton over the keys of every gazetteer name.

A post is keyed once with the profile of its language (entity_keys.py), the keys
are joined with spaces, and the automaton finds every name as a run of whole
tokens: a name never matches inside a word (``Osh`` not in ``Oshxona``). Offsets
come from the tokens, so they point into the original text whatever the script.

Guards: place names need a capital letter in the surface (``qarshi``, "against",
is not the city of Qarshi); abbreviations in the gazetteer (ISKP, LeT, США) need
capitals in the text; city names of two letters in Arabic or Devanagari script
are not indexed and those of three need context; ``ambiguous.tsv`` adds rules per
name (``gazetteer.RULES``). Where names overlap the longest run of tokens wins;
where one span names several entries, those in a country the post already
mentions win, then transnational ones, then by kind (organisation, media outlet,
country, city, province, region), then by population.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from .entity_keys import PROFILES, TOKEN, KeyCache, name_keys, profile_for
from .gazetteer import Entry, Gazetteer, Rule

PLACE_KINDS = frozenset({"country", "province", "city", "region"})
KIND_ORDER = ("organisation", "media_outlet", "country", "city", "province", "region", "person")


# --- the matcher -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entry a key stands for: the profiles that give the key, and its guard flags."""

    entry: int
    mask: int
    flags: int


@dataclass(frozen=True, slots=True)
class Mention:
    id: str
    kind: str
    name: str
    surface: str
    start: int
    end: int
    country: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "name": self.name,
            "surface": self.surface,
            "start": self.start,
            "end": self.end,
            "country": self.country,
        }


@dataclass(slots=True)
class _Span:
    first: int
    last: int
    key: str
    candidates: list[tuple[Entry, bool]]
    needs_context: bool = False


Table = dict[str, list[tuple[int, int, int]]]
ABBREVIATION = 1  # every name giving the key is an abbreviation (ISKP, LeT, США)
SHORT_CASELESS = 2  # ... is a city name of three letters in a script without case (needs context)


def _capitals(text: str) -> tuple[int, int]:
    """(capital letters, cased letters) of ``text``."""
    cased = [ch for ch in text if ch.isupper() or ch.islower()]
    return sum(ch.isupper() for ch in cased), len(cased)


def _is_acronym(name: str) -> bool:
    """An abbreviation: ISKP, US, США, and mixed ones like LeT, JeM, AQSh (8 letters at most,
    at least two capitals, capitals at least half)."""
    upper, cased = _capitals(name)
    return 2 <= cased <= 8 and upper >= 2 and 2 * upper >= cased


def _caseless_letters(entry: Entry, name: str) -> int | None:
    """Letters of a city name in a script without case (Arabic, Devanagari); else None."""
    if entry.kind != "city" or _capitals(name)[1]:
        return None
    return sum(ch.isalpha() for ch in name)


def _is_short_caseless(entry: Entry, name: str) -> bool:
    """Short city names in Arabic or Devanagari script are mostly common words (نور, قوم)."""
    letters = _caseless_letters(entry, name)
    return letters is not None and letters <= 3


def _indexed(entry: Entry, name: str) -> bool:
    """City names of two letters in a script without case (له, دو, بن) are never matched."""
    letters = _caseless_letters(entry, name)
    return letters is None or letters > 2


def _flags(entry: Entry, name: str) -> int:
    return (ABBREVIATION if _is_acronym(name) else 0) | (
        SHORT_CASELESS if _is_short_caseless(entry, name) else 0
    )


def build_table(entries: Sequence[Entry]) -> Table:
    """Key -> (entry index, profile mask, guard flags) for every name of every entry.

    A flag holds for a key only when every name of the entry that gives the key has it."""
    found: dict[str, dict[int, tuple[int, int]]] = {}
    token_cache: dict[str, tuple[tuple[str, str], ...]] = {}
    for index, entry in enumerate(entries):
        for name in filter(partial(_indexed, entry), entry.names):
            flags = _flags(entry, name)
            for key, mask in name_keys(name, token_cache).items():
                slot = found.setdefault(key, {})
                old_mask, old_flags = slot.get(index, (0, ABBREVIATION | SHORT_CASELESS))
                slot[index] = (old_mask | mask, old_flags & flags)
    return {key: [(i, m, f) for i, (m, f) in slot.items()] for key, slot in found.items()}


class Matcher:
    """An Aho-Corasick automaton over the keys of every gazetteer name."""

    def __init__(self, gazetteer: Gazetteer, table: Table | None = None) -> None:
        import ahocorasick  # type: ignore[import-not-found]  # no type information

        self.entries = list(gazetteer.entries.values())
        self.table = build_table(self.entries) if table is None else table
        vocabulary = frozenset(word for key in self.table for word in key.split(" "))
        self.caches = [KeyCache(p, vocabulary) for p in PROFILES]
        self.slots = {p.name: i for i, p in enumerate(PROFILES)}
        self.bits = {p.name: 1 << i for i, p in enumerate(PROFILES)}
        self.payloads: list[tuple[str, tuple[Candidate, ...]]] = []
        self.automaton: Any = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for key, found in self.table.items():
            self.automaton.add_word(f" {key} ", len(self.payloads))
            self.payloads.append((key, tuple(Candidate(*c) for c in found)))
        self.automaton.make_automaton()
        self.rules = self._rules(gazetteer.rules)

    def _rules(self, rules: Iterable[Rule]) -> dict[str, list[Rule]]:
        out: dict[str, list[Rule]] = {}
        for rule in rules:
            for key in name_keys(rule.form):
                out.setdefault(key, []).append(rule)
        return out

    def __len__(self) -> int:
        return len(self.payloads)

    def find(self, text: str, lang: str | None = None) -> list[Mention]:
        """Every gazetteer mention in ``text`` (offsets in code points), in text order."""
        profile = profile_for(lang)
        words = TOKEN.findall(text)
        if not words:
            return []
        keys = self.caches[self.slots[profile.name]].keys_for(words)
        joined = f" {' '.join(keys)} "
        hits = self.automaton.iter(joined)
        first_hit = next(hits, None)
        if first_hit is None:
            return []
        tokens = [m.span() for m in TOKEN.finditer(text)]
        spans = self._spans(text, tokens, keys, [first_hit, *hits], self.bits[profile.name])
        return _resolve(text, tokens, spans)

    def _spans(
        self,
        text: str,
        tokens: list[tuple[int, int]],
        keys: list[str],
        hits: list[tuple[int, int]],
        bit: int,
    ) -> list[_Span]:
        starts = _starts(keys)
        spans = []
        for end, index in hits:
            key, candidates = self.payloads[index]
            first = starts[end - len(key) - 1]
            last = first + key.count(" ")
            surface = text[tokens[first][0] : tokens[last][1]]
            span = self._guarded(key, candidates, surface, bit, first, last)
            if span is not None:
                spans.append(span)
        return spans

    def _guarded(
        self,
        key: str,
        candidates: tuple[Candidate, ...],
        surface: str,
        bit: int,
        first: int,
        last: int,
    ) -> _Span | None:
        kept: list[tuple[Entry, bool]] = []
        for cand in candidates:
            if not cand.mask & bit:
                continue
            entry = self.entries[cand.entry]
            verdict = _verdict(entry, cand.flags, surface, self.rules.get(key, ()))
            if verdict is not None:
                kept.append((entry, verdict))
        return _Span(first, last, key, kept) if kept else None


def _starts(keys: Sequence[str]) -> dict[int, int]:
    """Offset of the space before each key in `` k1 k2 ... `` -> the key's token index."""
    starts, position = {}, 0
    for index, key in enumerate(keys):
        starts[position] = index
        position += len(key) + 1
    return starts


def _cased_ok(surface: str, upper: bool) -> bool:
    capitals, cased = _capitals(surface)
    if not cased:
        return True
    return capitals == cased if upper else capitals > 0


def _abbreviation_ok(surface: str) -> bool:
    capitals, cased = _capitals(surface)
    return not cased or (capitals >= 2 and 2 * capitals >= cased)


def _verdict(entry: Entry, flags: int, surface: str, rules: Iterable[Rule]) -> bool | None:
    """None: the name does not count here; else whether it still needs context."""
    if flags & ABBREVIATION and not _abbreviation_ok(surface):
        return None
    if entry.kind in PLACE_KINDS and not _cased_ok(surface, upper=False):
        return None
    context = bool(flags & SHORT_CASELESS)
    for rule in rules:
        if rule.id not in (None, entry.id):
            continue
        if rule.rule == "never":
            return None
        if rule.rule == "upper" and not _cased_ok(surface, upper=True):
            return None
        if rule.rule == "cased" and not surface[:1].isupper():
            return None
        context = context or rule.rule == "context"
    return context


# --- resolving spans -------------------------------------------------------------------------


def _longest_first(spans: list[_Span]) -> list[_Span]:
    chosen: list[_Span] = []
    taken: set[int] = set()
    for span in sorted(spans, key=lambda s: (s.first - s.last, s.first)):
        cover = set(range(span.first, span.last + 1))
        if not cover & taken:
            chosen.append(span)
            taken |= cover
    return sorted(chosen, key=lambda s: s.first)


def _context_countries(spans: Iterable[_Span]) -> set[str]:
    countries = set()
    for span in spans:
        firm = [e for e, needs in span.candidates if not needs]
        if len({e.country for e in firm}) == 1 and firm[0].country:
            countries.add(firm[0].country)
    return countries


def _preference(entry: Entry, context: set[str]) -> tuple[int, int, int, str]:
    """In a country the post mentions, then transnational, then by kind and population."""
    place = 0 if entry.country in context else (1 if entry.country is None else 2)
    kind = KIND_ORDER.index(entry.kind) if entry.kind in KIND_ORDER else len(KIND_ORDER)
    return (place, kind, -entry.rank, entry.id)


def _best(span: _Span, context: set[str]) -> Entry | None:
    usable = [e for e, needs in span.candidates if not needs or e.country in context]
    return min(usable, key=lambda e: _preference(e, context)) if usable else None


def _resolve(text: str, tokens: list[tuple[int, int]], spans: list[_Span]) -> list[Mention]:
    chosen = _longest_first(spans)
    context = _context_countries(chosen)
    out = []
    for span in chosen:
        entry = _best(span, context)
        if entry is not None:
            start, end = tokens[span.first][0], tokens[span.last][1]
            out.append(
                Mention(
                    entry.id, entry.kind, entry.name, text[start:end], start, end, entry.country
                )
            )
    return out

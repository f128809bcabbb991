"""Language identification: pycld2 (bestEffort) decided by script and alphabet rules.

How one text is decided (``detect_language``):

1. ``sanitise`` (control characters, lone surrogates ...) and ``strip_markup``
   (URLs, e-mail addresses, @mentions, #hashtags); Arabic presentation forms and
   full-width letters are folded (NFKC), and the look-alikes typed for Kyrgyz and
   Kazakh letters (Cyrillic fita ѳ for ө, en with tail ӊ for ң) become those letters.
   Fewer than ``MIN_LETTERS`` letters left (emoji, numbers, a link) gives ``und``.
2. pycld2's ranked answers (up to three) are judged by the rules of the
   primary script (the one with most letters); on Latin or other-script text
   that also holds Cyrillic, Arabic or Devanagari letters, by the rules of the
   script of pycld2's first answer when it belongs there:

   - Cyrillic and Arabic script: an answer must be *valid* for the letter tables
     in data/langid/letters.json (``alphabets``): compatible with the alphabet
     (Serbian has no й/я/ь, Russian has no ә/ө/ң, Persian has no ے/ٹ; Urdu
     writes h as ہ/ھ, so a plain ه is Urdu only next to Urdu's own letters) and
     plausible (a long text without a single ی/ک/پ/چ/ژ/گ is not Persian; Tatar
     needs ә/җ/һ). pycld2's answers that fail are dropped; this undoes its
     Russian -> Serbian/Bulgarian/"unknown", Kyrgyz -> Bashkir and Persian ->
     Urdu/Pashto/Uzbek mistakes. With no valid answer left, the valid language
     with most of its distinctive letters and word endings (the Kazakh genitive
     -ның; Kyrgyz writes -нын) wins, then the one with most expected letters,
     ties going to the script's fallback order (Cyrillic: Russian first, then
     Kyrgyz before Kazakh, whose alphabet is a superset of Kyrgyz's). When
     pycld2's first answer was a Turkic language (Kyrgyz read as Turkmen or
     Tatar), only its valid relatives compete, if there are any. Tajik and Uzbek
     Cyrillic have no ы/щ.
   - Devanagari: Hindi, unless pycld2 names Nepali or Marathi and the text has
     one of that language's function words and none of Hindi's.
   - Latin: Uzbek when it spells oʻ/gʻ (modifier letter or quote, or two
     ASCII-apostrophe forms); otherwise pycld2's first answer that is not a
     constructed language (Klingon, Interlingua ...); English when it has none.
   - Other scripts: pycld2's first answer.

3. ``prior`` (tag -> share of the source's recent posts) breaks near-ties on
   texts under ``SHORT_LETTERS`` letters: each candidate scores its pycld2 share
   plus ``PRIOR_WEIGHT * (1 - n / SHORT_LETTERS) * prior``. Candidates are the
   valid languages of the Cyrillic/Arabic tables (pycld2's or not) and, on
   Latin text, pycld2's answers in a script the text has letters of. A long
   text, or a text whose letters rule a language out, is never moved by the
   prior, and no text gets a language of a script it has no letters of.
4. ``hint`` (the source's declared language, e.g. "fa-AF", "prs", "en-us")
   chooses only what the text cannot tell: Dari (``fa-AF``) versus Persian, and
   the answer when pycld2 gives nothing valid and the hinted language is among
   the valid ones. A Persian text from a feed declaring "en-us" stays ``fa``.
   Without a hint, Dari is chosen when the prior has more fa-AF than fa.

``confidence`` is a heuristic in 0..1 (pycld2's share for its answers, 0.9 for
Uzbek spelling evidence, 0.5 for fallbacks), scaled down for texts under 40
letters. It ranks results; it is not a calibrated probability.

``combine_with_context`` detects a post together with its channel's recent
posts: it turns their results into a prior (``prior_from``) for the post.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pycld2

from .alphabets import (
    ScriptTable,
    constructed_languages,
    devanagari_words,
    relatives,
    script_tables,
)
from .script import (
    MIXED_BELOW,
    SCRIPT_CLASSES,
    dominant_script,
    sanitise,
    script_letters,
    strip_markup,
)

MIN_LETTERS = 3
SHORT_LETTERS = 60
PRIOR_WEIGHT = 1.5
UNTABLED_MIN_SHARE = 0.9
UNTABLED_MIN_LETTERS = 40
FALLBACK_CONFIDENCE = 0.5
SPELLING_CONFIDENCE = 0.9

_FOLD = re.compile("[\u0472\u0473\u04c9\u04ca\ufb50-\ufdff\ufe70-\ufefc\uff01-\uff5e]")
_LOOKALIKES = str.maketrans("\u0472\u0473\u04c9\u04ca", "\u04e8\u04e9\u04a2\u04a3")
_LATIN_I_IN_CYRILLIC = re.compile("[\u0400-\u04ff][iI]|[iI][\u0400-\u04ff]")
_UZ_STRONG = re.compile("[oOgG][\u02bb\u02bc\u2018`][a-z]")
_UZ_WEAK = re.compile("[oOgG]['\u2019][a-z]")
_DEVA_WORD = re.compile("[\u0900-\u0963\u0971-\u097f]+")
_RENAMED = {"iw": "he", "jw": "jv", "in": "id", "mo": "ro"}
_DARI_HINTS = {"fa-af", "prs", "dari"}
_HINT_ALIASES = {
    "pes": "fa", "fas": "fa", "per": "fa", "farsi": "fa", "persian": "fa", "uzb": "uz",
    "uzn": "uz", "rus": "ru", "kaz": "kk", "kir": "ky", "tgk": "tg", "pus": "ps", "pbu": "ps",
    "pst": "ps", "urd": "ur", "hin": "hi", "ara": "ar", "arb": "ar", "eng": "en", "ukr": "uk",
}  # fmt: skip
_SCRIPTED_TAGS = {"uz"}

Ranked = list[tuple[str, float]]


@dataclass(frozen=True, slots=True)
class LanguageResult:
    """A BCP 47 tag with script where it matters, the base language, script, confidence."""

    tag: str
    lang: str
    script: str
    confidence: float


class _View:
    """What the rules read of one prepared text (letter sets computed once per script)."""

    __slots__ = ("_letters", "counts", "primary", "runs", "share", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.runs = script_letters(text)
        self.counts = {code: len(letters) for code, letters in self.runs.items()}
        self.primary, self.share = dominant_script(self.counts)
        self._letters: dict[str, frozenset[str]] = {}

    def n(self, script: str) -> int:
        return self.counts.get(script, 0)

    def letters(self, script: str) -> frozenset[str]:
        """The lower-case letters of ``script`` that tell its languages apart."""
        found = self._letters.get(script)
        if found is None:
            found = _distinctive(self.text, self.runs.get(script, ""), script)
            self._letters[script] = found
        return found


@dataclass(frozen=True, slots=True)
class _Choice:
    lang: str
    confidence: float


def _prepare(text: str) -> str:
    clean = strip_markup(sanitise(text))
    if not _FOLD.search(clean):
        return clean
    return unicodedata.normalize("NFKC", clean.translate(_LOOKALIKES))


def _distinctive(text: str, letters: str, script: str) -> frozenset[str]:
    table = script_tables().get(script)
    if table is None or not letters:
        return frozenset()
    found = frozenset(table.distinctive.findall(letters.lower()))
    if script == "Cyrl" and ("i" in text or "I" in text) and _LATIN_I_IN_CYRILLIC.search(text):
        found |= {"і"}  # Latin i typed for Kazakh/Ukrainian і
    return found


def _code(raw: str) -> str:
    base = raw if raw == "zh-Hant" else raw.split("-", 1)[0]
    return _RENAMED.get(base, base)


def _cld2(text: str) -> Ranked:
    """pycld2's answers, best first, as (its code, share of the text 0..1)."""
    try:
        _, _, details = pycld2.detect(text, isPlainText=True, bestEffort=True)
    except pycld2.error:
        return []
    return [(code, pct / 100.0) for _, code, pct, _ in details]


def _usable(ranked: Ranked) -> Ranked:
    """Normalised codes, without "unknown", pseudo-languages and constructed languages."""
    skip = constructed_languages()
    usable = []
    for raw, share in ranked:
        code = _code(raw)
        if code != "un" and code not in skip and not code.startswith("xx"):
            usable.append((code, share))
    return usable


def _hint_lang(hint: str | None) -> str | None:
    """Base language of a declared language ("fa-af" for Dari)."""
    if not hint:
        return None
    norm = hint.strip().lower().replace("_", "-")
    if norm in _DARI_HINTS:
        return "fa-af"
    base = norm.split("-", 1)[0]
    return _HINT_ALIASES.get(base, base)


def _prior_shares(prior: Mapping[str, float] | None) -> dict[str, float]:
    """Prior by base language (fa-AF counts as fa, uz-Latn as uz)."""
    shares: dict[str, float] = {}
    for tag, share in (prior or {}).items():
        base = tag.split("-", 1)[0].lower()
        shares[base] = shares.get(base, 0.0) + float(share)
    return shares


def _apply_prior(
    options: dict[str, float], choice: _Choice, n: int, prior: dict[str, float]
) -> _Choice:
    """Let the source's prior break a near-tie among valid candidates of a short text."""
    weight = PRIOR_WEIGHT * max(0.0, 1.0 - n / SHORT_LETTERS)
    if not prior or not weight or len(options) < 2:
        return choice

    def score(code: str) -> float:
        return options.get(code, 0.0) + weight * prior.get(code, 0.0)

    best = max(options, key=score)
    if score(best) <= score(choice.lang):
        return choice
    return _Choice(best, FALLBACK_CONFIDENCE)


def _table_valid(table: ScriptTable, code: str, share: float, view: _View) -> bool:
    alphabet = table.languages.get(code)
    n = view.n(table.script)
    if alphabet is None:
        return share >= UNTABLED_MIN_SHARE and n >= UNTABLED_MIN_LETTERS
    return alphabet.valid(view.letters(table.script), n)


def _by_marks(table: ScriptTable, pool: list[str], view: _View) -> str:
    """The language with most of its distinctive letters and word endings, then of its
    expected letters; ties by fallback order."""
    order, letters = table.fallback, view.letters(table.script)
    text = view.text.lower() if table.endings else ""

    def evidence(code: str) -> tuple[int, int, int]:
        marks, expect = table.languages[code].evidence(letters)
        return marks + table.ending_count(code, text), expect, -order.index(code)

    return max(pool, key=evidence)


def _kin(pool: list[str], ranked: Ranked) -> list[str]:
    """The languages of ``pool`` in the family of pycld2's first answer (none without one)."""
    family = relatives().get(ranked[0][0], frozenset()) if ranked else frozenset()
    return [code for code in pool if code in family]


def _decide_table(
    table: ScriptTable, view: _View, ranked: Ranked, prior: dict[str, float], hint: str | None
) -> _Choice:
    """Cyrillic and Arabic script: pycld2's answers filtered by the letter tables."""
    letters, n = view.letters(table.script), view.n(table.script)
    options: dict[str, float] = {}
    for code, share in ranked:
        if code not in options and _table_valid(table, code, share, view):
            options[code] = share
    use_prior = bool(prior) and n < SHORT_LETTERS
    if options and not use_prior:
        first = next(iter(options))
        return _Choice(first, options[first])
    pool = [c for c in table.fallback if table.languages[c].valid(letters, n)]
    if options:
        first = next(iter(options))
        choice = _Choice(first, options[first])
    else:
        base = hint.split("-", 1)[0] if hint else None
        candidates = _kin(pool, ranked) or pool or list(table.fallback)
        pick = base if base in pool else _by_marks(table, candidates, view)
        choice = _Choice(pick, FALLBACK_CONFIDENCE)
    for code in pool:
        options.setdefault(code, 0.0)
    return _apply_prior(options, choice, n, prior) if use_prior else choice


def _decide_deva(view: _View, ranked: Ranked) -> _Choice:
    """Hindi unless Nepali/Marathi function words (and no Hindi ones) back pycld2."""
    words = frozenset(_DEVA_WORD.findall(view.text))
    lists = devanagari_words()
    hindi = bool(words & lists["hi"])
    for code, share in ranked:
        if code == "hi":
            return _Choice("hi", share)
        if code in lists and not hindi and words & lists[code]:
            return _Choice(code, share)
    return _Choice("hi", SPELLING_CONFIDENCE if hindi else FALLBACK_CONFIDENCE)


def _uzbek_spelling(text: str) -> bool:
    """oʻ/gʻ spelled with a modifier letter or quote, or twice with an apostrophe."""
    return bool(_UZ_STRONG.search(text)) or len(_UZ_WEAK.findall(text)) >= 2


def _decide_latin(
    view: _View, ranked: Ranked, prior: dict[str, float], hint: str | None
) -> _Choice:
    """Uzbek spelling, else pycld2's first answer (the prior may pick among its answers)."""
    if _uzbek_spelling(view.text):
        return _Choice("uz", SPELLING_CONFIDENCE)
    if not ranked:
        return _Choice(hint.split("-", 1)[0] if hint else "en", FALLBACK_CONFIDENCE)
    options = {c: s for c, s in reversed(ranked) if _writable(c, view)}
    return _apply_prior(options, _Choice(*ranked[0]), view.n("Latn"), prior)


def _writable(code: str, view: _View) -> bool:
    """Whether the text has letters of a script ``code`` is written in (Latin: any code
    without a table, and Uzbek)."""
    if code in devanagari_words():
        return view.n("Deva") > 0
    scripts = [s for s, table in script_tables().items() if code in table.languages]
    return code == "uz" or not scripts or any(view.n(s) for s in scripts)


def _judging_script(view: _View, ranked: Ranked) -> str:
    """Whose rules judge: the primary script, or the script of pycld2's first answer
    when the text has letters of it and the primary script has no rules of its own."""
    code = ranked[0][0] if ranked else ""
    if code in devanagari_words() and view.n("Deva"):
        return "Deva"
    tables = script_tables()
    if view.primary in tables:
        return view.primary
    for script, table in tables.items():
        if code in table.languages and view.n(script):
            return script
    return view.primary


def _decide(
    view: _View, ranked: Ranked, prior: dict[str, float], hint: str | None
) -> tuple[_Choice, str]:
    """The language and the script whose rules chose it."""
    script = _judging_script(view, ranked)
    tables = script_tables()
    if script in tables:
        return _decide_table(tables[script], view, ranked, prior, hint), script
    if script == "Deva":
        return _decide_deva(view, ranked), script
    if script == "Latn":
        return _decide_latin(view, ranked, prior, hint), script
    return (_Choice(*ranked[0]) if ranked else _Choice("und", 0.0)), script


def _tag(lang: str, script: str, hint: str | None, prior: dict[str, float]) -> str:
    if lang in _SCRIPTED_TAGS and script in SCRIPT_CLASSES:
        return f"{lang}-{script}"
    if lang == "fa" and _is_dari(hint, prior):
        return "fa-AF"
    return lang


def _is_dari(hint: str | None, prior: Mapping[str, float]) -> bool:
    if hint is not None:
        return hint == "fa-af"
    return prior.get("fa-AF", 0.0) > prior.get("fa", 0.0)


def detect_language(
    text: str, *, hint: str | None = None, prior: Mapping[str, float] | None = None
) -> LanguageResult:
    """Language of ``text`` as a BCP 47 tag (see the module docstring for the rules)."""
    prepared = _prepare(text)
    view = _View(prepared)
    label = view.primary if view.share >= MIXED_BELOW or view.primary == "none" else "mixed"
    if sum(view.counts.values()) < MIN_LETTERS:
        return LanguageResult("und", "und", label, 0.0)
    base_hint = _hint_lang(hint)
    choice, script = _decide(view, _usable(_cld2(prepared)), _prior_shares(prior), base_hint)
    if choice.lang == "und":
        return LanguageResult("und", "und", label, 0.0)
    tag = _tag(choice.lang, script, base_hint, dict(prior or {}))
    scale = min(1.0, 0.5 + view.n(view.primary) / 80)
    return LanguageResult(tag, choice.lang, label, round(min(1.0, choice.confidence * scale), 4))


def prior_from(results: Iterable[LanguageResult]) -> dict[str, float]:
    """Share of each tag among ``results`` (``und`` left out): a source's prior."""
    counts = Counter(r.tag for r in results if r.lang != "und")
    total = sum(counts.values())
    return {tag: n / total for tag, n in counts.items()} if total else {}


def combine_with_context(
    text: str, recent_texts: Iterable[str], *, hint: str | None = None
) -> LanguageResult:
    """Detect ``text`` with its channel's recent posts as the prior."""
    prior = prior_from(detect_language(t, hint=hint) for t in recent_texts)
    return detect_language(text, hint=hint, prior=prior)

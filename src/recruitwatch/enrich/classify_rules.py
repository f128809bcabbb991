"""Indicator rules and the reporting guard, compiled from the codebook.

Rules only produce evidence (a rule id, what it saw, a theme): never a genre.
Everything is matched on ``translit.match_form`` of the text, so a term written in
Cyrillic in the codebook also matches its Latin spelling, and Arabic letter variants
are unified.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .codebook import Codebook, Rule
from .translit import match_form

RULE_CONFIDENCE = 0.9


def _forms(terms: Mapping[str, Sequence[str]]) -> set[str]:
    out: set[str] = set()
    for lang, words in terms.items():
        for word in words:
            out.add(match_form(word, lang).strip())
    return {w for w in out if w}


def _regex(forms: Iterable[str]) -> re.Pattern[str] | None:
    alts = sorted(forms, key=len, reverse=True)
    if not alts:
        return None
    body = "|".join(re.escape(a) for a in alts)
    return re.compile(f"(?<!\\w)(?:{body})(?!\\w)")


def _count(pattern: re.Pattern[str] | None, form: str) -> int:
    return 0 if pattern is None else len(pattern.findall(form))


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: Rule
    text: re.Pattern[str] | None

    def fires(
        self, form: str, entities: Sequence[Mapping[str, Any]], scan: bool = True
    ) -> list[str]:
        """What this rule saw in the post (empty when it does not fire)."""
        seen = [m.group(0) for m in self.text.finditer(form)] if scan and self.text else []
        for ent in entities:
            if ent.get("kind") in self.rule.entity_kinds and str(ent.get("id", "")).startswith(
                self.rule.entity_prefix
            ):
                seen.append(str(ent.get("id")))
        return sorted(set(seen))


def _compile_rule(rule: Rule) -> CompiledRule:
    parts = [p for p in rule.patterns]
    words = _forms(rule.terms)
    if words:
        parts.append("(?<!\\w)(?:" + "|".join(re.escape(w) for w in sorted(words)) + ")(?!\\w)")
    return CompiledRule(rule, re.compile("|".join(parts)) if parts else None)


class RuleSet:
    """The codebook's indicator rules and reporting markers, compiled once."""

    def __init__(self, book: Codebook) -> None:
        self.book = book
        self.rules = [_compile_rule(r) for r in book.rules]
        self.attribution = _regex(_forms(book.attribution))
        self.analytic = _regex(_forms(book.analytic))
        texts = [f"(?:{c.text.pattern})" for c in self.rules if c.text is not None]
        self.any_text = re.compile("|".join(texts)) if texts else None

    def evidence(self, form: str, entities: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """One entry per firing rule: {rule, theme, seen}."""
        out = []
        scan = self.any_text is not None and self.any_text.search(form) is not None
        for compiled in self.rules:
            seen = compiled.fires(form, entities, scan)
            if seen:
                rule = compiled.rule
                out.append(
                    {
                        "rule": rule.id,
                        "theme": rule.theme,
                        "links": rule.links_to_group,
                        "seen": seen,
                    }
                )
        return out

    def reporting(self, form: str) -> dict[str, int]:
        """How many attribution and analytic markers the text carries."""
        return {
            "attribution": _count(self.attribution, form),
            "analytic": _count(self.analytic, form),
        }


def links_to_group(evidence: Sequence[Mapping[str, Any]]) -> bool:
    return any(e["links"] for e in evidence)


def best_genre(
    probs: Mapping[str, float], allowed: bool, book: Codebook
) -> tuple[str, float, bool]:
    """The model's genre; a propaganda genre only when ``allowed`` and confident enough.

    ``allowed``: evidence links the text to a group and the model was trained on its
    language. Returns (genre, probability, demoted).
    """
    ranked = sorted(probs.items(), key=lambda kv: (-kv[1], kv[0]))
    top, p = ranked[0]
    if top not in book.propaganda_genres or (allowed and p >= book.propaganda_min_confidence):
        return top, p, False
    other = [(g, q) for g, q in ranked if g not in book.propaganda_genres] or [("unrelated", 0.0)]
    return other[0][0], other[0][1], True


def guard(genre: str, markers: Mapping[str, int], linked: bool, book: Codebook) -> tuple[str, bool]:
    """News/analysis when the text reports about a group (reporting or analytic markers).

    Caps a propaganda genre; also turns ``unrelated`` into news/analysis when the text
    names a group or outlet (``linked``) and carries markers.
    """
    if genre not in book.propaganda_genres and not (linked and genre == "unrelated"):
        return genre, False
    if markers["analytic"] > markers["attribution"]:
        return "research_analysis", True
    if markers["attribution"]:
        return "news_reporting", True
    return genre, False


def tier(genre: str, themes: Iterable[str], book: Codebook) -> str | None:
    """The highest TCAP tier whose genres or themes match (propaganda genres only)."""
    if genre not in book.propaganda_genres:
        return None
    themes = set(themes)
    best: tuple[int, str] | None = None
    for name, spec in book.tiers.items():
        hit = genre in spec.get("genres", ()) or themes & set(spec.get("themes", ()))
        if hit and (best is None or spec.get("rank", 0) > best[0]):
            best = (int(spec.get("rank", 0)), name)
    return best[1] if best else None

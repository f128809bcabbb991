"""The classifier's evaluation: cross-validated genres and themes, per label and per language.

``evaluate_csv`` runs 5-fold stratified cross-validation of the whole classifier
(genre model + guards, theme model + theme rules) on a labelled CSV: each fold trains
the models on the other four, as ``recruitwatch train`` would, and classifies the
held-out posts. It reports precision, recall, F1 and the confusion matrix per genre,
precision, recall and F1 per theme (multi-label: an empty ``themes`` cell is read as
"no theme"), and per language the genre accuracy and macro-F1 and the themes'
micro-averaged precision, recall and F1.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa

from ..errors import ConfigError
from . import classify_embed, classify_model, codebook
from .base import Item
from .classify import (
    ClassifyEnricher,
    enrich_for_training,
    read_training_csv,
    skip_comments,
    training_item,
)
from .classify_themes import fit_themes
from .classify_train import items_from_store

FOLDS = 5


@dataclass
class EvalReport:
    labels: list[str]
    per_label: list[dict[str, Any]]
    confusion: list[list[int]]
    per_language: list[dict[str, Any]]
    folds: int
    n: int
    notes: list[str] = field(default_factory=list)
    themes: list[dict[str, Any]] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    metadata: list[str] = field(default_factory=list)


@dataclass
class Predictions:
    genres: list[str]
    themes: list[set[str]]


def _cross_validated(
    items: list[Item],
    genres: list[str],
    themes: list[set[str]],
    book: codebook.Codebook,
    spec: classify_model.FeatureSpec,
) -> Predictions:
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

    embedded = classify_model.embeddings_of(items) if spec.embeddings else None
    out = Predictions([""] * len(items), [set() for _ in items])
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0)
    for train, test in folds.split(items, genres):
        part = embedded[train] if embedded is not None else None
        card = {"id": "eval-fold", "version": 0}
        tr_items = [items[k] for k in train]
        tr_genres = [genres[k] for k in train]
        model = classify_model.fit(tr_items, tr_genres, card, spec, part, book.propaganda_genres)
        theme_model = fit_themes(tr_items, [themes[k] for k in train], card, spec, part)
        step = ClassifyEnricher(book, model, theme_model)
        held = embedded[test] if embedded is not None else None
        for k, result in zip(test, step.classify([items[k] for k in test], held), strict=True):
            out.genres[k] = result["genre"]
            out.themes[k] = set(result["themes"])
    return out


def _scores(truth: Any, pred: Any, labels: list[Any]) -> list[dict[str, Any]]:
    from sklearn.metrics import precision_recall_fscore_support  # type: ignore[import-untyped]

    p, r, f, s = precision_recall_fscore_support(truth, pred, labels=labels, zero_division=0)
    return [
        {
            "label": lab,
            "precision": round(float(p[k]), 3),
            "recall": round(float(r[k]), 3),
            "f1": round(float(f[k]), 3),
            "support": int(s[k]),
        }
        for k, lab in enumerate(labels)
    ]


def _theme_scores(
    truth: Sequence[set[str]], pred: Sequence[set[str]], labels: list[str]
) -> list[dict[str, Any]]:
    """Per theme P/R/F1/support, each theme a binary decision per post (multi-label)."""
    if not labels:
        return []

    def binary(sets: Sequence[set[str]]) -> np.ndarray[Any, Any]:
        return np.array([[lab in s for lab in labels] for s in sets], dtype=int)

    rows = _scores(binary(truth), binary(pred), list(range(len(labels))))
    for row, name in zip(rows, labels, strict=True):
        row["label"] = name
    return rows


def _micro(truth: Sequence[set[str]], pred: Sequence[set[str]]) -> dict[str, float]:
    tp = sum(len(t & p) for t, p in zip(truth, pred, strict=True))
    n_pred, n_true = sum(map(len, pred)), sum(map(len, truth))
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_true if n_true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "themes": n_true,
        "theme_precision": round(precision, 3),
        "theme_recall": round(recall, 3),
        "theme_f1": round(f1, 3),
    }


def _per_language(
    langs: list[str], truth: list[str], pred: Predictions, themes: list[set[str]]
) -> list[dict[str, Any]]:
    from sklearn.metrics import accuracy_score, f1_score

    out = []
    for lang in sorted(set(langs)):
        idx = [k for k, x in enumerate(langs) if x == lang]
        t, p = [truth[k] for k in idx], [pred.genres[k] for k in idx]
        macro = f1_score(t, p, average="macro", zero_division=0)
        row = {
            "lang": lang,
            "n": len(idx),
            "accuracy": round(float(accuracy_score(t, p)), 3),
            "macro_f1": round(float(macro), 3),
        }
        row.update(_micro([themes[k] for k in idx], [pred.themes[k] for k in idx]))
        out.append(row)
    return out


def has_text_column(path: Path) -> bool:
    with path.open(encoding="utf-8", newline="") as fh:
        return "text" in (next(csv.reader(skip_comments(fh)), None) or [])


def _rows_and_items(
    path: Path, conn: sa.Connection | None
) -> tuple[list[dict[str, str]], list[Item], list[str]]:
    """Labelled rows with their items: text from the CSV, else the post's text in the store."""
    rows = read_training_csv(path)
    if rows and "text" in rows[0]:
        return rows, [training_item(r) for r in rows], []
    if conn is None:
        raise ConfigError(f"{path}: without a text column the posts must be in the store")
    found = {i.post_id: i for i in items_from_store(conn, [r["post_id"] for r in rows])}
    notes = [f"{path}: {len(rows) - len(found)} row(s) name posts not in the store: skipped"]
    kept = [r for r in rows if r["post_id"] in found]
    return kept, [found[r["post_id"]] for r in kept], notes if len(kept) < len(rows) else []


def theme_set(cell: str | None, book: codebook.Codebook) -> set[str]:
    """The themes of a CSV cell (separated by ``;`` or ``,``), canonical codebook names."""
    parts = (cell or "").replace(",", ";").split(";")
    return {book.check("theme", t.strip()) for t in parts if t.strip()}


def evaluate_csv(
    path: Path,
    book: codebook.Codebook,
    conn: sa.Connection | None = None,
    embeddings: bool = False,
    source_kind: bool = False,
) -> EvalReport:
    """Cross-validate the classifier on a labelled CSV (post_id, genre; text or posts in store)."""
    from sklearn.metrics import confusion_matrix

    if embeddings:
        classify_embed.require()
    rows, items, notes = _rows_and_items(path, conn)
    for r in rows:
        r["genre"] = book.check("genre", r["genre"])
    genres = {r["genre"] for r in rows}
    if len(genres) < 2 or min(sum(r["genre"] == g for r in rows) for g in genres) < FOLDS:
        raise ConfigError(f"{path}: needs two genres or more with {FOLDS} posts or more each")
    enrich_for_training([i for i in items if "entities" not in i.results])
    truth = [r["genre"] for r in rows]
    true_themes = [theme_set(r.get("themes"), book) for r in rows]
    spec = classify_model.FeatureSpec.chosen(embeddings, source_kind)
    pred = _cross_validated(items, truth, true_themes, book, spec)
    labels = sorted(set(truth) | set(pred.genres))
    theme_labels = sorted(set().union(*true_themes, *pred.themes))
    theme_rows = _theme_scores(true_themes, pred.themes, theme_labels)
    langs = [
        r.get("lang") or (i.results.get("language") or {}).get("tag") or "und"
        for r, i in zip(rows, items, strict=True)
    ]
    return EvalReport(
        labels,
        _scores(truth, pred.genres, labels),
        confusion_matrix(truth, pred.genres, labels=labels).tolist(),
        _per_language(langs, truth, pred, true_themes),
        FOLDS,
        len(rows),
        notes,
        theme_rows,
        spec.card()["features"],
        list(spec.metadata),
    )


SYNTHETIC_NOTE = (
    "NOT INDICATIVE OF REAL PERFORMANCE: this labelled set is SYNTHETIC (the bundled demo set); "
    "real use means labelling your own data and evaluating on it."
)


def _table(title: str, rows: list[dict[str, Any]]) -> list[str]:
    lines = [f"{title:<28}{'precision':>10}{'recall':>8}{'f1':>7}{'support':>9}"]
    lines += [
        f"{r['label']:<28}{r['precision']:>10.3f}{r['recall']:>8.3f}{r['f1']:>7.3f}{r['support']:>9}"
        for r in rows
    ]
    return lines


def format_report(report: EvalReport, synthetic: bool) -> str:
    lines = [SYNTHETIC_NOTE, ""] if synthetic else []
    lines += report.notes
    lines.append(
        f"{report.n} posts, {report.folds}-fold stratified cross-validation (model + guards), "
        f"features: {', '.join(report.features)}; metadata kinds: {', '.join(report.metadata)}"
    )
    lines += _table("genre", report.per_label)
    lines += ["", "confusion matrix (rows: true, columns: predicted, order as above)"]
    lines += [
        f"{lab:<28}" + " ".join(f"{n:>5}" for n in row)
        for lab, row in zip(report.labels, report.confusion, strict=True)
    ]
    lines += ["", *_table("theme (rules + theme model)", report.themes)]
    lines += ["", f"{'language':<10}{'n':>6}{'accuracy':>10}{'macro_f1':>10}"
              f"{'themes':>8}{'theme_p':>9}{'theme_r':>9}{'theme_f1':>10}"]  # fmt: skip
    lines += [
        f"{r['lang']:<10}{r['n']:>6}{r['accuracy']:>10.3f}{r['macro_f1']:>10.3f}"
        f"{r['themes']:>8}{r['theme_precision']:>9.3f}{r['theme_recall']:>9.3f}{r['theme_f1']:>10.3f}"
        for r in report.per_language
    ]
    if synthetic:
        lines += ["", SYNTHETIC_NOTE]
    return "\n".join(lines)

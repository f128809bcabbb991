"""Training on analysts' labels, and the classifier's evaluation (cross-validated).

``train_from_store`` fits the genre model on every post an analyst gave a genre
(its text and stored language/entities results) and writes the next model
version under HOME/models. ``evaluate_csv`` cross-validates the whole classifier
(model + guards) on a labelled CSV and reports precision, recall, F1 and the
confusion matrix per genre, and accuracy and macro-F1 per language.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..errors import ConfigError
from ..store import schema
from ..store.labels import all_analyst_labels
from ..store.queries import enrichment_results
from . import classify_model, codebook
from .base import Item
from .classify import (
    ClassifyEnricher,
    enrich_for_training,
    read_training_csv,
    skip_comments,
    training_item,
)
from .classify_themes import THEMES_ID, fit_themes

FOLDS = 5


def _items_from_store(conn: sa.Connection, ids: Sequence[str]) -> list[Item]:
    p = schema.posts.c
    rows = conn.execute(sa.select(p.id, p.source_id, p.text, p.kind).where(p.id.in_(ids)))
    by_id = {r.id: Item(r.id, r.source_id, r.text or "", r.kind) for r in rows}
    results = enrichment_results(conn, list(by_id))
    for pid, item in by_id.items():
        item.results.update(results[pid])
    return [by_id[i] for i in ids if i in by_id]


def train_from_store(conn: sa.Connection, models: Path) -> list[Path]:
    """Fit the genre model (and the theme model when themes are trainable) on the analysts'
    labels (the latest genre per post) and save their next versions; returns the cards."""
    labelled = all_analyst_labels(conn)
    items = _items_from_store(conn, sorted(labelled))
    enrich_for_training([i for i in items if "entities" not in i.results])
    genres = {pid: kinds["genre"][-1] for pid, kinds in labelled.items() if kinds.get("genre")}
    with_genre = [i for i in items if i.post_id in genres]
    card = {"id": classify_model.MODEL_ID, "trained_from": "analyst labels"}
    model = classify_model.fit(with_genre, [genres[i.post_id] for i in with_genre], card)
    cards = [classify_model.save(model, models)]
    theme_sets = [set(labelled[i.post_id].get("theme", [])) for i in items]
    themes = fit_themes(items, theme_sets, {"id": THEMES_ID, "trained_from": "analyst labels"})
    if themes is not None:
        cards.append(classify_model.save(themes, models, THEMES_ID))
    return cards


@dataclass
class EvalReport:
    labels: list[str]
    per_label: list[dict[str, Any]]
    confusion: list[list[int]]
    per_language: list[dict[str, Any]]
    folds: int
    n: int
    notes: list[str] = field(default_factory=list)


def _cross_validated(items: list[Item], genres: list[str], book: codebook.Codebook) -> list[str]:
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

    predicted = [""] * len(items)
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0)
    for train, test in folds.split(items, genres):
        card = {"id": "eval-fold", "version": 0}
        model = classify_model.fit([items[k] for k in train], [genres[k] for k in train], card)
        step = ClassifyEnricher(book, model)
        for k, result in zip(test, step.enrich([items[k] for k in test]), strict=True):
            predicted[k] = result["genre"]
    return predicted


def _per_language(langs: list[str], truth: list[str], pred: list[str]) -> list[dict[str, Any]]:
    from sklearn.metrics import accuracy_score, f1_score  # type: ignore[import-untyped]

    out = []
    for lang in sorted(set(langs)):
        idx = [k for k, x in enumerate(langs) if x == lang]
        t, p = [truth[k] for k in idx], [pred[k] for k in idx]
        macro = f1_score(t, p, average="macro", zero_division=0)
        out.append(
            {
                "lang": lang,
                "n": len(idx),
                "accuracy": round(float(accuracy_score(t, p)), 3),
                "macro_f1": round(float(macro), 3),
            }
        )
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
    found = {i.post_id: i for i in _items_from_store(conn, [r["post_id"] for r in rows])}
    notes = [f"{path}: {len(rows) - len(found)} row(s) name posts not in the store: skipped"]
    kept = [r for r in rows if r["post_id"] in found]
    return kept, [found[r["post_id"]] for r in kept], notes if len(kept) < len(rows) else []


def evaluate_csv(
    path: Path, book: codebook.Codebook, conn: sa.Connection | None = None
) -> EvalReport:
    """Cross-validate the classifier on a labelled CSV (post_id, genre; text or posts in store)."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    rows, items, notes = _rows_and_items(path, conn)
    for r in rows:
        r["genre"] = book.check("genre", r["genre"])
    genres = {r["genre"] for r in rows}
    if len(genres) < 2 or min(sum(r["genre"] == g for r in rows) for g in genres) < FOLDS:
        raise ConfigError(f"{path}: needs two genres or more with {FOLDS} posts or more each")
    enrich_for_training([i for i in items if "entities" not in i.results])
    truth = [r["genre"] for r in rows]
    pred = _cross_validated(items, truth, book)
    labels = sorted(set(truth) | set(pred))
    p, r, f, s = precision_recall_fscore_support(truth, pred, labels=labels, zero_division=0)
    per_label = [
        {
            "label": lab,
            "precision": round(float(p[k]), 3),
            "recall": round(float(r[k]), 3),
            "f1": round(float(f[k]), 3),
            "support": int(s[k]),
        }
        for k, lab in enumerate(labels)
    ]
    langs = [
        r.get("lang") or (i.results.get("language") or {}).get("tag") or "und"
        for r, i in zip(rows, items, strict=True)
    ]
    confusion = confusion_matrix(truth, pred, labels=labels).tolist()
    return EvalReport(
        labels, per_label, confusion, _per_language(langs, truth, pred), FOLDS, len(rows), notes
    )


SYNTHETIC_NOTE = (
    "NOT INDICATIVE OF REAL PERFORMANCE: this labelled set is SYNTHETIC (the bundled demo set); "
    "real use means labelling your own data and evaluating on it."
)


def format_report(report: EvalReport, synthetic: bool) -> str:
    lines = [SYNTHETIC_NOTE, ""] if synthetic else []
    lines += report.notes
    lines.append(
        f"{report.n} posts, {report.folds}-fold stratified cross-validation (model + guards)"
    )
    lines.append(f"{'genre':<26}{'precision':>10}{'recall':>8}{'f1':>7}{'support':>9}")
    for row in report.per_label:
        lines.append(
            f"{row['label']:<26}{row['precision']:>10.3f}{row['recall']:>8.3f}{row['f1']:>7.3f}{row['support']:>9}"
        )
    lines += ["", "confusion matrix (rows: true, columns: predicted, order as above)"]
    lines += [
        f"{lab:<26}" + " ".join(f"{n:>5}" for n in row)
        for lab, row in zip(report.labels, report.confusion, strict=True)
    ]
    lines += ["", f"{'language':<12}{'n':>6}{'accuracy':>10}{'macro_f1':>10}"]
    lines += [
        f"{row['lang']:<12}{row['n']:>6}{row['accuracy']:>10.3f}{row['macro_f1']:>10.3f}"
        for row in report.per_language
    ]
    if synthetic:
        lines += ["", SYNTHETIC_NOTE]
    return "\n".join(lines)

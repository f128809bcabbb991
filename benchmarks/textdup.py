"""Near-duplicate text detection: recall and precision at the fixed threshold.

Positives: transformed copies of real sentences (../shared/data/langid/test.tsv):
forwarded (identical), re-punctuated, link-appended, truncated (first 75%, at a
word boundary), one word edited, script-converted (Uzbek Latin <-> Cyrillic,
other Cyrillic languages -> Latin). Hard negatives: the real deals channel in
../shared/data/telegram posts many near-identical template messages that are
different offers; every pair of distinct messages there (and of distinct
sentences) is a negative, except pairs whose fingerprint forms are identical
(same words once links, punctuation and script are set aside: the same offer
re-posted with another affiliate link, or one UDHR article in both Uzbek
scripts): those are real duplicates, left out as ambiguous and counted.

Candidates come from the same LSH banding the store uses; a pair is flagged when
its estimated Jaccard similarity is >= the threshold. Also prints docs/s of the
vectorised MinHash next to datasketch's MinHash.bulk measured in the same run.

    .venv/bin/python benchmarks/textdup.py [--sentences 3000] [--threshold 0.5]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from recruitwatch.enrich.fingerprint import minhash
from recruitwatch.enrich.fingerprint.text import (
    BANDS,
    ROWS,
    THRESHOLD,
    figures_conflict,
    fingerprint_form,
)
from recruitwatch.enrich.translit import cyrl_to_latn, uz_latn_to_cyrl
from recruitwatch.ingest.telegram_common import flatten_text

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PUNCT = re.compile(r"[.,;:!?«»\"“”()\-—]")
CYRILLIC_LANGS = {"ru", "kk", "ky", "tg"}


def exact_jaccard(a: str, b: str) -> float:
    def shingles(t: str) -> set[str]:
        k = min(minhash.SHINGLE, len(t))
        return {t[i : i + k] for i in range(len(t) - k + 1)}

    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def sentences(limit: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """Distinct sentences: one UDHR article in two scripts or versions is kept once.

    A sentence whose fingerprint form has an exact shingle Jaccard >= 0.8 with one
    already chosen is the same text (not a negative of it) and is skipped.
    """
    rows = []
    lines = (DATA / "langid" / "test.tsv").read_text(encoding="utf-8").splitlines()[1:]
    for line in lines:
        lang, script, _, _, text = line.split("\t", 4)
        if len(text) >= 40:
            rows.append((lang, script, text.strip()))
    rng.shuffle(rows)
    forms = [fingerprint_form(t, lang) for lang, _, t in rows]
    pairs, _ = flagged_pairs(forms, [None] * len(forms), 0.5)
    skip: set[int] = set()
    for a, b in sorted(pairs):
        if a not in skip and exact_jaccard(forms[a], forms[b]) >= 0.8:
            skip.add(b)
    return [row for i, row in enumerate(rows) if i not in skip][:limit]


def deals() -> list[str]:
    texts = set()
    for name in ("messages_fragment.json", "messages_fragment_2_with_replies.json"):
        for msg in json.loads((DATA / "telegram" / name).read_text(encoding="utf-8")):
            text, _ = flatten_text(msg)
            if len(text) >= 20:
                texts.add(text)
    return sorted(texts)


def transforms(lang: str, script: str, text: str, rng: random.Random) -> dict[str, str]:
    words = text.split()
    edited = list(words)
    i = rng.randrange(len(words))
    edited[i] = rng.choice(["synthetic", "demo", "xyz", "test"])
    cut = text[: int(len(text) * 0.75)].rsplit(" ", 1)[0]
    out = {
        "forwarded": text,
        "repunctuated": PUNCT.sub("", text).replace(" ", "  ") + "!!",
        "link_appended": f"{text} https://t.me/synthetic_channel_{rng.randrange(999)}",
        "truncated": cut,
        "word_edited": " ".join(edited),
    }
    if lang == "uz" and script == "Latn":
        out["script_converted"] = uz_latn_to_cyrl(text)
    elif script == "Cyrl":
        out["script_converted"] = cyrl_to_latn(text, lang if lang != "uz" else "uz")
    return out


def flagged_pairs(
    docs: list[str], langs: list[str | None], threshold: float
) -> tuple[set[tuple[int, int]], float]:
    forms = [fingerprint_form(d, lang) for d, lang in zip(docs, langs, strict=True)]
    start = time.perf_counter()
    sigs = minhash.signatures(forms)
    elapsed = time.perf_counter() - start
    buckets: dict[int, list[int]] = defaultdict(list)
    present = [i for i, sig in enumerate(sigs) if sig is not None]
    matrix = np.stack([sigs[i] for i in present])
    for i, keys in zip(present, minhash.band_keys(matrix, BANDS, ROWS).tolist(), strict=True):
        for key in keys:
            buckets[key].append(i)
    pairs = set()
    for members in buckets.values():
        for a, b in itertools.combinations(members, 2):
            sa, sb = sigs[a], sigs[b]
            if sa is None or sb is None or minhash.jaccard(sa, sb) < threshold:
                continue
            if not figures_conflict(docs[a], docs[b]):  # the rule similar() applies
                pairs.add((a, b))
    return pairs, len(docs) / elapsed


def datasketch_rate(forms: list[str]) -> float:
    from datasketch import MinHash

    def shingles(t: str) -> set[bytes]:
        k = min(minhash.SHINGLE, len(t))
        return {t[i : i + k].encode() for i in range(len(t) - k + 1)}

    start = time.perf_counter()
    MinHash.bulk([shingles(f) for f in forms], num_perm=minhash.NUM_PERM)
    return len(forms) / (time.perf_counter() - start)


def sweep(
    docs: list[str], langs: list[str | None], group: list[int], kind: list[str], forms: list[str]
) -> dict[str, tuple[float, float, int]]:
    """threshold -> (recall, precision, hard-negative false positives)."""
    out = {}
    originals = {g: i for i, (g, k) in enumerate(zip(group, kind, strict=True)) if k == "original"}
    for t in (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
        flagged, _ = flagged_pairs(docs, langs, t)
        copies = [i for i, k in enumerate(kind) if k not in ("original", "deal")]
        hits = sum(
            (min(originals[group[i]], i), max(originals[group[i]], i)) in flagged for i in copies
        )
        tp = sum(1 for a, b in flagged if group[a] == group[b])
        fp = [(a, b) for a, b in flagged if group[a] != group[b] and forms[a] != forms[b]]
        hard = sum(1 for a, b in fp if kind[a] == kind[b] == "deal")
        out[str(t)] = (round(hits / len(copies), 4), round(tp / (tp + len(fp)), 4), hard)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sentences", type=int, default=3000)
    ap.add_argument("--threshold", type=float, default=THRESHOLD)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--sweep", action="store_true", help="recall/precision per threshold")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    docs: list[str] = []
    langs: list[str | None] = []
    group: list[int] = []
    kind: list[str] = []
    for g, (lang, script, text) in enumerate(sentences(args.sentences, rng)):
        for name, copy in {"original": text, **transforms(lang, script, text, rng)}.items():
            docs.append(copy)
            langs.append(lang if lang != "fa-AF" else "fa")
            group.append(g)
            kind.append(name)
    offset = len(set(group))
    for j, text in enumerate(deals()):
        docs.append(text)
        langs.append("en")
        group.append(offset + j)
        kind.append("deal")
    flagged, rate = flagged_pairs(docs, langs, args.threshold)
    forms = [fingerprint_form(d, lang) for d, lang in zip(docs, langs, strict=True)]
    originals = {g: i for i, (g, k) in enumerate(zip(group, kind, strict=True)) if k == "original"}
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for i, k in enumerate(kind):
        if k in ("original", "deal"):
            continue
        o = originals[group[i]]
        hit = (min(o, i), max(o, i)) in flagged
        per_kind[k][0] += hit
        per_kind[k][1] += 1
    tp = sum(1 for a, b in flagged if group[a] == group[b])
    ambiguous = sum(1 for a, b in flagged if group[a] != group[b] and forms[a] == forms[b])
    fp_pairs = [(a, b) for a, b in flagged if group[a] != group[b] and forms[a] != forms[b]]
    hard_fp = sum(1 for a, b in fp_pairs if kind[a] == kind[b] == "deal")
    found = sum(v[0] for v in per_kind.values())
    total = sum(v[1] for v in per_kind.values())
    deal_pairs = sum(1 for k in kind if k == "deal")
    report = {
        "threshold": args.threshold,
        "shingle": minhash.SHINGLE,
        "permutations": minhash.NUM_PERM,
        "bands_rows": [BANDS, ROWS],
        "documents": len(docs),
        "sentences": offset,
        "deals_messages": deal_pairs,
        "hard_negative_pairs": deal_pairs * (deal_pairs - 1) // 2,
        "recall": found / total,
        "recall_by_transform": {k: v[0] / v[1] for k, v in sorted(per_kind.items())},
        "precision": tp / (tp + len(fp_pairs)) if tp + len(fp_pairs) else 1.0,
        "false_positive_pairs": len(fp_pairs),
        "false_positives_among_deals": hard_fp,
        "ambiguous_identical_pairs_excluded": ambiguous,
        "minhash_docs_per_s": round(rate),
        "datasketch_bulk_docs_per_s": round(datasketch_rate(forms[:5000])),
    }
    if args.sweep:
        report["sweep"] = sweep(docs, langs, group, kind, forms)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for key, value in report.items():
        print(f"{key:38s} {value}")
    for a, b in fp_pairs[:5]:
        print(f"  false positive: {forms[a][:70]!r} ~ {forms[b][:70]!r}")


if __name__ == "__main__":
    main()

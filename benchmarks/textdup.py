"""Near-duplicate text detection: recall and precision at the fixed threshold.

Positives: transformed copies of real sentences (../shared/data/langid/test.tsv):
forwarded (identical), re-punctuated, link-appended, truncated (first 75%, at a
word boundary), one word edited, script-converted (Uzbek Latin <-> Cyrillic,
other Cyrillic languages -> Latin). Hard negatives: the real deals channel in
../shared/data/telegram posts many near-identical template messages that are different
offers; every pair of distinct messages there (and of distinct sentences) is a
negative, except pairs whose fingerprint forms are identical (same words once links,
punctuation and script are set aside: the same offer re-posted with another affiliate
link, or one UDHR article in both Uzbek scripts): those are real duplicates, left out
as ambiguous and counted.

Candidates come from the same LSH banding the store uses; a pair is flagged when its
estimated Jaccard similarity is >= the threshold and the verification similar() uses
(``different_reports``: numbers, then names) does not set it apart; ``--verify
numbers`` applies the numbers rule alone (the check before names_conflict), ``none``
nothing. ``precision`` counts every flagged pair of two sentences as a false positive;
``precision_copies_excluded`` leaves out those where one text is what a transformation
of the other's sentence could give (a truncation of it, one word edited): a truncated
template sentence is as much a copy of its neighbour as of its own sentence.
``strict_false_positives_by_kind`` sorts the rest (diagnostic only): pairs of two UDHR
editions in one language (Persian and Dari, the two Urdu files: one article translated
twice), pairs of sentences of one source document, pairs of deals, others.
Also prints docs/s of the vectorised MinHash next to datasketch's MinHash.bulk measured
in the same run.

    .venv/bin/python benchmarks/textdup.py [--sentences 3000] [--threshold 0.5] [--seed 7]
        [--verify both|numbers|none] [--sweep] [--json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from recruitwatch.enrich.fingerprint import minhash
from recruitwatch.enrich.fingerprint.text import (
    BANDS,
    ROWS,
    THRESHOLD,
    different_reports,
    figures_conflict,
    fingerprint_form,
)
from recruitwatch.enrich.translit import cyrl_to_latn, uz_latn_to_cyrl
from recruitwatch.ingest.telegram_common import flatten_text

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
PUNCT = re.compile(r"[.,;:!?«»\"“”()\-—]")
CYRILLIC_LANGS = {"ru", "kk", "ky", "tg"}
Verify = Callable[[str, str, str | None, str | None], bool]


def exact_jaccard(a: str, b: str) -> float:
    def shingles(t: str) -> set[str]:
        k = min(minhash.SHINGLE, len(t))
        return {t[i : i + k] for i in range(len(t) - k + 1)}

    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 1.0


def sentences(limit: int, rng: random.Random) -> list[tuple[str, str, str, str]]:
    """Distinct sentences: one UDHR article in two scripts or versions is kept once.

    A sentence whose fingerprint form has an exact shingle Jaccard >= 0.8 with one
    already chosen is the same text (not a negative of it) and is skipped.
    """
    rows = []
    lines = (DATA / "langid" / "test.tsv").read_text(encoding="utf-8").splitlines()[1:]
    for line in lines:
        lang, script, _, source, text = line.split("\t", 4)
        if len(text) >= 40:
            rows.append((lang, script, text.strip(), source))
    rng.shuffle(rows)
    forms = [fingerprint_form(t, lang) for lang, _, t, _ in rows]
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
    docs: list[str], langs: list[str | None], threshold: float, verify: Verify = different_reports
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
    candidates = {
        pair for members in buckets.values() for pair in itertools.combinations(members, 2)
    }
    pairs = set()
    for a, b in candidates:
        sa, sb = sigs[a], sigs[b]
        if sa is None or sb is None or minhash.jaccard(sa, sb) < threshold:
            continue
        if not verify(docs[a], docs[b], langs[a], langs[b]):
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


VERIFY = {
    "both": different_reports,  # what similar() applies
    "numbers": lambda a, b, _la, _lb: figures_conflict(a, b),  # the rule before names_conflict
    "none": lambda _a, _b, _la, _lb: False,
}


@dataclass
class Bench:
    docs: list[str] = field(default_factory=list)
    langs: list[str | None] = field(default_factory=list)
    group: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    documents: dict[int, tuple[str, str]] = field(default_factory=dict)  # group: source, lang

    def add(self, text: str, lang: str | None, group: int, kind: str) -> None:
        self.docs.append(text)
        self.langs.append(lang)
        self.group.append(group)
        self.kind.append(kind)
        self.forms.append(fingerprint_form(text, lang))

    def source(self, i: int) -> int:
        """The document the group's copies were made from (a deal is its own)."""
        return self._sources[self.group[i]]

    @cached_property
    def _sources(self) -> dict[int, int]:
        kinds = ("original", "deal")
        return {
            g: i for i, (g, k) in enumerate(zip(self.group, self.kind, strict=True)) if k in kinds
        }

    def copy_of(self, i: int, j: int) -> bool:
        """Document i is what a transformation of j's source could give: an identical or
        re-punctuated form (spaces aside), a truncation (contained in it), one word edited."""
        source = self.forms[self.source(j)]
        if self.forms[i].replace(" ", "") in source.replace(" ", ""):
            return True
        a, b = self.forms[i].split(), source.split()
        return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1

    def editions(self, a: int, b: int) -> bool:
        """Both sentences come from two editions of the UDHR in one language (Persian and
        Dari, the two Urdu files): the same article translated twice, not two texts."""
        (source_a, lang_a) = self.documents.get(self.group[a], ("", ""))
        (source_b, lang_b) = self.documents.get(self.group[b], ("", ""))
        udhr = source_a.startswith("udhr:") and source_b.startswith("udhr:")
        return udhr and source_a != source_b and lang_a == lang_b

    def score(self, flagged: set[tuple[int, int]]) -> dict[str, Any]:
        per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for i, k in enumerate(self.kind):
            if k not in ("original", "deal"):
                o = self.source(i)
                per_kind[k][0] += (min(o, i), max(o, i)) in flagged
                per_kind[k][1] += 1
        group, forms = self.group, self.forms
        tp = sum(1 for a, b in flagged if group[a] == group[b])
        cross = [(a, b) for a, b in flagged if group[a] != group[b]]
        fp = [(a, b) for a, b in cross if forms[a] != forms[b]]
        strict_fp = [(a, b) for a, b in fp if not (self.copy_of(a, b) or self.copy_of(b, a))]
        return {
            "recall": sum(v[0] for v in per_kind.values()) / sum(v[1] for v in per_kind.values()),
            "recall_by_transform": {k: v[0] / v[1] for k, v in sorted(per_kind.items())},
            "precision": tp / (tp + len(fp)) if tp + len(fp) else 1.0,
            "false_positive_pairs": len(fp),
            "false_positives_among_deals": sum(
                1 for a, b in fp if self.kind[a] == self.kind[b] == "deal"
            ),
            "ambiguous_identical_pairs_excluded": len(cross) - len(fp),
            "false_positives_that_are_copies": len(fp) - len(strict_fp),
            "precision_copies_excluded": tp / (tp + len(strict_fp)) if tp + len(strict_fp) else 1.0,
            "strict_false_positives_by_kind": self.kinds(strict_fp),
            "fp": fp,
        }

    def kinds(self, pairs: list[tuple[int, int]]) -> dict[str, int]:
        """What the false positives that are no copies are: pairs of UDHR editions, pairs of
        sentences of one source document (template news, census lines ...), pairs of deals,
        the rest. A diagnostic: every one of them counts against ``precision``."""
        out = {"udhr_editions": 0, "same_source_document": 0, "deals": 0, "other": 0}
        for a, b in pairs:
            if self.kind[a] == self.kind[b] == "deal":
                out["deals"] += 1
            elif self.editions(a, b):
                out["udhr_editions"] += 1
            elif self.documents.get(self.group[a]) == self.documents.get(self.group[b]):
                out["same_source_document"] += 1
            else:
                out["other"] += 1
        return out


def build(n: int, rng: random.Random) -> Bench:
    bench = Bench()
    for g, (lang, script, text, source) in enumerate(sentences(n, rng)):
        bench.documents[g] = (source, "fa" if lang == "fa-AF" else lang)
        for name, copy in {"original": text, **transforms(lang, script, text, rng)}.items():
            bench.add(copy, lang if lang != "fa-AF" else "fa", g, name)
    offset = len(set(bench.group))
    for j, text in enumerate(deals()):
        bench.add(text, "en", offset + j, "deal")
    return bench


def sweep(bench: Bench, verify: str) -> dict[str, tuple[float, float, int, float]]:
    """threshold -> (recall, precision, hard-negative false positives, precision with the
    false positives that are copies of the other sentence left out)."""
    out = {}
    for t in (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
        flagged, _ = flagged_pairs(bench.docs, bench.langs, t, VERIFY[verify])
        s = bench.score(flagged)
        out[str(t)] = (
            round(s["recall"], 4),
            round(s["precision"], 4),
            s["false_positives_among_deals"],
            round(s["precision_copies_excluded"], 4),
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sentences", type=int, default=3000)
    ap.add_argument("--threshold", type=float, default=THRESHOLD)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--sweep", action="store_true", help="recall/precision per threshold")
    ap.add_argument(
        "--verify",
        choices=sorted(VERIFY),
        default="both",
        help="candidate check: both (as similar), numbers only (the earlier rule), none",
    )
    args = ap.parse_args()
    bench = build(args.sentences, random.Random(args.seed))
    flagged, rate = flagged_pairs(bench.docs, bench.langs, args.threshold, VERIFY[args.verify])
    deal_count = sum(1 for k in bench.kind if k == "deal")
    scores = bench.score(flagged)
    fp_pairs = scores.pop("fp")
    report = {
        "threshold": args.threshold,
        "verify": args.verify,
        "shingle": minhash.SHINGLE,
        "permutations": minhash.NUM_PERM,
        "bands_rows": [BANDS, ROWS],
        "documents": len(bench.docs),
        "sentences": len(set(bench.group)) - deal_count,
        "deals_messages": deal_count,
        "hard_negative_pairs": deal_count * (deal_count - 1) // 2,
        **scores,
        "minhash_docs_per_s": round(rate),
        "datasketch_bulk_docs_per_s": round(datasketch_rate(bench.forms[:5000])),
    }
    if args.sweep:
        report["sweep"] = sweep(bench, args.verify)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for key, value in report.items():
        print(f"{key:38s} {value}")
    forms = bench.forms
    for a, b in fp_pairs[:5]:
        print(f"  false positive: {forms[a][:70]!r} ~ {forms[b][:70]!r}")


if __name__ == "__main__":
    main()

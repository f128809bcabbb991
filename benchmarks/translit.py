"""Throughput of the cross-script matching form, and how well Uzbek Latin and Cyrillic agree.

    python benchmarks/translit.py                 # every language of ../shared/data/langid
    python benchmarks/translit.py --seconds 0.2   # quicker, noisier
    python benchmarks/translit.py --json > benchmarks/out/translit.json

Texts are the 10,155 labelled sentences of langid/{dev,test}.tsv, grouped by
language and script; "post" rows join 4 consecutive sentences (about 400-700
characters, a long Telegram post). Each function runs over its group repeatedly for
at least ``--seconds`` of CPU time in one process; posts/s and chars/s are texts and
characters of input per CPU second (one core; CPU time, so other work on a shared
machine inflates the figures less than wall time would). match_form caches converted words:
"match_form(lang)" and "(None)" run with the cache warm (every word seen before, the
best case), "match_form cold" empties it before each round over the group, so only
words repeated within the group's texts hit it (a channel's stream is between).
The enrich chain's target is 5,000 posts/s on 2 cores, i.e. 400 us per post per
core for language + translit + gazetteer + MinHash together.

The agreement section aligns the Uzbek Latin and Cyrillic UDHR sentences by a
script-independent signature (word count + punctuation, unique pairs only) and
prints the character 3-gram Jaccard similarity of their matching forms.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from recruitwatch.enrich import translit
from recruitwatch.enrich.translit import (
    match_form,
    normalise,
    normalise_arabic,
    uz_cyrl_to_latn,
    uz_latn_to_cyrl,
)

LANGID = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "langid"
BUDGET_US = 1e6 / 2_500  # 5,000 posts/s on 2 cores
COLD = "match_form cold"


def load_rows() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for split in ("dev", "test"):
        with (LANGID / f"{split}.tsv").open(encoding="utf-8", newline="") as handle:
            rows.extend(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return rows


def groups(rows: Sequence[dict[str, str]]) -> dict[str, tuple[str, list[str]]]:
    """'uz-Cyrl' -> (lang, sentences), plus 'uz-Cyrl post' -> (lang, 4-sentence posts)."""
    texts: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in rows:
        texts[(row["lang"], row["script"])].append(row["text"])
    out: dict[str, tuple[str, list[str]]] = {}
    for (lang, script), sentences in sorted(texts.items()):
        out[f"{lang}-{script}"] = (lang, sentences)
        posts = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences) - 3, 4)]
        out[f"{lang}-{script} post"] = (lang, posts)
    return out


def rate(
    func: Callable[[str], object], texts: Sequence[str], seconds: float, cold: bool = False
) -> dict[str, float]:
    """Rounds over ``texts`` for at least ``seconds``; ``cold`` empties the word cache first."""
    chars = sum(map(len, texts))
    rounds, start = 0, time.process_time()
    while True:
        if cold:
            translit._word_forms.clear()
        for text in texts:
            func(text)
        rounds += 1
        elapsed = time.process_time() - start
        if elapsed >= seconds:
            break
    posts_s = rounds * len(texts) / elapsed
    return {
        "posts_per_s": round(posts_s),
        "chars_per_s": round(rounds * chars / elapsed),
        "us_per_post": round(1e6 / posts_s, 2),
        "mean_chars": round(chars / len(texts), 1),
    }


def functions(lang: str, script: str) -> dict[str, Callable[[str], object]]:
    funcs: dict[str, Callable[[str], object]] = {
        "match_form(lang)": lambda t: match_form(t, lang),
        "match_form(None)": match_form,
        COLD: lambda t: match_form(t, lang),
        "normalise": normalise,
    }
    if lang == "uz" and script == "Cyrl":
        funcs["uz_cyrl_to_latn"] = uz_cyrl_to_latn
    if lang == "uz" and script == "Latn":
        funcs["uz_latn_to_cyrl"] = uz_latn_to_cyrl
    if script == "Arab":
        funcs["normalise_arabic"] = normalise_arabic
    return funcs


def throughput(rows: Sequence[dict[str, str]], seconds: float) -> list[dict[str, Any]]:
    results = []
    for name, (lang, texts) in groups(rows).items():
        script = name.split()[0].rsplit("-", 1)[1]
        for func_name, func in functions(lang, script).items():
            measured = rate(func, texts, seconds, cold=func_name == COLD)
            results.append({"texts": name, "function": func_name, **measured})
    return results


def _signature(text: str) -> tuple[int, str]:
    return len(text.split()), re.sub(r"[\w\s]", "", text)


def udhr_pairs(rows: Sequence[dict[str, str]]) -> list[tuple[str, str]]:
    latin = list(dict.fromkeys(r["text"] for r in rows if r["source"].endswith("uzn_latn.xml")))
    cyrillic = list(dict.fromkeys(r["text"] for r in rows if r["source"].endswith("uzn_cyrl.xml")))
    counts = Counter(map(_signature, latin))
    by_signature = {_signature(t): t for t in cyrillic}
    return [
        (t, by_signature[_signature(t)])
        for t in latin
        if counts[_signature(t)] == 1 and _signature(t) in by_signature
    ]


def _jaccard(a: str, b: str) -> float:
    x = {a[i : i + 3] for i in range(max(1, len(a) - 2))}
    y = {b[i : i + 3] for i in range(max(1, len(b) - 2))}
    return len(x & y) / len(x | y)


def agreement(rows: Sequence[dict[str, str]]) -> dict[str, Any]:
    pairs = udhr_pairs(rows)
    out: dict[str, Any] = {"pairs": len(pairs)}
    for lang in ("uz", None):
        scores = sorted(_jaccard(match_form(a, lang), match_form(b, lang)) for a, b in pairs)
        out[f"lang={lang}"] = {
            "min": round(scores[0], 4),
            "p10": round(scores[len(scores) // 10], 4),
            "median": round(statistics.median(scores), 4),
            "mean": round(statistics.fmean(scores), 4),
            "identical": sum(match_form(a, lang) == match_form(b, lang) for a, b in pairs),
            "below_0.95": [round(s, 4) for s in scores if s < 0.95],
        }
    return out


def print_report(report: dict[str, Any]) -> None:
    print(f"# translit throughput per CPU second ({report['python']}, {report['machine']})")
    print(f"budget for the whole enrich chain: {BUDGET_US:.0f} us/post/core")
    head = ("texts", "function", "posts/s", "chars/s", "us/post", "chars")
    print("{:<18} {:<18} {:>9} {:>11} {:>8} {:>6}".format(*head))
    for r in report["throughput"]:
        print(
            f"{r['texts']:<18} {r['function']:<18} {r['posts_per_s']:>9,} "
            f"{r['chars_per_s']:>11,} {r['us_per_post']:>8.1f} {r['mean_chars']:>6.0f}"
        )
    print("\n# Uzbek UDHR, Latin vs Cyrillic matching form: character 3-gram Jaccard")
    print(json.dumps(report["agreement"], indent=2, ensure_ascii=False))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5, help="minimum time per measurement")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    rows = load_rows()
    report = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "throughput": throughput(rows, args.seconds),
        "agreement": agreement(rows),
    }
    if args.json:
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Build src/recruitwatch/data/classify/synthetic_labels.csv from the demo corpus.

SYNTHETIC: the labels are the demo manifest's intended genre/theme per post; the
texts are the demo's synthetic descriptions and UDHR sentences. A demo, not a
detector: never make it more realistic to raise scores.

usage: recruitwatch --home W demo --workspace W
       recruitwatch --home W posts --format jsonl > posts.jsonl
       python scripts/make_classify_set.py posts.jsonl   (writes the CSV and the demo model)
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "src/recruitwatch/data/demo/manifest.jsonl"
OUT = ROOT / "src/recruitwatch/data/classify/synthetic_labels.csv"
TIERS = {"official_propaganda": "designated_official", "supporter_amplification": "promotional"}
COLUMNS = [
    "post_id",
    "genre",
    "themes",
    "tier",
    "analyst",
    "note",
    "source",
    "kind",
    "lang",
    "text",
]


def manifest() -> dict[str, dict[str, object]]:
    out = {}
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        key = entry.get("post_id") or f"feed:https://synthetic-news.example//{entry.get('guid')}"
        out[str(key)] = entry
    return out


def rows(posts: Path) -> list[dict[str, str]]:
    intended = manifest()
    out = []
    for line in posts.read_text(encoding="utf-8").splitlines():
        post = json.loads(line)
        entry = intended.get(post["id"])
        if not entry or not entry.get("genre") or not post["text"]:
            continue
        genre = str(entry["genre"])
        out.append({
            "post_id": post["id"], "genre": genre, "themes": str(entry.get("theme") or ""),
            "tier": TIERS.get(genre, ""), "analyst": "synthetic-demo-manifest",
            "note": "[synthetic] intended label of the demo corpus", "source": post["source"],
            "kind": post["kind"], "lang": str(entry.get("variety") or ""), "text": post["text"],
        })  # fmt: skip
    return out


def main() -> None:
    data = rows(Path(sys.argv[1]))
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        fh.write("# SYNTHETIC labelled set derived from the demo corpus manifest; not real data.\n")
        writer = csv.DictWriter(fh, COLUMNS)
        writer.writeheader()
        writer.writerows(data)
    print(f"{len(data)} rows -> {OUT}")
    from recruitwatch.enrich.classify import packaged_model_stem, train_demo_model
    from recruitwatch.enrich.classify_model import write

    write(train_demo_model(), packaged_model_stem())
    print(f"demo model -> {packaged_model_stem()}.npz/.json")


if __name__ == "__main__":
    main()

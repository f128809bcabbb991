"""Regenerate the feed golden files from the real feeds in ../shared/data/feeds.

Run from the project root: ``.venv/bin/python -m tests.golden.feeds.regenerate``. Each golden
file keeps the structure of what the feed reader produced (ids, dates, languages, entity
positions, raw keys) and the SHA-256 of every piece of text, never the text: the feeds are
third-party data that must not be copied into the repository. Review the diff before committing.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path
from typing import Any

from recruitwatch.ingest.feeds import FeedReader
from recruitwatch.model import Entity, Post, Source

HERE = Path(__file__).resolve().parent
FEEDS = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "feeds"
GOLDEN = {
    "onliner_by_ru": "onliner_by_ru/RSS.xml",
    "bbc": "news_digest_en/bbc.xml",
    "dw": "news_digest_en/dw.xml",
    "hoder": "pear_xml_feed_parser/hoder.xml",
    "ongoing": "pear_xml_feed_parser/ongoing.atom",
    "lenta_ru_edited": "lenta_ru_edited/news.xml",
}


def sha(value: str | None) -> str | None:
    return None if value is None else hashlib.sha256(value.encode("utf-8")).hexdigest()


def entity_summary(entity: Entity) -> dict[str, Any]:
    return {
        "type": entity.type,
        "offset": entity.offset,
        "length": entity.length,
        "text_sha256": sha(entity.text),
        "href_sha256": sha(entity.href),
    }


def post_summary(post: Post) -> dict[str, Any]:
    return {
        "message_id_sha256": sha(post.message_id),
        "kind": post.kind,
        "date": post.date.isoformat(),
        "edited": post.edited.isoformat() if post.edited else None,
        "lang_hint": post.lang_hint,
        "text_chars": len(post.text),
        "text_sha256": sha(post.text),
        "title_sha256": sha(post.title),
        "author_sha256": sha(post.author),
        "url_sha256": sha(post.url),
        "entities": [entity_summary(e) for e in post.entities],
        "raw_keys": sorted(post.raw),
    }


def source_summary(source: Source) -> dict[str, Any]:
    return {
        "key": source.key,
        "kind": source.kind,
        "title_sha256": sha(source.title),
    }


def summarise(relative: str) -> dict[str, Any]:
    """What the feed reader makes of one real feed, as golden JSON."""
    path = FEEDS / relative
    reader = FeedReader()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        records = list(reader.records(str(path)))
    posts = [reader.normalise(raw) for raw in records]
    return {
        "input": f"../shared/data/feeds/{relative}",
        "warnings": [
            f"{w.category.__name__}: {str(w.message).replace(str(path), path.name)}" for w in caught
        ],
        "locators": [raw.locator for raw in records],
        "sources": [source_summary(s) for s in dict.fromkeys(p.source for p in posts)],
        "posts": [post_summary(p) for p in posts],
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main() -> None:
    for name, relative in GOLDEN.items():
        target = HERE / f"{name}.json"
        target.write_text(render(summarise(relative)), encoding="utf-8")
        print(f"wrote {target.relative_to(HERE.parents[2])}")


if __name__ == "__main__":
    main()

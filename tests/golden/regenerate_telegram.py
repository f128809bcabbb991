"""Regenerate tests/golden/telegram/*.json from the real fragments in ../shared/data/telegram.

The golden files keep every field of every post the JSON export reader makes, but
free text (message text, entity text, links, names, titles) only as SHA-256 digests:
the data is not ours to copy. ``tests/ingest/test_telegram_export_golden.py`` reads the
real fragments at test time and compares.

    .venv/bin/python tests/golden/regenerate_telegram.py
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from recruitwatch.errors import RecordError
from recruitwatch.ingest.telegram_export import TelegramJsonReader
from recruitwatch.model import Entity, MediaRef, Post

GOLDEN = Path(__file__).resolve().parent / "telegram"
SHARED_TELEGRAM = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "telegram"
FRAGMENTS = ("messages_fragment.json", "messages_fragment_2_with_replies.json")


def sha(value: str | None) -> str | None:
    return None if value is None else hashlib.sha256(value.encode("utf-8")).hexdigest()


def canonical_sha(value: Any) -> str | None:
    if value is None:
        return None
    return sha(json.dumps(value, sort_keys=True, ensure_ascii=False))


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


def entity_record(entity: Entity) -> dict[str, Any]:
    return {
        "type": entity.type,
        "offset": entity.offset,
        "length": entity.length,
        "text_sha256": sha(entity.text),
        "href_sha256": sha(entity.href),
        "user_id": entity.user_id,
        "language": entity.language,
        "document_id": entity.document_id,
    }


def media_record(media: MediaRef) -> dict[str, Any]:
    out = media.to_dict()
    out["file_name"] = sha(media.file_name)
    out["extra"] = canonical_sha(dict(media.extra)) if media.extra else {}
    return out


def post_record(post: Post) -> dict[str, Any]:
    """Every field of a post; free text as SHA-256."""
    return {
        "id": post.id,
        "message_id": post.message_id,
        "source": post.source.key,
        "source_kind": post.source.kind,
        "source_external_id": post.source.external_id,
        "source_title_sha256": sha(post.source.title),
        "date": _iso(post.date),
        "edited": _iso(post.edited),
        "kind": post.kind,
        "text_sha256": sha(post.text),
        "text_length": len(post.text),
        "entities": [entity_record(e) for e in post.entities],
        "author_sha256": sha(post.author),
        "sender_sha256": sha(post.sender),
        "sender_id": post.sender_id,
        "forwarded_from_sha256": sha(post.forwarded_from),
        "forwarded_from_id": post.forwarded_from_id,
        "saved_from_sha256": sha(post.saved_from),
        "reply_to": post.reply_to,
        "reply_to_peer": post.reply_to_peer,
        "via_bot_sha256": sha(post.via_bot),
        "action_sha256": canonical_sha(dict(post.action) if post.action is not None else None),
        "media": [media_record(m) for m in post.media],
        "reactions_sha256": canonical_sha([dict(r) for r in post.reactions]),
        "url": post.url,
        "title_sha256": sha(post.title),
        "lang_hint": post.lang_hint,
        "raw_sha256": canonical_sha(dict(post.raw)),
    }


def golden_for(path: Path) -> dict[str, Any]:
    """What the reader makes of one fragment, in the golden file's shape."""
    reader = TelegramJsonReader()
    posts, quarantined = [], []
    for raw in reader.records(str(path)):
        try:
            posts.append({"locator": raw.locator, **post_record(reader.normalise(raw))})
        except RecordError as exc:
            quarantined.append({"locator": raw.locator, "reason": exc.reason})
    return {
        "fragment": path.name,
        "input_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "reader": f"{reader.NAME} {reader.VERSION}",
        "posts": posts,
        "quarantined": quarantined,
        "unknown": dict(sorted(reader.unknown.items())),
    }


def dumps(record: dict[str, Any]) -> str:
    """The golden file: one line per post, so a diff names the posts that changed."""

    def line(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    head = {k: v for k, v in record.items() if k not in ("posts", "quarantined")}
    lists = [
        f'"{name}": [\n' + ",\n".join(line(item) for item in record[name]) + "\n]"
        for name in ("posts", "quarantined")
    ]
    return "{" + line(head)[1:-1] + ",\n" + ",\n".join(lists) + "}\n"


def golden_path(fragment: str) -> Path:
    return GOLDEN / fragment.replace(".json", ".golden.json")


def main() -> int:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for fragment in FRAGMENTS:
        record = golden_for(SHARED_TELEGRAM / fragment)
        golden_path(fragment).write_text(dumps(record), encoding="utf-8")
        print(f"{golden_path(fragment)}: {len(record['posts'])} posts")
    return 0


if __name__ == "__main__":
    sys.exit(main())

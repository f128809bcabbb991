"""manifest.jsonl (every post -> intended language, script, genre, theme, media) and
media.json (every media file -> kind, SHA-256, size, relations)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .assets import EXPORT_KIND
from .export import MediaPlacer
from .feed import Item
from .media import Built
from .plan import Plan
from .textparts import entity_texts
from .udhr import script_of

FEED_SOURCE = "feeds/synthetic_news.xml"


def _iso(plan_when: Any) -> str:
    return str(plan_when.isoformat().replace("+00:00", "Z"))


def _media(plan: Plan, placer: MediaPlacer) -> dict[str, Any]:
    if plan.asset is None:
        return {"placeholder": plan.placeholder is not None}
    kind = EXPORT_KIND[placer.library[plan.asset].spec.kind]
    return {"media": plan.asset, "media_kind": kind}


def _ref(plan: Plan | None) -> str | None:
    return plan.post_id if plan is not None else None


def _compact(entry: dict[str, Any]) -> dict[str, Any]:
    """Absent means null / false / empty: keeps the manifest small."""
    return {k: v for k, v in entry.items() if v not in (None, False, [], "")}


def plan_entry(plan: Plan, placer: MediaPlacer) -> dict[str, Any]:
    lang, script = script_of(plan.variety) if plan.variety else (None, None)
    return _compact(
        {
            "post_id": plan.post_id,
            "date": _iso(plan.when),
            "kind": plan.kind,
            "lang": lang,
            "script": script,
            "variety": plan.variety,
            "genre": plan.genre,
            "theme": plan.theme,
            "text_source": plan.text_source,
            "places": plan.places,
            "hashtags": entity_texts(plan.parts, "hashtag"),
            **_media(plan, placer),
            "release": plan.release,
            "forward_of": _ref(plan.forward_of),
            "repost_of": _ref(plan.repost_of),
            "reply_to": _ref(plan.reply_to),
            "edited": plan.edited is not None,
            "action": plan.action["action"] if plan.action else None,
        }
    )


def item_entry(item: Item) -> dict[str, Any]:
    return {
        "source": FEED_SOURCE,
        "guid": item.guid,
        "link": item.link,
        "date": _iso(item.when),
        "kind": "article",
        "lang": "en",
        "script": "Latn",
        "variety": "en",
        "genre": item.genre,
        "theme": None,
        "text_source": item.text_source,
        "title": item.title,
        "places": list(item.places),
    }


def write_manifest(
    path: Path, plans: dict[str, list[Plan]], placer: MediaPlacer, items: list[Item]
) -> int:
    lines = [plan_entry(p, placer) for chat in plans.values() for p in chat]
    lines += [item_entry(i) for i in items]
    path.write_text(
        "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8"
    )
    return len(lines)


def asset_entry(built: Built, files: list[str], uses: int) -> dict[str, Any]:
    spec = built.spec
    return {
        "id": spec.id,
        "kind": spec.kind,
        "export_kind": EXPORT_KIND[spec.kind],
        "mime_type": built.mime,
        "sha256": built.sha256,
        "size": built.size,
        "width": spec.size[0] or None,
        "height": spec.size[1] or None,
        "duration_seconds": spec.seconds or None,
        "lang": spec.lang,
        "description": spec.description,
        "derived_from": spec.derived_from,
        "speech": {"text": built.speech.text, "source": built.speech.source}
        if built.speech
        else None,
        "files": files,
        "posts": uses,
    }


def write_media_index(path: Path, placer: MediaPlacer, plans: dict[str, list[Plan]]) -> None:
    files: dict[str, list[str]] = {}
    for (_, asset), rel in sorted(placer.paths.items(), key=lambda kv: kv[1]):
        files.setdefault(asset, []).append(rel)
    uses: dict[str, int] = {}
    for plan in (p for chat in plans.values() for p in chat if p.asset):
        uses[plan.asset or ""] = uses.get(plan.asset or "", 0) + 1
    entries = [asset_entry(b, files.get(i, []), uses.get(i, 0)) for i, b in placer.library.items()]
    path.write_text(
        json.dumps({"assets": entries}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )

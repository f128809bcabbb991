"""Write the plans as a Telegram Desktop "Export Telegram data" JSON (result.json) with
the media files in per-chat folders, keys in the order tdesktop writes them."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

from .assets import EXPORT_KIND
from .chats import CHATS, ChatSpec
from .media import Built
from .places import FIGURE
from .plan import LOCAL, Plan, local_iso, unix
from .textparts import export_text

ABOUT = (
    "[synthetic] Demo export in the shape of Telegram Desktop's 'Export Telegram data' "
    "(JSON). Every chat, person, handle and outlet is invented; texts are neutral "
    "descriptions and sentences of the Universal Declaration of Human Rights."
)
PERSONAL = {
    "user_id": 7000000001,
    "first_name": "Demo",
    "last_name": "Analyst",
    "phone_number": "+999 00 000 0001",
    "username": "@synthetic_demo_analyst",
    "bio": "[synthetic] account of the recruitwatch demo corpus",
}
CHATS_ABOUT = "This page lists all chats from this export."
LEFT_ABOUT = "This page lists all supergroups and channels you've left."
STICKER_EMOJI = {"stk01": "🙂", "stk02": "👍", "stk03": "🌷"}
MEDIA_TYPE = {
    "sticker": "sticker",
    "voice": "voice_message",
    "audio": "audio_file",
    "video": "video_file",
    "round": "video_message",
    "animation": "animation",
}


class MediaPlacer:
    """Copies each asset once per chat folder and names it as tdesktop would."""

    def __init__(self, root: Path, library: dict[str, Built]) -> None:
        self.root, self.library = root, library
        self.paths: dict[tuple[str, str], str] = {}
        self.counters: Counter[tuple[str, str]] = Counter()

    def _name(self, chat: ChatSpec, built: Built, plan: Plan) -> str:
        kind = built.spec.kind
        self.counters[(chat.key, kind)] += 1
        k = self.counters[(chat.key, kind)]
        stamp = (plan.when + LOCAL).strftime("%d-%m-%Y_%H-%M-%S")
        return {
            "photo": f"photos/photo_{k}@{stamp}.jpg",
            "voice": f"voice_messages/audio_{k}@{stamp}.ogg",
            "round": f"round_video_messages/file_{k}@{stamp}.mp4",
            "sticker": "stickers/sticker.webp" if k == 1 else f"stickers/sticker ({k}).webp",
            "video": f"video_files/{built.spec.name}",
            "animation": f"video_files/{built.spec.name}",
        }.get(kind, f"files/{built.spec.name}")

    def place(self, plan: Plan) -> str:
        assert plan.asset is not None
        key = (plan.chat.key, plan.asset)
        if key not in self.paths:
            built = self.library[plan.asset]
            rel = f"{plan.chat.folder}/{self._name(plan.chat, built, plan)}"
            target = self.root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(built.path, target)
            self.paths[key] = rel
        return self.paths[key]


def _audio_tags(built: Built) -> dict[str, Any]:
    spec = built.spec
    if spec.derived_from:
        return {"performer": "Synthetic Urdu Relay D", "title": "Synthetic voice copy 01"}
    return {"performer": FIGURE, "title": f"Synthetic audio series, part {int(spec.id[3:])}"}


def media_fields(built: Built, rel: str) -> dict[str, Any]:
    spec = built.spec
    if spec.kind == "photo":
        return {
            "photo": rel,
            "photo_file_size": built.size,
            "width": spec.size[0],
            "height": spec.size[1],
        }
    out: dict[str, Any] = {"file": rel}
    if spec.kind not in ("voice", "round"):
        out["file_name"] = spec.name
    out["file_size"] = built.size
    if spec.kind in MEDIA_TYPE:
        out["media_type"] = MEDIA_TYPE[spec.kind]
    if spec.kind == "sticker":
        out["sticker_emoji"] = STICKER_EMOJI[spec.id]
    if spec.kind == "audio":
        out.update(_audio_tags(built))
    out["mime_type"] = built.mime
    if spec.seconds:
        out["duration_seconds"] = spec.seconds
    if spec.size != (0, 0) and EXPORT_KIND[spec.kind] != "document":
        out["width"], out["height"] = spec.size
    return out


def _service_fields(plan: Plan) -> dict[str, Any]:
    assert plan.sender is not None and plan.action is not None
    out: dict[str, Any] = {"actor": plan.sender[0], "actor_id": plan.sender[1]}
    out.update(plan.action)
    if plan.pin is not None:
        out["message_id"] = plan.pin.id
    return out


def _message_fields(plan: Plan, placer: MediaPlacer) -> dict[str, Any]:
    assert plan.sender is not None
    out: dict[str, Any] = {"from": plan.sender[0], "from_id": plan.sender[1]}
    if plan.author:
        out["author"] = plan.author
    if plan.forward_of is not None:
        out["forwarded_from"] = plan.forward_of.chat.name
    if plan.reply_to is not None:
        out["reply_to_message_id"] = plan.reply_to.id
    if plan.via_bot:
        out["via_bot"] = plan.via_bot
    if plan.asset:
        out.update(media_fields(placer.library[plan.asset], placer.place(plan)))
    elif plan.placeholder:
        out.update(plan.placeholder)
    return out


def message_dict(plan: Plan, placer: MediaPlacer) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": plan.id,
        "type": plan.kind,
        "date": local_iso(plan.when),
        "date_unixtime": unix(plan.when),
    }
    if plan.edited:
        out["edited"], out["edited_unixtime"] = local_iso(plan.edited), unix(plan.edited)
    service = plan.kind == "service"
    out.update(_service_fields(plan) if service else _message_fields(plan, placer))
    out["text"], out["text_entities"] = export_text(plan.parts)
    if plan.reactions:
        out["reactions"] = plan.reactions
    return out


def chat_dict(chat: ChatSpec, plans: list[Plan], placer: MediaPlacer) -> dict[str, Any]:
    return {
        "name": chat.name,
        "type": chat.type,
        "id": chat.id,
        "messages": [message_dict(p, placer) for p in plans],
    }


def write_export(
    root: Path, plans: dict[str, list[Plan]], library: dict[str, Built]
) -> MediaPlacer:
    """result.json and the media folders under ``root``; the placer knows every path."""
    placer = MediaPlacer(root, library)
    lists: dict[bool, list[dict[str, Any]]] = {False: [], True: []}
    for chat in CHATS:
        lists[chat.left].append(chat_dict(chat, plans[chat.key], placer))
    doc = {
        "about": ABOUT,
        "personal_information": PERSONAL,
        "chats": {"about": CHATS_ABOUT, "list": lists[False]},
        "left_chats": {"about": LEFT_ABOUT, "list": lists[True]},
    }
    path = root / "result.json"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return placer

"""Telethon message -> Telegram Desktop export dict (the live collector's mapper).

``message_to_export_dict`` gives the dict shape of a Telegram Desktop JSON export
message, so ``telegram_common.message_to_post`` makes the Post: export and live
give the same record (docs/live-collection.md lists the legitimate differences).
Telethon objects are read by their TL class names, so this module imports no
Telethon; entity offsets are converted from UTF-16 code units to code points.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import RecordError
from ..model import Post, Source
from .telegram_common import FileHasher, chat_source, message_to_post

LIVE_PLACEHOLDER = "(File not downloaded: live collection)"
LIVE_ABSENT_REASON = "not downloaded (live collection)"


def channel_source(chat: Any) -> Source:
    """The same Source a single-chat export of this channel gets."""
    kind = "public_supergroup" if getattr(chat, "megagroup", False) else "public_channel"
    return chat_source({"name": chat.title, "type": kind, "id": chat.id})


# --------------------------------------------------------------------------- message mapping

ENTITY_TYPES = {
    "MessageEntityUnknown": "unknown",
    "MessageEntityMention": "mention",
    "MessageEntityHashtag": "hashtag",
    "MessageEntityBotCommand": "bot_command",
    "MessageEntityUrl": "link",
    "MessageEntityEmail": "email",
    "MessageEntityBold": "bold",
    "MessageEntityItalic": "italic",
    "MessageEntityCode": "code",
    "MessageEntityPre": "pre",
    "MessageEntityTextUrl": "text_link",
    "MessageEntityMentionName": "mention_name",
    "InputMessageEntityMentionName": "mention_name",
    "MessageEntityPhone": "phone",
    "MessageEntityCashtag": "cashtag",
    "MessageEntityUnderline": "underline",
    "MessageEntityStrike": "strikethrough",
    "MessageEntityBlockquote": "blockquote",
    "MessageEntityBankCard": "bank_card",
    "MessageEntitySpoiler": "spoiler",
    "MessageEntityCustomEmoji": "custom_emoji",
}
# export key, Telethon attribute
ENTITY_EXTRA = {
    "text_link": ("href", "url"),
    "mention_name": ("user_id", "user_id"),
    "pre": ("language", "language"),
    "custom_emoji": ("document_id", "document_id"),
}
PEER_PREFIX = {"PeerChannel": "channel", "PeerChat": "chat", "PeerUser": "user"}
ENTITY_PREFIX = {
    "Channel": "channel",
    "ChannelForbidden": "channel",
    "Chat": "chat",
    "ChatForbidden": "chat",
    "User": "user",
}


def peer_key(peer: Any) -> str | None:
    """A Telethon Peer as the export writes it: ``channel<N>``, ``chat<N>``, ``user<N>``."""
    prefix = PEER_PREFIX.get(type(peer).__name__)
    if prefix is None:
        return None
    return f"{prefix}{getattr(peer, f'{prefix}_id')}"


def display_name(entity: Any) -> str | None:
    """A channel's title or a user's "first last", as the export names peers."""
    title = getattr(entity, "title", None)
    if title:
        return str(title)
    parts = (getattr(entity, "first_name", None), getattr(entity, "last_name", None))
    return " ".join(p for p in parts if p) or None


def known_names(msg: Any, chat: Any) -> dict[str, str]:
    """Peer names Telethon attached to the message (sender, forward origin) plus the chat."""
    names: dict[str, str] = {}
    forward = getattr(msg, "forward", None)
    candidates = (
        chat,
        getattr(msg, "sender", None),
        getattr(forward, "chat", None),
        getattr(forward, "sender", None),
    )
    for entity in candidates:
        prefix, name = ENTITY_PREFIX.get(type(entity).__name__), display_name(entity)
        if entity is not None and prefix and name:
            names[f"{prefix}{entity.id}"] = name
    return names


def _time(key: str, value: datetime) -> dict[str, str]:
    utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    stamp = utc.replace(tzinfo=None).isoformat(timespec="seconds")
    return {key: stamp, f"{key}_unixtime": str(int(utc.timestamp()))}


def _head(msg: Any, kind: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": msg.id, "type": kind}
    if msg.date is not None:
        out.update(_time("date", msg.date))
    if getattr(msg, "edit_date", None) is not None:
        out.update(_time("edited", msg.edit_date))
    return out


def _sender_fields(label: str, msg: Any, names: Mapping[str, str]) -> dict[str, Any]:
    key = peer_key(getattr(msg, "from_id", None) or msg.peer_id)
    return {} if key is None else {label: names.get(key), f"{label}_id": key}


def _forward_fields(msg: Any, names: Mapping[str, str]) -> dict[str, Any]:
    fwd = getattr(msg, "fwd_from", None)
    if fwd is None:
        return {}
    key = peer_key(fwd.from_id) if fwd.from_id is not None else None
    if key is not None:
        return {"forwarded_from": names.get(key), "forwarded_from_id": key}
    return {"forwarded_from": fwd.from_name} if fwd.from_name else {}


def _reply_fields(msg: Any, label: str = "reply_to_message_id") -> dict[str, Any]:
    reply = getattr(msg, "reply_to", None)
    msg_id = getattr(reply, "reply_to_msg_id", None)
    if not msg_id:
        return {}
    out: dict[str, Any] = {label: msg_id}
    peer = peer_key(getattr(reply, "reply_to_peer_id", None))
    if peer is not None:
        out["reply_to_peer_id"] = peer
    return out


def _via_bot(msg: Any) -> dict[str, Any]:
    username = getattr(getattr(msg, "via_bot", None), "username", None)
    return {"via_bot": f"@{username}"} if username else {}


def _entity_part(entity: Any, text: str) -> dict[str, Any]:
    kind = ENTITY_TYPES.get(type(entity).__name__, "unknown")
    part: dict[str, Any] = {"type": kind, "text": text}
    if kind in ENTITY_EXTRA:
        key, attr = ENTITY_EXTRA[kind]
        value = getattr(entity, attr, None)
        part[key] = value if isinstance(value, int) and kind == "mention_name" else str(value or "")
    return part


def text_parts(text: str, entities: Iterable[Any] | None) -> list[dict[str, Any]]:
    """Plain and entity parts like the export's ``text_entities``.

    Telegram counts entity offsets in UTF-16 code units; the text is cut in
    UTF-16 so that a non-BMP emoji before an entity does not shift it. As the
    exporter does, an entity that starts inside the previous one (nested
    formatting) or runs past the end is dropped.
    """
    units = text.encode("utf-16-le", "surrogatepass")
    size = len(units) // 2

    def cut(start: int, end: int) -> str:
        return units[2 * start : 2 * end].decode("utf-16-le", "surrogatepass")

    parts: list[dict[str, Any]] = []
    offset = 0
    for entity in entities or ():
        start, length = entity.offset, entity.length
        if start < offset or length <= 0 or start + length > size:
            continue
        if start > offset:
            parts.append({"type": "plain", "text": cut(offset, start)})
        parts.append(_entity_part(entity, cut(start, start + length)))
        offset = start + length
    if size > offset:
        parts.append({"type": "plain", "text": cut(offset, size)})
    return parts


def _text_fields(text: str, entities: Iterable[Any] | None) -> dict[str, Any]:
    parts = text_parts(text, entities)
    if not parts:
        return {"text": "", "text_entities": []}
    if len(parts) == 1 and parts[0]["type"] == "plain":
        return {"text": parts[0]["text"], "text_entities": parts}
    mixed = [p["text"] if p["type"] == "plain" else p for p in parts]
    return {"text": mixed, "text_entities": parts}


def _largest_size(sizes: Iterable[Any]) -> tuple[int, int, int]:
    best = (0, 0, 0)
    for size in sizes:
        w, h = getattr(size, "w", 0) or 0, getattr(size, "h", 0) or 0
        nbytes = getattr(size, "size", None) or max(getattr(size, "sizes", None) or [0])
        if w * h > best[0] * best[1]:
            best = (w, h, nbytes)
    return best


def _photo_fields(photo: Any, path: str | None) -> dict[str, Any]:
    if type(photo).__name__ != "Photo":
        return {}
    w, h, nbytes = _largest_size(photo.sizes)
    out: dict[str, Any] = {"photo": path or LIVE_PLACEHOLDER}
    if nbytes:
        out["photo_file_size"] = nbytes
    if w and h:
        out.update(width=w, height=h)
    return out


def _attr_video(a: Any) -> dict[str, Any]:
    kind = "video_message" if a.round_message else "video_file"
    return {kind: True, "duration": int(a.duration or 0), "width": a.w, "height": a.h}


def _attr_audio(a: Any) -> dict[str, Any]:
    kind = "voice_message" if a.voice else "audio_file"
    return {
        kind: True,
        "duration": int(a.duration or 0),
        "performer": a.performer,
        "title": a.title,
    }


ATTRIBUTE_READERS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "DocumentAttributeVideo": _attr_video,
    "DocumentAttributeAudio": _attr_audio,
    "DocumentAttributeSticker": lambda a: {"sticker": True, "sticker_emoji": a.alt},
    "DocumentAttributeAnimated": lambda a: {"animation": True},
    "DocumentAttributeFilename": lambda a: {"file_name": a.file_name},
    "DocumentAttributeImageSize": lambda a: {"width": a.w, "height": a.h},
}
# the exporter's precedence when a document carries several attributes
MEDIA_TYPE_ORDER = (
    "sticker",
    "video_message",
    "voice_message",
    "animation",
    "video_file",
    "audio_file",
)


def _document_info(attributes: Iterable[Any]) -> dict[str, Any]:
    info: dict[str, Any] = {}
    for attribute in attributes:
        reader = ATTRIBUTE_READERS.get(type(attribute).__name__)
        if reader is not None:
            info.update(reader(attribute))
    info["media_type"] = next((k for k in MEDIA_TYPE_ORDER if info.get(k)), None)
    return info


def _document_fields(doc: Any, path: str | None) -> dict[str, Any]:
    if type(doc).__name__ != "Document":
        return {}
    info = _document_info(doc.attributes)
    out: dict[str, Any] = {"file": path or LIVE_PLACEHOLDER}
    optional: list[tuple[str, Any]] = [
        ("file_name", info.get("file_name")),
        ("file_size", doc.size),
        ("media_type", info["media_type"]),
        ("sticker_emoji", info.get("sticker_emoji") if info["media_type"] == "sticker" else None),
    ]
    if info["media_type"] == "audio_file":
        optional += [("performer", info.get("performer")), ("title", info.get("title"))]
    optional += [("mime_type", doc.mime_type), ("duration_seconds", info.get("duration"))]
    out.update((k, v) for k, v in optional if v)
    if info.get("width") and info.get("height"):
        out.update(width=info["width"], height=info["height"])
    return out


def _text_of(value: Any) -> str:
    return str(getattr(value, "text", value) or "")


def _poll_fields(media: Any) -> dict[str, Any]:
    poll, results = media.poll, getattr(media, "results", None)
    voters = {v.option: v for v in getattr(results, "results", None) or ()}
    answers = [
        {
            "text": _text_of(a.text),
            "voters": getattr(voters.get(a.option), "voters", 0) or 0,
            "chosen": bool(getattr(voters.get(a.option), "chosen", False)),
        }
        for a in poll.answers
    ]
    return {
        "poll": {
            "question": _text_of(poll.question),
            "closed": bool(poll.closed),
            "total_voters": getattr(results, "total_voters", 0) or 0,
            "answers": answers,
        }
    }


def _contact_fields(media: Any) -> dict[str, Any]:
    info = {k: getattr(media, k, "") or "" for k in ("first_name", "last_name", "phone_number")}
    return {"contact_information": info}


def _place_fields(media: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if type(media).__name__ == "MessageMediaVenue":
        out.update(place_name=media.title, address=media.address)
    point = media.geo
    valid = type(point).__name__ == "GeoPoint"
    out["location_information"] = (
        {"latitude": point.lat, "longitude": point.long} if valid else None
    )
    if getattr(media, "period", None):
        out["live_location_period_seconds"] = media.period
    return out


def _media_fields(media: Any, path: str | None) -> dict[str, Any]:
    kind = type(media).__name__
    if kind == "MessageMediaPhoto":
        return _photo_fields(media.photo, path)
    if kind == "MessageMediaDocument":
        return _document_fields(media.document, path)
    if kind in ("MessageMediaGeo", "MessageMediaGeoLive", "MessageMediaVenue"):
        return _place_fields(media)
    if kind == "MessageMediaContact":
        return _contact_fields(media)
    return _poll_fields(media) if kind == "MessageMediaPoll" else {}


def has_file(msg: Any) -> bool:
    """True when the message carries a photo or document that could be downloaded."""
    media = getattr(msg, "media", None)
    inner = getattr(media, "photo", None) or getattr(media, "document", None)
    return type(inner).__name__ in ("Photo", "Document")


def _reactions(msg: Any) -> dict[str, Any]:
    results = getattr(getattr(msg, "reactions", None), "results", None) or ()
    out = []
    for item in results:
        reaction, kind = item.reaction, type(item.reaction).__name__
        entry: dict[str, Any] = {"type": "unknown", "count": item.count}
        if kind == "ReactionEmoji":
            entry.update(type="emoji", emoji=reaction.emoticon)
        elif kind == "ReactionCustomEmoji":
            entry.update(type="custom_emoji", document_id=str(reaction.document_id))
        elif kind == "ReactionPaid":
            entry["type"] = "paid"
        out.append(entry)
    return {"reactions": out} if out else {}


# TL action -> (export action, ((export key, TL attribute), ...)); peers and pins added below
ACTIONS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "MessageActionChatCreate": ("create_group", (("title", "title"),)),
    "MessageActionChatEditTitle": ("edit_group_title", (("title", "title"),)),
    "MessageActionChatEditPhoto": ("edit_group_photo", ()),
    "MessageActionChatDeletePhoto": ("delete_group_photo", ()),
    "MessageActionChatAddUser": ("invite_members", ()),
    "MessageActionChatDeleteUser": ("remove_members", ()),
    "MessageActionChatJoinedByLink": ("join_group_by_link", ()),
    "MessageActionChatJoinedByRequest": ("join_group_by_request", ()),
    "MessageActionChannelCreate": ("create_channel", (("title", "title"),)),
    "MessageActionChatMigrateTo": ("migrate_to_supergroup", ()),
    "MessageActionChannelMigrateFrom": ("migrate_from_group", (("title", "title"),)),
    "MessageActionPinMessage": ("pin_message", ()),
    "MessageActionHistoryClear": ("clear_history", ()),
    "MessageActionGroupCall": ("group_call", (("duration", "duration"),)),
    "MessageActionSetMessagesTTL": ("set_messages_ttl", (("period", "period"),)),
    "MessageActionTopicCreate": ("topic_created", (("title", "title"),)),
    "MessageActionTopicEdit": ("topic_edit", (("new_title", "title"),)),
    "MessageActionBoostApply": ("boost_apply", (("boosts", "boosts"),)),
}


def _action_peers(action: Any, names: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    users = getattr(action, "users", None)
    if users is None and getattr(action, "user_id", None) is not None:
        users = [action.user_id]
    if users is not None:
        out["members"] = [names.get(f"user{uid}") for uid in users]
    if getattr(action, "inviter_id", None) is not None:
        out["inviter"] = names.get(f"user{action.inviter_id}")
    return out


def _action_fields(msg: Any, names: Mapping[str, str]) -> dict[str, Any]:
    action, tl = msg.action, type(msg.action).__name__
    if tl == "MessageActionCustomAction":
        return {"information_text": action.message}
    if tl not in ACTIONS:
        return {"action": "unknown", "live_action": tl}
    name, attributes = ACTIONS[tl]
    out: dict[str, Any] = {"action": name}
    out.update((key, getattr(action, attr)) for key, attr in attributes if getattr(action, attr))
    out.update(_action_peers(action, names))
    if tl == "MessageActionPinMessage":
        out.update(_reply_fields(msg, "message_id"))
    if tl == "MessageActionChatEditPhoto":
        out.update(_photo_fields(action.photo, None))
    return out


def _service_dict(msg: Any, names: Mapping[str, str]) -> dict[str, Any]:
    out = _head(msg, "service")
    out.update(_sender_fields("actor", msg, names))
    out.update(_action_fields(msg, names))
    out.update(text="", text_entities=[])
    out.update(_reactions(msg))
    return out


def message_to_export_dict(
    msg: Any,
    chat: Any,
    names: Mapping[str, str] | None = None,
    media_path: str | None = None,
) -> dict[str, Any]:
    """One Telethon message as a Telegram Desktop JSON export message.

    ``chat`` is the channel entity; ``names`` adds peer names (``user<N>`` ->
    name) to those Telethon attached to the message; ``media_path`` is where
    the media was downloaded (relative to the media folder), else a placeholder.
    """
    names = {**known_names(msg, chat), **(names or {})}
    kind = type(msg).__name__
    if kind == "MessageService":
        return _service_dict(msg, names)
    if kind != "Message":
        raise RecordError(f"unsupported Telethon message object {kind}", f"message {msg.id}")
    media = getattr(msg, "media", None)
    if type(media).__name__ == "MessageMediaUnsupported":
        return _head(msg, "unsupported")
    out = _head(msg, "message")
    out.update(_sender_fields("from", msg, names))
    if getattr(msg, "post_author", None):
        out["author"] = msg.post_author
    out.update(_forward_fields(msg, names))
    out.update(_reply_fields(msg))
    out.update(_via_bot(msg))
    out.update(_media_fields(media, media_path))
    out.update(_text_fields(msg.message or "", msg.entities))
    out.update(_reactions(msg))
    return out


def _mark_not_downloaded(post: Post) -> Post:
    if not any(m.absent_reason == LIVE_PLACEHOLDER for m in post.media):
        return post
    media = tuple(
        replace(m, absent_reason=LIVE_ABSENT_REASON) if m.absent_reason == LIVE_PLACEHOLDER else m
        for m in post.media
    )
    return replace(post, media=media)


def live_post(
    msg: Any,
    chat: Any,
    names: Mapping[str, str] | None = None,
    media_path: str | None = None,
    media_base: Path | None = None,
    hasher: FileHasher | None = None,
) -> Post:
    """The Post of one Telethon message: the export mapping, then ``message_to_post``."""
    message = message_to_export_dict(msg, chat, names, media_path)
    post = message_to_post(message, channel_source(chat), media_base, hasher or FileHasher())
    return _mark_not_downloaded(post)

"""Telegram message -> Post, shared by the JSON, HTML and live readers.

``message_to_post`` is the pure mapping of one Telegram Desktop export message
(a dict as in result.json) to a ``Post``. The HTML reader builds the same dict
shape from HTML, and the live collector from Telethon objects, so all three
agree field by field.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import RecordError, UnsafePathError
from ..model import Entity, MediaRef, Post, Source

PLATFORM = "telegram"

MEDIA_TYPE_KIND = {
    "sticker": "sticker",
    "video_message": "video_message",
    "voice_message": "voice",
    "animation": "animation",
    "video_file": "video",
    "audio_file": "audio",
}

CHANNEL_TYPES = {"public_channel", "private_channel", "public_supergroup", "private_supergroup"}
USER_TYPES = {"personal_chat", "bot_chat", "saved_messages", "replies", "verification_codes"}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


MESSAGE_TYPES = frozenset({"message", "service", "unsupported"})

ENTITY_TYPES = _words(
    """plain mention hashtag bot_command link email bold italic code pre text_link mention_name
    phone cashtag underline strikethrough blockquote bank_card spoiler custom_emoji"""
)

ACTIONS = _words(
    """create_group edit_group_title edit_group_photo delete_group_photo invite_members
    remove_members join_group_by_link create_channel migrate_to_supergroup migrate_from_group
    pin_message clear_history score_in_game send_payment phone_call take_screenshot
    allow_sending_messages send_passport_values joined_telegram proximity_reached
    requested_phone_number group_call invite_to_group_call set_messages_ttl group_call_scheduled
    edit_chat_theme join_group_by_request send_webview_data send_premium_gift topic_created
    topic_edit suggest_profile_photo requested_peer set_chat_wallpaper
    set_same_chat_wallpaper"""
)

# Fields this mapping reads; anything else is kept in raw and counted as not understood.
KNOWN_FIELDS = _words(
    """id type date date_unixtime edited edited_unixtime from from_id author forwarded_from
    forwarded_from_id saved_from saved_from_id reply_to_message_id reply_to_peer_id via_bot
    via_bot_id text text_entities photo photo_file_size width height file file_name file_size
    thumbnail thumbnail_file_size media_type mime_type duration_seconds performer title
    sticker_emoji actor actor_id action reactions contact_information contact_vcard
    location_information place_name address live_location_period_seconds poll invoice_information
    game_title game_description game_link game_message_id inline_bot_buttons
    self_destruct_period_seconds members message_id inviter boosts schedule_date period_seconds
    new_title new_icon_emoji_id
    paid_stars_amount is_paid forwarded_message_date story_id"""
)

SERVICE_COMMON = {
    "id",
    "type",
    "date",
    "date_unixtime",
    "actor",
    "actor_id",
    "action",
    "text",
    "text_entities",
    "edited",
    "edited_unixtime",
    "reactions",
}


def chat_source(chat: Mapping[str, Any]) -> Source:
    """The Source of a chat object ({name, type, id, ...})."""
    chat_type = str(chat.get("type") or "unknown")
    chat_id = chat.get("id")
    if chat_id is None:
        raise RecordError("chat has no id")
    if chat_type in CHANNEL_TYPES:
        handle = f"channel{chat_id}"
    elif chat_type in USER_TYPES:
        handle = f"user{chat_id}"
    else:
        handle = f"chat{chat_id}"
    return Source(PLATFORM, handle, _opt_str(chat.get("name")), chat_type, str(chat_id))


def sender_source(message: Mapping[str, Any]) -> Source:
    """The Source of a bare message (no chat wrapper): its from_id (or actor_id)."""
    if not isinstance(message, Mapping):
        raise RecordError(f"message is a {type(message).__name__}, expected an object")
    handle = message.get("from_id") or message.get("actor_id")
    if not handle:
        raise RecordError("message has no chat wrapper and no from_id to name its source")
    title = message.get("from") if "from_id" in message else message.get("actor")
    kind = "channel" if str(handle).startswith("channel") else "unknown"
    return Source(PLATFORM, str(handle), _opt_str(title), kind, _digits(str(handle)))


def _digits(handle: str) -> str | None:
    tail = handle.lstrip("abcdefghijklmnopqrstuvwxyz")
    return tail if tail.isdigit() else None


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def parse_time(message: Mapping[str, Any], key: str) -> datetime | None:
    """``<key>_unixtime`` (preferred) or ISO ``<key>`` read as UTC."""
    unix = message.get(f"{key}_unixtime")
    if unix not in (None, ""):
        try:
            return datetime.fromtimestamp(int(unix), UTC)
        except (TypeError, ValueError, OverflowError, OSError) as exc:
            raise RecordError(f"{key}_unixtime {unix!r} is not a unix time") from exc
    value = message.get(key)
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise RecordError(f"{key} {value!r} is not an ISO date") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _part_text(part: Any) -> str:
    if isinstance(part, str):
        return part
    if type(part) is dict or isinstance(part, Mapping):
        text = part.get("text")
        return "" if text is None else str(text)
    raise RecordError(f"text part of type {type(part).__name__} is neither string nor object")


def _entity(part: Mapping[str, Any], offset: int, text: str) -> Entity:
    def opt(key: str) -> str | None:
        value = part.get(key)
        return None if value is None else str(value)

    return Entity(
        type=str(part.get("type", "unknown")),
        text=text,
        offset=offset,
        length=len(text),
        href=opt("href"),
        user_id=opt("user_id"),
        language=opt("language"),
        document_id=opt("document_id"),
    )


def flatten_text(message: Mapping[str, Any]) -> tuple[str, tuple[Entity, ...]]:
    """Plain text and the non-plain entities, offsets in code points.

    ``text_entities`` (always a list) is preferred; ``text`` may be a string or a
    list mixing strings and entity objects.
    """
    parts = message.get("text_entities")
    if not isinstance(parts, list) or (not parts and message.get("text")):
        text = message.get("text", "")
        if text is None:
            text = ""
        if isinstance(text, str):
            return text, ()
        if not isinstance(text, list):
            raise RecordError(f"text is a {type(text).__name__}, expected string or list")
        parts = text
    chunks: list[str] = []
    entities: list[Entity] = []
    offset = 0
    for part in parts:
        if type(part) is str:
            piece = part
        else:
            piece = _part_text(part)
            is_object = type(part) is dict or isinstance(part, Mapping)
            if is_object and part.get("type", "plain") != "plain":
                entities.append(_entity(part, offset, piece))
        chunks.append(piece)
        offset += len(piece)
    return "".join(chunks), tuple(entities)


def is_placeholder(value: str) -> bool:
    """Telegram's "(File not included ...)" strings stand where a path would be."""
    return value.startswith("(") and value.endswith(")")


def safe_media_path(base: Path | None, rel: str) -> Path | None:
    """The file inside the export folder, refusing any path that escapes it."""
    if "\x00" in rel:
        raise UnsafePathError(f"media path {rel!r} holds a NUL byte")
    pure = PurePosixPath(rel.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or (len(rel) > 1 and rel[1] == ":"):
        raise UnsafePathError(f"media path {rel!r} escapes the export folder")
    if base is None:
        return None
    try:
        root = base.resolve()
        path = (root / pure).resolve()
    except (OSError, RuntimeError) as exc:  # symlink loops
        raise UnsafePathError(f"media path {rel!r} cannot be resolved: {exc}") from exc
    if not path.is_relative_to(root):
        raise UnsafePathError(f"media path {rel!r} escapes the export folder (symlink)")
    return path


class FileHasher:
    """SHA-256 of media files, cached per path so a re-posted file is read once."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self._cache: dict[tuple[str, int, int], str] = {}
        self.max_entries = max_entries

    def __call__(self, path: Path) -> tuple[str, int] | None:
        try:
            stat = path.stat()
        except OSError:
            return None
        if not path.is_file():
            return None
        key = (str(path), stat.st_size, stat.st_mtime_ns)
        digest = self._cache.get(key)
        if digest is None:
            h = hashlib.sha256()
            with path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            digest = h.hexdigest()
            if len(self._cache) >= self.max_entries:
                self._cache.clear()
            self._cache[key] = digest
        return digest, stat.st_size


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _media_ref(
    kind: str, value: Any, message: Mapping[str, Any], base: Path | None, hasher: FileHasher
) -> MediaRef:
    if not isinstance(value, str):
        raise RecordError(f"{kind} path is a {type(value).__name__}, expected a string")
    common: dict[str, Any] = {
        "kind": kind,
        "mime_type": _opt_str(message.get("mime_type")),
        "width": _int(message.get("width")),
        "height": _int(message.get("height")),
        "duration_seconds": _int(message.get("duration_seconds")),
        "file_name": _opt_str(message.get("file_name")),
        "extra": {
            k: message[k]
            for k in ("performer", "title", "sticker_emoji", "thumbnail")
            if k in message and kind != "photo"
        },
    }
    if is_placeholder(value):
        return MediaRef(path=None, present=False, absent_reason=value, **common)
    path = safe_media_path(base, value)
    try:
        found = hasher(path) if path is not None else None
    except OSError as exc:
        reason = f"cannot read the file: {exc.strerror or exc}"
        return MediaRef(path=value, present=False, absent_reason=reason, **common)
    if found is None:
        reason = "file missing from the export folder" if base is not None else "no export folder"
        return MediaRef(path=value, present=False, absent_reason=reason, **common)
    digest, size = found
    return MediaRef(path=value, present=True, sha256=digest, size=size, origin=str(path), **common)


def media_of(
    message: Mapping[str, Any], base: Path | None, hasher: FileHasher
) -> tuple[MediaRef, ...]:
    refs = []
    if "photo" in message:
        refs.append(_media_ref("photo", message["photo"], message, base, hasher))
    if "file" in message:
        thumbnail = message.get("thumbnail")
        if isinstance(thumbnail, str) and not is_placeholder(thumbnail):
            safe_media_path(None, thumbnail)  # refuse a thumbnail path that escapes
        kind = MEDIA_TYPE_KIND.get(str(message.get("media_type")), "document")
        refs.append(_media_ref(kind, message["file"], message, base, hasher))
    return tuple(refs)


def _action(message: Mapping[str, Any]) -> dict[str, Any] | None:
    if message.get("type") != "service":
        return None
    out = {"action": message.get("action")}
    out.update({k: v for k, v in message.items() if k not in SERVICE_COMMON})
    return out


def _reactions(value: Any) -> tuple[Mapping[str, Any], ...]:
    if not value:
        return ()
    if not isinstance(value, list | tuple):
        raise RecordError("reactions is not a list")
    if not all(isinstance(r, Mapping) for r in value):
        raise RecordError("reactions holds an entry that is not an object")
    return tuple(value)


def count_unknown(
    message: Mapping[str, Any], kind: str, entities: tuple[Entity, ...], unknown: Counter[str]
) -> None:
    """Count the fields, types, entity types, media types and actions not understood."""
    if not message.keys() <= KNOWN_FIELDS:
        unknown.update(f"field:{k}" for k in message.keys() - KNOWN_FIELDS)
    if kind not in MESSAGE_TYPES:
        unknown[f"type:{kind}"] += 1
    for entity in entities:
        if entity.type not in ENTITY_TYPES:
            unknown[f"entity:{entity.type}"] += 1
    for key, known in (("media_type", MEDIA_TYPE_KIND), ("action", ACTIONS)):
        value = message.get(key)
        if value is not None and str(value) not in known:
            unknown[f"{key}:{value}"] += 1


# Post field <- message key, for the optional fields that are stored as strings.
MESSAGE_STRINGS = {
    "author": "author",
    "from": "sender",
    "from_id": "sender_id",
    "forwarded_from": "forwarded_from",
    "forwarded_from_id": "forwarded_from_id",
    "saved_from": "saved_from",
    "reply_to_message_id": "reply_to",
    "reply_to_peer_id": "reply_to_peer",
    "via_bot": "via_bot",
}
SERVICE_STRINGS = {
    **{k: v for k, v in MESSAGE_STRINGS.items() if v not in ("sender", "sender_id")},
    "actor": "sender",
    "actor_id": "sender_id",
}
EDITED_UNIX = "edited_unixtime"


def _string_fields(message: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, str]:
    """The optional string fields present in ``message`` (most messages carry few)."""
    out = {}
    for key in message.keys() & names.keys():
        value = message[key]
        if value is not None:
            out[names[key]] = value if type(value) is str else str(value)
    return out


def _ref(value: Any) -> str | None:
    return None if value is None else str(value)


def message_to_post(
    message: Mapping[str, Any],
    source: Source,
    base: Path | None,
    hasher: FileHasher,
    unknown: Counter[str] | None = None,
) -> Post:
    """Map one export message to a Post. Raises RecordError when it cannot."""
    if type(message) is not dict and not isinstance(message, Mapping):
        raise RecordError(f"message is a {type(message).__name__}, expected an object")
    message_id = message.get("id")
    if message_id is None:
        raise RecordError("message has no id")
    if isinstance(message_id, bool) or not isinstance(message_id, int | str):
        raise RecordError(f"message id {message_id!r} is not a number or string")
    date = parse_time(message, "date")
    if date is None:
        raise RecordError("message has no date")
    text, entities = flatten_text(message)
    kind = str(message.get("type", "message"))
    service = kind == "service"
    if unknown is not None:
        count_unknown(message, kind, entities, unknown)
    return Post(
        source=source,
        message_id=str(message_id),
        date=date,
        text=text,
        kind=kind,
        entities=entities,
        edited=parse_time(message, "edited")
        if "edited" in message or EDITED_UNIX in message
        else None,
        action=_action(message) if service else None,
        media=media_of(message, base, hasher),
        reactions=_reactions(message.get("reactions")),
        raw=message,
        **_string_fields(message, SERVICE_STRINGS if service else MESSAGE_STRINGS),
    )

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

# Fields this mapping reads; anything else is kept in raw and counted as not understood.
KNOWN_FIELDS = frozenset(
    """id type date date_unixtime edited edited_unixtime from from_id author forwarded_from
    forwarded_from_id saved_from saved_from_id reply_to_message_id reply_to_peer_id via_bot
    via_bot_id text text_entities photo photo_file_size width height file file_name file_size
    thumbnail thumbnail_file_size media_type mime_type duration_seconds performer title
    sticker_emoji actor actor_id action reactions contact_information contact_vcard
    location_information place_name address live_location_period_seconds poll invoice_information
    game_title game_description game_link game_message_id inline_bot_buttons self_destruct_period_seconds
    members message_id inviter boosts schedule_date period_seconds new_title new_icon_emoji_id
    paid_stars_amount is_paid forwarded_message_date story_id""".split()
)

SERVICE_COMMON = {"id", "type", "date", "date_unixtime", "actor", "actor_id", "action", "text",
                  "text_entities", "edited", "edited_unixtime", "reactions"}


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
    if isinstance(part, Mapping):
        return str(part.get("text", ""))
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
    if not isinstance(parts, list):
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
        piece = _part_text(part)
        if isinstance(part, Mapping) and part.get("type", "plain") != "plain":
            entities.append(_entity(part, offset, piece))
        chunks.append(piece)
        offset += len(piece)
    return "".join(chunks), tuple(entities)


def is_placeholder(value: str) -> bool:
    """Telegram's "(File not included ...)" strings stand where a path would be."""
    return value.startswith("(") and value.endswith(")")


def safe_media_path(base: Path | None, rel: str) -> Path | None:
    """The file inside the export folder, refusing any path that escapes it."""
    pure = PurePosixPath(rel.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or (len(rel) > 1 and rel[1] == ":"):
        raise UnsafePathError(f"media path {rel!r} escapes the export folder")
    if base is None:
        return None
    root = base.resolve()
    path = (root / pure).resolve()
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
    found = hasher(path) if path is not None else None
    if found is None:
        reason = "file missing from the export folder" if base is not None else "no export folder"
        return MediaRef(path=value, present=False, absent_reason=reason, **common)
    digest, size = found
    return MediaRef(path=value, present=True, sha256=digest, size=size, **common)


def media_of(
    message: Mapping[str, Any], base: Path | None, hasher: FileHasher
) -> tuple[MediaRef, ...]:
    refs = []
    if "photo" in message:
        refs.append(_media_ref("photo", message["photo"], message, base, hasher))
    if "file" in message:
        kind = MEDIA_TYPE_KIND.get(str(message.get("media_type")), "document")
        refs.append(_media_ref(kind, message["file"], message, base, hasher))
    return tuple(refs)


def _action(message: Mapping[str, Any]) -> dict[str, Any] | None:
    if message.get("type") != "service":
        return None
    out = {"action": message.get("action")}
    out.update({k: v for k, v in message.items() if k not in SERVICE_COMMON})
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
    if not isinstance(message, Mapping):
        raise RecordError(f"message is a {type(message).__name__}, expected an object")
    if "id" not in message:
        raise RecordError("message has no id")
    date = parse_time(message, "date")
    if date is None:
        raise RecordError("message has no date")
    text, entities = flatten_text(message)
    kind = str(message.get("type", "message"))
    service = kind == "service"
    if unknown is not None:
        unknown.update(f"field:{k}" for k in message if k not in KNOWN_FIELDS)
        if kind not in ("message", "service", "unsupported"):
            unknown[f"type:{kind}"] += 1
    reactions = message.get("reactions") or ()
    if not isinstance(reactions, list | tuple):
        raise RecordError("reactions is not a list")
    return Post(
        source=source,
        message_id=str(message["id"]),
        date=date,
        text=text,
        kind=kind,
        entities=entities,
        author=_opt_str(message.get("author")),
        sender=_opt_str(message.get("actor" if service else "from")),
        sender_id=_opt_str(message.get("actor_id" if service else "from_id")),
        forwarded_from=_opt_str(message.get("forwarded_from")),
        forwarded_from_id=_opt_str(message.get("forwarded_from_id")),
        saved_from=_opt_str(message.get("saved_from")),
        reply_to=_ref(message.get("reply_to_message_id")),
        reply_to_peer=_ref(message.get("reply_to_peer_id")),
        via_bot=_opt_str(message.get("via_bot")),
        edited=parse_time(message, "edited"),
        action=_action(message),
        media=media_of(message, base, hasher),
        reactions=tuple(reactions),
        raw=message,
    )

"""Live collector: Telethon mapping (golden pairs against the export path) and resume logic.

There is no Telegram here. The mapping runs on real ``telethon.tl.types`` objects
built below, paired with the same messages written by hand as Telegram Desktop's
JSON export writes them ([synthetic] content, invented handles), and on the real
export messages in ../shared/data/telegram rebuilt as Telethon objects. The
collector runs against a fake client with Telethon's interface that raises
Telethon's real FloodWaitError.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from telethon.errors import FloodWaitError
from telethon.tl import types

from recruitwatch.cli import main
from recruitwatch.errors import ConfigError, LiveCollectionError, MissingExtraError
from recruitwatch.ingest import telegram_live as live
from recruitwatch.ingest.base import detect_reader
from recruitwatch.ingest.telegram_common import FileHasher, chat_source, message_to_post
from recruitwatch.model import Post
from recruitwatch.settings import Settings, sqlite_url
from recruitwatch.store import Store, open_store
from recruitwatch.store.queries import iter_posts, list_quarantine
from recruitwatch.store.writer import read_checkpoint

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".." / "shared" / "data" / "telegram"

CHANNEL_ID = 1000000001
TITLE = "[synthetic] Outlet A"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)  # 1772355600; the export writes local time (UTC+5)
NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"
CHAT = types.Channel(
    id=CHANNEL_ID,
    title=TITLE,
    photo=types.ChatPhotoEmpty(),
    date=T0,
    broadcast=True,
    username="synthetic_outlet_a",
    access_hash=1,
)
EXPORT_CHAT = {"name": TITLE, "type": "public_channel", "id": CHANNEL_ID}
PEER = types.PeerChannel(CHANNEL_ID)


# --------------------------------------------------------------------------- builders


def u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def span(text: str, needle: str) -> tuple[int, int]:
    """UTF-16 offset and length of ``needle`` in ``text``, as Telegram counts them."""
    return u16(text[: text.index(needle)]), u16(needle)


def parts(*items: Any) -> dict[str, Any]:
    """Export ``text`` + ``text_entities`` from strings (plain) and entity objects."""
    entities = [{"type": "plain", "text": i} if isinstance(i, str) else i for i in items]
    if len(items) == 1 and isinstance(items[0], str):
        return {"text": items[0], "text_entities": entities}
    return {"text": list(items), "text_entities": entities}


def msg(mid: int, minutes: int = 0, **kw: Any) -> types.Message:
    kw.setdefault("post", True)
    return types.Message(id=mid, peer_id=PEER, date=T0 + timedelta(minutes=minutes), **kw)


def service(mid: int, action: Any, **kw: Any) -> types.MessageService:
    return types.MessageService(id=mid, peer_id=PEER, date=T0, action=action, post=True, **kw)


def head(mid: int, kind: str = "message", minutes: int = 0) -> dict[str, Any]:
    """What the exporter writes first: local date (UTC+5) and unix time."""
    local = T0 + timedelta(hours=5, minutes=minutes)
    unix = int((T0 + timedelta(minutes=minutes)).timestamp())
    out = {"id": mid, "type": kind, "date": local.strftime("%Y-%m-%dT%H:%M:%S")}
    out["date_unixtime"] = str(unix)
    if kind == "message":
        out.update({"from": TITLE, "from_id": f"channel{CHANNEL_ID}"})
    else:
        out.update({"actor": TITLE, "actor_id": f"channel{CHANNEL_ID}"})
    return out


def document(mime: str, size: int, *attributes: Any) -> types.MessageMediaDocument:
    doc = types.Document(
        id=7,
        access_hash=7,
        file_reference=b"",
        date=T0,
        mime_type=mime,
        size=size,
        dc_id=2,
        attributes=list(attributes),
    )
    return types.MessageMediaDocument(document=doc)


def export_file(size: int, mime: str, **kw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"file": NOT_INCLUDED}
    if "file_name" in kw:
        out["file_name"] = kw.pop("file_name")
    out["file_size"] = size
    out.update(kw)
    out["mime_type"] = mime
    return out


# --------------------------------------------------------------------------- golden pairs

TEXT_1 = (
    "🛰️ [synthetic] announcement of an audio series by synthetic_outlet_a #synthetic_release "
    "https://t.me/synthetic_channel_b @synthetic_outlet_b details"
)
TEXT_2 = (
    "😀 [synthetic] formatting sample: italic code pre strike under spoiler quote "
    "[synthetic] member contact@example.invalid +00 000 000 $SYN /start 😀"
)


def pair_text() -> tuple[Any, dict[str, Any]]:
    e = [
        types.MessageEntityBold(*span(TEXT_1, "[synthetic]")),
        types.MessageEntityHashtag(*span(TEXT_1, "#synthetic_release")),
        types.MessageEntityUrl(*span(TEXT_1, "https://t.me/synthetic_channel_b")),
        types.MessageEntityMention(*span(TEXT_1, "@synthetic_outlet_b")),
        types.MessageEntityTextUrl(*span(TEXT_1, "details"), url="https://example.invalid/syn"),
    ]
    reactions = types.MessageReactions(
        results=[
            types.ReactionCount(types.ReactionEmoji("👍"), 3),
            types.ReactionCount(types.ReactionCustomEmoji(5368324170671202286), 1),
            types.ReactionCount(types.ReactionPaid(), 2),
        ]
    )
    telethon = msg(
        101,
        message=TEXT_1,
        entities=e,
        edit_date=T0 + timedelta(hours=1),
        post_author="[synthetic] editor",
        reply_to=types.MessageReplyHeader(reply_to_msg_id=100),
        reactions=reactions,
    )
    export = (
        head(101)
        | {
            "edited": "2026-03-01T15:00:00",
            "edited_unixtime": str(1772355600 + 3600),
            "author": "[synthetic] editor",
            "reply_to_message_id": 100,
        }
        | parts(
            "🛰️ ",
            {"type": "bold", "text": "[synthetic]"},
            " announcement of an audio series by synthetic_outlet_a ",
            {"type": "hashtag", "text": "#synthetic_release"},
            " ",
            {"type": "link", "text": "https://t.me/synthetic_channel_b"},
            " ",
            {"type": "mention", "text": "@synthetic_outlet_b"},
            " ",
            {"type": "text_link", "text": "details", "href": "https://example.invalid/syn"},
        )
        | {
            "reactions": [
                {"type": "emoji", "count": 3, "emoji": "👍"},
                {"type": "custom_emoji", "count": 1, "document_id": "5368324170671202286"},
                {"type": "paid", "count": 2},
            ]
        }
    )
    return telethon, export


def pair_formatting() -> tuple[Any, dict[str, Any]]:
    t = TEXT_2
    e = [
        types.MessageEntityCustomEmoji(0, 2, document_id=5368324170671202286),
        types.MessageEntityItalic(*span(t, "italic")),
        types.MessageEntityBold(span(t, "italic")[0] + 2, 3),  # nested: the exporter drops it
        types.MessageEntityCode(*span(t, "code")),
        types.MessageEntityPre(*span(t, "pre"), language="python"),
        types.MessageEntityStrike(*span(t, "strike")),
        types.MessageEntityUnderline(*span(t, "under")),
        types.MessageEntitySpoiler(*span(t, "spoiler")),
        types.MessageEntityBlockquote(*span(t, "quote")),
        types.MessageEntityMentionName(*span(t, "[synthetic] member"), user_id=4242),
        types.MessageEntityEmail(*span(t, "contact@example.invalid")),
        types.MessageEntityPhone(*span(t, "+00 000 000")),
        types.MessageEntityCashtag(*span(t, "$SYN")),
        types.MessageEntityBotCommand(*span(t, "/start")),
        types.MessageEntityUrl(u16(t) - 1, 5),  # runs past the end: dropped by both
    ]
    export = head(102, minutes=1) | parts(
        {"type": "custom_emoji", "text": "😀", "document_id": "5368324170671202286"},
        " [synthetic] formatting sample: ",
        {"type": "italic", "text": "italic"},
        " ",
        {"type": "code", "text": "code"},
        " ",
        {"type": "pre", "text": "pre", "language": "python"},
        " ",
        {"type": "strikethrough", "text": "strike"},
        " ",
        {"type": "underline", "text": "under"},
        " ",
        {"type": "spoiler", "text": "spoiler"},
        " ",
        {"type": "blockquote", "text": "quote"},
        " ",
        {"type": "mention_name", "text": "[synthetic] member", "user_id": 4242},
        " ",
        {"type": "email", "text": "contact@example.invalid"},
        " ",
        {"type": "phone", "text": "+00 000 000"},
        " ",
        {"type": "cashtag", "text": "$SYN"},
        " ",
        {"type": "bot_command", "text": "/start"},
        " 😀",
    )
    return msg(102, 1, message=t, entities=e), export


def pair_forwarded_photo() -> tuple[Any, dict[str, Any]]:
    photo = types.Photo(
        id=5,
        access_hash=5,
        file_reference=b"",
        date=T0,
        dc_id=2,
        sizes=[types.PhotoSize("m", 320, 213, 14000), types.PhotoSize("y", 1280, 853, 120000)],
    )
    caption = "[synthetic] caption describing a poster for a release"
    fwd = types.MessageFwdHeader(date=T0, from_id=types.PeerChannel(2000000002), channel_post=55)
    telethon = msg(
        103, 2, message=caption, fwd_from=fwd, media=types.MessageMediaPhoto(photo=photo)
    )
    export = (
        head(103, minutes=2)
        | {
            "forwarded_from": "[synthetic] Channel B",
            "forwarded_from_id": "channel2000000002",
            "photo": NOT_INCLUDED,
            "photo_file_size": 120000,
            "width": 1280,
            "height": 853,
        }
        | parts(caption)
    )
    return telethon, export


def pair_voice() -> tuple[Any, dict[str, Any]]:
    fwd = types.MessageFwdHeader(date=T0, from_name="[synthetic] hidden user")
    media = document("audio/ogg", 48000, types.DocumentAttributeAudio(37, voice=True))
    telethon = msg(104, 3, message="", fwd_from=fwd, media=media)
    export = (
        head(104, minutes=3)
        | {"forwarded_from": "[synthetic] hidden user"}
        | export_file(48000, "audio/ogg", media_type="voice_message")
        | {"duration_seconds": 37}
        | parts("")
    )
    export["text_entities"] = []
    return telethon, export


def pair_round_video() -> tuple[Any, dict[str, Any]]:
    media = document(
        "video/mp4", 900000, types.DocumentAttributeVideo(12, 384, 384, round_message=True)
    )
    reply = types.MessageReplyHeader(
        reply_to_msg_id=7, reply_to_peer_id=types.PeerChannel(2000000002)
    )
    telethon = msg(105, 4, message="", media=media, reply_to=reply)
    export = head(105, minutes=4) | {
        "reply_to_message_id": 7,
        "reply_to_peer_id": "channel2000000002",
    }
    export |= export_file(900000, "video/mp4", media_type="video_message")
    export |= {"duration_seconds": 12, "width": 384, "height": 384, "text": "", "text_entities": []}
    return telethon, export


def pair_sticker() -> tuple[Any, dict[str, Any]]:
    media = document(
        "image/webp",
        30000,
        types.DocumentAttributeImageSize(512, 512),
        types.DocumentAttributeSticker("🙂", types.InputStickerSetEmpty()),
        types.DocumentAttributeFilename("sticker.webp"),
    )
    export = (
        head(106, minutes=5)
        | export_file(
            30000, "image/webp", file_name="sticker.webp", media_type="sticker", sticker_emoji="🙂"
        )
        | {"width": 512, "height": 512, "text": "", "text_entities": []}
    )
    return msg(106, 5, message="", media=media), export


def pair_animation() -> tuple[Any, dict[str, Any]]:
    media = document(
        "video/mp4",
        200000,
        types.DocumentAttributeVideo(3, 320, 240),
        types.DocumentAttributeFilename("synthetic.mp4"),
        types.DocumentAttributeAnimated(),
    )
    export = (
        head(107, minutes=6)
        | export_file(200000, "video/mp4", file_name="synthetic.mp4", media_type="animation")
        | {"duration_seconds": 3, "width": 320, "height": 240, "text": "", "text_entities": []}
    )
    return msg(107, 6, message="", media=media), export


def pair_book() -> tuple[Any, dict[str, Any]]:
    caption = "[synthetic] description of a book release in Uzbek (PDF)"
    media = document(
        "application/pdf", 2_500_000, types.DocumentAttributeFilename("synthetic_book_a.pdf")
    )
    export = (
        head(108, minutes=7)
        | export_file(2_500_000, "application/pdf", file_name="synthetic_book_a.pdf")
        | parts(caption)
    )
    return msg(108, 7, message=caption, media=media), export


def pair_song() -> tuple[Any, dict[str, Any]]:
    media = document(
        "audio/mpeg",
        4_000_000,
        types.DocumentAttributeAudio(200, title="[synthetic] song", performer="[synthetic] singer"),
        types.DocumentAttributeFilename("synthetic_song.mp3"),
    )
    export = (
        head(109, minutes=8)
        | export_file(
            4_000_000,
            "audio/mpeg",
            file_name="synthetic_song.mp3",
            media_type="audio_file",
            performer="[synthetic] singer",
            title="[synthetic] song",
        )
        | {"duration_seconds": 200, "text": "", "text_entities": []}
    )
    return msg(109, 8, message="", media=media), export


def pair_video() -> tuple[Any, dict[str, Any]]:
    media = document(
        "video/mp4",
        9_000_000,
        types.DocumentAttributeVideo(95, 1280, 720, supports_streaming=True),
        types.DocumentAttributeFilename("synthetic_clip.mp4"),
    )
    export = (
        head(110, minutes=9)
        | export_file(
            9_000_000, "video/mp4", file_name="synthetic_clip.mp4", media_type="video_file"
        )
        | {"duration_seconds": 95, "width": 1280, "height": 720}
        | parts("[synthetic] clip")
    )
    return msg(110, 9, message="[synthetic] clip", media=media), export


def pair_services() -> list[tuple[Any, dict[str, Any]]]:
    renamed = "[synthetic] Outlet A (renamed)"
    empty = {"text": "", "text_entities": []}
    return [
        (
            service(111, types.MessageActionChatEditTitle(renamed)),
            head(111, "service") | {"action": "edit_group_title", "title": renamed} | empty,
        ),
        (
            service(
                112,
                types.MessageActionPinMessage(),
                reply_to=types.MessageReplyHeader(reply_to_msg_id=101),
            ),
            head(112, "service") | {"action": "pin_message", "message_id": 101} | empty,
        ),
        (
            service(113, types.MessageActionChannelCreate(TITLE)),
            head(113, "service") | {"action": "create_channel", "title": TITLE} | empty,
        ),
    ]


def golden_pairs() -> list[tuple[Any, dict[str, Any]]]:
    return [
        pair_text(),
        pair_formatting(),
        pair_forwarded_photo(),
        pair_voice(),
        pair_round_video(),
        pair_sticker(),
        pair_animation(),
        pair_book(),
        pair_song(),
        pair_video(),
        *pair_services(),
    ]


NAMES = {"channel2000000002": "[synthetic] Channel B"}


def comparable(post: Post) -> dict[str, Any]:
    """Every Post field but the raw payload; media without the absent reason (documented)."""
    out = {f.name: getattr(post, f.name) for f in fields(Post) if f.name not in ("raw", "media")}
    out["media"] = [
        {k: v for k, v in m.to_dict().items() if k != "absent_reason"} for m in post.media
    ]
    return out


def export_post(message: dict[str, Any], chat: dict[str, Any] = EXPORT_CHAT) -> Post:
    return message_to_post(message, chat_source(chat), None, FileHasher())


@pytest.mark.parametrize("index", range(13))
def test_golden_pair_export_and_live_give_the_same_post(index: int) -> None:
    telethon, export = golden_pairs()[index]
    live_dict = live.message_to_export_dict(telethon, CHAT, NAMES)
    unknown: Counter[str] = Counter()
    live_post = message_to_post(live_dict, live.channel_source(CHAT), None, FileHasher(), unknown)
    assert not unknown, f"live mapping wrote fields the export reader does not know: {unknown}"
    assert comparable(live.live_post(telethon, CHAT, NAMES)) == comparable(export_post(export))
    assert comparable(live_post) == comparable(export_post(export))


def test_golden_pairs_through_the_export_reader(tmp_path: Path) -> None:
    """The hand-written export as a single-chat result.json, read by the JSON export reader."""
    pairs = golden_pairs()
    export = {**EXPORT_CHAT, "messages": [e for _, e in pairs]}
    path = tmp_path / "result.json"
    path.write_text(json.dumps(export, ensure_ascii=False, indent=1), encoding="utf-8")
    reader = detect_reader(str(path))
    posts = [reader.normalise(raw) for raw in reader.records(str(path))]
    assert len(posts) == len(pairs)
    for (telethon, _), exported in zip(pairs, posts, strict=True):
        assert comparable(live.live_post(telethon, CHAT, NAMES)) == comparable(exported)


def test_golden_pairs_cover_the_promised_shapes() -> None:
    posts = [live.live_post(t, CHAT, NAMES) for t, _ in golden_pairs()]
    kinds = {m.kind for p in posts for m in p.media}
    assert kinds == {
        "photo",
        "voice",
        "video_message",
        "sticker",
        "animation",
        "document",
        "audio",
        "video",
    }
    entity_types = {e.type for p in posts for e in p.entities}
    assert {
        "link",
        "text_link",
        "mention",
        "hashtag",
        "bold",
        "mention_name",
        "custom_emoji",
        "pre",
        "spoiler",
        "blockquote",
    } <= entity_types
    actions = [p.action["action"] for p in posts if p.action]
    assert actions == ["edit_group_title", "pin_message", "create_channel"]
    first = posts[0]
    assert first.text.startswith("🛰️ [synthetic]") and first.entities[0].offset == 3
    assert first.edited == T0 + timedelta(hours=1) and first.author == "[synthetic] editor"
    assert [r["type"] for r in first.reactions] == ["emoji", "custom_emoji", "paid"]
    assert posts[2].forwarded_from == "[synthetic] Channel B" and posts[3].forwarded_from_id is None


def test_live_media_is_recorded_as_not_downloaded() -> None:
    for telethon, export in golden_pairs():
        post, exported = live.live_post(telethon, CHAT, NAMES), export_post(export)
        assert [m.absent_reason for m in post.media] == ["not downloaded (live collection)"] * len(
            post.media
        )
        assert all(m.path is None and not m.present for m in post.media)
        assert [m.absent_reason for m in exported.media] == [NOT_INCLUDED] * len(exported.media)


def test_utf16_offsets_after_non_bmp_emoji() -> None:
    # "🛰️" is U+1F6F0 U+FE0F: 3 UTF-16 code units but 2 code points; "😀" is 2 units, 1 point
    text = "🛰️ #tag 😀 @name"
    parts_ = live.text_parts(
        text, [types.MessageEntityHashtag(4, 4), types.MessageEntityMention(12, 5)]
    )
    assert [(p["type"], p["text"]) for p in parts_] == [
        ("plain", "🛰️ "),
        ("hashtag", "#tag"),
        ("plain", " 😀 "),
        ("mention", "@name"),
    ]
    post = live.live_post(
        msg(
            1,
            message=text,
            entities=[types.MessageEntityHashtag(4, 4), types.MessageEntityMention(12, 5)],
        ),
        CHAT,
    )
    assert [(e.type, e.offset, e.length) for e in post.entities] == [
        ("hashtag", 3, 4),
        ("mention", 10, 5),
    ]
    assert post.text[10:15] == "@name"


def test_poll_venue_and_unknown_action_shapes() -> None:
    poll = types.Poll(
        id=1,
        question=types.TextWithEntities("[synthetic] question?", []),
        hash=0,
        closed=True,
        answers=[
            types.PollAnswer(types.TextWithEntities("yes", []), b"0"),
            types.PollAnswer(types.TextWithEntities("no", []), b"1"),
        ],
    )
    results = types.PollResults(
        results=[types.PollAnswerVoters(b"0", voters=4, chosen=False)], total_voters=4
    )
    out = live.message_to_export_dict(
        msg(1, message="", media=types.MessageMediaPoll(poll, results)), CHAT
    )
    assert out["poll"] == {
        "question": "[synthetic] question?",
        "closed": True,
        "total_voters": 4,
        "answers": [
            {"text": "yes", "voters": 4, "chosen": False},
            {"text": "no", "voters": 0, "chosen": False},
        ],
    }
    venue = types.MessageMediaVenue(
        types.GeoPoint(69.2, 41.3, 0), "[synthetic] place", "[synthetic] street", "", "", ""
    )
    out = live.message_to_export_dict(msg(2, message="", media=venue), CHAT)
    assert out["location_information"] == {"latitude": 41.3, "longitude": 69.2}
    assert out["place_name"] == "[synthetic] place"
    out = live.message_to_export_dict(service(3, types.MessageActionScreenshotTaken()), CHAT)
    assert out["action"] == "unknown" and out["live_action"] == "MessageActionScreenshotTaken"


def test_names_and_bot_telethon_attached_are_used() -> None:
    # Telethon's iter_messages attaches the sender and via-bot entities to each message
    m = msg(4, message="[synthetic] relayed", from_id=types.PeerUser(42), via_bot_id=9, post=False)
    m._sender = types.User(id=42, first_name="[synthetic]", last_name="Member")
    m._via_bot = types.User(id=9, username="synthetic_helper_bot", bot=True)
    post = live.live_post(m, CHAT)
    assert (post.sender, post.sender_id) == ("[synthetic] Member", "user42")
    assert post.via_bot == "@synthetic_helper_bot"
    unknown = live.live_post(msg(5, message="x", from_id=types.PeerUser(43), post=False), CHAT)
    assert (unknown.sender, unknown.sender_id) == (None, "user43")  # the export's null name


def test_unsupported_media_keeps_a_date() -> None:
    out = live.message_to_export_dict(
        msg(9, message="", media=types.MessageMediaUnsupported()), CHAT
    )
    assert out["type"] == "unsupported"
    assert live.live_post(msg(9, message="", media=types.MessageMediaUnsupported()), CHAT).kind == (
        "unsupported"
    )


# --------------------------------------------------------------------------- real export messages

REAL_ENTITIES: dict[str, Any] = {
    "link": types.MessageEntityUrl,
    "mention": types.MessageEntityMention,
    "bold": types.MessageEntityBold,
    "hashtag": types.MessageEntityHashtag,
    "code": types.MessageEntityCode,
    "underline": types.MessageEntityUnderline,
}


def telethon_from_export(m: dict[str, Any], channel_id: int) -> types.Message:
    """Rebuild a real export message as the Telethon object the API would have sent."""
    text, entities = "", []
    for part in m["text_entities"]:
        off, n = u16(text), u16(part["text"])
        if part["type"] == "text_link":
            entities.append(types.MessageEntityTextUrl(off, n, url=part["href"]))
        elif part["type"] != "plain":
            entities.append(REAL_ENTITIES[part["type"]](off, n))
        text += part["text"]
    media = None
    if "photo" in m:
        size = types.PhotoSize("y", m["width"], m["height"], 1)
        photo = types.Photo(
            id=1, access_hash=1, file_reference=b"", date=None, sizes=[size], dc_id=1
        )
        media = types.MessageMediaPhoto(photo=photo)
    reply = m.get("reply_to_message_id")
    return types.Message(
        id=m["id"],
        peer_id=types.PeerChannel(channel_id),
        post=True,
        message=text,
        entities=entities or None,
        media=media,
        post_author=m.get("author"),
        date=datetime.fromtimestamp(int(m["date_unixtime"]), UTC),
        edit_date=datetime.fromtimestamp(int(m["edited_unixtime"]), UTC) if "edited" in m else None,
        reply_to=types.MessageReplyHeader(reply_to_msg_id=reply) if reply else None,
    )


@pytest.mark.parametrize(
    "name", ["messages_fragment.json", "messages_fragment_2_with_replies.json"]
)
def test_real_export_messages_map_identically_through_telethon(name: str) -> None:
    """Real export messages through the export reader, and rebuilt as Telethon objects.

    The files are bare messages arrays (the chat wrapper did not survive), so the
    reader names the source from ``from_id`` with kind "channel"; a live channel
    (like a single-chat export of it) is a "public_channel". That is the only
    difference allowed besides raw and the media's absent reason.
    """
    location = str(DATA / name)
    reader = detect_reader(location)
    exported = [reader.normalise(raw) for raw in reader.records(location)]
    messages = json.loads((DATA / name).read_text(encoding="utf-8"))
    assert len(messages) == len(exported) >= 190
    emoji_before_entity = 0
    for m, export in zip(messages, exported, strict=True):
        channel_id = int(m["from_id"].removeprefix("channel"))
        post = live.live_post(
            telethon_from_export(m, channel_id), replace_chat(channel_id, m["from"])
        )
        assert export.source.kind == "channel" and post.source.kind == "public_channel"
        export = replace(export, source=replace(export.source, kind="public_channel"))
        assert comparable(post) == comparable(export), m["id"]
        emoji_before_entity += has_non_bmp_before_an_entity(post)
    assert emoji_before_entity >= 10  # real emoji before entities: UTF-16 offsets exercised


def has_non_bmp_before_an_entity(post: Post) -> bool:
    last = max((e.offset for e in post.entities), default=0)
    return any(ord(c) > 0xFFFF for c in post.text[:last])


def replace_chat(channel_id: int, title: str) -> types.Channel:
    return types.Channel(
        id=channel_id,
        title=title,
        photo=types.ChatPhotoEmpty(),
        date=None,
        broadcast=True,
        username="synthetic_rebuilt_channel",
    )


# --------------------------------------------------------------------------- collector

IDS = [1, 2, 3, 5, 6, 8, 9, 10, 11, 13, 14, 15]  # gaps: deleted messages


class FakeClient:
    """The read-only subset of TelegramClient the collector uses, async like Telethon's.

    ``floods``: (message id, seconds) pairs, each raised once as Telethon's real
    FloodWaitError when iteration reaches that id; ``crash_at``: a message id at
    which iteration dies with an unrelated error. Any other method is recorded
    and fails the test.
    """

    def __init__(
        self,
        history: dict[int, list[Any]],
        entities: dict[str, Any] | None = None,
        floods: Sequence[tuple[int, int]] = (),
        crash_at: int | None = None,
        resolve_flood: int = 0,
    ) -> None:
        self.history = history
        self.entities = entities if entities is not None else {"synthetic_outlet_a": CHAT}
        self.floods = list(floods)
        self.crash_at = crash_at
        self.resolve_flood = resolve_flood
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def get_entity(self, name: str) -> Any:
        self.calls.append(("get_entity", {"name": name}))
        if self.resolve_flood:
            seconds, self.resolve_flood = self.resolve_flood, 0
            raise FloodWaitError(request=None, capture=seconds)
        if name not in self.entities:
            raise ValueError(f'No user has "{name}" as username')
        return self.entities[name]

    def iter_messages(self, entity: Any, limit: int | None = None, **kw: Any) -> AsyncIterator[Any]:
        self.calls.append(("iter_messages", {"limit": limit, **kw}))
        assert kw["reverse"] is True
        return self._iterate(entity.id, limit, kw.get("min_id", 0))

    async def _iterate(self, chat_id: int, limit: int | None, min_id: int) -> AsyncIterator[Any]:
        newer = [m for m in self.history[chat_id] if m.id > min_id]
        for m in newer[:limit]:
            if self.floods and self.floods[0][0] == m.id:
                raise FloodWaitError(request=None, capture=self.floods.pop(0)[1])
            if m.id == self.crash_at:
                raise RuntimeError("simulated crash")
            yield m

    async def download_media(self, message: Any, file: str) -> str:
        self.calls.append(("download_media", {"file": file}))
        path = Path(file + ".jpg")
        path.write_bytes(f"[synthetic] image {message.id}".encode())
        return str(path)

    async def __aenter__(self) -> FakeClient:
        self.calls.append(("__aenter__", {}))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.calls.append(("__aexit__", {}))

    def __getattr__(self, name: str) -> Any:
        self.calls.append((name, {}))
        raise AssertionError(f"the collector used a client method that is not read-only: {name}")

    def methods(self) -> set[str]:
        return {name for name, _ in self.calls} - {"__aenter__", "__aexit__"}

    def min_ids(self) -> list[int]:
        return [kw["min_id"] for name, kw in self.calls if name == "iter_messages"]


def history(ids: Sequence[int] = IDS) -> dict[int, list[Any]]:
    out: list[Any] = [msg(i, i, message=f"[synthetic] post {i} announcing a release") for i in ids]
    out[2] = msg(ids[2], ids[2], message="[synthetic] photo", media=pair_forwarded_photo()[0].media)
    return {CHANNEL_ID: out}


class Sleeps:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def make_store(path: Path) -> Store:
    return open_store(sqlite_url(path))


def make_settings(tmp_path: Path, batch_size: int = 4) -> Settings:
    return Settings(home=tmp_path / "home", batch_size=batch_size, commit_seconds=3600.0)


def stored(store: Store) -> list[dict[str, Any]]:
    with store.connect() as conn:
        return list(iter_posts(conn, with_raw=True))


def checkpoint(store: Store, channel: str = "synthetic_outlet_a") -> int:
    with store.connect() as conn:
        cp = read_checkpoint(conn, f"telegram-live:{channel}")
    assert cp is not None and cp.fingerprint == str(CHANNEL_ID)
    return cp.position


def run(client: FakeClient, store: Store, settings: Settings, **kw: Any) -> live.CollectReport:
    channels = kw.pop("channels", ["@synthetic_outlet_a"])
    limit = kw.pop("limit", None)
    return live.collect_channels(
        client, store, settings, channels, limit, None, live.CollectOptions(**kw)
    )


def test_clean_run_stores_every_message_in_order(tmp_path: Path) -> None:
    store, client = make_store(tmp_path / "a.db"), FakeClient(history())
    report = run(client, store, make_settings(tmp_path))
    rows = stored(store)
    assert [r["message_id"] for r in rows] == [str(i) for i in IDS]
    assert rows[0]["source"] == f"telegram:channel{CHANNEL_ID}" and rows[0]["source_title"] == TITLE
    assert rows[2]["media"][0]["absent_reason"] == "not downloaded (live collection)"
    assert checkpoint(store) == IDS[-1]
    channel = report.channels[0]
    assert (channel.messages, channel.written, channel.error, report.exit_code) == (12, 12, None, 0)
    assert client.methods() == {"get_entity", "iter_messages"}
    again = run(client, store, make_settings(tmp_path))
    assert client.min_ids() == [0, IDS[-1]] and again.channels[0].messages == 0
    assert again.channels[0].resumed_after == IDS[-1]


def test_flood_wait_sleeps_then_resumes_without_duplicates_or_gaps(tmp_path: Path) -> None:
    store, sleeps = make_store(tmp_path / "a.db"), Sleeps()
    client = FakeClient(history(), floods=[(9, 30)])
    report = run(client, store, make_settings(tmp_path), sleep=sleeps)
    assert sleeps.seconds == [31]
    assert client.min_ids() == [0, 8]  # what was read before the wait was committed first
    assert [r["message_id"] for r in stored(store)] == [str(i) for i in IDS]
    channel = report.channels[0]
    assert (channel.messages, channel.flood_waits, channel.error) == (len(IDS), 1, None)
    assert checkpoint(store) == IDS[-1]


def test_flood_wait_while_resolving_is_retried(tmp_path: Path) -> None:
    store, sleeps = make_store(tmp_path / "a.db"), Sleeps()
    report = run(
        FakeClient(history(), resolve_flood=7), store, make_settings(tmp_path), sleep=sleeps
    )
    assert sleeps.seconds == [8] and report.channels[0].messages == len(IDS)


def test_gives_up_after_the_configured_number_of_flood_waits(tmp_path: Path) -> None:
    store, sleeps = make_store(tmp_path / "a.db"), Sleeps()
    client = FakeClient(history(), floods=[(5, 60)] * 4)
    report = run(client, store, make_settings(tmp_path), sleep=sleeps, max_flood_waits=3)
    assert sleeps.seconds == [61, 61, 61]
    channel = report.channels[0]
    assert channel.error and "gave up after 3 flood waits" in channel.error
    assert "resume after message 3" in channel.error and report.exit_code == 6
    assert checkpoint(store) == 3 and len(stored(store)) == 3
    later = run(FakeClient(history()), store, make_settings(tmp_path))
    assert later.channels[0].resumed_after == 3
    assert [r["message_id"] for r in stored(store)] == [str(i) for i in IDS]


def test_crash_then_rerun_equals_a_clean_run(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    clean = make_store(tmp_path / "clean.db")
    run(FakeClient(history()), clean, settings)
    crashed = make_store(tmp_path / "crashed.db")
    with pytest.raises(RuntimeError, match="simulated crash"):
        run(FakeClient(history(), crash_at=10), crashed, settings)
    position = checkpoint(crashed)
    assert 0 < position < 10  # the batch in flight at the crash was not committed
    assert [r["message_id"] for r in stored(crashed)] == [str(i) for i in IDS if i <= position]
    client = FakeClient(history())
    report = run(client, crashed, settings)
    assert client.min_ids() == [position] and report.channels[0].resumed_after == position
    assert stored(crashed) == stored(clean)
    assert checkpoint(crashed) == checkpoint(clean) == IDS[-1]


def test_limit_then_resume(tmp_path: Path) -> None:
    store = make_store(tmp_path / "a.db")
    first = run(FakeClient(history()), store, make_settings(tmp_path), limit=5)
    assert first.channels[0].messages == 5 and checkpoint(store) == IDS[4]
    run(FakeClient(history()), store, make_settings(tmp_path))
    assert [r["message_id"] for r in stored(store)] == [str(i) for i in IDS]


def test_bad_message_is_quarantined_and_the_rest_goes_on(tmp_path: Path) -> None:
    store, data = make_store(tmp_path / "a.db"), history()
    data[CHANNEL_ID][4] = types.Message(id=IDS[4], peer_id=PEER, date=None, message="[synthetic]")
    report = run(FakeClient(data), store, make_settings(tmp_path))
    assert report.channels[0].quarantined == 1 and report.exit_code == 4
    assert len(stored(store)) == len(IDS) - 1 and checkpoint(store) == IDS[-1]
    with store.connect() as conn:
        [item] = list_quarantine(conn)
    assert (item["location"], item["locator"]) == ("telegram-live:synthetic_outlet_a", "message 6")
    assert "no date" in item["reason"]


def test_non_public_and_unknown_channels_are_refused_and_others_go_on(tmp_path: Path) -> None:
    user = types.User(id=5, username="synthetic_user_c", first_name="[synthetic]")
    private = replace_chat(6, "[synthetic] private")
    private.username = None
    group = types.Chat(
        id=7,
        title="[synthetic] group",
        photo=types.ChatPhotoEmpty(),
        participants_count=3,
        date=T0,
        version=1,
    )
    entities = {
        "synthetic_outlet_a": CHAT,
        "synthetic_user_c": user,
        "synthetic_private_d": private,
        "synthetic_group_e": group,
    }
    client = FakeClient(history(), entities=entities)
    names = [
        "synthetic_user_c",
        "synthetic_private_d",
        "synthetic_group_e",
        "missing_channel",
        "synthetic_outlet_a",
    ]
    report = run(client, make_store(tmp_path / "a.db"), make_settings(tmp_path), channels=names)
    errors = [c.error or "" for c in report.channels]
    assert "resolves to a User" in errors[0] and "private channel" in errors[1]
    assert "resolves to a Chat" in errors[2] and "cannot resolve" in errors[3]
    assert report.channels[4].error is None and report.channels[4].messages == len(IDS)
    assert report.exit_code == 6
    assert client.min_ids() == [0]  # history was only read from the public channel


@pytest.mark.parametrize(
    "link",
    [
        "https://t.me/+AbCdEf123",
        "t.me/+AbCdEf123",
        "+AbCdEf123",
        "https://t.me/joinchat/AbCdEf",
        "tg://join?invite=AbCdEf",
        "telegram.me/joinchat/AbCdEf",
    ],
)
def test_invite_links_are_refused_before_any_client_call(tmp_path: Path, link: str) -> None:
    client = FakeClient(history())
    with pytest.raises(LiveCollectionError, match="invite link"):
        run(
            client,
            make_store(tmp_path / "a.db"),
            make_settings(tmp_path),
            channels=["synthetic_outlet_a", link],
        )
    assert client.calls == []


@pytest.mark.parametrize(
    "value",
    [
        "synthetic_outlet_a",
        "@Synthetic_Outlet_A",
        "https://t.me/synthetic_outlet_a",
        "t.me/s/synthetic_outlet_a",
        "https://t.me/synthetic_outlet_a/123",
        " telegram.me/synthetic_outlet_a?x=1 ",
    ],
)
def test_channel_names_are_normalised(value: str) -> None:
    assert live.normalise_channel(value) == "synthetic_outlet_a"


@pytest.mark.parametrize("value", ["", "ab", "12345", "https://example.org/x", "synthetic outlet"])
def test_not_a_username_is_refused(value: str) -> None:
    with pytest.raises(LiveCollectionError, match="not a public channel username"):
        live.normalise_channel(value)


def test_collector_is_read_only(tmp_path: Path) -> None:
    client = FakeClient(history(), floods=[(6, 1)], resolve_flood=1)
    run(
        client,
        make_store(tmp_path / "a.db"),
        make_settings(tmp_path),
        sleep=Sleeps(),
        download_media=True,
    )
    assert client.methods() <= live.READ_ONLY_METHODS
    source = Path(live.__file__).read_text(encoding="utf-8")
    forbidden = [
        "send_message",
        "send_file",
        "send_reaction",
        "SendReaction",
        "forward_messages",
        "JoinChannel",
        "ImportChatInvite",
        "edit_message",
        "delete_messages",
        "send_read_acknowledge",
        "mark_read",
        "join_chat",
        "__call__(",
    ]
    assert [name for name in forbidden if name in source] == []
    calls = set(re.findall(r"client\.(\w+)\(", source))
    assert calls <= live.READ_ONLY_METHODS, calls


def test_download_media_stores_the_file_hash(tmp_path: Path) -> None:
    store, settings = make_store(tmp_path / "a.db"), make_settings(tmp_path)
    run(FakeClient(history()), store, settings, download_media=True)
    media = stored(store)[2]["media"][0]
    expected = hashlib.sha256(f"[synthetic] image {IDS[2]}".encode()).hexdigest()
    assert media["present"] and media["sha256"] == expected
    assert media["path"] == f"telegram-live/channel{CHANNEL_ID}/{IDS[2]}.jpg"
    assert (settings.media_dir / media["path"]).is_file()


class RecordingChain:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def run_posts(self, conn: Any, posts: Sequence[Post]) -> None:
        assert conn.in_transaction()
        self.batches.append([p.message_id for p in posts])


def test_new_posts_go_through_the_enrich_hook_in_the_commit(tmp_path: Path) -> None:
    chain, store = RecordingChain(), make_store(tmp_path / "a.db")
    run(FakeClient(history()), store, make_settings(tmp_path), chain=chain)
    assert [i for batch in chain.batches for i in batch] == [str(i) for i in IDS]
    run(FakeClient(history()), store, make_settings(tmp_path), chain=chain)
    assert sum(len(b) for b in chain.batches) == len(IDS)  # nothing new, nothing re-enriched


# --------------------------------------------------------------------------- settings, extra, CLI


def test_missing_api_settings_name_the_variables(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        live.live_credentials(Settings(home=tmp_path))
    assert "RECRUITWATCH_TELEGRAM_API_ID" in str(info.value)
    assert "RECRUITWATCH_TELEGRAM_API_HASH" in str(info.value)
    with pytest.raises(ConfigError) as info:
        live.live_credentials(Settings(home=tmp_path, telegram_api_id=1))
    assert "RECRUITWATCH_TELEGRAM_API_HASH" in str(info.value)
    assert "RECRUITWATCH_TELEGRAM_API_ID" not in str(info.value)
    assert live.live_credentials(Settings(home=tmp_path, telegram_api_id=1, telegram_api_hash="h"))


def test_session_file_stays_in_the_workspace(tmp_path: Path) -> None:
    assert live.session_path(Settings(home=tmp_path)) == tmp_path / "recruitwatch"
    for bad in ("../elsewhere", "/tmp/x", "a/b"):
        with pytest.raises(ConfigError, match="plain file name"):
            live.session_path(Settings(home=tmp_path, telegram_session=bad))


def test_without_telethon_the_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "telethon", None)
    with pytest.raises(MissingExtraError) as info:
        live.require_telethon()
    assert info.value.extra == "live" and "recruitwatch[live]" in str(info.value)


def credentials(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", telegram_api_id=1, telegram_api_hash="h", batch_size=4)


def test_collect_logs_in_collects_and_disconnects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = FakeClient(history())
    monkeypatch.setattr(live, "make_client", lambda settings: client)
    store = make_store(tmp_path / "a.db")
    report = live.collect(credentials(tmp_path), store, ["t.me/synthetic_outlet_a"])
    assert report.channels[0].messages == len(IDS)
    assert client.calls[0][0] == "__aenter__" and client.calls[-1][0] == "__aexit__"


def test_lost_connection_is_a_live_collection_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Offline(FakeClient):
        async def get_entity(self, name: str) -> Any:
            raise ConnectionError("network unreachable")

    monkeypatch.setattr(live, "make_client", lambda settings: Offline(history()))
    with pytest.raises(LiveCollectionError, match="rerun to resume"):
        live.collect(credentials(tmp_path), make_store(tmp_path / "a.db"), ["synthetic_outlet_a"])


def invoke(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    base = {
        "RECRUITWATCH_TELEGRAM_API_ID": "",
        "RECRUITWATCH_TELEGRAM_API_HASH": "",
        "RECRUITWATCH_DB": "",
    }
    result = CliRunner().invoke(
        main, ["--home", str(tmp_path / "home"), *args], env={**base, **(env or {})}
    )
    return result.exit_code, result.output


def test_cli_help_says_read_only_and_what_it_needs() -> None:
    result = CliRunner().invoke(main, ["collect", "--help"])
    text = " ".join(result.output.split())
    assert result.exit_code == 0
    for needle in (
        "read-only",
        "invite links",
        "recruitwatch[live]",
        "RECRUITWATCH_TELEGRAM_API_ID",
        "RECRUITWATCH_TELEGRAM_API_HASH",
        "--limit",
    ):
        assert needle in text


def test_cli_missing_settings_and_invite_link_exit_codes(tmp_path: Path) -> None:
    code, out = invoke(tmp_path, "collect", "synthetic_outlet_a")
    assert code == 2 and "RECRUITWATCH_TELEGRAM_API_ID" in out
    code, out = invoke(tmp_path, "collect", "https://t.me/+AbCdEf")
    assert code == 6 and "invite link" in out
    assert not (tmp_path / "home" / "recruitwatch.db").exists()  # refused before opening a store


def test_cli_collects_and_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "make_client", lambda settings: FakeClient(history()))
    env = {"RECRUITWATCH_TELEGRAM_API_ID": "1", "RECRUITWATCH_TELEGRAM_API_HASH": "h"}
    code, out = invoke(
        tmp_path, "collect", "@synthetic_outlet_a", "--limit", "5", "--no-enrich", env=env
    )
    assert code == 0, out
    assert f"synthetic_outlet_a (telegram:channel{CHANNEL_ID}): 5 messages, 5 posts written" in out
    code, out = invoke(tmp_path, "collect", "synthetic_outlet_a", "--no-enrich", env=env)
    assert code == 0 and "7 messages" in out and f"resumed after message {IDS[4]}" in out


def test_make_client_keeps_the_session_in_the_workspace(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home", telegram_api_id=1, telegram_api_hash="h")

    async def build() -> Any:
        client = live.make_client(settings)  # no connection is made before start()
        client.session.close()
        return client

    client = asyncio.run(build())
    assert type(client).__name__ == "TelegramClient" and client.api_id == 1
    assert [p.name for p in (tmp_path / "home").iterdir()] == ["recruitwatch.session"]

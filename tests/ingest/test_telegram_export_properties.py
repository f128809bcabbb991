"""Round-trip properties: a generated export, ingested, gives back exactly the generated messages.

Hypothesis writes random single-chat (metadata first or last), full-account and bare
exports, with random text (any Unicode but surrogates), entities, optional fields,
media placeholders, reactions and unknown fields, in random JSON layouts (indent,
ASCII escapes, BOM). Every message must come back, in order, with its raw payload
equal to what was generated and every mapped field as expected.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recruitwatch.ingest.telegram_common import (
    ENTITY_TYPES,
    KNOWN_FIELDS,
    chat_source,
    sender_source,
)

from .telegram_json_support import read_all

INT64 = 2**63 - 1
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=24)
NAMES = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
UNIX = st.integers(0, 2**32)
PLACEHOLDERS = st.sampled_from(
    [
        "(File not included. Change data exporting settings to download.)",
        "(File exceeds maximum size. Change data exporting settings to download.)",
        "(File unavailable, please try again later)",
    ]
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-INT64, INT64)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
ENTITY_KINDS = [*sorted(ENTITY_TYPES - {"plain"}), "future_entity"]
MEDIA_TYPES = ["voice_message", "video_file", "audio_file", "video_message", "sticker", "animation"]


def iso(unix: int) -> str:
    return datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%dT%H:%M:%S")


@st.composite
def entity(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(ENTITY_KINDS))
    part: dict[str, Any] = {"type": kind, "text": draw(TEXT)}
    extra = {"text_link": "href", "mention_name": "user_id", "pre": "language"}
    if kind in extra:
        part[extra[kind]] = draw(TEXT | st.integers(1, INT64))
    if kind == "custom_emoji":
        part["document_id"] = str(draw(st.integers(1, INT64)))
    return part


@st.composite
def text_fields(draw: st.DrawFn) -> dict[str, Any]:
    """``text`` (string or mixed list) and ``text_entities``, or an old export's text only."""
    if draw(st.booleans()):
        plain = draw(TEXT)
        entities = [{"type": "plain", "text": plain}] if plain else []
        return {"text": plain, "text_entities": entities}
    parts = draw(st.lists(TEXT | entity(), max_size=5))
    out: dict[str, Any] = {"text": parts}
    if draw(st.integers(0, 4)):
        out["text_entities"] = [
            p if isinstance(p, dict) else {"type": "plain", "text": p} for p in parts
        ]
    return out


@st.composite
def optional_fields(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    simple = {
        "author": NAMES,
        "forwarded_from": NAMES,
        "forwarded_from_id": st.just("channel1000000102"),
        "saved_from": NAMES,
        "reply_to_message_id": st.integers(1, INT64),
        "via_bot": NAMES,
        "reactions": st.lists(
            st.fixed_dictionaries({"type": st.just("emoji"), "count": st.integers(1, 99)}),
            max_size=2,
        ),
    }
    for key in draw(st.sets(st.sampled_from(sorted(simple)))):
        out[key] = draw(simple[key])
    if draw(st.booleans()):
        edited = draw(UNIX)
        out.update(edited=iso(edited), edited_unixtime=str(edited))
    media = draw(st.sampled_from(["none", "photo", "file"]))
    if media == "photo":
        out.update(photo=draw(PLACEHOLDERS), width=draw(st.integers(1, 5000)), height=1)
    elif media == "file":
        out.update(file=draw(PLACEHOLDERS), media_type=draw(st.sampled_from(MEDIA_TYPES)))
        out.update(mime_type="video/mp4", duration_seconds=draw(st.integers(0, 10**6)))
    for key in draw(st.sets(st.sampled_from(["future_a", "future_b"]))):
        out[key] = draw(JSON_VALUES)
    return out


@st.composite
def message(draw: st.DrawFn, mid: int, sender: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["message", "message", "service", "unsupported"]))
    unix = draw(UNIX)
    out: dict[str, Any] = {"id": mid, "type": kind, "date": iso(unix), "date_unixtime": str(unix)}
    if kind == "service":
        out.update(
            actor=draw(NAMES), actor_id=sender, action=draw(st.sampled_from(["pin_message"]))
        )
    else:
        out.update({"from": draw(NAMES), "from_id": sender})
    out.update(draw(text_fields()))
    out.update(draw(optional_fields()))
    return out


@st.composite
def messages(draw: st.DrawFn) -> list[dict[str, Any]]:
    ids = draw(st.lists(st.integers(1, INT64), unique=True, max_size=6))
    senders = st.sampled_from(["channel1000000101", "user5000000011", "chat1000000104"])
    return [draw(message(mid, draw(senders))) for mid in ids]


CHATS = st.fixed_dictionaries(
    {
        "name": NAMES,
        "type": st.sampled_from(["public_channel", "private_supergroup", "personal_chat"]),
        "id": st.integers(1, INT64),
    }
)


def place(chat: dict[str, Any], listed: list[dict[str, Any]], last: bool) -> dict[str, Any]:
    return {"messages": listed, **chat} if last else {**chat, "messages": listed}


@st.composite
def exports(draw: st.DrawFn) -> tuple[Any, list[tuple[dict[str, Any], str]]]:
    """An export and, in document order, each message with the source key it must get."""
    shape = draw(st.sampled_from(["chat", "bare", "account"]))
    if shape == "bare":
        listed = draw(messages())
        return listed, [(m, sender_source(m).key) for m in listed]
    if shape == "chat":
        chat, listed = draw(CHATS), draw(messages())
        key = chat_source(chat).key
        return place(chat, listed, draw(st.booleans())), [(m, key) for m in listed]
    chats = draw(st.lists(st.tuples(CHATS, messages(), st.booleans()), max_size=3))
    split = draw(st.integers(0, len(chats)))
    wrap = [place(c, m, last) for c, m, last in chats]
    account = {"about": "[synthetic]", "chats": {"list": wrap[:split]}}
    account["left_chats"] = {"list": wrap[split:]}
    expected = [(m, chat_source(c).key) for c, listed, _ in chats for m in listed]
    return account, expected


def encode(value: Any, indent: int | None, ascii_only: bool, bom: bool) -> bytes:
    data = json.dumps(value, indent=indent, ensure_ascii=ascii_only).encode("utf-8")
    return (b"\xef\xbb\xbf" if bom else b"") + data


def expected_text(message: dict[str, Any]) -> tuple[str, list[tuple[str, str, int]]]:
    parts = message.get("text_entities") or message["text"]
    if isinstance(parts, str):
        return parts, []
    text, entities, offset = "", [], 0
    for part in parts:
        piece = part if isinstance(part, str) else part["text"]
        if isinstance(part, dict) and part["type"] != "plain":
            entities.append((part["type"], piece, offset))
        text += piece
        offset += len(piece)
    return text, entities


def check_post(post: Any, message: dict[str, Any], key: str) -> None:
    assert post.raw == message
    assert (post.message_id, post.source.key, post.kind) == (
        str(message["id"]),
        key,
        message["type"],
    )
    assert post.date == datetime.fromtimestamp(int(message["date_unixtime"]), UTC)
    edited = message.get("edited_unixtime")
    assert post.edited == (datetime.fromtimestamp(int(edited), UTC) if edited else None)
    text, entities = expected_text(message)
    assert post.text == text
    assert [(e.type, e.text, e.offset) for e in post.entities] == entities
    service = message["type"] == "service"
    assert post.sender == message["actor" if service else "from"]
    assert post.author == message.get("author")
    assert post.via_bot == message.get("via_bot")
    reply = message.get("reply_to_message_id")
    assert post.reply_to == (None if reply is None else str(reply))
    assert list(post.reactions) == message.get("reactions", [])
    placeholder = message.get("photo", message.get("file"))
    assert [m.absent_reason for m in post.media] == ([placeholder] if placeholder else [])
    assert not any(m.present for m in post.media)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    exports(),
    st.sampled_from([None, 1]),
    st.booleans(),
    st.booleans(),
)
def test_generated_exports_round_trip(
    export: tuple[Any, list[tuple[dict[str, Any], str]]],
    indent: int | None,
    ascii_only: bool,
    bom: bool,
) -> None:
    value, expected = export
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "result.json"
        path.write_bytes(encode(value, indent, ascii_only, bom))
        read = read_all(path)
    assert read.error is None and read.quarantined == []
    assert len(read.posts) == len(expected)
    for post, raw, (message, key) in zip(read.posts, read.raws, expected, strict=True):
        check_post(post, message, key)
        assert raw.locator.endswith(f"(id {message['id']})")
    unknown = Counter(f"field:{k}" for m, _ in expected for k in m if k not in KNOWN_FIELDS)
    fields = {k: v for k, v in read.reader.unknown.items() if k.startswith("field:")}
    assert fields == dict(unknown)


@settings(max_examples=60, deadline=None)
@given(messages(), st.integers(1, 400))
def test_any_truncation_keeps_a_prefix_and_reports(listed: list[dict[str, Any]], cut: int) -> None:
    data = encode(listed, 1, False, False)
    cut = min(cut, len(data) - 1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.json"
        path.write_bytes(data[: len(data) - cut])
        read = read_all(path)
    assert read.error is not None
    assert [p.raw for p in read.posts] == listed[: len(read.posts)]
    assert "near byte" in read.error.reason

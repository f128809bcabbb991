"""The Telegram Desktop JSON export reader on synthetic exports: shapes, fields, media, sniffing."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from recruitwatch.errors import InputError
from recruitwatch.ingest.base import detect_reader, read_head, readers
from recruitwatch.ingest.telegram_export import TelegramJsonReader, looks_like_export
from recruitwatch.model import Post

from .telegram_json_support import (
    CHAT,
    FIXTURES,
    chat_json,
    fixture_messages,
    read_all,
    write_json,
)

SINGLE = FIXTURES / "single_chat"
NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"


@pytest.fixture(scope="module")
def single() -> dict[str, Post]:
    read = read_all(SINGLE)
    assert read.error is None and read.quarantined == []
    return read.by_id()


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_folder_and_result_json_read_the_same_posts() -> None:
    by_folder, by_file = read_all(SINGLE), read_all(SINGLE / "result.json")
    assert [p.id for p in by_folder.posts] == [p.id for p in by_file.posts]
    assert [p.message_id for p in by_folder.posts] == [str(i) for i in range(1, 19)]
    assert by_folder.posts == by_file.posts


def test_chat_wrapper_names_the_source(single: dict[str, Post]) -> None:
    sources = {p.source for p in single.values()}
    assert len(sources) == 1
    source = sources.pop()
    assert source.key == "telegram:channel1000000101"
    assert (source.title, source.kind, source.external_id) == (
        "[synthetic] outlet a",
        "public_channel",
        "1000000101",
    )


def test_raw_payload_is_the_message_as_written() -> None:
    read = read_all(SINGLE)
    assert [p.raw for p in read.posts] == fixture_messages()
    assert [r.payload for r in read.raws] == fixture_messages()


def test_locators_name_position_and_id() -> None:
    read = read_all(SINGLE)
    assert read.raws[0].locator == "messages[0] (id 1)"
    assert read.raws[16].locator == "messages[16] (id 17)"
    assert {r.location for r in read.raws} == {str(SINGLE)}
    assert {r.context["base"] for r in read.raws} == {SINGLE}


def test_dates_prefer_unixtime_and_edits_are_kept(single: dict[str, Post]) -> None:
    post = single["3"]
    raw = fixture_messages()[2]
    assert post.date == datetime.fromtimestamp(int(raw["date_unixtime"]), UTC)
    assert post.edited == datetime.fromtimestamp(int(raw["edited_unixtime"]), UTC)
    assert single["2"].edited is None


def test_entity_list_is_flattened_with_structured_entities(single: dict[str, Post]) -> None:
    post = single["3"]
    parts = fixture_messages()[2]["text"]
    assert post.text == "".join(p if isinstance(p, str) else p["text"] for p in parts)
    found = {e.type: e for e in post.entities}
    assert list(found) == [
        "link",
        "text_link",
        "mention",
        "hashtag",
        "bold",
        "mention_name",
        "pre",
        "custom_emoji",
    ]
    for entity in post.entities:
        assert post.text[entity.offset : entity.offset + entity.length] == entity.text
    assert found["text_link"].href == "https://t.me/synthetic_channel_b"
    assert found["link"].text == "https://example.invalid/synthetic/1"
    assert found["mention"].text == "@synthetic_outlet_a"
    assert found["hashtag"].text == "#synthetic_series"
    assert found["mention_name"].user_id == "5000000001"
    assert found["pre"].language == "python"
    assert found["custom_emoji"].document_id == "5000000002"
    assert post.text.endswith("Ўзбек матни ва тоҷикӣ 🌍")  # offsets count code points


def test_plain_string_text(single: dict[str, Post]) -> None:
    post = single["2"]
    assert post.text == "[synthetic] plain notice of a weekly audio series by synthetic_outlet_a"
    assert post.entities == ()
    assert (post.author, post.sender, post.sender_id) == (
        "editor",
        "[synthetic] outlet a",
        "channel1000000101",
    )


def test_present_media_is_hashed(single: dict[str, Post]) -> None:
    expected = {
        "4": ("photo", "photos/photo_1@08-06-2023_10-48-51.jpg"),
        "6": ("voice", "voice_messages/audio_1@08-06-2023_10-53-51.ogg"),
        "8": ("audio", "files/episode_01.mp3"),
        "9": ("video_message", "round_video_messages/file_1.mp4"),
        "10": ("sticker", "stickers/sticker.webp"),
        "12": ("document", "files/synthetic_book.pdf"),
    }
    for message_id, (kind, rel) in expected.items():
        (media,) = single[message_id].media
        assert (media.kind, media.path, media.present) == (kind, rel, True)
        assert media.sha256 == sha256_of(SINGLE / rel)
        assert media.size == (SINGLE / rel).stat().st_size
        assert media.absent_reason is None


def test_media_attributes(single: dict[str, Post]) -> None:
    photo = single["4"].media[0]
    assert (photo.width, photo.height, photo.extra) == (640, 480, {})
    voice = single["6"].media[0]
    assert (voice.mime_type, voice.duration_seconds) == ("audio/ogg", 12)
    audio = single["8"].media[0]
    assert audio.extra == {"performer": "[synthetic] narrator", "title": "[synthetic] episode 1"}
    sticker = single["10"].media[0]
    assert sticker.extra == {"sticker_emoji": "👍"}
    document = single["12"].media[0]
    assert (document.file_name, document.mime_type) == ("synthetic_book.pdf", "application/pdf")


def test_absent_media_keeps_the_reason(single: dict[str, Post]) -> None:
    (photo,) = single["5"].media
    assert (photo.present, photo.path, photo.sha256, photo.absent_reason) == (
        False,
        None,
        None,
        NOT_INCLUDED,
    )
    (video,) = single["7"].media
    assert video.kind == "video" and not video.present
    assert video.absent_reason is not None and video.absent_reason.startswith("(File exceeds")
    assert video.extra == {"thumbnail": "video_files/video_1.mp4_thumb.jpg"}
    (animation,) = single["11"].media
    assert (animation.kind, animation.present, animation.path) == (
        "animation",
        False,
        "video_files/animation_1.mp4",
    )
    assert animation.absent_reason == "file missing from the export folder"


def test_forward_save_reply_and_bot_fields(single: dict[str, Post]) -> None:
    forwarded, saved = single["13"], single["14"]
    assert (forwarded.forwarded_from, forwarded.forwarded_from_id, forwarded.reply_to) == (
        "synthetic_channel_b",
        "channel1000000102",
        "3",
    )
    assert (saved.saved_from, saved.via_bot) == ("synthetic_outlet_c", "@synthetic_bot")


def test_service_messages_keep_their_action(single: dict[str, Post]) -> None:
    created, pinned = single["1"], single["16"]
    assert created.kind == pinned.kind == "service"
    assert created.action == {"action": "create_channel", "title": "[synthetic] outlet a"}
    assert pinned.action == {"action": "pin_message", "message_id": 3}
    assert (pinned.sender, pinned.sender_id) == ("[synthetic] outlet a", "channel1000000101")
    assert single["2"].action is None


def test_reactions_and_unsupported(single: dict[str, Post]) -> None:
    assert single["15"].reactions == (
        {"type": "emoji", "count": 3, "emoji": "👍"},
        {"type": "custom_emoji", "count": 1, "document_id": "5000000003"},
    )
    assert single["18"].kind == "unsupported"


def test_what_is_not_understood_is_counted_and_kept() -> None:
    read = read_all(SINGLE)
    assert dict(read.reader.unknown) == {"field:future_field": 1, "entity:future_entity": 1}
    post = read.by_id()["17"]
    assert post.raw["future_field"] == {"nested": [1, 2.5, True, None]}
    assert isinstance(post.raw["future_field"]["nested"][1], float)  # no Decimal
    assert [e.type for e in post.entities] == ["future_entity"]


def test_messages_before_metadata_get_the_chat_source() -> None:
    read = read_all(FIXTURES / "messages_last.json")
    assert read.error is None
    assert [p.message_id for p in read.posts] == ["2", "3", "4"]
    assert {p.source.key for p in read.posts} == {"telegram:channel1000000101"}
    assert {p.source.title for p in read.posts} == {"[synthetic] outlet a"}
    single = read_all(SINGLE).by_id()
    assert [p.text for p in read.posts] == [single[i].text for i in ("2", "3", "4")]


def test_full_account_export_reads_every_chat_in_order() -> None:
    read = read_all(FIXTURES / "account")
    assert read.error is None and read.quarantined == []
    assert [r.locator for r in read.raws] == [
        "chats.list[0].messages[0] (id 1)",
        "chats.list[0].messages[1] (id 2)",
        "chats.list[1].messages[0] (id 1)",
        "chats.list[1].messages[1] (id 2)",
        "chats.list[2].messages[0] (id 7)",
        "left_chats.list[0].messages[0] (id 1)",
    ]
    assert [p.id for p in read.posts] == [
        "telegram:channel1000000101/1",
        "telegram:channel1000000101/2",
        "telegram:channel1000000103/1",  # chat id written after its messages: spooled
        "telegram:channel1000000103/2",
        "telegram:user5000000012/7",
        "telegram:chat1000000104/1",
    ]
    kinds = {p.source.key: p.source.kind for p in read.posts}
    assert kinds["telegram:chat1000000104"] == "private_group"


def test_full_account_media_paths_are_relative_to_the_export_root() -> None:
    read = read_all(FIXTURES / "account" / "result.json")
    (media,) = read.posts[1].media
    assert media.present and media.path == "chats/chat_001/photos/photo_1.jpg"
    assert media.sha256 == sha256_of(FIXTURES / "account" / media.path)


def test_bare_array_names_sources_by_from_id() -> None:
    read = read_all(FIXTURES / "fragment.json")
    assert [p.id for p in read.posts] == [
        "telegram:channel1000000101/101",
        "telegram:channel1000000101/102",
        "telegram:channel1000000102/103",
    ]
    assert read.posts[2].source.title == "synthetic_channel_b"
    assert read.raws[0].context["source"] is None


def test_bom_and_compact_json_are_read(tmp_path: Path) -> None:
    messages = fixture_messages()[1:4]
    path = write_json(tmp_path / "result.json", chat_json(messages), indent=None, bom=True)
    read = read_all(path)
    assert read.error is None and [p.raw for p in read.posts] == messages


def test_object_without_chat_metadata_falls_back_to_from_id(tmp_path: Path) -> None:
    messages = fixture_messages("fragment.json")
    read = read_all(write_json(tmp_path / "export.json", {"messages": messages}))
    assert [p.source.key for p in read.posts] == [
        "telegram:channel1000000101",
        "telegram:channel1000000101",
        "telegram:channel1000000102",
    ]


def test_empty_exports_give_no_records(tmp_path: Path) -> None:
    for name, value in {"a.json": [], "b.json": chat_json([]), "c.json": {"chats": {}}}.items():
        read = read_all(write_json(tmp_path / name, value))
        assert read.error is None and read.raws == []


def test_unknown_chat_types_are_counted(tmp_path: Path) -> None:
    chat = {**CHAT, "type": "future_chat_kind"}
    path = write_json(tmp_path / "result.json", chat_json(fixture_messages()[1:3], chat))
    read = read_all(path)
    assert {p.source.key for p in read.posts} == {"telegram:chat1000000101"}
    assert read.reader.unknown["chat_type:future_chat_kind"] == 1


def test_sniff_claims_exports_and_not_jsonl(tmp_path: Path) -> None:
    sniff = TelegramJsonReader.sniff
    assert sniff(str(SINGLE), b"")
    assert sniff(str(SINGLE / "result.json"), read_head(str(SINGLE / "result.json")))
    assert sniff(str(FIXTURES / "bad" / "not_json.json"), b"anything")  # *.json is ours
    assert not sniff(str(tmp_path), b"")  # a folder without result.json
    line = json.dumps(fixture_messages()[1]).encode()
    assert not sniff(str(tmp_path / "posts.jsonl"), line + b"\n" + line)
    assert not sniff(str(tmp_path / "posts.ndjson"), line)
    assert not sniff("https://example.invalid/result.json", b"")
    export_head = json.dumps(chat_json(fixture_messages())).encode()[:300]
    assert sniff(str(tmp_path / "export.txt"), export_head)
    assert not sniff(str(tmp_path / "posts.txt"), line + b"\n" + line)


def test_looks_like_export_on_heads() -> None:
    message = json.dumps(fixture_messages()[1]).encode()
    assert looks_like_export(b"[" + message[:120])
    assert looks_like_export(b'\xef\xbb\xbf{"about": "x", "chats": {"list": [')
    assert looks_like_export(b'{"name": "x", "type": "public_channel", "id": 1, "messages": [')
    assert not looks_like_export(b"id,date,text\n1,2023-01-01,x\n")
    assert not looks_like_export(b'{"title": "a feed", "items": []}')
    assert not looks_like_export(b"[1, 2, 3]")
    assert not looks_like_export(b"")


def test_detection_picks_this_reader() -> None:
    assert "telegram-json" in readers()
    assert TelegramJsonReader.DESCRIPTION
    for location in (SINGLE, SINGLE / "result.json", FIXTURES / "fragment.json"):
        assert isinstance(detect_reader(str(location)), TelegramJsonReader)


def test_missing_inputs_are_input_errors(tmp_path: Path) -> None:
    reader = TelegramJsonReader()
    with pytest.raises(InputError, match=r"no result\.json"):
        list(reader.records(str(tmp_path)))
    with pytest.raises(InputError, match="no such file"):
        list(reader.records(str(tmp_path / "absent.json")))


def test_shipped_example_reads_with_its_media() -> None:
    example = TelegramJsonReader.example()
    assert example is not None
    read = read_all(example.parent)
    assert read.error is None and read.quarantined == []
    assert [p.message_id for p in read.posts] == ["1", "2", "3", "4", "5", "6", "13", "15", "16"]
    present = [m.kind for p in read.posts for m in p.media if m.present]
    assert present == ["photo", "voice"]

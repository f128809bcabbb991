"""Bad input: a clear error naming file, record and reason; the rest goes on; never a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from recruitwatch.errors import InputError
from recruitwatch.ingest.telegram_common import FileHasher
from recruitwatch.ingest.telegram_export import TelegramJsonReader

from .telegram_json_support import (
    CHAT,
    FIXTURES,
    chat_json,
    fixture_messages,
    read_all,
    write_json,
)

BAD = FIXTURES / "bad"


def messages(*ids: int) -> list[dict[str, Any]]:
    return [{**fixture_messages()[1], "id": i} for i in ids]


def test_not_json() -> None:
    read = read_all(BAD / "not_json.json")
    assert read.raws == []
    assert read.error is not None
    assert read.error.location == str(BAD / "not_json.json")
    assert read.error.reason.startswith("not JSON (lexical error: invalid char in json text)")
    assert "before any record" in read.error.reason


def test_truncated_json_keeps_the_records_before() -> None:
    read = read_all(BAD / "truncated.json")
    assert [p.message_id for p in read.posts] == ["2", "3", "4"]
    assert read.error is not None
    size = (BAD / "truncated.json").stat().st_size
    assert read.error.reason == (
        f"truncated JSON (ends mid-value) near byte {size:,}, after record 3: messages[2] (id 4)"
    )
    assert str(read.error).startswith(str(BAD / "truncated.json"))


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "other_shape.json",
            "not a Telegram export: the JSON object has no 'messages', 'chats' or 'left_chats' "
            "(top-level keys: title, items)",
        ),
        (
            "numbers.json",
            "not a Telegram export: a JSON array whose first item is a number or literal, "
            "expected message objects with id, type and date",
        ),
    ],
)
def test_json_of_another_shape(name: str, reason: str) -> None:
    read = read_all(BAD / name)
    assert read.raws == []
    assert read.error is not None and read.error.reason == reason


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("a string", "not a Telegram export: the file holds a single JSON string"),
        (42, "not a Telegram export: the file holds a single JSON number"),
        (
            {"messages": {"id": 1}},
            "not a Telegram export: 'messages' is not an array (found: object)",
        ),
        ({"chats": [1, 2]}, "not a Telegram export: 'chats' is not an object (found: array)"),
        ([["nested"]], "not a Telegram export: a JSON array whose first item is an array"),
        (
            [{"title": "x", "id": 1}],
            "not a Telegram export: a JSON array whose first item is an obj",
        ),
    ],
)
def test_more_shapes_that_are_not_exports(tmp_path: Path, value: Any, reason: str) -> None:
    read = read_all(write_json(tmp_path / "x.json", value))
    assert read.error is not None and read.error.reason.startswith(reason)


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_bytes(b"")
    read = read_all(tmp_path / "empty.json")
    assert read.error is not None and read.error.reason == "empty file (not JSON)"


def test_trailing_garbage_after_the_records(tmp_path: Path) -> None:
    path = write_json(tmp_path / "x.json", messages(1, 2))
    path.write_bytes(path.read_bytes() + b"\n[3]")
    read = read_all(path)
    assert [p.message_id for p in read.posts] == ["1", "2"]
    assert read.error is not None
    assert read.error.reason.startswith("invalid JSON (parse error: trailing garbage) near byte")
    assert read.error.reason.endswith("after record 2: messages[1] (id 2)")


def test_broken_utf8_quarantines_only_that_record() -> None:
    read = read_all(BAD / "broken_utf8.json")
    assert read.error is None
    assert [p.message_id for p in read.posts] == ["201", "203"]
    assert read.quarantined == [
        (
            "messages[1] (id 202)",
            "invalid UTF-8 bytes in this record (shown as U+FFFD in the raw payload)",
        )
    ]
    bad = read.raws[1].payload
    assert bad["text"] == "[synthetic] bad \ufffd\ufffd bytes text"
    assert "\U0010fffe" not in json.dumps(bad)


def test_broken_utf8_in_a_chat_whose_metadata_comes_last(tmp_path: Path) -> None:
    body = json.dumps(chat_json(messages(1, 2, 3), messages_last=True)).encode()
    body = body.replace(b'"id": 2,', b'"id": 2, "x": "\xc3",', 1)
    (tmp_path / "result.json").write_bytes(body)
    read = read_all(tmp_path)
    assert [p.message_id for p in read.posts] == ["1", "3"]
    assert {p.source.key for p in read.posts} == {"telegram:channel1000000101"}
    assert read.quarantined[0][0] == "messages[1] (id 2)"


def test_broken_utf8_outside_a_string_is_invalid_json(tmp_path: Path) -> None:
    body = json.dumps(messages(1, 2)).encode()
    (tmp_path / "x.json").write_bytes(body[:-1] + b"\xff]")
    read = read_all(tmp_path / "x.json")
    assert [p.message_id for p in read.posts] == ["1", "2"]
    assert read.error is not None and read.error.reason.startswith("invalid JSON (lexical error")


def test_media_path_with_dotdot_is_refused() -> None:
    read = read_all(BAD / "escaping_path.json")
    assert [p.message_id for p in read.posts] == ["301", "303"]
    assert read.quarantined == [
        ("messages[1] (id 302)", "media path '../../outside/photo.jpg' escapes the export folder")
    ]


@pytest.mark.parametrize(
    "field",
    [
        {"photo": "/etc/passwd"},
        {"photo": "..\\..\\outside.jpg"},
        {"photo": "C:/outside.jpg"},
        {"photo": "photos/\x00.jpg"},
        {"file": "files/x.pdf", "thumbnail": "../thumb.jpg"},
    ],
)
def test_other_escaping_paths_are_refused(tmp_path: Path, field: dict[str, str]) -> None:
    bad = {**messages(2)[0], **field}
    read = read_all(write_json(tmp_path / "result.json", chat_json([*messages(1), bad])))
    assert [p.message_id for p in read.posts] == ["1"]
    (quarantined,) = read.quarantined
    assert quarantined[0] == "messages[1] (id 2)" and "media path" in quarantined[1]


def test_symlink_out_of_the_export_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.jpg").write_bytes(b"[synthetic] outside")
    export = tmp_path / "export"
    (export / "photos").mkdir(parents=True)
    os.symlink(outside / "secret.jpg", export / "photos" / "link.jpg")
    write_json(export / "result.json", chat_json([{**messages(1)[0], "photo": "photos/link.jpg"}]))
    read = read_all(export)
    assert read.posts == []
    assert read.quarantined[0][1].endswith("escapes the export folder (symlink)")


def test_unreadable_media_file_is_absent_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "locked.jpg").write_bytes(b"[synthetic]")
    photo = {**messages(1)[0], "photo": "photos/locked.jpg"}
    write_json(tmp_path / "result.json", chat_json([photo]))

    def refuse(self: FileHasher, path: Path) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(FileHasher, "__call__", refuse)
    read = read_all(tmp_path)
    (media,) = read.posts[0].media
    assert not media.present and media.absent_reason == "cannot read the file: Permission denied"
    assert media.path == "photos/locked.jpg"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": None}, "message has no id"),
        ({"id": [1]}, "message id [1] is not a number or string"),
        ({"date": None, "date_unixtime": None}, "message has no date"),
        ({"date_unixtime": "soon"}, "date_unixtime 'soon' is not a unix time"),
        ({"date_unixtime": None, "date": "yesterday"}, "date 'yesterday' is not an ISO date"),
        ({"text": 5, "text_entities": None}, "text is a int, expected string or list"),
        ({"text_entities": [["x"]]}, "text part of type list is neither string nor object"),
        ({"reactions": "many"}, "reactions is not a list"),
        ({"reactions": ["👍"]}, "reactions holds an entry that is not an object"),
        ({"photo": 7}, "photo path is a int, expected a string"),
    ],
)
def test_bad_records_are_quarantined_and_the_rest_goes_on(
    tmp_path: Path, change: dict[str, Any], reason: str
) -> None:
    bad = {**messages(2)[0], **change}
    path = write_json(tmp_path / "result.json", chat_json([*messages(1), bad, *messages(3)]))
    read = read_all(path)
    assert read.error is None
    assert [p.message_id for p in read.posts] == ["1", "3"]
    assert len(read.quarantined) == 1 and read.quarantined[0][1] == reason


def test_non_objects_inside_an_array_are_quarantined(tmp_path: Path) -> None:
    read = read_all(write_json(tmp_path / "x.json", [*messages(1), 5, "text", *messages(2)]))
    assert [p.message_id for p in read.posts] == ["1", "2"]
    assert read.quarantined == [
        ("messages[1]", "message is a number or literal, expected an object"),
        ("messages[2]", "message is a string, expected an object"),
    ]


def test_a_bad_first_message_is_quarantined_not_the_file(tmp_path: Path) -> None:
    first = {k: v for k, v in messages(1)[0].items() if k != "id"}
    read = read_all(write_json(tmp_path / "x.json", [first, *messages(2)]))
    assert read.error is None
    assert [p.message_id for p in read.posts] == ["2"]
    assert read.quarantined == [("messages[0]", "message has no id")]


def test_bare_message_without_from_id_is_quarantined(tmp_path: Path) -> None:
    orphan = {k: v for k, v in messages(2)[0].items() if k not in ("from", "from_id")}
    read = read_all(write_json(tmp_path / "x.json", [*messages(1), orphan]))
    assert read.quarantined == [
        ("messages[1] (id 2)", "message has no chat wrapper and no from_id to name its source")
    ]


def test_chat_without_id_in_an_account_export_falls_back_to_from_id(tmp_path: Path) -> None:
    account = {"chats": {"list": [{"name": "[synthetic] no id", "messages": messages(1)}]}}
    read = read_all(write_json(tmp_path / "result.json", account))
    assert [p.id for p in read.posts] == ["telegram:channel1000000101/1"]


def test_truncated_account_export_keeps_the_chats_before(tmp_path: Path) -> None:
    chats = [{**CHAT, "messages": messages(1, 2)}, {**CHAT, "id": 7, "messages": messages(3, 4)}]
    path = write_json(tmp_path / "result.json", {"chats": {"list": chats}})
    body = path.read_bytes()
    path.write_bytes(body[: body.rindex(b'"id": 4')])
    read = read_all(path)
    assert [p.id for p in read.posts] == [
        "telegram:channel1000000101/1",
        "telegram:channel1000000101/2",
        "telegram:channel7/3",
    ]
    assert read.error is not None
    assert read.error.reason.endswith("after record 3: chats.list[1].messages[0] (id 3)")


def test_truncated_chat_with_metadata_last_still_yields_messages(tmp_path: Path) -> None:
    path = write_json(tmp_path / "result.json", chat_json(messages(1, 2, 3), messages_last=True))
    body = path.read_bytes()
    path.write_bytes(body[: body.rindex(b'"id": 3')])
    read = read_all(path)
    assert [p.id for p in read.posts] == [
        "telegram:channel1000000101/1",  # attributed by from_id: the chat's id was never written
        "telegram:channel1000000101/2",
    ]
    assert isinstance(read.error, InputError) and "truncated JSON" in read.error.reason


def test_account_export_cut_inside_a_spooled_chat(tmp_path: Path) -> None:
    chats = [{**CHAT, "messages": messages(1)}, {"messages": messages(2, 3), "id": 7}]
    path = write_json(tmp_path / "result.json", {"chats": {"list": chats}})
    body = path.read_bytes()
    for cut in (b'"id": 3', b'"id": 7'):  # inside the spooled messages, then after them
        path.write_bytes(body[: body.rindex(cut)])
        read = read_all(path)
        assert [p.message_id for p in read.posts] == ["1"]
        assert read.error is not None and "truncated JSON" in read.error.reason


def test_stopping_early_closes_the_spool(tmp_path: Path) -> None:
    chats = [{"messages": messages(1, 2), "id": 7}, {"messages": messages(3), "id": 8}]
    path = write_json(tmp_path / "result.json", {"chats": {"list": chats}})
    records = TelegramJsonReader().records(str(path))
    assert next(records).locator == "chats.list[0].messages[0] (id 1)"
    records.close()  # an unclosed temporary file would warn (warnings are errors here)

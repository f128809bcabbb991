"""Golden tests on the real Telegram fragments in ../shared/data/telegram, read at test time.

The golden files (tests/golden/telegram, written by tests/golden/regenerate_telegram.py)
hold every field of every post with free text as SHA-256; the checks below also
compare against the input itself, so the golden files are not only self-consistent.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ..golden.regenerate_telegram import FRAGMENTS, golden_for, golden_path, sha
from .telegram_json_support import SHARED_TELEGRAM, read_all


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=FRAGMENTS)
def fragment(request: pytest.FixtureRequest) -> Path:
    path = SHARED_TELEGRAM / request.param
    assert path.is_file(), f"real data missing: {path}"
    return path


def test_every_field_of_every_message_matches_the_golden_file(fragment: Path) -> None:
    expected = load(golden_path(fragment.name))
    actual = golden_for(fragment)
    assert actual["input_sha256"] == expected["input_sha256"], "the shared fragment changed"
    assert len(actual["posts"]) == len(expected["posts"])
    for got, want in zip(actual["posts"], expected["posts"], strict=True):
        assert got == want, f"{want['locator']} differs from the golden record"
    assert actual == expected


def test_golden_records_agree_with_the_input(fragment: Path) -> None:
    messages = load(fragment)
    golden = load(golden_path(fragment.name))["posts"]
    assert [g["message_id"] for g in golden] == [str(m["id"]) for m in messages]
    for message, record in zip(messages, golden, strict=True):
        text = "".join(part["text"] for part in message["text_entities"])
        assert record["text_sha256"] == sha(text)
        assert record["text_length"] == len(text)
        shown = [e for e in message["text_entities"] if e["type"] != "plain"]
        assert [e["type"] for e in record["entities"]] == [e["type"] for e in shown]
        assert [e["text_sha256"] for e in record["entities"]] == [sha(e["text"]) for e in shown]
        when = datetime.fromtimestamp(int(message["date_unixtime"]), UTC)
        assert record["date"] == when.isoformat()
        assert record["source"] == f"telegram:{message['from_id']}"
        assert record["reply_to"] == (
            str(message["reply_to_message_id"]) if "reply_to_message_id" in message else None
        )


def test_posts_keep_the_raw_message_and_its_media(fragment: Path) -> None:
    messages = load(fragment)
    read = read_all(fragment)
    assert read.error is None and read.quarantined == []
    assert [p.raw for p in read.posts] == messages
    for message, post in zip(messages, read.posts, strict=True):
        if "photo" in message:
            (photo,) = post.media
            assert (photo.kind, photo.present, photo.absent_reason) == (
                "photo",
                False,
                message["photo"],
            )
            assert (photo.width, photo.height) == (message["width"], message["height"])
        else:
            assert post.media == ()
        for entity in post.entities:
            assert post.text[entity.offset : entity.offset + entity.length] == entity.text
        if "edited_unixtime" in message:
            assert post.edited == datetime.fromtimestamp(int(message["edited_unixtime"]), UTC)


def test_real_quirks_are_kept(fragment: Path) -> None:
    """Prices like "@1499" arrive as mentions; a text_link keeps its href."""
    read = read_all(fragment)
    types = {e.type for p in read.posts for e in p.entities}
    assert {"link", "mention", "bold"} <= types
    prices = [e.text for p in read.posts for e in p.entities if e.type == "mention"]
    assert any(text[1:2].isdigit() for text in prices)
    hrefs = [e.href for p in read.posts for e in p.entities if e.type == "text_link"]
    written = [
        e["href"] for m in load(fragment) for e in m["text_entities"] if e["type"] == "text_link"
    ]
    assert hrefs == written
    digest = hashlib.sha256(fragment.read_bytes()).hexdigest()
    assert load(golden_path(fragment.name))["input_sha256"] == digest

"""End to end through the CLI and the pipeline: ingest, list, re-ingest, edits, bad inputs."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from recruitwatch.cli import main
from recruitwatch.settings import sqlite_url
from recruitwatch.store import open_store
from recruitwatch.store.queries import dump, revisions

from .telegram_json_support import FIXTURES, fixture_messages, write_json

SINGLE = FIXTURES / "single_chat"


def cli(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args], catch_exceptions=False)


def posts(home: Path) -> list[dict[str, Any]]:
    result = cli(home, "posts", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def quarantine(home: Path) -> list[dict[str, Any]]:
    result = cli(home, "quarantine", "--format", "json")
    assert result.exit_code == 0
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def database(home: Path) -> list[dict[str, Any]]:
    store = open_store(sqlite_url(home / "recruitwatch.db"))
    with store.connect() as conn:
        rows = dump(conn)
    store.dispose()
    return rows


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """A writable copy of the single-chat fixture (edits change it)."""
    return Path(shutil.copytree(SINGLE, tmp_path / "export"))


def test_ingest_then_list_every_post(tmp_path: Path, export: Path) -> None:
    home = tmp_path / "home"
    result = cli(home, "ingest", str(export))
    assert result.exit_code == 0, result.output
    assert "18 records, 18 posts written, 0 quarantined (telegram-json)" in result.output
    listed = posts(home)
    messages = fixture_messages()
    assert sorted(p["message_id"] for p in listed) == sorted(str(m["id"]) for m in messages)
    by_id = {p["message_id"]: p for p in listed}
    assert by_id["2"]["text"] == messages[1]["text"]
    assert by_id["2"]["source"] == "telegram:channel1000000101"
    assert by_id["2"]["source_title"] == "[synthetic] outlet a"
    (photo,) = by_id["4"]["media"]
    digest = hashlib.sha256((export / photo["path"]).read_bytes()).hexdigest()
    assert (photo["kind"], photo["present"], photo["sha256"]) == ("photo", True, digest)
    assert by_id["5"]["media"][0]["absent_reason"].startswith("(File not included")
    assert {e["type"] for e in by_id["3"]["entities"]} >= {"link", "text_link", "hashtag"}
    assert by_id["16"]["action"] == {"action": "pin_message", "message_id": 3}


def test_ingest_twice_changes_nothing(tmp_path: Path, export: Path) -> None:
    home = tmp_path / "home"
    assert cli(home, "ingest", str(export)).exit_code == 0
    first = database(home)
    again = cli(home, "ingest", str(export / "result.json"))
    assert again.exit_code == 0
    assert "18 records, 0 posts written" in again.output
    assert database(home) == first
    stats = json.loads(cli(home, "stats", "--format", "json").stdout)
    assert (stats["posts"], stats["revisions"], stats["sources"]) == (18, 0, 1)


def test_edited_message_keeps_its_old_text_as_a_revision(tmp_path: Path, export: Path) -> None:
    home = tmp_path / "home"
    assert cli(home, "ingest", str(export)).exit_code == 0
    data = json.loads((export / "result.json").read_text(encoding="utf-8"))
    old = data["messages"][1]["text"]
    new = "[synthetic] plain notice, corrected"
    data["messages"][1].update(
        text=new,
        text_entities=[{"type": "plain", "text": new}],
        edited="2023-06-08T06:00:00",
        edited_unixtime="1686204000",
    )
    write_json(export / "result.json", data)
    assert cli(home, "ingest", str(export)).exit_code == 0
    post = next(p for p in posts(home) if p["message_id"] == "2")
    assert post["text"] == new and post["edited"] == "2023-06-08T06:00:00Z"
    store = open_store(sqlite_url(home / "recruitwatch.db"))
    with store.connect() as conn:
        assert [r["text"] for r in revisions(conn, post["id"])] == [old]
    store.dispose()
    assert len(posts(home)) == 18


def test_full_account_and_fragment_in_one_run(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = cli(home, "ingest", str(FIXTURES / "account"), str(FIXTURES / "fragment.json"))
    assert result.exit_code == 0, result.output
    ids = {p["id"] for p in posts(home)}
    assert "telegram:channel1000000103/1" in ids  # the spooled chat
    assert "telegram:channel1000000102/103" in ids  # the fragment's second channel
    assert len(ids) == 9


def test_an_unreadable_input_is_quarantined_and_the_others_go_on(tmp_path: Path) -> None:
    home = tmp_path / "home"
    truncated, fragment = FIXTURES / "bad" / "truncated.json", FIXTURES / "fragment.json"
    result = cli(home, "ingest", str(truncated), str(fragment))
    assert result.exit_code == 3
    assert "truncated JSON" in result.output
    assert len(posts(home)) == 3 + 3  # the records before the cut, and the other file
    (entry,) = quarantine(home)
    assert entry["location"] == str(truncated)
    assert entry["locator"] == "after record 3"
    assert entry["reason"].startswith("truncated JSON (ends mid-value) near byte")


def test_bad_records_are_quarantined_with_their_reason(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = cli(home, "ingest", str(FIXTURES / "bad" / "escaping_path.json"))
    assert result.exit_code == 4
    assert [p["message_id"] for p in posts(home)] == ["301", "303"]
    (entry,) = quarantine(home)
    assert entry["locator"] == "messages[1] (id 302)"
    assert entry["reason"] == "media path '../../outside/photo.jpg' escapes the export folder"
    assert json.loads(entry["raw"])["photo"] == "../../outside/photo.jpg"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("not_json.json", "not JSON"),
        ("other_shape.json", "not a Telegram export"),
        ("numbers.json", "not a Telegram export"),
    ],
)
def test_inputs_that_are_not_exports_fail_clearly(tmp_path: Path, name: str, reason: str) -> None:
    home = tmp_path / "home"
    result = cli(home, "ingest", str(FIXTURES / "bad" / name))
    assert result.exit_code == 3
    assert reason in result.output and "Traceback" not in result.output
    (entry,) = quarantine(home)
    assert entry["reason"].startswith(reason)


def test_broken_utf8_quarantines_one_record(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = cli(home, "ingest", str(FIXTURES / "bad" / "broken_utf8.json"))
    assert result.exit_code == 4
    assert [p["message_id"] for p in posts(home)] == ["201", "203"]
    (entry,) = quarantine(home)
    assert entry["locator"] == "messages[1] (id 202)"
    assert "invalid UTF-8" in entry["reason"] and "\ufffd" in entry["raw"]


def test_formats_lists_the_reader(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["formats"])
    assert result.exit_code == 0 and "telegram-json" in result.stdout

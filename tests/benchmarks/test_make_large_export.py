"""The synthetic large-export generator: deterministic, valid, export-shaped, realistic mix."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import make_large_export as gen
import pytest

from recruitwatch.ingest.telegram_common import (
    FileHasher,
    chat_source,
    flatten_text,
    message_to_post,
)

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
REAL_FRAGMENT = SHARED_DATA / "telegram" / "messages_fragment.json"


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sample() -> list[dict[str, Any]]:
    return list(gen.iter_messages(3000))


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    gen.write_export(a, 500)
    gen.write_export(b, 500)
    gen.write_export(c, 500, seed=7)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_chat_export_shape_and_layout(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    assert gen.write_export(path, 200) == 200
    data = _load(path)
    assert list(data) == ["name", "type", "id", "messages"]
    assert data["type"] == "public_channel" and "[synthetic]" in data["name"]
    assert [m["id"] for m in data["messages"]] == list(range(1, 201))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[:2] == ["{", ' "name": "[synthetic] channel b",']
    assert lines[5:7] == ["  {", '   "id": 1,']  # Telegram Desktop's one-space indentation


def test_messages_last_and_bare_carry_the_same_messages(tmp_path: Path) -> None:
    first, last, bare = tmp_path / "f.json", tmp_path / "l.json", tmp_path / "b.json"
    gen.write_export(first, 150)
    gen.write_export(last, 150, messages_last=True)
    gen.write_export(bare, 150, bare=True)
    wrapped, trailing = _load(first), _load(last)
    assert list(trailing) == ["messages", "name", "type", "id"]
    assert trailing == wrapped
    assert _load(bare) == wrapped["messages"]


@pytest.mark.parametrize("bare", [False, True])
def test_empty_export_is_valid_json(tmp_path: Path, bare: bool) -> None:
    path = tmp_path / "empty.json"
    assert gen.write_export(path, 0, bare=bare) == 0
    data = _load(path)
    assert (data if bare else data["messages"]) == []


def test_mix_covers_what_real_exports_carry(sample: list[dict[str, Any]]) -> None:
    kinds: Counter[str] = Counter()
    for msg in sample:
        kinds["list_text" if isinstance(msg["text"], list) else "str_text"] += 1
        kinds.update(k for k in ("edited", "reply_to_message_id", "forwarded_from", "photo",
                                 "file", "reactions", "author") if k in msg)  # fmt: skip
        kinds[msg["type"]] += 1
    for kind in ("list_text", "str_text", "edited", "reply_to_message_id", "forwarded_from",
                 "photo", "file", "reactions", "author", "service"):  # fmt: skip
        assert kinds[kind] > 0, kind
    assert kinds["message"] > 0.9 * len(sample)


def test_every_text_is_marked_synthetic_and_entities_match_text(
    sample: list[dict[str, Any]],
) -> None:
    for msg in sample:
        if msg["type"] == "service":
            assert msg["text"] == "" and msg["text_entities"] == []
            continue
        text, _ = flatten_text(msg)
        assert text.startswith(f"[synthetic] benchmark message {msg['id']}")
        parts = msg["text"] if isinstance(msg["text"], list) else [msg["text"]]
        flat = "".join(p if isinstance(p, str) else p["text"] for p in parts)
        assert flat == text


def test_links_and_handles_are_invented(sample: list[dict[str, Any]]) -> None:
    blob = json.dumps(sample, ensure_ascii=False)
    for url in {u for u in blob.split('"') if u.startswith("http")}:
        assert url.startswith(("https://t.me/synthetic_", "https://example.invalid/")), url


def test_average_size_is_about_450_bytes(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    gen.write_export(path, 5000)
    assert 400 <= path.stat().st_size / 5000 <= 520


def test_fields_and_value_types_follow_the_real_fragment(sample: list[dict[str, Any]]) -> None:
    real = _load(REAL_FRAGMENT)
    generated: dict[str, set[str]] = {}
    for msg in sample:
        for key, value in msg.items():
            generated.setdefault(key, set()).add(type(value).__name__)
    for msg in real:
        for key, value in msg.items():
            assert type(value).__name__ in generated.get(key, set()), key
    real_photos = {m["photo"] for m in real if "photo" in m}
    assert gen.NOT_INCLUDED in real_photos


def test_every_message_normalises_with_no_unknown_field(sample: list[dict[str, Any]]) -> None:
    source, unknown = chat_source(gen.CHAT), Counter[str]()
    posts = [message_to_post(m, source, None, FileHasher(), unknown) for m in sample]
    assert not unknown
    assert {p.source.handle for p in posts} == {f"channel{gen.CHAT_ID}"}
    assert sum(1 for p in posts if p.kind == "service") == sum(
        1 for m in sample if m["type"] == "service"
    )
    media = [m for p in posts for m in p.media]
    assert media and all(not m.present and m.absent_reason == gen.NOT_INCLUDED for m in media)


def test_cli_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "deep" / "result.json"
    assert gen.main([str(out), "--messages", "40", "--messages-last"]) == 0
    assert len(_load(out)["messages"]) == 40
    assert "40 messages" in capsys.readouterr().err

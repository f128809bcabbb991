"""Helpers for the Telegram JSON export reader tests: paths, reading, export writers."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recruitwatch.errors import InputError, RecordError
from recruitwatch.ingest.base import RawRecord
from recruitwatch.ingest.telegram_export import TelegramJsonReader
from recruitwatch.model import Post

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "telegram"
SHARED_TELEGRAM = ROOT / ".." / "shared" / "data" / "telegram"
REAL_FRAGMENTS = (
    SHARED_TELEGRAM / "messages_fragment.json",
    SHARED_TELEGRAM / "messages_fragment_2_with_replies.json",
)
CHAT = {"name": "[synthetic] outlet a", "type": "public_channel", "id": 1000000101}


@dataclass
class Read:
    """Everything one reader run gave: posts, quarantined (locator, reason), the input error."""

    reader: TelegramJsonReader
    raws: list[RawRecord] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    quarantined: list[tuple[str, str]] = field(default_factory=list)
    error: InputError | None = None

    def by_id(self) -> dict[str, Post]:
        return {p.message_id: p for p in self.posts}


def read_all(location: Path | str) -> Read:
    """Stream and normalise like the pipeline does, keeping what each step gave."""
    result = Read(TelegramJsonReader())
    reader = result.reader
    try:
        for raw in reader.records(str(location)):
            result.raws.append(raw)
            try:
                result.posts.append(reader.normalise(raw))
            except RecordError as exc:
                result.quarantined.append((raw.locator, exc.reason))
    except InputError as exc:
        result.error = exc
    return result


def chat_json(
    messages: Iterable[Any], chat: Mapping[str, Any] = CHAT, messages_last: bool = False
) -> dict[str, Any]:
    """A single-chat export object, with ``messages`` first or last."""
    listed = list(messages)
    if messages_last:
        return {"messages": listed, **chat}
    return {**chat, "messages": listed}


def write_json(path: Path, value: Any, indent: int | None = 1, bom: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(value, ensure_ascii=False, indent=indent).encode("utf-8")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def fixture_messages(name: str = "single_chat/result.json") -> list[dict[str, Any]]:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    messages: list[dict[str, Any]] = data["messages"] if isinstance(data, dict) else data
    return messages

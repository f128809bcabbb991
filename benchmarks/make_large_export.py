"""Write a large, deterministic, synthetic Telegram Desktop export for ingest benchmarks.

The output is a single-chat ``result.json`` (``{"name", "type", "id", "messages": [...]}``)
laid out like Telegram Desktop writes it (one-space indentation, UTF-8), or, with
``--bare``, the bare ``messages`` array (the shape ``sqlite-utils insert`` loads).
The same ``--seed`` and ``--messages`` always give the same messages, byte for byte.

Messages average about 450 bytes, like real exports: plain-string and entity-list
texts (with ``text_entities``), some edited, some replies, some forwarded, photo
and video placeholders "(File not included ...)", occasional reactions and a few
service messages. Every text is synthetic ("[synthetic] benchmark message N" plus
neutral words from a fixed vocabulary); handles and links are invented.

The file is written as a stream: memory stays flat whatever ``--messages`` is.

    python benchmarks/make_large_export.py benchmarks/out/telegram_1000000.json
    python benchmarks/make_large_export.py OUT --messages 100000 --messages-last
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

DEFAULT_MESSAGES = 1_000_000
DEFAULT_SEED = 20240601
CHUNK = 1000

CHAT_ID = 1_000_000_001
CHAT: dict[str, Any] = {
    "name": "[synthetic] channel b",
    "type": "public_channel",
    "id": CHAT_ID,
}
CHANNEL_FROM = (CHAT["name"], f"channel{CHAT_ID}")
FORWARD_SOURCES = (
    ("synthetic_outlet_a", "channel1000000002"),
    ("synthetic_channel_b", "channel1000000003"),
    ("synthetic_outlet_c", "channel1000000004"),
)
NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"
START_UNIX = 1_672_531_200  # 2023-01-01T00:00:00Z

WORDS = """weather market schedule bulletin library audio series lecture archive river bridge
    harvest school transport museum concert festival railway report season valley province
    district update notice timetable translation edition volume chapter episode interview
    хабар китоб дарс мактаб бозор об ҳаво тарих шаҳр йўл янгилик маълумот жадвал мусиқа
    kitob dars maktab bozor yangilik maʼlumot jadval musiqa tarix shahar"""
VOCABULARY = tuple(WORDS.split())
ENTITY_KINDS = ("link", "hashtag", "mention", "bold", "text_link", "italic")
REACTIONS = ("👍", "🔥", "❤", "👏", "🤔")


class MessageFactory:
    """Builds message ``n`` (1-based) from one seeded random stream, in order."""

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self.rng = random.Random(seed)
        self.unix = START_UNIX

    def message(self, n: int) -> dict[str, Any]:
        self.unix += self.rng.randint(20, 400)
        if self.rng.random() < 0.005:
            return self._service(n)
        msg = self._header(n)
        self._add_context(msg, n)
        self._add_media(msg)
        self._add_text(msg, n)
        if self.rng.random() < 0.04:
            msg["reactions"] = self._reactions()
        return msg

    def _stamp(self, msg: dict[str, Any], key: str, unix: int) -> None:
        msg[key] = datetime.fromtimestamp(unix, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        msg[f"{key}_unixtime"] = str(unix)

    def _header(self, n: int) -> dict[str, Any]:
        msg: dict[str, Any] = {"id": n, "type": "message"}
        self._stamp(msg, "date", self.unix)
        if self.rng.random() < 0.08:
            self._stamp(msg, "edited", self.unix + self.rng.randint(60, 7200))
        msg["from"], msg["from_id"] = CHANNEL_FROM
        if self.rng.random() < 0.1:
            msg["author"] = "synthetic_editor"
        return msg

    def _add_context(self, msg: dict[str, Any], n: int) -> None:
        draw = self.rng.random()
        if draw < 0.06:
            msg["forwarded_from"] = self.rng.choice(FORWARD_SOURCES)[0]
        elif draw < 0.14 and n > 1:
            msg["reply_to_message_id"] = self.rng.randint(max(1, n - 500), n - 1)

    def _add_media(self, msg: dict[str, Any]) -> None:
        draw = self.rng.random()
        if draw < 0.2:
            msg["photo"] = NOT_INCLUDED
            msg["width"], msg["height"] = self.rng.choice(((1280, 720), (800, 800), (960, 1280)))
        elif draw < 0.23:
            msg["file"] = NOT_INCLUDED
            msg["media_type"] = "video_file"
            msg["mime_type"] = "video/mp4"
            msg["duration_seconds"] = self.rng.randint(5, 900)

    def _words(self, low: int, high: int) -> str:
        return " ".join(self.rng.choices(VOCABULARY, k=self.rng.randint(low, high)))

    def _add_text(self, msg: dict[str, Any], n: int) -> None:
        words = self._words(0, 3)
        lead = f"[synthetic] benchmark message {n}" + (f": {words}" if words else "")
        if self.rng.random() < 0.1:
            parts = self._entity_parts(lead)
            msg["text"] = parts
            msg["text_entities"] = [
                {"type": "plain", "text": p} if isinstance(p, str) else p for p in parts
            ]
        else:
            if self.rng.random() < 0.15:
                lead += "\n" + self._words(1, 4)
            msg["text"] = lead
            msg["text_entities"] = [{"type": "plain", "text": lead}]

    def _entity_parts(self, lead: str) -> list[Any]:
        parts: list[Any] = [lead + " "]
        for _ in range(1 if self.rng.random() < 0.8 else 2):
            parts.append(self._entity(self.rng.choice(ENTITY_KINDS)))
            parts.append(" " + self._words(1, 3))
        return parts

    def _entity(self, kind: str) -> dict[str, Any]:
        n = self.rng.randint(1, 9999)
        if kind == "link":
            return {"type": kind, "text": f"https://t.me/synthetic_channel_b/{n}"}
        if kind == "hashtag":
            return {"type": kind, "text": f"#synthetic_release_{n % 50}"}
        if kind == "mention":
            return {"type": kind, "text": "@synthetic_outlet_a"}
        if kind == "text_link":
            href = f"https://example.invalid/synthetic/{n}"
            return {"type": kind, "text": self._words(1, 2), "href": href}
        return {"type": kind, "text": self._words(1, 3)}

    def _reactions(self) -> list[dict[str, Any]]:
        chosen = self.rng.sample(REACTIONS, self.rng.randint(1, 2))
        return [{"type": "emoji", "count": self.rng.randint(1, 40), "emoji": e} for e in chosen]

    def _service(self, n: int) -> dict[str, Any]:
        msg: dict[str, Any] = {"id": n, "type": "service"}
        self._stamp(msg, "date", self.unix)
        msg["actor"], msg["actor_id"] = CHANNEL_FROM
        if n > 1 and self.rng.random() < 0.8:
            msg["action"] = "pin_message"
            msg["message_id"] = n - 1
        else:
            msg["action"] = "edit_group_title"
            msg["title"] = CHAT["name"]
        msg["text"] = ""
        msg["text_entities"] = []
        return msg


def iter_messages(count: int, seed: int = DEFAULT_SEED) -> Iterator[dict[str, Any]]:
    """The ``count`` messages of the export, in order; ids run 1..count."""
    factory = MessageFactory(seed)
    for n in range(1, count + 1):
        yield factory.message(n)


def _indented(value: Any, prefix: str) -> str:
    """``value`` as one-space-indented JSON, every line shifted by ``prefix``."""
    text = json.dumps(value, ensure_ascii=False, indent=1)
    return prefix + text.replace("\n", "\n" + prefix)


def _chat_fields() -> str:
    return ",\n".join(
        f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in CHAT.items()
    )


def _write_array(fh: TextIO, messages: Iterator[dict[str, Any]], prefix: str) -> int:
    """Write ``[ ... ]`` of messages (each shifted by ``prefix``); return the count."""
    count, chunk = 0, []
    fh.write("[")
    for msg in messages:
        chunk.append(_indented(msg, prefix))
        count += 1
        if len(chunk) == CHUNK:
            fh.write(("," if count > CHUNK else "") + "\n" + ",\n".join(chunk))
            chunk = []
    if chunk:
        fh.write(("," if count > len(chunk) else "") + "\n" + ",\n".join(chunk))
    fh.write("\n" + prefix[:-1] + "]" if count else "]")
    return count


def write_export(
    path: Path,
    count: int = DEFAULT_MESSAGES,
    seed: int = DEFAULT_SEED,
    messages_last: bool = False,
    bare: bool = False,
) -> int:
    """Write the export to ``path`` as a stream; return the number of messages."""
    path.parent.mkdir(parents=True, exist_ok=True)
    messages = iter_messages(count, seed)
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        if bare:
            written = _write_array(fh, messages, " ")
            fh.write("\n")
            return written
        fh.write("{\n" + ("" if messages_last else _chat_fields() + ",\n") + ' "messages": ')
        written = _write_array(fh, messages, "  ")
        fh.write((",\n" + _chat_fields() if messages_last else "") + "\n}\n")
    return written


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="file to write (parent folders are created)")
    parser.add_argument("--messages", type=int, default=DEFAULT_MESSAGES, help="message count")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument(
        "--messages-last", action="store_true", help="write name/type/id after the messages"
    )
    parser.add_argument("--bare", action="store_true", help="write only the messages array")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    count = write_export(args.out, args.messages, args.seed, args.messages_last, args.bare)
    size = args.out.stat().st_size
    print(
        f"wrote {args.out}: {count:,} messages, {size / 1e6:,.1f} MB "
        f"({size / max(count, 1):,.0f} bytes/message) in {time.perf_counter() - started:,.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

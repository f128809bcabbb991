"""The Telegram Desktop JSON export reader, streaming.

Three shapes: a single-chat ``result.json`` (``{name, type, id, messages}``), a
full-account export (``chats.list`` / ``left_chats.list``) and a bare
``messages`` array (shared fragments; the source is then each message's
``from_id``). Memory stays bounded whatever the file size: one message (or one
ijson buffer) at a time.

How each shape is read. Rates: raw records per CPU second, ``records()`` only,
100k benchmark messages (~460 bytes each, benchmarks/make_large_export.py), on
this 2-core machine; ``normalise`` adds ~17 us a message:

- single chat, metadata first (what Telegram Desktop writes): the head is read
  with ``ijson.parse`` up to ``messages``, then ``ijson.items`` streams
  ``messages.item`` in C (~135k/s; ijson alone ~200k/s);
- bare messages array: the same C stream of ``item`` (~140k/s);
- single chat, messages first: one extra pass, filtered in C (``tee`` +
  ``compress``), picks the top-level ``name``/``type``/``id`` events, then the
  same C stream (~55k/s);
- full account: one Python loop over ``ijson.parse`` events; each chat's
  messages are built by ijson's C items coroutine fed through
  ``itertools.takewhile`` (~57k/s). Measured options on one 156 MB file: this
  ~38k/s, the Python loop feeding ``ijson.ObjectBuilder`` ~27k/s, C
  ``ijson.items`` alone ~69k/s (it cannot see chat boundaries). A chat whose
  ``id`` follows its messages is spooled to a temporary JSON-lines file and
  replayed once the chat is known.

Broken JSON raises ``InputError`` naming the byte position and the last record
read; the records before it are kept. Invalid UTF-8 makes yajl reject the whole
file, so the file is re-read with the bad bytes marked, and only the records
holding them are quarantined.
"""

from __future__ import annotations

import codecs
import itertools
import json
import operator
import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any, ClassVar

import ijson
import orjson

from ..errors import InputError, RecordError
from ..model import Post, Source
from .base import HEAD_BYTES, RawRecord, Reader
from .telegram_common import FileHasher, chat_source, message_to_post, sender_source
from .telegram_split import Layout, Unsplittable, find_layout

CONTAINERS = ("messages", "chats", "left_chats")
CHAT_KEYS = frozenset({"name", "type", "id"})
CHAT_LISTS = ("chats.list.item", "left_chats.list.item")
SCALARS = frozenset({"string", "number", "boolean", "null"})
BOM = codecs.BOM_UTF8
MARK = "\U0010fffe"  # a noncharacter standing in for each invalid UTF-8 byte
BROKEN_UTF8 = "invalid bytes in UTF8"
JSONL_SUFFIXES = (".jsonl", ".ndjson")
MESSAGE_KEYS = frozenset({"id", "type", "date", "date_unixtime", "from_id", "text"})
DEFECT = "invalid UTF-8 bytes in this record (shown as U+FFFD in the raw payload)"


def _mark_bad_bytes(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return MARK * (exc.end - exc.start), exc.end


codecs.register_error("recruitwatch.utf8mark", _mark_bad_bytes)


class _BrokenUtf8(InputError):
    """Internal: yajl met invalid UTF-8; the file is re-read in repair mode."""


class _Bytes:
    """The file as ijson reads it: counts bytes, skips a BOM, marks invalid UTF-8."""

    def __init__(self, fh: IO[bytes], repair: bool) -> None:
        self.fh, self.repair = fh, repair
        self.offset = 0
        self.restart()

    def restart(self) -> None:
        self.fh.seek(0)
        self.offset = 3 if self.fh.read(3) == BOM else 0
        self.fh.seek(self.offset)
        self._decoder = codecs.getincrementaldecoder("utf-8")("recruitwatch.utf8mark")

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.offset += len(data)
        if not self.repair or size == 0:
            return data
        return self._decoder.decode(data, final=not data).encode("utf-8")


def locate(location: str) -> Path:
    """The result.json a location names (the file itself or a folder holding it)."""
    path = Path(location)
    if path.is_dir():
        path = path / "result.json"
        if not path.is_file():
            raise InputError(location, "folder has no result.json (not a Telegram JSON export)")
    elif not path.is_file():
        raise InputError(location, "no such file")
    return path


def _yajl_reason(exc: Exception) -> str:
    text = str(exc)
    if text.startswith(("b'", 'b"')):
        text = text[2:].replace("\\n", "\n")
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return first.strip().rstrip(".")


def _marked(value: Any) -> bool:
    if isinstance(value, str):
        return MARK in value
    if isinstance(value, Mapping):
        return any(_marked(k) or _marked(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_marked(v) for v in value)
    return False


def _unmark(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(MARK, "\ufffd")
    if isinstance(value, Mapping):
        return {_unmark(k): _unmark(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unmark(v) for v in value]
    return value


def _looks_like_message(item: Any) -> bool:
    """An object with at least two of a message's usual keys (one may be missing or bad)."""
    return isinstance(item, Mapping) and len(MESSAGE_KEYS & item.keys()) >= 2


def _kind(item: Any) -> str:
    if isinstance(item, Mapping):
        return "an object"
    if isinstance(item, list | str):
        return "an array" if isinstance(item, list) else "a string"
    return "a number or literal"


class _Walk:
    """One pass over one file: yields raw records, turns parse errors into InputError."""

    def __init__(self, reader: TelegramJsonReader, location: str, path: Path, repair: bool) -> None:
        self.reader, self.location, self.path, self.repair = reader, location, path, repair
        self.base = path.parent
        self.count = 0
        self.last = ""
        self.started = False

    def run(self) -> Iterator[RawRecord]:
        try:
            with self.path.open("rb") as fh:
                self.src = _Bytes(fh, self.repair)
                try:
                    yield from self._dispatch()
                except ijson.JSONError as exc:
                    raise self._json_error(exc) from None
        except OSError as exc:
            raise InputError(str(self.path), f"cannot read: {exc.strerror or exc}") from exc

    def _dispatch(self) -> Iterator[RawRecord]:
        events = ijson.parse(self.src, use_float=True)
        _, event, _ = next(events)
        self.started = True
        if event == "start_array":
            yield from self._bare()
        elif event == "start_map":
            yield from self._object(events)
        else:
            raise self._not_export(f"the file holds a single JSON {event}")

    # -- shapes ------------------------------------------------------------------------
    def _bare(self) -> Iterator[RawRecord]:
        self.src.restart()
        context = {"source": None, "base": self.base}
        for index, item in enumerate(ijson.items(self.src, "item", use_float=True)):
            if index == 0 and not _looks_like_message(item):
                raise self._not_export(
                    f"a JSON array whose first item is {_kind(item)}, "
                    "expected message objects with id, type and date"
                )
            yield self._record("messages", index, item, context)

    def _object(self, events: Iterator[tuple[str, str, Any]]) -> Iterator[RawRecord]:
        container, meta, keys = self._head(events)
        if container is None:
            raise self._not_export(
                "the JSON object has no 'messages', 'chats' or 'left_chats' "
                f"(top-level keys: {', '.join(keys[:8]) or 'none'})"
            )
        if container != "messages":
            yield from self._account(events)
            return
        if not {"id", "type"} <= meta.keys():
            meta = self._tail_meta() | meta
        context = {"source": self._chat(meta), "base": self.base}
        self.src.restart()
        for index, item in enumerate(ijson.items(self.src, "messages.item", use_float=True)):
            yield self._record("messages", index, item, context)

    def _head(
        self, events: Iterator[tuple[str, str, Any]]
    ) -> tuple[str | None, dict[str, Any], list[str]]:
        """Top-level scalars up to the first container key; checks the container's type."""
        meta: dict[str, Any] = {}
        keys: list[str] = []
        for prefix, event, value in events:
            if prefix == "" and event == "map_key":
                if value in CONTAINERS:
                    self._check_container(value, next(events)[1])
                    return value, meta, keys
                keys.append(value)
            elif prefix in CHAT_KEYS and event in SCALARS:
                meta[prefix] = value
        return None, meta, keys

    def _check_container(self, key: str, event: str) -> None:
        expected = "start_array" if key == "messages" else "start_map"
        if event != expected:
            found = event.removeprefix("start_").replace("map", "object")
            want = "an array" if key == "messages" else "an object"
            raise self._not_export(f"{key!r} is not {want} (found: {found})")

    def _tail_meta(self) -> dict[str, Any]:
        """Chat metadata written after ``messages``, from one pass filtered in C."""
        self.src.restart()
        events, prefixes = itertools.tee(ijson.parse(self.src, use_float=True))
        wanted = map(CHAT_KEYS.__contains__, map(operator.itemgetter(0), prefixes))
        try:
            found = list(itertools.compress(events, wanted))
        except ijson.JSONError:
            return {}  # broken file: attribute messages by from_id; the stream reports it
        return {p: v for p, e, v in found if e in SCALARS}

    def _account(self, events: Iterator[tuple[str, str, Any]]) -> Iterator[RawRecord]:
        """Full-account export, chat by chat in file order (chats.list, left_chats.list)."""
        index = dict.fromkeys(CHAT_LISTS, -1)
        meta: dict[str, Any] = {}
        spool: list[tuple[str, IO[bytes]]] = []
        try:
            for prefix, event, value in events:
                parent, _, key = prefix.rpartition(".")
                if event == "start_map" and prefix in CHAT_LISTS:
                    index[prefix] += 1
                    meta = {}
                elif event in SCALARS and parent in CHAT_LISTS and key in CHAT_KEYS:
                    meta[key] = value
                elif event == "start_array" and key == "messages" and parent in CHAT_LISTS:
                    where = f"{parent.removesuffix('.item')}[{index[parent]}].messages"
                    yield from self._chat_messages(events, parent, where, meta, spool)
                elif event == "end_map" and prefix in CHAT_LISTS and spool:
                    yield from self._replay(spool.pop(), meta)
        finally:
            for _, fh in spool:  # a chat cut short (broken file, or the caller stopped)
                fh.close()

    def _chat_messages(
        self,
        events: Iterator[tuple[str, str, Any]],
        parent: str,
        where: str,
        meta: dict[str, Any],
        spool: list[tuple[str, IO[bytes]]],
    ) -> Iterator[RawRecord]:
        end = (f"{parent}.messages", "end_array", None)
        items = ijson.items(itertools.takewhile(end.__ne__, events), f"{parent}.messages.item")
        if "id" not in meta:
            spool.append((where, self._spool(items)))
            return
        context = {"source": self._chat(meta), "base": self.base}
        for index, item in enumerate(items):
            yield self._record(where, index, item, context)

    @staticmethod
    def _spool(items: Iterator[Any]) -> IO[bytes]:
        """Messages whose chat is not known yet, to a temporary JSON-lines file."""
        fh = tempfile.TemporaryFile()  # noqa: SIM115 (closed by _replay or _account)
        try:
            for item in items:
                fh.write(json.dumps(item).encode("ascii") + b"\n")
        except BaseException:
            fh.close()
            raise
        fh.seek(0)
        return fh

    def _replay(self, spooled: tuple[str, IO[bytes]], meta: dict[str, Any]) -> Iterator[RawRecord]:
        where, fh = spooled
        context = {"source": self._chat(meta), "base": self.base}
        with fh:
            for index, line in enumerate(fh):
                yield self._record(where, index, json.loads(line), context)

    # -- records and errors ---------------------------------------------------------------
    def _chat(self, meta: Mapping[str, Any]) -> Source | None:
        """The chat's Source; None (messages name their own by from_id) without an id."""
        if meta.get("id") is None:
            return None
        return self.reader.chat_source(meta)

    def _record(self, where: str, index: int, item: Any, context: Mapping[str, Any]) -> RawRecord:
        mid = item.get("id") if isinstance(item, dict) else None
        locator = f"{where}[{index}]" if mid is None else f"{where}[{index}] (id {mid})"
        if self.repair and _marked(item):
            item, context = _unmark(item), {**context, "defect": DEFECT}
        self.count += 1
        self.last = locator
        return RawRecord(self.location, locator, item, context)

    def _position(self) -> str:
        after = f"after record {self.count}: {self.last}" if self.count else "before any record"
        return f"near byte {self.src.offset:,}, {after}"

    def _not_export(self, what: str) -> InputError:
        return InputError(str(self.path), f"not a Telegram export: {what}")

    def _json_error(self, exc: ijson.JSONError) -> InputError:
        reason = _yajl_reason(exc)
        if BROKEN_UTF8 in reason and not self.repair:
            return _BrokenUtf8(str(self.path), reason)
        if not self.started and self.src.offset <= len(BOM):
            return InputError(str(self.path), "empty file (not JSON)")
        if not self.started:
            return InputError(str(self.path), f"not JSON ({reason}) {self._position()}")
        if "premature EOF" in reason:
            return InputError(str(self.path), f"truncated JSON (ends mid-value) {self._position()}")
        return InputError(str(self.path), f"invalid JSON ({reason}) {self._position()}")


class TelegramJsonReader(Reader):
    """Telegram Desktop JSON exports: single chat, full account, or a bare messages array."""

    NAME: ClassVar[str] = "telegram-json"
    DESCRIPTION: ClassVar[str] = (
        "Telegram Desktop JSON export: result.json (single chat or whole account) or its "
        "folder, or a bare messages array; streamed, media hashed (SHA-256)"
    )
    EXAMPLE: ClassVar[str] = "telegram_json/result.json"
    PARALLEL: ClassVar[bool] = True
    PARSE_UNKNOWN: ClassVar[tuple[str, ...]] = ("chat_type:",)

    def __init__(self) -> None:
        self.hasher = FileHasher()
        self.unknown: Counter[str] = Counter()
        self._sources: dict[tuple[Any, ...], Source] = {}

    @classmethod
    def sniff(cls, location: str, head: bytes) -> bool:
        if location.startswith(("http://", "https://")):
            return False
        path = Path(location)
        if path.is_dir():
            return (path / "result.json").is_file()
        suffix = path.suffix.lower()
        if suffix in JSONL_SUFFIXES:
            return False
        return suffix == ".json" or looks_like_export(head)

    def records(self, location: str) -> Iterator[RawRecord]:
        path = locate(location)
        done = 0
        try:
            for raw in _Walk(self, location, path, repair=False).run():
                done += 1
                yield raw
        except _BrokenUtf8:
            repaired = _Walk(self, location, path, repair=True).run()
            yield from itertools.islice(repaired, done, None)

    def normalise(self, raw: RawRecord) -> Post:
        context = raw.context
        defect = context.get("defect")
        if defect:
            raise RecordError(defect, raw.locator)
        source = context.get("source")
        if source is None:
            if not isinstance(raw.payload, Mapping):
                raise RecordError(f"message is {_kind(raw.payload)}, expected an object")
            source = sender_source(raw.payload)
        return message_to_post(raw.payload, source, context.get("base"), self.hasher, self.unknown)

    def split_plan(self, location: str) -> tuple[Path, Layout, dict[str, Any]] | None:
        """The file, its layout and the records' context when ``telegram_split`` can cut it.

        None when it cannot (then ``records()`` streams it): not Telegram's layout,
        or a chat whose ``id``/``type`` come after its messages.
        """
        path = locate(location)
        with path.open("rb") as fh:
            head = fh.read(HEAD_BYTES)
        layout = find_layout(head)
        if layout is None:
            return None
        if layout.bare:
            return path, layout, {"source": None, "base": path.parent}
        meta: dict[str, Any] = {}
        try:
            for prefix, event, value in ijson.parse(head[: layout.start], use_float=True):
                if prefix == "" and event == "map_key" and value == "messages":
                    break
                if prefix in CHAT_KEYS and event in SCALARS:
                    meta[prefix] = value
        except ijson.JSONError:
            return None
        if not {"id", "type"} <= meta.keys():
            return None
        return path, layout, {"source": self.chat_source(meta), "base": path.parent}

    @staticmethod
    def split_record(
        location: str, index: int, text: bytes, context: Mapping[str, Any]
    ) -> RawRecord:
        """The raw record of one message cut by ``telegram_split`` (as ``records()`` gives it).

        Raises Unsplittable when the text is not one message object as the layout promised.
        """
        try:
            item = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise Unsplittable(f"message {index} is not valid JSON: {exc}") from None
        if not isinstance(item, dict):
            raise Unsplittable(f"message {index} is not an object")
        if index == 0 and context["source"] is None and not _looks_like_message(item):
            raise Unsplittable("the first item is not a message")
        mid = item.get("id")
        locator = f"messages[{index}]" if mid is None else f"messages[{index}] (id {mid})"
        return RawRecord(location, locator, item, context)

    def chat_source(self, meta: Mapping[str, Any]) -> Source:
        """``chat_source`` of a chat's metadata, counting chat types not understood."""
        key = tuple(meta.get(k) for k in ("name", "type", "id"))
        found = self._sources.get(key)
        if found is None:
            found = self._sources[key] = chat_source(meta)
            if found.kind not in KNOWN_CHAT_TYPES:
                self.unknown[f"chat_type:{found.kind}"] += 1
        return found


KNOWN_CHAT_TYPES = frozenset(
    {
        *("personal_chat", "bot_chat", "saved_messages", "replies", "verification_codes"),
        *("private_group", "private_supergroup", "public_supergroup"),
        *("private_channel", "public_channel"),
    }
)


def looks_like_export(head: bytes) -> bool:
    """Whether the first bytes of a file look like a Telegram JSON export (any shape)."""
    events = ijson.parse(head.removeprefix(BOM), use_float=True)
    top: list[str] = []
    first: dict[str, Any] = {}
    try:
        for prefix, event, value in events:
            if prefix == "" and event == "map_key":
                top.append(value)
            elif prefix == "item" and event == "map_key":
                first[value] = True
            elif prefix == "item" and event == "end_map":
                break
    except ijson.JSONError as exc:
        if "trailing garbage" in str(exc):  # several documents: JSON lines
            return False
    return bool(set(top) & set(CONTAINERS)) or _looks_like_message(first)

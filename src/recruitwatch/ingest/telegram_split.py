"""Cut Telegram Desktop's own JSON layout into one text per message, without parsing it.

Telegram Desktop writes ``result.json`` indented, one key or bracket a line::

    {
     "name": "...",
     "messages": [
      {
       "id": 1,
       ...
      },
      {

JSON strings cannot hold a raw line break, so in that layout a line that is
exactly the items' indentation plus ``}`` closes a message, and the bytes
between it and the line ``{`` at the same indentation are one message's JSON.
Finding those lines is a byte search in C, far cheaper than tokenising every
value; each message is then parsed on its own (orjson, in the parallel ingest
workers). The layout is recognised from the file's head (a single-chat object
whose top-level ``messages`` array holds indented objects, or a bare array of
them); anything else (compact JSON, CRLF, another indentation, a file cut
short, bytes after the array that are not valid JSON) raises ``Unsplittable``
and the caller reads the file with the streaming parser instead, from the last
record committed, so both paths give the same records in the same order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import orjson

BOM = b"\xef\xbb\xbf"
BLOCK = 1 << 22  # bytes read at a time
TAIL_LIMIT = 1 << 20  # bytes after the messages array that are checked
# the top-level "messages" key line and the first item's opening line
_OBJECT = re.compile(rb'\n( +)"messages": \[\n( +)\{\n')


class Unsplittable(Exception):
    """The file is not (or no longer) in the layout the splitter understands."""


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the messages start and how they are indented."""

    start: int  # byte offset of the first message's "{"
    indent: bytes  # the messages' indentation
    outer: bytes  # the indentation of the array's closing "]"
    bare: bool  # a bare messages array (no chat object around it)


def find_layout(head: bytes) -> Layout | None:
    """The layout of a file from its first bytes, or None when it is not Telegram's."""
    data = head.removeprefix(BOM)
    skip = len(head) - len(data)
    if data.startswith(b"[\n "):
        indent = data[2:][: len(data[2:]) - len(data[2:].lstrip(b" "))]
        if data[2 + len(indent) : 3 + len(indent)] != b"{":
            return None
        return Layout(skip + 2 + len(indent), indent, b"", True)
    if not data.startswith(b"{\n "):
        return None
    first = data[2:]
    outer = first[: len(first) - len(first.lstrip(b" "))]
    found = _OBJECT.search(data)
    if found is None or found.group(1) != outer or len(found.group(2)) <= len(outer):
        return None
    return Layout(skip + found.end() - 2, found.group(2), outer, False)


def bodies(path: Path, layout: Layout, skip: int = 0) -> Iterator[list[bytes]]:
    """The messages after the first ``skip``, in file order, a list per block read.

    Each item is a message's JSON text without its outer braces (``b"{" + body +
    b"}"`` is the message): the file is split on the line pair that separates two
    messages (``}," + "{`` at the messages' indentation), in C, a block at a time.
    Raises Unsplittable where the file leaves the layout (checked up to its last byte).
    """
    close = b"\n" + layout.indent + b"}"
    separator = close + b",\n" + layout.indent + b"{"
    end_array = close + b"\n" + layout.outer + b"]"
    with path.open("rb") as fh:
        fh.seek(layout.start + 1)  # past the first message's "{"
        rest = b""
        while True:
            block = fh.read(BLOCK)
            parts = (rest + block).split(separator)
            rest = parts.pop()
            if block and not parts:
                continue
            if any(end_array in part for part in parts):
                raise Unsplittable("the messages array ends before the last message")
            if not block:  # end of file: the last message, the array's end, the tail
                last, found, tail = rest.partition(end_array)
                if not found:
                    raise Unsplittable("the file ends inside the messages array")
                _check_tail(tail + fh.read(TAIL_LIMIT), fh, layout)
                parts.append(last)
            if skip:
                dropped = min(skip, len(parts))
                parts, skip = parts[dropped:], skip - dropped
            if parts:
                yield parts
            if not block:
                return


def messages(path: Path, layout: Layout, skip: int = 0) -> Iterator[bytes]:
    """Each message's JSON text, in file order, after the first ``skip`` (see ``bodies``)."""
    for parts in bodies(path, layout, skip):
        for body in parts:
            yield b"{" + body + b"}"


def _check_tail(tail: bytes, fh: IO[bytes], layout: Layout) -> None:
    """What follows the array must complete valid JSON (the chat's other keys, "}")."""
    if fh.read(1):
        raise Unsplittable("more than the chat's keys after the messages")
    document = (b"[]" if layout.bare else b'{"messages": []') + tail
    try:
        orjson.loads(document)
    except orjson.JSONDecodeError as exc:
        raise Unsplittable(f"the end of the file is not valid JSON: {exc}") from None

"""Telegram Desktop HTML export reader (``messages.html``, ``messages2.html``, ...).

Structure taken from the exporter itself (tdesktop
Telegram/SourceFiles/export/output/export_output_html.cpp): one page per 1,000
messages; ``div.message.default`` blocks (class ``joined`` when the exporter
left out a repeated sender), ``div.message.service`` blocks (date separators
have negative ids, ``message-1``), ``div.pull_right.date.details`` whose title
is the local time "DD.MM.YYYY HH:MM:SS UTC+05:00", ``div.from_name``,
``div.forwarded.body``, ``div.reply_to.details`` with GoToMessage links,
``div.media_wrap`` and ``div.text``.

A location is one page, a chat folder (pages read in numeric order) or a
whole-account export folder (``chats/chat_NNN/messages*.html``). Pages are
parsed one at a time, so memory is bounded by the page size.

Every message block becomes the dict shape of result.json and goes through
``telegram_common.message_to_post``, so both formats agree on every field HTML
carries. What HTML does not carry (see tests/ingest/test_telegram_html.py):
chat id and type, sender/forward ids, edit dates (an "edited" mark becomes
``html_edited``), MIME types, ids of replies into other chats, and the time of
service messages (inferred from the neighbouring message, or the day
separator, and marked ``html_date_inferred``). Blocks this reader does not map
(reactions, bot buttons) are counted in ``unknown`` and kept as text in
``html_blocks``; HTML-only keys start with ``html_`` and stay in the raw payload.

Source handle: HTML names the chat but carries no id, so the source is
``telegram:html-<first 16 hex digits of SHA-256(chat name)>``, titled with the
name: stable across re-ingests, changed by a rename (a page without a name
hashes "folder:<chat folder name>" instead). When a single-chat export
also holds result.json (the "both formats" export), its chat id and type give
the same Source the JSON reader gives.

Time zone: titles carry the exporting machine's offset; older exports have
none and are read as UTC (marked ``html_date_zone``). tdesktop writes the
zone's standard-time offset (QTimeZone::StandardTime) next to local times, so
inside daylight-saving periods a time may read an hour off; the Central Asian
zones keep no daylight saving.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import ijson
import lxml.etree

from ..errors import InputError, RecordError
from ..model import Post, Source
from . import telegram_html_blocks as blocks
from .base import RawRecord, Reader
from .telegram_common import PLATFORM, FileHasher, chat_source, is_placeholder, message_to_post

Element = Any  # lxml elements are untyped

PAGE_RE = re.compile(r"^messages(\d*)\.html?$", re.IGNORECASE)
STYLE_HREF = "css/style.css"
CHAT_PREFIX = "../../"  # how a chats/chat_NNN/ page reaches the export root
PATH_KEYS = ("photo", "file", "thumbnail")
PARSER = lxml.etree.HTMLParser(encoding="utf-8")  # plain etree: no HtmlElement lookups
MESSAGE_XPATH = "//div[contains(concat(' ', normalize-space(@class), ' '), ' message ')]"
HEADER_XPATH = (  # the chat name: div.text (tdesktop) or div.name (a layout seen elsewhere)
    "//div[contains(@class, 'page_header')]//div[contains(concat(' ', @class, ' '), ' text ')"
    " or contains(concat(' ', @class, ' '), ' name ')]"
)


def page_number(path: Path) -> int:
    match = PAGE_RE.match(path.name)
    return int(match.group(1) or 1) if match else 0


def chat_pages(folder: Path) -> list[Path]:
    """messages.html, messages2.html, ... of one chat folder, in numeric order."""
    pages = [p for p in folder.iterdir() if PAGE_RE.match(p.name) and p.is_file()]
    return sorted(pages, key=page_number)


def _natural(path: Path) -> tuple[int, str]:
    digits = re.findall(r"\d+", path.name)
    return (int(digits[-1]) if digits else -1, path.name)


def locate_chats(location: str) -> list[list[Path]]:
    """The pages of every chat at ``location``: one list per chat."""
    try:
        return _locate(location)
    except OSError as exc:
        raise InputError(location, f"cannot list: {exc.strerror or exc}") from exc


def _locate(location: str) -> list[list[Path]]:
    path = Path(location)
    if path.is_file():
        return [[path]]
    if not path.is_dir():
        raise InputError(location, "no such file or folder")
    own = chat_pages(path)
    if own:
        return [own]
    chats = path / "chats"
    folders = (
        sorted((d for d in chats.iterdir() if d.is_dir()), key=_natural) if chats.is_dir() else []
    )
    groups = [pages for pages in map(chat_pages, folders) if pages]
    if not groups:
        raise InputError(
            location, "no messages.html here or under chats/*/: not a Telegram Desktop HTML export"
        )
    return groups


@dataclass(frozen=True, slots=True)
class Page:
    """One parsed page and where its media paths start from."""

    path: Path
    root: Path  # the export folder: media paths are relative to it
    prefix: str  # what the page puts before a root-relative path ("" or "../../")
    folder: str  # the page's folder relative to the root ("" or "chats/chat_001")
    chat_name: str | None
    blocks: list[Element]


def _parse(path: Path) -> Element:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror}") from exc
    if not data.strip():
        raise InputError(str(path), "empty file: not a Telegram Desktop HTML export page")
    try:
        doc = lxml.etree.fromstring(data, parser=PARSER)
    except (lxml.etree.LxmlError, ValueError) as exc:
        raise InputError(str(path), f"cannot parse as HTML: {exc}") from exc
    if doc is None:
        raise InputError(str(path), "cannot parse as HTML: no document")
    return doc


def _prefix(doc: Element) -> str:
    for href in doc.xpath("//head/link/@href"):
        if str(href).endswith(STYLE_HREF):
            return str(href)[: -len(STYLE_HREF)]
    return ""


def load_page(path: Path) -> Page:
    doc = _parse(path)
    found = doc.xpath(MESSAGE_XPATH)
    if not found:
        raise InputError(
            str(path), "no message blocks (div.message): not a Telegram Desktop HTML export page"
        )
    headers = doc.xpath(HEADER_XPATH)
    name = "".join(headers[0].itertext()).strip() if headers else None
    prefix = _prefix(doc)
    folder = path.parent
    if prefix == CHAT_PREFIX and folder.parent.name == "chats":
        root, rel = folder.parent.parent, f"chats/{folder.name}"
    else:  # single-chat export; any other climb is refused by safe_media_path later
        root, rel, prefix = folder, "", ""
    return Page(path, root, prefix, rel, name or None, found)


def _json_head(path: Path) -> dict[str, Any]:
    """name/type/id of a single-chat result.json, read without loading the messages."""
    head: dict[str, Any] = {}
    try:
        with path.open("rb") as fh:
            for prefix, event, value in ijson.parse(fh):
                if prefix in ("name", "type", "id") and event in ("string", "number"):
                    head[prefix] = value
                elif prefix in ("messages", "chats") or len(head) == 3:
                    break
    except (OSError, ijson.JSONError):
        return {}
    return head


def html_source(page: Page) -> Source:
    """The chat's Source: from a result.json beside the page, else from the chat name."""
    head = _json_head(page.path.parent / "result.json")
    if "id" in head:
        return chat_source(head)
    # No name in the header: the chat folder's name keeps chats apart.
    key = page.chat_name or f"folder:{page.path.parent.name}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return Source(PLATFORM, f"html-{digest}", page.chat_name, "unknown", None)


def media_path(href: str, prefix: str, folder: str) -> str:
    """A media href of a page as a path relative to the export root (unchecked)."""
    if prefix and href.startswith(prefix):
        return href[len(prefix) :]
    return posixpath.join(folder, href) if folder else href


def rooted(message: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """The message with its media hrefs made relative to the export root, as in result.json."""
    out = dict(message)
    for key in PATH_KEYS:
        value = out.get(key)
        if isinstance(value, str) and not is_placeholder(value):
            out[key] = media_path(value, context["prefix"], context["folder"])
    return out


# -- dates of service messages ---------------------------------------------------------------


def _local_day(message: Mapping[str, Any]) -> date | None:
    value = message.get("date")
    return date.fromisoformat(str(value)[:10]) if value else None


def _offset(message: Mapping[str, Any]) -> timedelta:
    local = datetime.fromisoformat(str(message["date"]))
    return local - datetime.fromtimestamp(int(message["date_unixtime"]), UTC).replace(tzinfo=None)


def _neighbour(items: list[blocks.Item], index: int, step: int) -> Mapping[str, Any] | None:
    day = items[index].day
    j = index + step
    while 0 <= j < len(items) and items[j].day == day:
        other = items[j].message
        if "date_unixtime" in other and _local_day(other) == day:
            return other
        j += step
    return None


def _midnight(items: list[blocks.Item], day: date) -> dict[str, Any]:
    dated = next((i.message for i in items if "date_unixtime" in i.message), None)
    offset = _offset(dated) if dated else timedelta(0)
    local = datetime.combine(day, datetime.min.time())
    unix = int((local - offset).replace(tzinfo=UTC).timestamp())
    return {"date": local.isoformat(), "date_unixtime": str(unix)}


def infer_date(items: list[blocks.Item], index: int) -> dict[str, Any]:
    """Date fields for a service message (HTML gives it none): previous, next, or the day."""
    for step, how in ((-1, "previous"), (1, "next")):
        other = _neighbour(items, index, step)
        if other is not None:
            fields = {k: other[k] for k in ("date", "date_unixtime")}
            return {**fields, "html_date_inferred": f"from the {how} message {other['id']}"}
    day = items[index].day
    if day is None:
        return {}
    return {**_midnight(items, day), "html_date_inferred": "day separator, time unknown"}


def fill_service_dates(items: list[blocks.Item]) -> None:
    for index, item in enumerate(items):
        message = item.message
        if message.get("type") == "service" and "date_unixtime" not in message:
            message.update(infer_date(items, index))


# -- the reader ------------------------------------------------------------------------------


class TelegramHtmlReader(Reader):
    NAME: ClassVar[str] = "telegram-html"
    DESCRIPTION: ClassVar[str] = (
        "Telegram Desktop HTML export: messages*.html pages, a chat folder, or a whole-account "
        "export folder (chats/chat_NNN/)"
    )
    EXAMPLE: ClassVar[str] = "telegram_html/messages.html"

    def __init__(self) -> None:
        self._hasher = FileHasher()
        self.unknown: Counter[str] = Counter()

    @classmethod
    def sniff(cls, location: str, head: bytes) -> bool:
        path = Path(location)
        if path.is_dir():
            return (path / "messages.html").is_file() or any(path.glob("chats/*/messages.html"))
        if path.suffix.lower() not in (".html", ".htm"):
            return False
        if PAGE_RE.match(path.name):
            return b"page_wrap" in head or b'class="message' in head
        return b'class="page_wrap"' in head and b'class="message' in head

    def records(self, location: str) -> Iterator[RawRecord]:
        for pages in locate_chats(location):
            source: Source | None = None
            for path in pages:
                page = load_page(path)
                source = source or html_source(page)
                yield from self._page_records(location, page, source)

    def _page_records(self, location: str, page: Page, source: Source) -> Iterator[RawRecord]:
        items = blocks.read_blocks(page.blocks, self.unknown)
        fill_service_dates(items)
        context = {
            "source": source,
            "root": str(page.root),
            "prefix": page.prefix,
            "folder": page.folder,
        }
        for item in items:
            locator = f"{page.path.name}#message{item.message.get('id', '?')}"
            yield RawRecord(location, locator, item.message, context)

    def normalise(self, raw: RawRecord) -> Post:
        payload = raw.payload
        if not isinstance(payload, Mapping):
            raise RecordError(f"payload is a {type(payload).__name__}, expected an object")
        if "html_error" in payload:
            raise RecordError(str(payload["html_error"]), raw.locator)
        message = rooted(payload, raw.context)
        seen: Counter[str] = Counter()
        post = message_to_post(
            message, raw.context["source"], Path(raw.context["root"]), self._hasher, seen
        )
        self.unknown.update({k: n for k, n in seen.items() if not k.startswith("field:html_")})
        return post

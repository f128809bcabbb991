"""RSS/Atom feeds (feedparser), from a file or an http(s) URL: one article post per entry.

A URL is the one network access recruitwatch makes, and only because the user
named it: it is fetched with urllib (timeout, User-Agent, size cap) and the
bytes are handed to feedparser, which never touches the network itself. A feed
that parses only in part (feedparser's ``bozo``) is ingested as far as it goes,
with an ``InputWarning`` naming the input and the parse error; a bozo feed with
no entries at all is an ``InputError``. The mapping is documented in
docs/formats.md.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
import urllib.error
import urllib.request
import uuid
import warnings
import xml.sax
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from http.client import HTTPException
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urljoin

from .. import __version__
from ..errors import FetchError, InputError, InputWarning, RecordError
from ..model import Entity, Post, Source
from ..settings import Settings
from .base import RawRecord, Reader

PLATFORM = "feed"
USER_AGENT = f"recruitwatch/{__version__} (feed reader; +https://pypi.org/project/recruitwatch/)"
ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, "
ACCEPT += "text/xml;q=0.9, */*;q=0.5"
MAX_BYTES = 64 * 1024 * 1024
CHUNK = 64 * 1024
DATE_KEYS = ("published_parsed", "updated_parsed", "created_parsed")
# the first element's name, after any XML declaration, comments and DOCTYPE
ROOT_TAG = re.compile(
    rb"\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*|<!DOCTYPE(?:[^\[>]|\[.*?\])*>\s*)*"
    rb"<([A-Za-z_][\w:.-]*)",
    re.S,
)
FEED_ROOTS = {b"rss", b"feed", b"rdf"}
DEFAULT_TIMEOUT = 30.0  # seconds; the feed_timeout setting's default
_BLOCKS = """address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3
h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul"""
BLOCK_TAGS = frozenset(_BLOCKS.split())
SPACE = re.compile(r"[ \t\n\r\f\v]+")  # HTML's collapsible white space (not NBSP)
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_url(location: str) -> bool:
    return location.lower().startswith(("http://", "https://"))


def looks_like_feed(head: bytes) -> bool:
    """True when the first element of ``head`` is <rss>, <feed> or <rdf:RDF> (any prefix)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "ignore").encode("utf-8")
    match = ROOT_TAG.match(head.removeprefix(b"\xef\xbb\xbf"))
    return match is not None and match.group(1).rpartition(b":")[2].lower() in FEED_ROOTS


# --- fetching ---------------------------------------------------------------------------------


def _read_capped(response: Any, url: str, deadline: float) -> bytes:
    chunks, size = [], 0
    while block := response.read(CHUNK):
        size += len(block)
        if size > MAX_BYTES:
            raise FetchError(url, f"larger than {MAX_BYTES // (1024 * 1024)} MiB; not a feed?")
        if time.monotonic() > deadline:
            raise FetchError(url, "download took longer than the feed timeout")
        chunks.append(block)
    return b"".join(chunks)


def _unreachable(url: str, exc: urllib.error.URLError, timeout: float) -> FetchError:
    reason = exc.reason
    if isinstance(reason, TimeoutError):
        return FetchError(url, f"no answer within {timeout:g} s")
    if isinstance(reason, OSError) and reason.strerror:
        return FetchError(url, f"cannot connect: {reason.strerror}")
    return FetchError(url, f"cannot connect: {reason}")


def fetch(url: str, timeout: float) -> tuple[bytes, dict[str, str]]:
    """The body and (lower-cased) headers of ``url``; FetchError naming the URL on failure."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = _read_capped(response, url, time.monotonic() + timeout)
            headers = {k.lower(): v for k, v in response.headers.items()}
            headers["content-location"] = response.geturl()
    except urllib.error.HTTPError as exc:
        exc.close()
        raise FetchError(url, f"HTTP {exc.code} {exc.reason}") from exc
    except urllib.error.URLError as exc:
        raise _unreachable(url, exc, timeout) from exc
    except TimeoutError as exc:
        raise FetchError(url, f"no answer within {timeout:g} s") from exc
    except (HTTPException, OSError, ValueError) as exc:
        raise FetchError(url, f"download failed: {type(exc).__name__}: {exc}") from exc
    return body, headers


# --- parsing ----------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """feedparser's structures as plain JSON: dicts, lists, str/int/float/bool/None.

    ``time.struct_time`` (feedparser's ``*_parsed``, always UTC) becomes an ISO string.
    """
    if isinstance(value, time.struct_time):
        return datetime(*value[:6], tzinfo=UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def parse_error(exc: Any) -> str:
    """A bozo exception in words, with line and column when the XML parser gave them."""
    text = str(getattr(exc, "getMessage", lambda: exc)())
    line = getattr(exc, "getLineNumber", None)
    if line is not None and line() is not None:
        return f"{text} at line {line()}, column {exc.getColumnNumber()}"
    return text or f"{type(exc).__name__}: {exc}"


def parse(data: bytes, location: str, headers: Mapping[str, str] | None = None) -> Any:
    """feedparser's result for ``data``; never lets feedparser open files or URLs."""
    import feedparser

    if not data.strip():
        raise InputError(location, "empty: no feed content")
    result = feedparser.parse(io.BytesIO(data), response_headers=dict(headers or {}))
    if result.bozo and not result.entries:
        raise InputError(location, f"not a readable feed: {parse_error(result.bozo_exception)}")
    if not result.entries and not result.get("version"):
        raise InputError(location, "not an RSS/Atom feed (no feed element found)")
    if result.bozo:
        warnings.warn(bozo_warning(result, location), InputWarning, stacklevel=2)
    return result


def bozo_warning(result: Any, location: str) -> str:
    """Words for a feed feedparser read with a problem (its ``bozo_exception``)."""
    exc, count = result.bozo_exception, len(result.entries)
    entries = f"{count} {'entry' if count == 1 else 'entries'}"
    if isinstance(exc, xml.sax.SAXException):
        return (
            f"{location}: malformed feed: {parse_error(exc)}; feedparser's lenient parser "
            f"recovered {entries}: check the source for lost or garbled entries"
        )
    return f"{location}: feed read with a problem: {parse_error(exc)} ({entries} read)"


def feed_source(feed: Mapping[str, Any], location: str) -> Source:
    """Source of the feed: the URL for URLs, else the feed's <link>, else the file name."""
    link = str(feed.get("link") or "").strip()
    handle = location if is_url(location) else link or Path(location).name
    title = str(feed.get("title") or "").strip() or None
    return Source(PLATFORM, handle, title, "feed")


# --- HTML -> plain text + links --------------------------------------------------------------


class _Flattener:
    """Plain text from an lxml tree: collapsed spaces, a line per block, <a href> spans kept."""

    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.size = 0
        self.links: list[tuple[int, int, str]] = []
        self.anchors: list[tuple[int, str | None]] = []

    def last(self) -> str:
        return self.chunks[-1][-1] if self.chunks else "\n"

    def add(self, text: str) -> None:
        text = SPACE.sub(" ", text)
        if text.startswith(" ") and self.last() in " \n":
            text = text[1:]
        if text:
            self.chunks.append(text)
            self.size += len(text)

    def newline(self) -> None:
        if self.chunks and self.chunks[-1].endswith(" "):
            self.chunks[-1] = self.chunks[-1][:-1]
            self.size -= 1
        if self.last() != "\n":
            self.add_raw("\n")

    def add_raw(self, text: str) -> None:
        self.chunks.append(text)
        self.size += len(text)

    def start(self, el: Any) -> None:
        tag = str(el.tag).lower()
        if tag in BLOCK_TAGS:
            self.newline()
        if tag == "a":
            self.anchors.append((self.size, el.get("href")))
        if el.text:
            self.add(el.text)

    def end(self, el: Any) -> None:
        tag = str(el.tag).lower()
        if tag == "a" and self.anchors:
            begin, href = self.anchors.pop()
            if href:
                self.links.append((begin, self.size, href.strip()))
        if tag in BLOCK_TAGS:
            self.newline()

    def result(self) -> tuple[str, tuple[Entity, ...]]:
        text = "".join(self.chunks).strip()
        return text, tuple(e for e in (_link(text, *span) for span in self.links) if e)


def _link(text: str, begin: int, end: int, href: str) -> Entity | None:
    segment = text[begin:end]
    stripped = segment.strip()
    if not stripped:
        return None
    offset = begin + len(segment) - len(segment.lstrip())
    return Entity("text_link", stripped, offset, len(stripped), href=href)


def _walk(root: Any) -> tuple[str, tuple[Entity, ...]]:
    from lxml import etree

    flat = _Flattener()
    for event, el in etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event == "start":
            flat.start(el)
            continue
        if event == "end":
            flat.end(el)
        if el.tail and el is not root:  # after an element, comment or processing instruction
            flat.add(el.tail)
    return flat.result()


def html_to_text(html: str) -> tuple[str, tuple[Entity, ...]]:
    """Plain text of an HTML fragment and its links as ``text_link`` entities."""
    html = CONTROL.sub("", html)
    if "<" not in html and "&" not in html:
        return SPACE.sub(" ", html).strip(), ()
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return SPACE.sub(" ", html).strip(), ()
    for el in list(root.iter("script", "style")):
        el.drop_tree()
    return _walk(root)


# --- entry -> post ----------------------------------------------------------------------------


def entry_date(entry: Mapping[str, Any]) -> datetime:
    """published, else updated, else created (feedparser normalised them to UTC)."""
    for key in DATE_KEYS:
        value = entry.get(key)
        if value:
            return datetime.fromisoformat(str(value)).astimezone(UTC)
    given = [entry[k] for k in ("published", "updated", "created") if entry.get(k)]
    if given:
        raise RecordError(f"entry date {given[0]!r} could not be parsed")
    raise RecordError("entry has no date (no published/updated/created); not guessed")


def entry_edited(entry: Mapping[str, Any], date: datetime) -> datetime | None:
    """Atom's <updated> when it is later than <published>."""
    if not (entry.get("published_parsed") and entry.get("updated_parsed")):
        return None
    updated = datetime.fromisoformat(str(entry["updated_parsed"])).astimezone(UTC)
    return updated if updated > date else None


def message_id(entry: Mapping[str, Any], date: datetime) -> str:
    """The entry's id/guid, else its link, else a hash of title and date."""
    for key in ("id", "link"):
        value = str(entry.get(key) or "").strip()
        if value:
            return value
    title = str(entry.get("title") or "")
    digest = hashlib.sha256(f"{title}\x1f{date.isoformat()}".encode("utf-8", "replace"))
    return "sha256:" + digest.hexdigest()[:32]


def _detail_text(detail: Mapping[str, Any] | None, fallback: Any) -> tuple[str, tuple[Entity, ...]]:
    value = str((detail or {}).get("value", fallback) or "")
    kind = str((detail or {}).get("type") or "text/html")
    if "html" in kind:
        return html_to_text(value)
    return value.strip(), ()


def _body(entry: Mapping[str, Any]) -> tuple[str, tuple[Entity, ...]]:
    content = entry.get("content")
    if isinstance(content, list) and content:
        html = [c for c in content if "html" in str(c.get("type", ""))]
        return _detail_text((html or content)[0], "")
    return _detail_text(entry.get("summary_detail"), entry.get("summary"))


def _placed(links: tuple[Entity, ...], shift: int, base: str) -> tuple[Entity, ...]:
    """Links moved by ``shift`` code points, relative hrefs resolved against ``base``."""
    return tuple(
        replace(e, offset=e.offset + shift, href=urljoin(base, e.href or "")) for e in links
    )


def entry_text(entry: Mapping[str, Any]) -> tuple[str, str | None, tuple[Entity, ...]]:
    """Plain text (title, blank line, body), the title, and the body's links as entities."""
    title, _ = _detail_text(entry.get("title_detail"), entry.get("title"))
    body, links = _body(entry)
    base = str(entry.get("link") or "")
    if not title:
        return body, None, _placed(links, 0, base)
    if not body:
        return title, title, ()
    return f"{title}\n\n{body}", title, _placed(links, len(title) + 2, base)


def entry_to_post(entry: Mapping[str, Any], source: Source, lang: str | None) -> Post:
    """Map one entry (feedparser's, made JSON-able) to an article Post."""
    date = entry_date(entry)
    text, title, links = entry_text(entry)
    author = str(entry.get("author") or "").strip() or None
    return Post(
        source=source,
        message_id=message_id(entry, date),
        date=date,
        text=text,
        kind="article",
        entities=links,
        author=author,
        edited=entry_edited(entry, date),
        url=str(entry.get("link") or "").strip() or None,
        title=title,
        lang_hint=str(entry.get("language") or "").strip() or lang,
        raw=entry,
    )


class FeedReader(Reader):
    """RSS 0.9x/1.0/2.0 and Atom, from a file (any extension) or an http(s) URL."""

    NAME: ClassVar[str] = "feed"
    DESCRIPTION: ClassVar[str] = "RSS/Atom feed, from a file or an http(s) URL (one post per entry)"
    EXAMPLE: ClassVar[str] = "feed/synthetic_outlet_a.xml"

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> Reader:
        return cls(settings.feed_timeout)

    @classmethod
    def sniff(cls, location: str, head: bytes) -> bool:
        return is_url(location) or looks_like_feed(head)

    def fingerprint(self, location: str) -> str:
        """A URL's content changes between fetches: never resume it by position."""
        return uuid.uuid4().hex if is_url(location) else super().fingerprint(location)

    def load(self, location: str) -> tuple[bytes, dict[str, str]]:
        if is_url(location):
            return fetch(location, self.timeout)
        try:
            return Path(location).read_bytes(), {}
        except OSError as exc:
            raise InputError(location, f"cannot read: {exc.strerror}") from exc

    def records(self, location: str) -> Iterator[RawRecord]:
        data, headers = self.load(location)
        result = parse(data, location, headers)
        source = feed_source(result.feed, location)
        context = {"source": source, "lang": str(result.feed.get("language") or "") or None}
        for number, entry in enumerate(result.entries, 1):
            yield RawRecord(location, f"entry {number}", jsonable(entry), context)

    def normalise(self, raw: RawRecord) -> Post:
        if not isinstance(raw.payload, dict):
            raise RecordError(f"entry is a {type(raw.payload).__name__}, expected an object")
        return entry_to_post(raw.payload, raw.context["source"], raw.context["lang"])

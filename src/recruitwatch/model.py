"""The shared records that pass between stages.

All records are immutable dataclasses. Identity is derived from content: a
source's ``key`` from platform and handle, a post's ``id`` from its source key
and the platform's message id, a media item's identity from its SHA-256.  That
makes re-ingesting an idempotent upsert.

The records made once per message (``Post``, ``Entity``, ``MediaRef``, and
``ingest.base.RawRecord``) are declared with ``record``: frozen to the type
checker (mypy --strict rejects an assignment), plain slotted dataclasses at run
time. A frozen dataclass's ``__init__`` sets each field through
``object.__setattr__``: 3.7 us for a 23-field class against 0.4 us plain
(measured here), several microseconds a post in an ingest that has about 35 to
spend on everything. They are not hashable (a post holds dicts anyway).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar, dataclass_transform

from .jsonutil import dumps

MEDIA_KINDS = (
    "photo",
    "video",
    "video_message",
    "animation",
    "sticker",
    "audio",
    "voice",
    "document",
)

POST_KINDS = ("message", "service", "unsupported", "article", "row")
# Bump when a reader's raw -> Post mapping changes, so re-ingest rewrites stored posts.
NORMALISE_VERSION = 1

_R = TypeVar("_R")


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(cls: type[_R]) -> type[_R]:
    """A per-message record: frozen for the type checker, cheap to build (module doc)."""
    return dataclass(slots=True)(cls)


@dataclass(frozen=True, slots=True)
class Source:
    """A channel, group, feed or site: ``platform`` + ``handle`` identify it."""

    platform: str
    handle: str
    title: str | None = None
    kind: str = "unknown"
    external_id: str | None = None

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.handle}"


@record
class Entity:
    """A structured span of a post's text: link, mention, hashtag, text_link ...

    ``offset`` and ``length`` count code points of the flattened plain text.
    """

    type: str
    text: str
    offset: int
    length: int
    href: str | None = None
    user_id: str | None = None
    language: str | None = None
    document_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type,
            "text": self.text,
            "offset": self.offset,
            "length": self.length,
        }
        for name in ("href", "user_id", "language", "document_id"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


@record
class MediaRef:
    """One media attachment of a post as the input described it.

    ``present`` is False for Telegram's "(File not included ...)" placeholders
    (``absent_reason`` keeps the placeholder) and for files missing on disk.
    """

    kind: str
    path: str | None = None
    present: bool = False
    sha256: str | None = None
    size: int | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    duration_seconds: int | None = None
    file_name: str | None = None
    absent_reason: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    # Where the file was found during this ingest (absolute); not stored, not compared:
    # the pipeline copies the file into the workspace media cache by SHA-256.
    origin: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "sha256": self.sha256,
            "path": self.path,
            "present": self.present,
            "size": self.size,
            "mime_type": self.mime_type,
            "width": self.width,
            "height": self.height,
            "duration_seconds": self.duration_seconds,
            "file_name": self.file_name,
            "absent_reason": self.absent_reason,
            "extra": dict(self.extra),
        }


@record
class Post:
    """One message, article or row, normalised; ``raw`` keeps the input payload."""

    source: Source
    message_id: str
    date: datetime
    text: str = ""
    kind: str = "message"
    entities: tuple[Entity, ...] = ()
    author: str | None = None
    sender: str | None = None
    sender_id: str | None = None
    forwarded_from: str | None = None
    forwarded_from_id: str | None = None
    saved_from: str | None = None
    reply_to: str | None = None
    reply_to_peer: str | None = None
    via_bot: str | None = None
    edited: datetime | None = None
    action: Mapping[str, Any] | None = None
    media: tuple[MediaRef, ...] = ()
    reactions: tuple[Mapping[str, Any], ...] = ()
    url: str | None = None
    title: str | None = None
    lang_hint: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return post_id(self.source.key, self.message_id)

    def content_hash(self, raw_json: str | None = None) -> str:
        """Hash of what is stored for the post: unchanged hash means nothing to write.

        Every field of a post derives from its raw payload, its source and its media
        files, so the hash covers those (``raw_json``: the payload's JSON text, when
        the caller has it already) and the normaliser's version.
        """
        media = [(m.sha256, m.present, m.absent_reason, m.path) for m in self.media] or None
        edited = self.edited.isoformat() if self.edited else None
        head = dumps(
            [
                NORMALISE_VERSION,
                self.source.key,
                self.source.title,
                self.source.kind,
                self.lang_hint,
                media,
                self.text,
                edited,
            ]
        )
        body = raw_json if raw_json is not None else dumps(self.raw)
        digest = hashlib.sha256(head.encode("utf-8", "surrogatepass"))
        digest.update(body.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()


def post_id(source_key: str, message_id: str) -> str:
    """The stable, readable id of a post: ``platform:handle/message_id``."""
    return f"{source_key}/{message_id}"


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A record (or a whole input) that could not be normalised, with the reason."""

    location: str
    locator: str
    reason: str
    error: str
    raw: str

    @property
    def key(self) -> str:
        digest = hashlib.sha256(
            "\x1f".join((self.location, self.locator, self.reason)).encode("utf-8", "replace")
        )
        return digest.hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """How far one input stream has been committed: ``position`` raw records."""

    stream: str
    fingerprint: str
    position: int
    done: bool = False


@dataclass(slots=True)
class Batch:
    """What the pipeline commits in one transaction."""

    posts: list[Post] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    checkpoint: Checkpoint | None = None

    def __len__(self) -> int:
        return len(self.posts) + len(self.quarantined)

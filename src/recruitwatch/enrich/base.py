"""The enricher plug-in point.

An enricher has a NAME, a VERSION and the names of the enrichers whose results
it reads (REQUIRES). ``enrich`` is a pure function over a batch of items that
returns one JSON-able result per item. Results are stored per (post, enricher)
with the enricher's *effective* version (its VERSION plus those it requires),
so bumping a version re-runs it and everything downstream, and nothing else.

Built-in enrichers are listed in ``BUILTIN_ENRICHERS``; plug-ins use the
``recruitwatch.enrichers`` entry-point group. Every enricher runs the shared
contract test in tests/contracts/test_enricher_contract.py.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import sqlalchemy as sa

from ..model import Post
from ..plugins import load_plugins
from ..settings import Settings


@dataclass(frozen=True, slots=True)
class MediaInfo:
    kind: str
    sha256: str | None
    path: str | None
    present: bool


@dataclass(slots=True)
class Item:
    """What an enricher sees of one post, plus the results of earlier enrichers."""

    post_id: str
    source: str
    text: str
    kind: str = "message"
    lang_hint: str | None = None
    media: tuple[MediaInfo, ...] = ()
    results: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    forwarded_from: str | None = None

    @classmethod
    def from_post(cls, post: Post) -> Item:
        media = tuple(MediaInfo(m.kind, m.sha256, m.path, m.present) for m in post.media)
        return cls(
            post.id, post.source.key, post.text, post.kind, post.lang_hint, media,
            forwarded_from=post.forwarded_from or post.forwarded_from_id,
        )  # fmt: skip


class Enricher(ABC):
    """One enrichment step."""

    NAME: ClassVar[str]
    VERSION: ClassVar[str]
    REQUIRES: ClassVar[tuple[str, ...]] = ()
    DESCRIPTION: ClassVar[str] = ""

    @classmethod
    def from_settings(cls, settings: Settings | None) -> Enricher:
        """The enricher configured from ``settings`` (workspace paths ...); default: cls()."""
        return cls()

    def prepare(self, conn: sa.Connection | None, items: Sequence[Item]) -> None:  # noqa: B027
        """Load what the batch needs from the store (e.g. source history). Optional."""

    @abstractmethod
    def enrich(self, items: Sequence[Item]) -> list[Any]:
        """One JSON-able result per item, in order."""

    def index(self, conn: sa.Connection, results: Mapping[str, Any]) -> None:  # noqa: B027
        """Maintain side tables (e.g. LSH buckets) for ``post_id -> result``. Optional."""

    def forks(self) -> bool:
        """Whether the step may run in forked worker processes (default: yes). A step
        whose library keeps threads that do not survive a fork (OpenMP) says no, and
        the chain then runs in one process."""
        return True


BUILTIN_ENRICHERS = (
    "recruitwatch.enrich.language_step:LanguageEnricher",
    "recruitwatch.enrich.fingerprint.text:TextFingerprintEnricher",
    "recruitwatch.enrich.fingerprint.media:MediaFingerprintEnricher",
    "recruitwatch.enrich.entities:EntitiesEnricher",
    "recruitwatch.enrich.classify:ClassifyEnricher",
)


def enrichers() -> dict[str, type[Enricher]]:
    """Every enricher class by NAME: built-ins, then entry-point plug-ins."""
    return load_plugins(Enricher, BUILTIN_ENRICHERS, "recruitwatch.enrichers")

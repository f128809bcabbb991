"""Live collection from public Telegram channels with Telethon (optional extra ``live``).

Two halves:

* ``message_to_export_dict`` (module ``telegram_live_map``) maps one Telethon
  message to the dict shape of a Telegram Desktop JSON export message, so
  ``telegram_common.message_to_post`` makes the Post: export and live give the
  same record (docs/live-collection.md lists the few legitimate differences).
* ``collect_channels`` (this module) pulls each public channel oldest -> newest after its
  checkpoint (``telegram-live:<username>``, position = last committed message
  id), committing batches with ``store.writer.write_batch``; Telegram's
  FloodWaitError is slept off and the channel resumes from its checkpoint.

Read-only by construction: the only client methods used are ``get_entity``,
``iter_messages`` and (with ``download_media=True``) ``download_media``.
Invite links are refused; nothing is joined, sent or reacted to. Telethon is
imported lazily and only where a client or its errors are needed; the mapper
reads Telethon objects by their TL class names.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa

from ..errors import ConfigError, LiveCollectionError, MissingExtraError, RecordError
from ..model import Batch, Checkpoint, Post, Quarantined
from ..settings import Settings
from ..store import Store
from ..store.writer import read_checkpoint, write_batch
from .telegram_common import FileHasher
from .telegram_live_map import (
    LIVE_ABSENT_REASON,
    LIVE_PLACEHOLDER,
    channel_source,
    has_file,
    live_post,
    message_to_export_dict,
    text_parts,
)

__all__ = [
    "LIVE_ABSENT_REASON",
    "LIVE_PLACEHOLDER",
    "CollectOptions",
    "CollectReport",
    "channel_source",
    "collect",
    "collect_channels",
    "live_post",
    "message_to_export_dict",
    "preflight",
    "text_parts",
]

STREAM_PREFIX = "telegram-live:"
MEDIA_SUBDIR = "telegram-live"
READ_ONLY_METHODS = frozenset({"get_entity", "iter_messages", "download_media"})

Progress = Callable[[str, int], None]
Sleep = Callable[[float], Awaitable[None]]

# --------------------------------------------------------------------------- telethon, settings


def require_telethon() -> Any:
    """The telethon module, or MissingExtraError naming the ``live`` extra."""
    try:
        import telethon
    except ImportError as exc:
        raise MissingExtraError("live", "telethon") from exc
    return telethon


def live_credentials(settings: Settings) -> tuple[int, str]:
    """api id and hash from the settings, or a ConfigError saying what to set."""
    missing = [
        name
        for name, value in (
            ("telegram_api_id", settings.telegram_api_id),
            ("telegram_api_hash", settings.telegram_api_hash),
        )
        if not value
    ]
    if missing:
        env = ", ".join(f"RECRUITWATCH_{name.upper()}" for name in missing)
        raise ConfigError(
            f"live collection needs {' and '.join(missing)} (from https://my.telegram.org): "
            f"set {env} or put them in {settings.home / 'settings.toml'}"
        )
    return settings.telegram_api_id, settings.telegram_api_hash


def session_path(settings: Settings) -> Path:
    """The Telethon session file (without suffix), always inside the workspace."""
    name = settings.telegram_session
    if not name or Path(name).name != name or name in (".", ".."):
        raise ConfigError(f"telegram_session {name!r} must be a plain file name (no folders)")
    settings.home.mkdir(parents=True, exist_ok=True)
    return settings.home / name


def preflight(settings: Settings, channels: Sequence[str]) -> list[str]:
    """Everything checkable before connecting: channel names, the extra, the api settings."""
    names = [normalise_channel(c) for c in channels]
    require_telethon()
    live_credentials(settings)
    session_path(settings)
    return names


def make_client(settings: Settings) -> Any:
    """A TelegramClient for the workspace session (create it inside the event loop)."""
    telethon = require_telethon()
    api_id, api_hash = live_credentials(settings)
    return telethon.TelegramClient(str(session_path(settings)), api_id, api_hash)


# --------------------------------------------------------------------------- channels

_INVITE = re.compile(r"(^|/)(\+|joinchat/)|tg://join|[?&]invite=", re.IGNORECASE)
_LINK_PREFIX = re.compile(
    r"^(https?://)?(www\.)?(t\.me|telegram\.me|telegram\.dog)/", re.IGNORECASE
)
_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")


def normalise_channel(value: str) -> str:
    """``name``, ``@name``, ``t.me/name`` (or a post link) -> ``name``; invite links refused."""
    text = value.strip()
    if _INVITE.search(text):
        raise LiveCollectionError(
            f"{value!r} is an invite link: refused. Live collection is read-only and only reads "
            "public channels by username; it never joins through invite links"
        )
    text = _LINK_PREFIX.sub("", text).removeprefix("@").removeprefix("s/")
    text = text.split("?")[0].split("/")[0]
    if not _USERNAME.fullmatch(text):
        raise LiveCollectionError(
            f"{value!r} is not a public channel username (expected name, @name or t.me/name)"
        )
    return text.lower()


def _usernames(entity: Any) -> list[str]:
    names = [getattr(entity, "username", None)]
    names += [u.username for u in getattr(entity, "usernames", None) or () if u.active]
    return [n for n in names if n]


def check_public(entity: Any, channel: str) -> None:
    """Refuse anything that is not a public channel or supergroup with a username."""
    kind = type(entity).__name__
    if kind != "Channel":
        raise LiveCollectionError(
            f"{channel!r} resolves to a {kind}, not a public channel or supergroup: refused"
        )
    if not _usernames(entity):
        raise LiveCollectionError(f"{channel!r} is a private channel (no public username): refused")


# --------------------------------------------------------------------------- collector


class PostHook(Protocol):
    """Runs on the posts a commit changed, in its transaction (the enrich chain's shape)."""

    def run_posts(self, conn: sa.Connection, posts: Sequence[Post]) -> Any: ...


@dataclass(frozen=True, slots=True)
class CollectOptions:
    """How to collect: flood-wait handling, media download, enrichment of new posts."""

    sleep: Sleep = asyncio.sleep
    max_flood_waits: int = 5
    download_media: bool = False
    chain: PostHook | None = None


@dataclass(slots=True)
class ChannelReport:
    channel: str
    source: str = ""
    messages: int = 0
    written: int = 0
    quarantined: int = 0
    resumed_after: int = 0
    last_id: int = 0
    flood_waits: int = 0
    error: str | None = None

    def summary(self) -> str:
        if self.error:
            return f"error: {self.error}"
        resumed = f", resumed after message {self.resumed_after}" if self.resumed_after else ""
        waits = f", {self.flood_waits} flood waits" if self.flood_waits else ""
        return (
            f"{self.channel} ({self.source}): {self.messages} messages, {self.written} posts "
            f"written, {self.quarantined} quarantined{resumed}{waits}"
        )


@dataclass(slots=True)
class CollectReport:
    channels: list[ChannelReport] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 all good; 6 a channel failed; 4 some messages were quarantined."""
        if any(c.error for c in self.channels):
            return LiveCollectionError.exit_code
        if any(c.quarantined for c in self.channels):
            return RecordError.exit_code
        return 0


@dataclass(slots=True)
class _Context:
    client: Any
    store: Store
    settings: Settings
    limit: int | None
    progress: Progress | None
    options: CollectOptions
    flood_error: type[Exception]
    rpc_error: type[Exception]
    hasher: FileHasher = field(default_factory=FileHasher)


class _Committer:
    """One channel's pending batch; commits it with the checkpoint at the last message id."""

    def __init__(self, ctx: _Context, stream: str, fingerprint: str, position: int) -> None:
        self.ctx, self.stream, self.fingerprint = ctx, stream, fingerprint
        self.position = self.committed = position
        self.batch = Batch()
        self.last = time.monotonic()

    def due(self) -> bool:
        settings = self.ctx.settings
        return (
            len(self.batch) >= settings.batch_size
            or time.monotonic() - self.last >= settings.commit_seconds
        )

    def commit(self) -> int:
        if self.position == self.committed and not len(self.batch):
            return 0
        self.batch.checkpoint = Checkpoint(self.stream, self.fingerprint, self.position)
        with self.ctx.store.begin() as conn:
            changed = write_batch(conn, self.batch)
            if self.ctx.options.chain is not None and changed:
                self.ctx.options.chain.run_posts(conn, changed)
        self.batch, self.committed, self.last = Batch(), self.position, time.monotonic()
        return len(changed)


def _start_position(store: Store, stream: str, fingerprint: str) -> int:
    with store.connect() as conn:
        cp = read_checkpoint(conn, stream)
    return cp.position if cp is not None and cp.fingerprint == fingerprint else 0


async def _resolve(ctx: _Context, channel: str) -> Any:
    try:
        entity = await ctx.client.get_entity(channel)
    except ctx.flood_error:
        raise
    except (ValueError, ctx.rpc_error) as exc:
        raise LiveCollectionError(f"{channel!r}: cannot resolve the channel: {exc}") from exc
    check_public(entity, channel)
    return entity


async def _download(ctx: _Context, entity: Any, msg: Any) -> str | None:
    if not (ctx.options.download_media and has_file(msg)):
        return None
    root = ctx.settings.media_dir.resolve()
    folder = root / MEDIA_SUBDIR / f"channel{entity.id}"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        path = await ctx.client.download_media(msg, file=str(folder / str(msg.id)))
    except ctx.flood_error:
        raise
    except (OSError, ValueError, ctx.rpc_error):
        return None  # recorded as absent media: "not downloaded (live collection)"
    return None if path is None else Path(path).resolve().relative_to(root).as_posix()


def _quarantine(stream: str, msg: Any, exc: Exception) -> Quarantined:
    reason = (
        exc.reason if isinstance(exc, RecordError) else f"unexpected {type(exc).__name__}: {exc}"
    )
    return Quarantined(stream, f"message {msg.id}", reason, type(exc).__name__, repr(msg)[:100_000])


async def _take(
    ctx: _Context, committer: _Committer, chat: Any, msg: Any, report: ChannelReport
) -> None:
    if type(msg).__name__ == "MessageEmpty":
        return  # a deleted message: nothing to record, the checkpoint still moves past it
    path = await _download(ctx, chat, msg)
    try:
        base = ctx.settings.media_dir if path else None
        post = live_post(msg, chat, media_path=path, media_base=base, hasher=ctx.hasher)
        committer.batch.posts.append(post)
    except Exception as exc:  # batch boundary: quarantine, never drop
        committer.batch.quarantined.append(_quarantine(committer.stream, msg, exc))
        report.quarantined += 1


async def _pull_channel(ctx: _Context, report: ChannelReport) -> None:
    """Resolve, then read from the checkpoint on; a flood wait commits what was read first."""
    chat = await _resolve(ctx, report.channel)
    report.source = channel_source(chat).key
    stream, fingerprint = STREAM_PREFIX + report.channel, str(chat.id)
    start = _start_position(ctx.store, stream, fingerprint)
    report.resumed_after = report.resumed_after or start
    remaining = None if ctx.limit is None else ctx.limit - report.messages
    if remaining is not None and remaining <= 0:
        return
    committer = _Committer(ctx, stream, fingerprint, start)
    try:
        async for msg in ctx.client.iter_messages(chat, remaining, reverse=True, min_id=start):
            await _take(ctx, committer, chat, msg, report)
            committer.position = report.last_id = msg.id
            report.messages += 1
            if ctx.progress is not None:
                ctx.progress(report.channel, 1)
            if committer.due():
                report.written += committer.commit()
    except ctx.flood_error:
        report.written += committer.commit()
        raise
    report.written += committer.commit()


async def _collect_one(ctx: _Context, channel: str) -> ChannelReport:
    report = ChannelReport(channel)
    while True:
        try:
            await _pull_channel(ctx, report)
            return report
        except ctx.flood_error as exc:
            if not await _flood_wait(ctx, report, int(getattr(exc, "seconds", 0))):
                return report
        except LiveCollectionError as exc:
            report.error = str(exc)
            return report


async def _flood_wait(ctx: _Context, report: ChannelReport, seconds: int) -> bool:
    """Sleep off one FloodWaitError; False (and the report's error) once the waits run out."""
    report.flood_waits += 1
    if report.flood_waits > ctx.options.max_flood_waits:
        report.error = (
            f"{report.channel!r}: gave up after {ctx.options.max_flood_waits} flood waits "
            f"(Telegram asked for {seconds} s more); rerun later to resume after message "
            f"{report.last_id}"
        )
        return False
    await ctx.options.sleep(seconds + 1)
    return True


async def acollect_channels(
    client: Any,
    store: Store,
    settings: Settings,
    channels: Sequence[str],
    limit: int | None = None,
    progress: Progress | None = None,
    options: CollectOptions | None = None,
) -> CollectReport:
    """Collect every channel in turn; one failing channel is reported, the others go on.

    ``limit``: at most this many new messages per channel in this run.
    """
    names = [normalise_channel(c) for c in channels]
    errors = require_telethon().errors
    opts = options or CollectOptions()
    ctx = _Context(
        client, store, settings, limit, progress, opts, errors.FloodWaitError, errors.RPCError
    )
    report = CollectReport()
    for name in names:
        report.channels.append(await _collect_one(ctx, name))
    return report


def collect_channels(
    client: Any,
    store: Store,
    settings: Settings,
    channels: Sequence[str],
    limit: int | None = None,
    progress: Progress | None = None,
    options: CollectOptions | None = None,
) -> CollectReport:
    """``acollect_channels`` run to completion on a connected client (or a test double)."""
    return asyncio.run(
        acollect_channels(client, store, settings, channels, limit, progress, options)
    )


def collect(
    settings: Settings,
    store: Store,
    channels: Sequence[str],
    limit: int | None = None,
    progress: Progress | None = None,
    options: CollectOptions | None = None,
) -> CollectReport:
    """The CLI verb: check channels, extra and settings, log in, collect, disconnect.

    The first run asks for the account's phone number and login code on the
    terminal (Telethon's ``start``); the session file stays in the workspace.
    """
    names = preflight(settings, channels)

    async def run() -> CollectReport:
        client = make_client(settings)
        async with client:
            return await acollect_channels(client, store, settings, names, limit, progress, options)

    try:
        return asyncio.run(run())
    except ConnectionError as exc:
        raise LiveCollectionError(
            f"connection to Telegram lost: {exc}; rerun to resume from the checkpoints"
        ) from exc

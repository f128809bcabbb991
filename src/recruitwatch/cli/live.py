"""Live, read-only collection from public Telegram channels."""

from __future__ import annotations

import sys

import click

from .app import Ctx, err, main, progress_bar


@main.command()
@click.argument("channels", nargs=-1, required=True)
@click.option("--limit", type=int, help="at most this many new messages per channel in this run")
@click.option(
    "--max-flood-waits",
    type=int,
    default=5,
    show_default=True,
    help="give a channel up after this many flood waits (a rerun resumes it)",
)
@click.option(
    "--download-media",
    is_flag=True,
    help="download photos and files into HOME/media/telegram-live "
    "(default: record them as not downloaded)",
)
@click.option("--no-enrich", is_flag=True, help="skip the enrich stage (store raw records only)")
@click.pass_obj
def collect(
    obj: Ctx,
    channels: tuple[str, ...],
    limit: int | None,
    max_flood_waits: int,
    download_media: bool,
    no_enrich: bool,
) -> None:
    """Collect new messages from public Telegram channels (live, read-only, resumable).

    CHANNEL is a public username: name, @name or https://t.me/name. Read-only:
    nothing is joined, sent, forwarded or reacted to; invite links (t.me/+...,
    joinchat) and private chats are refused. Each channel resumes after its last
    stored message; Telegram's flood waits are slept off.

    Needs the optional extra 'live' (pip install 'recruitwatch[live]') and the
    api id/hash settings from my.telegram.org: telegram_api_id and
    telegram_api_hash (RECRUITWATCH_TELEGRAM_API_ID, RECRUITWATCH_TELEGRAM_API_HASH).
    The first run asks for the account's phone number and login code; the
    session file stays in the workspace. See docs/live-collection.md.

    Exit codes: 0 ok, 2 settings or extra missing, 4 messages quarantined,
    5 database error, 6 a channel could not be collected.
    """
    from ..ingest.telegram_live import CollectOptions, preflight
    from ..ingest.telegram_live import collect as run_collect

    names = preflight(obj.settings, channels)
    store = obj.store()
    chain = None
    if not no_enrich:
        from ..enrich.chain import Chain

        chain = Chain.default(settings=obj.settings)
    options = CollectOptions(
        max_flood_waits=max_flood_waits, download_media=download_media, chain=chain
    )
    with progress_bar("collecting") as advance:
        report = run_collect(obj.settings, store, names, limit, advance, options)
    for channel in report.channels:
        err.print(channel.summary(), highlight=False)
    sys.exit(report.exit_code)

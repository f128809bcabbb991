"""An RSS 2.0 news feed of the invented 'Synthetic Regional News Service': reports and
analyses ABOUT the group's outreach (news, never propaganda)."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

from .chats import BY_KEY
from .makers_news import report
from .plan import LOCAL, Ctx, Plan
from .textparts import plain

SITE = "https://synthetic-news.example"
PER_MONTH = 4
AUTHORS = ("Demo Correspondent 3", "Demo Correspondent 4", "Demo Analyst Desk")
FEED_CHAT = replace(BY_KEY["news_desk"], varieties=(("en", 1.0),))


@dataclass(frozen=True, slots=True)
class Item:
    guid: str
    link: str
    title: str
    description: str
    when: datetime
    genre: str
    author: str
    places: tuple[str, ...]
    text_source: str


def _title(text: str) -> str:
    body = text.removeprefix("[synthetic] ").split(": ", 1)[-1]
    short = body.split(";")[0].split(", according")[0].rstrip(".")
    return f"[synthetic] {short[0].upper()}{short[1:]}"


def _item(ctx: Ctx, number: int, when: datetime) -> Item:
    plan = Plan(FEED_CHAT, when)
    genre = "research_analysis" if ctx.rng.random() < 0.2 else "news_reporting"
    report(ctx, plan, genre)
    text = plain(plan.parts)
    stamp = (when + LOCAL).strftime("%Y/%m")
    return Item(
        f"synthetic-news-{number:03d}",
        f"{SITE}/{stamp}/report-{number:03d}",
        _title(text),
        text,
        when,
        genre,
        ctx.rng.choice(AUTHORS),
        tuple(plan.places),
        plan.text_source or "",
    )


def items(ctx: Ctx) -> list[Item]:
    ctx.rng = random.Random(f"{ctx.seed}:feed")
    out = []
    start = datetime(2025, 12, 1, 4, 0, tzinfo=UTC)
    for number in range(1, 12 * PER_MONTH + 1):
        day = (number - 1) * 365 // (12 * PER_MONTH) + ctx.rng.randint(0, 5)
        when = start + timedelta(days=day, minutes=ctx.rng.randint(0, 12 * 60))
        out.append(_item(ctx, number, when))
    return out


def _rss_item(item: Item) -> str:
    category = "Analysis" if item.genre == "research_analysis" else "News"
    return (
        "  <item>\n"
        f"   <title>{escape(item.title)}</title>\n"
        f"   <link>{escape(item.link)}</link>\n"
        f'   <guid isPermaLink="false">{item.guid}</guid>\n'
        f"   <pubDate>{format_datetime(item.when)}</pubDate>\n"
        f"   <dc:creator>{escape(item.author)}</dc:creator>\n"
        f"   <category>{category}</category>\n"
        f"   <description>{escape(item.description)}</description>\n"
        "  </item>\n"
    )


def rss(feed_items: list[Item]) -> str:
    newest = max(i.when for i in feed_items)
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:atom="http://www.w3.org/2005/Atom">\n'
        " <channel>\n"
        "  <title>Synthetic Regional News Service (demo feed)</title>\n"
        f"  <link>{SITE}/</link>\n"
        f'  <atom:link href="{SITE}/feed.xml" rel="self" type="application/rss+xml"/>\n'
        "  <description>[synthetic] Invented news feed of the recruitwatch demo corpus: "
        "reports about recruitment outreach, not real news.</description>\n"
        "  <language>en</language>\n"
        f"  <lastBuildDate>{format_datetime(newest)}</lastBuildDate>\n"
    )
    body = "".join(_rss_item(i) for i in sorted(feed_items, key=lambda i: i.when, reverse=True))
    return head + body + " </channel>\n</rss>\n"

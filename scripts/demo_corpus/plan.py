"""What each message of the export is: the plan, before it is written as JSON.

A ``Plan`` records the message (sender, text parts, media, forward, reply, edit) and
what it is meant to be (language variety, genre, theme): the manifest is written
from the same object, so later tests can check detection against it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from .chats import ChatSpec, month_of
from .textparts import Part
from .udhr import Picker

LOCAL = timedelta(hours=5)  # the exporting machine's clock: UTC+05:00


@dataclass(slots=True)
class Plan:
    chat: ChatSpec
    when: datetime  # UTC
    kind: str = "message"
    id: int = 0
    sender: tuple[str, str] | None = None  # (name, from_id)
    author: str | None = None
    parts: list[Part] = field(default_factory=list)
    variety: str | None = None
    genre: str | None = None
    theme: str | None = None
    text_source: str | None = None
    asset: str | None = None
    placeholder: dict[str, Any] | None = None
    forward_of: Plan | None = None
    repost_of: Plan | None = None
    reply_to: Plan | None = None
    edited: datetime | None = None
    via_bot: str | None = None
    reactions: list[dict[str, Any]] = field(default_factory=list)
    action: dict[str, Any] | None = None
    pin: Plan | None = None
    places: list[str] = field(default_factory=list)
    release: str | None = None

    @property
    def month(self) -> int:
        return month_of((self.when + LOCAL).date())

    @property
    def post_id(self) -> str:
        return f"{self.chat.source_key}/{self.id}"


@dataclass(slots=True)
class Ctx:
    seed: int
    picker: Picker
    rng: random.Random = field(default_factory=random.Random)
    plans: dict[str, list[Plan]] = field(default_factory=dict)
    current: list[Plan] = field(default_factory=list)
    releases: list[Plan] = field(default_factory=list)
    members: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    asset_uses: dict[tuple[str, str], int] = field(default_factory=dict)
    reposted: set[int] = field(default_factory=set)

    def next_release(self) -> str:
        return f"synthetic_release_{len(self.releases) + 1:03d}"


def local_iso(moment: datetime) -> str:
    return (moment + LOCAL).replace(tzinfo=None).isoformat()


def unix(moment: datetime) -> str:
    return str(int(moment.timestamp()))


def _month_window(chat: ChatSpec, month: int) -> tuple[date, date]:
    year, mon0 = divmod(2025 * 12 + 11 + month - 1, 12)  # month 1 -> Dec 2025
    first = date(year, mon0 + 1, 1)
    nxt = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return max(first, chat.start), min(nxt - timedelta(days=1), chat.end)


def _moment(day: date, rng: random.Random) -> datetime:
    seconds = rng.randint(7 * 3600, 23 * 3600 + 1800)
    local = datetime.combine(day, time(), UTC) + timedelta(seconds=seconds)
    return local - LOCAL


def schedule(chat: ChatSpec, rng: random.Random) -> list[datetime]:
    """Sorted UTC times of the chat's posts: ``volume[m]`` in month m, inside its window."""
    out: list[datetime] = []
    for month, count in enumerate(chat.volume, start=1):
        first, last = _month_window(chat, month)
        span = (last - first).days
        if count and span >= 0:
            out += [
                _moment(first + timedelta(days=rng.randint(0, span)), rng) for _ in range(count)
            ]
    return sorted(out)


def assign_ids(chat: ChatSpec, plans: list[Plan], rng: random.Random) -> None:
    """Ids in time order, with small gaps where messages were deleted."""
    plans.sort(key=lambda p: p.when)
    next_id = chat.first_id
    for plan in plans:
        plan.id = next_id
        next_id += 1 + (rng.randint(1, 3) if rng.random() < 0.05 else 0)


def add_edits(plans: list[Plan], rng: random.Random, share: float, end: datetime) -> None:
    for plan in plans:
        eligible = plan.kind == "message" and plan.parts and plan.forward_of is None
        if eligible and rng.random() < share:
            edited = plan.when + timedelta(minutes=rng.randint(2, 3 * 24 * 60))
            plan.edited = min(edited, end)


EMOJI = ("👍", "🔥", "❤", "👏", "😢", "🤔")


def _reaction(plan: Plan, rng: random.Random, members: list[tuple[str, str]]) -> dict[str, Any]:
    emoji = rng.choice(EMOJI)
    count = rng.randint(1, 4) if members else rng.randint(3, 120)
    out: dict[str, Any] = {"type": "emoji", "count": count, "emoji": emoji}
    if members:
        who = rng.sample(members, min(count, len(members)))
        seen = [plan.when + timedelta(minutes=rng.randint(1, 600)) for _ in who]
        out["recent"] = [
            {"from": n, "from_id": i, "date": local_iso(t)}
            for (n, i), t in zip(who, sorted(seen, reverse=True), strict=True)
        ]
    return out


def add_reactions(
    plans: list[Plan], rng: random.Random, share: float, members: list[tuple[str, str]]
) -> None:
    for plan in plans:
        if plan.kind == "message" and rng.random() < share:
            kinds = rng.randint(1, 2 if members else 3)
            items = [_reaction(plan, rng, members) for _ in range(kinds)]
            unique = {item["emoji"]: item for item in items}
            plan.reactions = sorted(unique.values(), key=lambda r: -int(r["count"]))

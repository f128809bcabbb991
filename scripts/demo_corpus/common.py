"""Helpers shared by the post makers: weighted choices, senders, assets, UDHR text."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import timedelta
from typing import TypeVar

from . import templates
from .assets import SPECS
from .chats import BACKUP_FIRST_DAY, KY_FROM_MONTH
from .places import place
from .plan import LOCAL, Ctx, Plan
from .textparts import Part, bold, hashtag

T = TypeVar("T")

SPOKEN_BASE = {"uz-Latn": "uz", "uz-Cyrl": "uz"}


def weighted(rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    names = [name for name, _ in options]
    weights = [weight for _, weight in options]
    return rng.choices(names, weights)[0]


def pick_variety(ctx: Ctx, plan: Plan) -> str:
    month = plan.month
    options = [(v, w) for v, w in plan.chat.varieties if v != "ky" or month >= KY_FROM_MONTH]
    return weighted(ctx.rng, options)


def set_sender(ctx: Ctx, plan: Plan) -> None:
    chat = plan.chat
    if chat.members:
        plan.sender = ctx.rng.choice(ctx.members[chat.key])
        return
    plan.sender = (chat.name, chat.peer)
    if chat.authors and ctx.rng.random() < 0.7:
        plan.author = ctx.rng.choice(chat.authors)


def _lang_matches(asset: str, variety: str | None) -> bool:
    lang = SPECS[asset].lang
    if lang is None or variety is None:
        return True
    return SPOKEN_BASE.get(lang, lang) == SPOKEN_BASE.get(variety, variety)


def pick_asset(ctx: Ctx, plan: Plan, kinds: set[str], variety: str | None = None) -> str | None:
    """A pool asset of one of ``kinds``, allowed this month, same language when possible,
    least used first."""
    chat = plan.chat
    usable = [a for a in chat.pool if SPECS[a].kind in kinds and SPECS[a].month_from <= plan.month]
    matching = [a for a in usable if _lang_matches(a, variety)] or usable
    if not matching:
        return None
    ctx.rng.shuffle(matching)
    matching.sort(key=lambda a: ctx.asset_uses.get((chat.key, a), 0))
    return matching[0]


def use_asset(ctx: Ctx, plan: Plan, asset: str | None) -> None:
    if asset is not None:
        key = (plan.chat.key, asset)
        ctx.asset_uses[key] = ctx.asset_uses.get(key, 0) + 1
    plan.asset = asset


def udhr_text(
    ctx: Ctx, plan: Plan, variety: str, tail: list[Part], with_place: bool = True
) -> None:
    """'[synthetic] ' + UDHR sentence(s) in ``variety``, a bold place name, then ``tail``."""
    sentence = ctx.picker.text(variety)
    parts: list[Part] = [f"[synthetic] {sentence.text}"]
    if with_place:
        key = ctx.rng.choice(plan.chat.places)
        parts += ["\n\n", bold(place(key, variety))]
        plan.places = [key]
    if tail:
        parts += ["\n", *tail]
    plan.parts, plan.variety, plan.text_source = parts, variety, sentence.source


def recent(plans: list[Plan], plan: Plan, days: int) -> list[Plan]:
    lo = plan.when - timedelta(days=days)
    return [p for p in plans if lo <= p.when < plan.when - timedelta(minutes=10)]


LOOKALIKE_MARKS = ("look-alike", "похожий канал")


def template_text(
    ctx: Ctx,
    plan: Plan,
    key: tuple[str, str | None],
    lang: str,
    slots: dict[str, str],
    only: int | None = None,
) -> str:
    """A neutral template; a ``{tag}`` slot becomes a hashtag entity. Reports of the
    look-alike channel only appear once it exists."""
    after_backup = (plan.when + LOCAL).date() > BACKUP_FIRST_DAY

    def allow(index: int, tpl: str) -> bool:
        if only is not None and index != only:
            return False
        if "{tag}" in tpl and not slots.get("tag"):
            return False
        return after_backup or not any(mark in tpl for mark in LOOKALIKE_MARKS)

    index, tpl = templates.choose(key[0], key[1], lang, ctx.rng, allow)
    head, sep, rest = tpl.partition("{tag}")
    parts: list[Part] = [templates.fill(head, slots)]
    if sep:
        parts += [hashtag(slots["tag"]), templates.fill(rest, slots)]
    plan.parts, plan.variety = parts, lang
    plan.text_source = f"template:{key[0]}/{key[1] or '-'}/{lang}/{index}"
    return tpl

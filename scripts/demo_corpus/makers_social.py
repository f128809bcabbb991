"""Makers for amplification, relays, group life and media-only posts."""

from __future__ import annotations

from .assets import SPECS
from .common import (
    pick_asset,
    pick_variety,
    recent,
    set_sender,
    template_text,
    udhr_text,
    use_asset,
)
from .makers_official import copy_content, make_statement
from .places import BOT, OUTLET_A, place, tme
from .plan import Ctx, Plan
from .textparts import Part, hashtag, link, text_link

NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"
TOO_BIG = "(File exceeds maximum size. Change data exporting settings to download.)"
OUTLETS = ("outlet_a", "outlet_a_backup")


def make_forward(ctx: Ctx, plan: Plan) -> bool:
    pool = [
        p
        for src in plan.chat.sources
        for p in recent(ctx.plans[src], plan, 40)
        if p.kind == "message" and p.parts and p.forward_of is None
    ]
    if not pool:
        return False
    original = ctx.rng.choice(pool[-30:])
    set_sender(ctx, plan)
    plan.author = None
    copy_content(plan, original)
    plan.forward_of = original
    return True


def _latest_release(ctx: Ctx, plan: Plan) -> Plan | None:
    found = [p for p in recent(ctx.releases, plan, 60) if p.chat.key in OUTLETS]
    return ctx.rng.choice(found[-8:]) if found else None


def _outlet_link(plan: Plan, release: Plan | None) -> Part:
    chat = release.chat if release else None
    name = chat.name if chat else OUTLET_A
    return text_link(name, tme(chat.handle if chat and chat.handle else "synthetic_outlet_a"))


def make_amplify(ctx: Ctx, plan: Plan) -> bool:
    variety = pick_variety(ctx, plan)
    release = _latest_release(ctx, plan)
    set_sender(ctx, plan)
    tail: list[Part] = [hashtag(release.release), " "] if release and release.release else []
    own: list[Part] = [" ", link(tme(plan.chat.handle))] if plan.chat.handle else []
    udhr_text(ctx, plan, variety, [*tail, _outlet_link(plan, release), *own])
    plan.genre = plan.chat.genre
    plan.theme = "media_release_announcement" if tail else None
    if release and release.asset and ctx.rng.random() < 0.4:
        plan.asset = release.asset
    return True


def make_amplify_en(ctx: Ctx, plan: Plan) -> bool:
    release = _latest_release(ctx, plan)
    if release is None or release.release is None:
        return False
    set_sender(ctx, plan)
    slots = {"outlet": release.chat.name, "tag": release.release}
    template_text(ctx, plan, ("supporter_amplification", "media_release_announcement"), "en", slots)
    plan.genre, plan.theme = plan.chat.genre, "media_release_announcement"
    return True


def make_relay(ctx: Ctx, plan: Plan) -> bool:
    """Urdu/Hindi relay: own text in its language, often a copy of the source's media."""
    variety = pick_variety(ctx, plan)
    set_sender(ctx, plan)
    sources = [
        p
        for src in plan.chat.sources
        for p in recent(ctx.plans[src], plan, 45)
        if p.asset and SPECS[p.asset].kind not in ("sticker", "animation")
    ]
    tail: list[Part] = [link(tme(plan.chat.handle or "synthetic_relay_d"))]
    roll = ctx.rng.random()
    if sources and roll < 0.45:
        original = ctx.rng.choice(sources)
        plan.asset = original.asset
        if original.release:
            tail = [hashtag(original.release), " ", *tail]
    elif roll < 0.7:
        use_asset(ctx, plan, pick_asset(ctx, plan, {"voice", "audio", "photo"}))
    udhr_text(ctx, plan, variety, tail)
    plan.genre, plan.theme = plan.chat.genre, "media_release_announcement"
    return True


def make_chatter(ctx: Ctx, plan: Plan) -> bool:
    variety = pick_variety(ctx, plan)
    set_sender(ctx, plan)
    plan.genre = "unrelated"
    if variety in ("en", "ru"):
        key = ctx.rng.choice(plan.chat.places)
        tpl = template_text(ctx, plan, ("unrelated", None), variety, {"place": place(key, variety)})
        plan.places = [key] if "{place}" in tpl else []
        return True
    udhr_text(ctx, plan, variety, [], with_place=False)
    return True


def make_reply(ctx: Ctx, plan: Plan) -> bool:
    targets = [p for p in ctx.current[-30:] if p.kind == "message"]
    if not targets:
        return False
    make_chatter(ctx, plan)
    plan.reply_to = ctx.rng.choice(targets)
    return True


def make_join(ctx: Ctx, plan: Plan) -> bool:
    members = ctx.members[plan.chat.key]
    admin, others = members[0], members[1:]
    plan.kind = "service"
    if ctx.rng.random() < 0.8:
        plan.sender = ctx.rng.choice(others)
        plan.action = {"action": "join_group_by_link", "inviter": admin[0]}
    else:
        plan.sender = admin
        invited = ctx.rng.sample(others, ctx.rng.randint(1, 2))
        plan.action = {"action": "invite_members", "members": [n for n, _ in invited]}
    return True


def _media_only(ctx: Ctx, plan: Plan, kinds: set[str], caption: bool) -> bool:
    asset = pick_asset(ctx, plan, kinds)
    if asset is None:
        return False
    if caption:
        make_chatter(ctx, plan)
    else:
        set_sender(ctx, plan)
    use_asset(ctx, plan, asset)
    return True


def make_voice(ctx: Ctx, plan: Plan) -> bool:
    return _media_only(ctx, plan, {"voice"}, caption=False)


def make_sticker(ctx: Ctx, plan: Plan) -> bool:
    return _media_only(ctx, plan, {"sticker"}, caption=False)


def make_gif(ctx: Ctx, plan: Plan) -> bool:
    done = _media_only(ctx, plan, {"animation"}, caption=False)
    if done and plan.chat.members:
        plan.via_bot = BOT
    return done


def make_photo(ctx: Ctx, plan: Plan) -> bool:
    return _media_only(ctx, plan, {"photo"}, caption=True)


def make_round(ctx: Ctx, plan: Plan) -> bool:
    return _media_only(ctx, plan, {"round"}, caption=False)


def make_placeholder(ctx: Ctx, plan: Plan) -> bool:
    """Media the export did not include: only the placeholder string stands for it."""
    if plan.chat.members:
        make_chatter(ctx, plan)
    else:
        make_statement(ctx, plan)
    if ctx.rng.random() < 0.5:
        plan.placeholder = {"photo": NOT_INCLUDED, "width": 1280, "height": 960}
        return True
    stamp = plan.when.strftime("%Y%m%d_%H%M%S")
    plan.placeholder = {
        "file": TOO_BIG,
        "file_name": f"VID_{stamp}.mp4",
        "file_size": 50_000_000 + ctx.rng.randrange(40_000_000),
        "media_type": "video_file",
        "mime_type": "video/mp4",
        "duration_seconds": 95,
        "width": 1280,
        "height": 720,
    }
    return True

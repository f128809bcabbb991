"""Makers for the stand-in official outlet and its look-alike: releases, statements,
English descriptions, re-posts of the original channel's media."""

from __future__ import annotations

from .assets import SPECS
from .chats import BY_KEY
from .common import (
    pick_asset,
    pick_variety,
    set_sender,
    template_text,
    udhr_text,
    use_asset,
    weighted,
)
from .places import FIGURE, LANG_NAMES, OUTLET_A, RIVAL, place, tme
from .plan import Ctx, Plan
from .textparts import hashtag, mention, text_link

RELEASE_KINDS = {"audio", "voice", "video", "round", "pdf", "photo", "png"}
STATEMENT_THEMES = (
    ("religious_instruction", 0.3),
    ("polemic_against_rival", 0.25),
    ("glorification_of_a_figure", 0.2),
    ("recruitment_call", 0.15),
    ("attack_claim", 0.1),
)
EN_THEMES = (("media_release_announcement", 0.45), *STATEMENT_THEMES)
# Near-duplicates the look-alike sometimes posts instead of the byte-identical file.
NEAR_COPIES = {"img01": "img01s", "vid01": "vid01s"}
FIGURE_LINK = tme("synthetic_songwriter_q")
RELEASE_TEMPLATE = {"audio": 0, "pdf": 1, "video": 2}


def _official(plan: Plan, theme: str) -> None:
    plan.genre, plan.theme = plan.chat.genre, theme


def make_release(ctx: Ctx, plan: Plan) -> bool:
    variety = pick_variety(ctx, plan)
    if variety == "en":
        return make_official_en(ctx, plan, "media_release_announcement")
    set_sender(ctx, plan)
    use_asset(ctx, plan, pick_asset(ctx, plan, RELEASE_KINDS, variety))
    plan.release = ctx.next_release()
    ctx.releases.append(plan)
    tail = [hashtag(plan.release), " ", mention(plan.chat.handle or "synthetic_outlet_a")]
    udhr_text(ctx, plan, variety, tail)
    _official(plan, "media_release_announcement")
    return True


def make_statement(ctx: Ctx, plan: Plan) -> bool:
    variety = pick_variety(ctx, plan)
    theme = weighted(ctx.rng, STATEMENT_THEMES)
    if variety == "en":
        return make_official_en(ctx, plan, theme)
    set_sender(ctx, plan)
    tail = []
    if theme == "glorification_of_a_figure":
        tail = [text_link(FIGURE, FIGURE_LINK)]
    elif plan.chat.handle and ctx.rng.random() < 0.5:
        tail = [mention(plan.chat.handle)]
    udhr_text(ctx, plan, variety, tail)
    if ctx.rng.random() < 0.3:
        use_asset(ctx, plan, pick_asset(ctx, plan, {"photo"}))
    _official(plan, theme)
    return True


def with_article(word: str) -> str:
    return f"{'an' if word[0] in 'AEIOU' else 'a'} {word}"


def _en_asset(ctx: Ctx, plan: Plan, theme: str) -> str | None:
    if theme == "glorification_of_a_figure":
        return pick_asset(ctx, plan, {"audio"})
    if theme == "media_release_announcement":
        return pick_asset(ctx, plan, {"audio", "pdf", "video"})
    return None


def make_official_en(ctx: Ctx, plan: Plan, theme: str | None = None) -> bool:
    theme = theme or weighted(ctx.rng, EN_THEMES)
    set_sender(ctx, plan)
    asset = _en_asset(ctx, plan, theme)
    lang = SPECS[asset].lang if asset else None
    key = ctx.rng.choice(plan.chat.places)
    slots = {
        "outlet": OUTLET_A,
        "figure": FIGURE,
        "rival": RIVAL,
        "place": place(key, "en"),
        "lang": LANG_NAMES[(lang or "uz").split("-")[0]],
        "a_lang": with_article(LANG_NAMES[(lang or "uz").split("-")[0]]),
        "part": str(int(asset[3:])) if asset and asset.startswith("mp3") else "1",
    }
    kind = SPECS[asset].kind if asset else None
    only = RELEASE_TEMPLATE.get(kind or "") if theme == "media_release_announcement" else None
    tpl = template_text(ctx, plan, ("official_propaganda", theme), "en", slots, only)
    plan.places = [key] if "{place}" in tpl else []
    if theme == "media_release_announcement":
        plan.release = ctx.next_release()
        ctx.releases.append(plan)
        plan.parts += ["\n", hashtag(plan.release)]
    use_asset(ctx, plan, asset)
    _official(plan, theme)
    return True


def copy_content(plan: Plan, original: Plan) -> None:
    """Text, language, labels and media of ``original`` (a forward or re-post)."""
    plan.parts = list(original.parts)
    plan.variety, plan.text_source = original.variety, original.text_source
    plan.genre, plan.theme = original.genre, original.theme
    plan.asset, plan.places, plan.release = original.asset, list(original.places), original.release


def make_repost(ctx: Ctx, plan: Plan) -> bool:
    """The look-alike re-posts one of the original channel's media posts (same file)."""
    source = BY_KEY[plan.chat.sources[0]]
    candidates = [
        p for p in ctx.plans[source.key] if p.asset and p.parts and id(p) not in ctx.reposted
    ]
    if not candidates:
        return False
    original = candidates[ctx.rng.randrange(min(len(candidates), 40))]
    ctx.reposted.add(id(original))
    set_sender(ctx, plan)
    copy_content(plan, original)
    if original.asset in NEAR_COPIES and ctx.rng.random() < 0.5:
        plan.asset = NEAR_COPIES[original.asset]
    plan.repost_of = original
    return True

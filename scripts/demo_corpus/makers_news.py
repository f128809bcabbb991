"""Makers for reporting ABOUT the group: news, analysis, counter-narratives."""

from __future__ import annotations

from .chats import BACKUP_FIRST_DAY, KY_FROM_MONTH
from .common import pick_asset, pick_variety, set_sender, template_text, use_asset
from .makers_official import make_statement
from .places import FIGURE, HANDLES, LANG_NAMES, OUTLET_A, OUTLET_B, place, tme
from .plan import LOCAL, Ctx, Plan
from .templates import LANG_RU
from .textparts import link, text_link

BACKUP_NAME = "Synthetic Outlet A (backup)"


def _outreach_lang(ctx: Ctx, plan: Plan) -> str:
    """The language a report says outreach is in: Kyrgyz often once it has begun."""
    if plan.month >= KY_FROM_MONTH and ctx.rng.random() < 0.5:
        return "ky"
    return ctx.rng.choice(("uz", "tg", "uz", "tg", "ur"))


def _slots(ctx: Ctx, plan: Plan, variety: str, key: str) -> dict[str, str]:
    lang = _outreach_lang(ctx, plan)
    after = (plan.when + LOCAL).date() >= BACKUP_FIRST_DAY
    outlet = BACKUP_NAME if after and ctx.rng.random() < 0.4 else OUTLET_A
    releases = [p.release for p in ctx.releases if p.release and p.when < plan.when]
    strength = ctx.rng.choice(("3500", "4000", "4000", "4500"))
    n = str(ctx.rng.randint(2, 12))
    return {
        "place": place(key, variety),
        "lang": LANG_NAMES[lang],
        "lang_ru": LANG_RU[lang],
        "outlet": outlet,
        "tag": releases[-1] if releases else "",
        "n": n,
        "strength": strength,
        "outlet_b": OUTLET_B,
        "figure": FIGURE,
    }


def report(ctx: Ctx, plan: Plan, genre: str) -> str:
    variety = pick_variety(ctx, plan)
    set_sender(ctx, plan)
    key = ctx.rng.choice(plan.chat.places)
    tpl = template_text(ctx, plan, (genre, None), variety, _slots(ctx, plan, variety, key))
    plan.places = [key] if "{place}" in tpl else []
    plan.genre = genre
    return variety


def make_news(ctx: Ctx, plan: Plan) -> bool:
    report(ctx, plan, "news_reporting")
    roll = ctx.rng.random()
    if roll < 0.25:
        use_asset(ctx, plan, pick_asset(ctx, plan, {"photo"}))
    elif roll < 0.4:
        handle = HANDLES["outlet_a_backup" if plan.month >= KY_FROM_MONTH else "outlet_a"]
        plan.parts += ["\n", link(tme(handle))]
    return True


def make_analysis(ctx: Ctx, plan: Plan) -> bool:
    report(ctx, plan, "research_analysis")
    if ctx.rng.random() < 0.35:
        use_asset(ctx, plan, pick_asset(ctx, plan, {"pdf", "png"}))
    elif ctx.rng.random() < 0.3:
        plan.parts += ["\n", text_link(plan.chat.name, tme(HANDLES["research"]))]
    return True


def make_counter(ctx: Ctx, plan: Plan) -> bool:
    report(ctx, plan, "counter_narrative")
    return True


def _captioned(ctx: Ctx, plan: Plan, kinds: set[str]) -> bool:
    asset = pick_asset(ctx, plan, kinds)
    if asset is None:
        return False
    if plan.chat.genre == "news_reporting":
        make_news(ctx, plan)
    else:
        make_statement(ctx, plan)
    use_asset(ctx, plan, asset)
    return True


def make_video(ctx: Ctx, plan: Plan) -> bool:
    return _captioned(ctx, plan, {"video"})


def make_document(ctx: Ctx, plan: Plan) -> bool:
    return _captioned(ctx, plan, {"pdf"})

"""One chat's timeline: scheduled posts made by the chat's mix, service messages, ids,
edits and reactions."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from . import makers_news as news
from . import makers_official as official
from . import makers_social as social
from .chats import BACKUP_FIRST_DAY, ChatSpec
from .common import weighted
from .plan import LOCAL, Ctx, Plan, add_edits, add_reactions, assign_ids, schedule

Maker = Callable[[Ctx, Plan], bool]

MAKERS: dict[str, Maker] = {
    "release": official.make_release,
    "statement": official.make_statement,
    "official_en": official.make_official_en,
    "repost": official.make_repost,
    "forward": social.make_forward,
    "amplify": social.make_amplify,
    "amplify_en": social.make_amplify_en,
    "relay": social.make_relay,
    "chatter": social.make_chatter,
    "reply": social.make_reply,
    "join": social.make_join,
    "voice": social.make_voice,
    "sticker": social.make_sticker,
    "gif": social.make_gif,
    "photo": social.make_photo,
    "round": social.make_round,
    "placeholder": social.make_placeholder,
    "news": news.make_news,
    "analysis": news.make_analysis,
    "counter": news.make_counter,
    "video": news.make_video,
    "document": news.make_document,
}
TEXT_MAKERS = ("statement", "amplify", "relay", "chatter", "news", "analysis")
EXPORT_END = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
OWNER = ("Demo Analyst", "user7000000001")


def members_of(chat: ChatSpec) -> list[tuple[str, str]]:
    """Invented members: the first is the admin; the account owner is last."""
    if chat.type == "private_group":
        people = [(f"Demo Relative {i}", f"user61000000{i:02d}") for i in range(1, chat.members)]
    else:
        people = [
            (f"Synthetic Member {i:02d}", f"user60000000{i:02d}") for i in range(1, chat.members)
        ]
    return [*people, OWNER]


def _choose_maker(ctx: Ctx, plan: Plan) -> str:
    chat = plan.chat
    early = datetime.combine(BACKUP_FIRST_DAY + timedelta(days=21), time(), UTC)
    if chat.key == "outlet_a_backup" and plan.when < early and ctx.rng.random() < 0.7:
        return "repost"
    return weighted(ctx.rng, chat.mix)


def _fallback(chat: ChatSpec) -> str:
    return next((m for m, _ in chat.mix if m in TEXT_MAKERS), "chatter")


def make_post(ctx: Ctx, plan: Plan) -> None:
    name = _choose_maker(ctx, plan)
    if not MAKERS[name](ctx, plan):
        MAKERS[_fallback(plan.chat)](ctx, plan)


def _service(chat: ChatSpec, when: datetime, actor: tuple[str, str], **action: object) -> Plan:
    return Plan(chat, when, kind="service", sender=actor, action=dict(action))


def _at(day: datetime | None, chat: ChatSpec, hour: int) -> datetime:
    start = datetime.combine(chat.start, time(hour), UTC) - LOCAL
    return start if day is None else day


def opening_services(chat: ChatSpec, members: list[tuple[str, str]]) -> list[Plan]:
    own = (chat.name, chat.peer)
    if chat.key == "outlet_a_backup":
        created = _at(None, chat, 6)
        return [
            _service(
                chat, created, own, action="create_channel", title="Synthetic Outlet A reserve"
            ),
            _service(
                chat, created + timedelta(hours=2), own, action="edit_group_title", title=chat.name
            ),
        ]
    if chat.key in ("outlet_a", "archive_g"):
        return [_service(chat, _at(None, chat, 6), own, action="create_channel", title=chat.name)]
    if chat.type == "private_group":
        names = [n for n, _ in members[1:]]
        return [
            _service(
                chat,
                _at(None, chat, 6),
                members[0],
                action="create_group",
                title=chat.name,
                members=names,
            )
        ]
    if chat.key == "supporters_c":
        when = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
        return [_service(chat, when, members[0], action="edit_group_title", title=chat.name)]
    return []


def pin_first(chat: ChatSpec, plans: list[Plan], actor: tuple[str, str]) -> list[Plan]:
    """A pin_message service for the chat's first release or forward."""
    target = next((p for p in plans if p.release or p.forward_of), None)
    if target is None or chat.type == "private_group":
        return []
    pin = _service(chat, target.when + timedelta(minutes=30), actor, action="pin_message")
    pin.pin = target
    return [pin]


def build_chat(ctx: Ctx, chat: ChatSpec) -> list[Plan]:
    ctx.rng = random.Random(f"{ctx.seed}:chat:{chat.key}")
    members = members_of(chat) if chat.members else []
    ctx.members[chat.key] = members
    ctx.current = []
    for when in schedule(chat, ctx.rng):
        plan = Plan(chat, when)
        make_post(ctx, plan)
        ctx.current.append(plan)
    actor = members[0] if members else (chat.name, chat.peer)
    plans = [*opening_services(chat, members), *ctx.current, *pin_first(chat, ctx.current, actor)]
    assign_ids(chat, plans, ctx.rng)
    add_edits(plans, ctx.rng, 0.04 if members else 0.07, EXPORT_END)
    add_reactions(plans, ctx.rng, 0.1 if members else 0.35, members)
    ctx.plans[chat.key] = plans
    return plans

"""The chats of the demo export, their roles, activity windows, volumes and languages.

Month 1 is December 2025, month 12 is November 2026. Outlet A stops in month 6; its
look-alike starts two weeks later; Kyrgyz appears only from month 7.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .places import HANDLES

START = date(2025, 12, 1)
END = date(2026, 11, 30)
KY_FROM_MONTH = 7
A_LAST_DAY = date(2026, 5, 24)
BACKUP_FIRST_DAY = date(2026, 6, 7)


@dataclass(frozen=True, slots=True)
class ChatSpec:
    key: str
    number: int
    name: str
    type: str
    id: int
    role: str
    genre: str
    start: date
    end: date
    volume: tuple[int, ...]  # posts per month, months 1..12
    varieties: tuple[tuple[str, float], ...]
    mix: tuple[tuple[str, float], ...]
    pool: tuple[str, ...] = ()
    places: tuple[str, ...] = ("tashkent", "dushanbe", "bishkek")
    first_id: int = 1
    authors: tuple[str, ...] = ()
    members: int = 0
    left: bool = False
    handle: str | None = None
    sources: tuple[str, ...] = ()  # chats it forwards or re-posts from

    @property
    def folder(self) -> str:
        return f"chats/chat_{self.number:03d}"

    @property
    def peer(self) -> str:
        """from_id / actor_id of the chat itself."""
        return f"channel{self.id}"

    @property
    def source_key(self) -> str:
        """The recruitwatch source key (telegram_common.chat_source)."""
        prefix = "chat" if self.type == "private_group" else "channel"
        return f"telegram:{prefix}{self.id}"


CENTRAL = (
    "khorasan",
    "fergana_valley",
    "tashkent",
    "dushanbe",
    "badakhshan",
    "kunduz",
    "kabul",
    "osh",
    "khujand",
    "bishkek",
)
A_POOL = (
    "img01",
    "img02",
    "img03",
    "img04",
    "img05",
    "img06",
    "png04",
    "voc01",
    "voc02",
    "voc03",
    "voc04",
    "mp301",
    "mp302",
    "mp303",
    "mp304",
    "mp305",
    "vid01",
    "vid02",
    "vid03",
    "rnd01",
    "gif01",
    "pdf01",
    "pdf02",
    "pdf03",
    "pdf04",
    "pdf05",
    "stk01",
)

CHATS: tuple[ChatSpec, ...] = (
    ChatSpec(
        "outlet_a",
        1,
        "Synthetic Outlet A",
        "public_channel",
        1900000101,
        "stand-in for an official outlet: releases (audio, video, booklets), statements; "
        "stops in month 6",
        "official_propaganda",
        START,
        A_LAST_DAY,
        (28, 30, 34, 38, 42, 30, 0, 0, 0, 0, 0, 0),
        (("uz-Latn", 0.4), ("uz-Cyrl", 0.2), ("tg", 0.3), ("en", 0.1)),
        (
            ("release", 0.45),
            ("statement", 0.35),
            ("official_en", 0.12),
            ("voice", 0.05),
            ("sticker", 0.03),
        ),
        pool=A_POOL,
        places=CENTRAL,
        authors=("Synthetic Editor A1", "Synthetic Editor A2"),
        handle=HANDLES["outlet_a"],
    ),
    ChatSpec(
        "outlet_a_backup",
        2,
        "Synthetic Outlet A (backup)",
        "public_channel",
        1900000102,
        "look-alike of Outlet A (similar title, new id): re-posts A's media byte-identically, "
        "adds Kyrgyz; starts two weeks after A stops",
        "official_propaganda",
        BACKUP_FIRST_DAY,
        END,
        (0, 0, 0, 0, 0, 0, 62, 58, 60, 64, 68, 70),
        (("uz-Latn", 0.3), ("uz-Cyrl", 0.1), ("tg", 0.2), ("ky", 0.35), ("en", 0.05)),
        (
            ("repost", 0.2),
            ("release", 0.4),
            ("statement", 0.3),
            ("official_en", 0.05),
            ("voice", 0.05),
        ),
        pool=(*A_POOL, "img01s", "vid01s", "voc05", "voc06", "mp306", "mp307", "rnd02", "gif02"),
        places=CENTRAL,
        authors=("Synthetic Editor A1",),
        handle=HANDLES["outlet_a_backup"],
        sources=("outlet_a",),
    ),
    ChatSpec(
        "foundation_b",
        3,
        "Demo Media Foundation B",
        "public_channel",
        1900000103,
        "supporter amplification: forwards A and its look-alike, own posts with release hashtags",
        "supporter_amplification",
        START,
        END,
        (18, 18, 20, 22, 22, 18, 30, 32, 32, 34, 34, 36),
        (("tg", 0.45), ("ru", 0.2), ("uz-Latn", 0.15), ("uz-Cyrl", 0.05), ("ky", 0.15)),
        (
            ("forward", 0.35),
            ("amplify", 0.5),
            ("amplify_en", 0.05),
            ("sticker", 0.05),
            ("gif", 0.05),
        ),
        pool=("stk02", "gif02", "gif01"),
        places=CENTRAL,
        first_id=1500,
        handle=HANDLES["foundation_b"],
        sources=("outlet_a", "outlet_a_backup"),
    ),
    ChatSpec(
        "supporters_c",
        4,
        "Synthetic Supporters Circle C",
        "private_supergroup",
        1900000104,
        "group chat: chatter, replies, forwards, joins by link, stickers via bot",
        "unrelated",
        START,
        END,
        (60, 62, 64, 66, 68, 66, 84, 88, 88, 92, 92, 96),
        (
            ("uz-Latn", 0.25),
            ("tg", 0.2),
            ("ru", 0.25),
            ("en", 0.12),
            ("uz-Cyrl", 0.06),
            ("ky", 0.12),
        ),
        (
            ("chatter", 0.36),
            ("reply", 0.22),
            ("forward", 0.16),
            ("sticker", 0.07),
            ("gif", 0.04),
            ("voice", 0.03),
            ("photo", 0.04),
            ("join", 0.08),
        ),
        pool=("stk01", "stk02", "stk03", "gif03", "voc07", "img11", "img12"),
        places=CENTRAL,
        first_id=30000,
        members=24,
        sources=("outlet_a", "outlet_a_backup", "foundation_b"),
    ),
    ChatSpec(
        "relay_ur",
        5,
        "Synthetic Urdu Relay D",
        "public_channel",
        1900000105,
        "Urdu-language relay: re-posts A's media with Urdu text, forwards A",
        "supporter_amplification",
        date(2026, 2, 3),
        END,
        (0, 0, 22, 24, 24, 24, 26, 26, 26, 28, 28, 28),
        (("ur", 1.0),),
        (("relay", 0.6), ("forward", 0.25), ("voice", 0.1), ("photo", 0.05)),
        pool=("voc08", "mp308", "voc01m", "img15"),
        places=("khorasan", "kabul", "kunduz"),
        handle=HANDLES["relay_ur"],
        sources=("outlet_a", "outlet_a_backup"),
    ),
    ChatSpec(
        "relay_hi",
        6,
        "Synthetic Hindi Relay E",
        "public_channel",
        1900000106,
        "Hindi-language relay paired with D: forwards D, re-posts D's media with Hindi text",
        "supporter_amplification",
        date(2026, 3, 10),
        END,
        (0, 0, 0, 18, 20, 20, 22, 22, 22, 24, 24, 24),
        (("hi", 1.0),),
        (("relay", 0.6), ("forward", 0.3), ("voice", 0.05), ("photo", 0.05)),
        pool=("voc09", "img16"),
        places=("khorasan", "kabul", "kunduz"),
        handle=HANDLES["relay_hi"],
        sources=("relay_ur",),
    ),
    ChatSpec(
        "news_desk",
        7,
        "Synthetic Regional News Desk",
        "public_channel",
        1900000107,
        "news channel reporting ABOUT the group (news, not propaganda); more reports from month 7",
        "news_reporting",
        START,
        END,
        (30, 30, 32, 32, 34, 40, 55, 50, 40, 38, 36, 36),
        (("en", 0.65), ("ru", 0.35)),
        (("news", 0.9), ("voice", 0.03), ("video", 0.02), ("document", 0.05)),
        pool=("img07", "img08", "img09", "img10", "vid06", "voc10", "pdf09", "vid04"),
        places=CENTRAL,
        first_id=8000,
        authors=("Demo Correspondent 1", "Demo Correspondent 2"),
        handle=HANDLES["news"],
    ),
    ChatSpec(
        "research",
        8,
        "Synthetic Research Notes",
        "public_channel",
        1900000108,
        "research/analysis and counter-narrative notes with PDF reports and charts",
        "research_analysis",
        START,
        END,
        (12,) * 12,
        (("en", 0.7), ("ru", 0.3)),
        (("analysis", 0.6), ("counter", 0.4)),
        pool=("pdf06", "pdf07", "pdf08", "png01", "png02", "png03"),
        places=CENTRAL,
        first_id=400,
        handle=HANDLES["research"],
    ),
    ChatSpec(
        "family",
        9,
        "Synthetic Family Chat",
        "private_group",
        1900000109,
        "unrelated family chatter; some media not downloaded (placeholders)",
        "unrelated",
        START,
        END,
        (25,) * 12,
        (("en", 0.4), ("ru", 0.4), ("uz-Latn", 0.2)),
        (
            ("chatter", 0.5),
            ("reply", 0.25),
            ("photo", 0.1),
            ("sticker", 0.05),
            ("round", 0.03),
            ("gif", 0.02),
            ("placeholder", 0.05),
        ),
        pool=("img13", "img14", "stk03", "rnd03", "gif03"),
        places=("tashkent", "bishkek"),
        first_id=200000,
        members=6,
    ),
    ChatSpec(
        "archive_g",
        10,
        "Synthetic Archive Channel G",
        "public_channel",
        1900000110,
        "a channel the account has left (left_chats): Tajik posts, months 1-3",
        "supporter_amplification",
        START,
        date(2026, 2, 20),
        (15, 15, 10) + (0,) * 9,
        (("tg", 0.7), ("uz-Cyrl", 0.3)),
        (("statement", 0.6), ("placeholder", 0.25), ("video", 0.15)),
        pool=("vid05",),
        places=CENTRAL,
        left=True,
    ),
)

BY_KEY = {chat.key: chat for chat in CHATS}


def month_of(day: date) -> int:
    """1 for December 2025 ... 12 for November 2026."""
    return (day.year - START.year) * 12 + day.month - START.month + 1

"""README.md beside the corpus: what it is, its chats and figures, how to regenerate."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from .chats import CHATS, ChatSpec
from .export import MediaPlacer
from .feed import Item
from .plan import LOCAL, Plan

INTRO = """# Synthetic demo corpus

**Everything in this folder is SYNTHETIC.** It was written by `scripts/make_demo_corpus.py`
for the `recruitwatch demo` command and for tests. Every channel, group, person, handle,
link, outlet and figure is invented and obviously fake (`Synthetic Outlet A`,
`Demo Media Foundation B`, `@synthetic_outlet_a`, `t.me/synthetic_channel_b`,
`Demo Songwriter Q`, `synthetic-news.example`). Place names (Kabul, Tashkent, Dushanbe,
Bishkek, Fergana Valley, Khorasan, Badakhshan, Kunduz, Osh, Khujand) are real geography,
written in Latin, Cyrillic, Arabic and Devanagari script.

No post imitates propaganda. Posts either *describe* what a post of that kind does
("[synthetic] Announcement of part 4 of a Tajik-language audio series by Synthetic Outlet A
..."), in neutral English or Russian written for this corpus, or carry the language of a
post with sentences of the **Universal Declaration of Human Rights** (public text, from
eric-muller/udhr via the rows of `../shared/data/langid/{dev,test}.tsv` whose source starts
with `udhr:`; no other rows are used). Every text starts with the marker `[synthetic]`.
Pictures and videos are abstract patterns; speech is espeak-ng reading UDHR sentences.

"""

FILES = (
    (
        "`telegram_export/result.json`",
        "a Telegram Desktop 'Export Telegram data' (whole "
        "account, JSON): `about`, `personal_information`, `chats.list`, `left_chats.list`; keys "
        "in tdesktop's order",
    ),
    (
        "`telegram_export/chats/chat_NNN/...`",
        "the media of each chat (photos/, files/, "
        "video_files/, voice_messages/, round_video_messages/, stickers/)",
    ),
    (
        "`feeds/synthetic_news.xml`",
        "an RSS 2.0 news feed reporting ABOUT the outreach (news, never propaganda)",
    ),
    (
        "`manifest.jsonl`",
        "one line per post and feed item: intended language, script and "
        "variety, genre, theme, text source, places, hashtags, media, release, forward / re-post "
        "/ reply relations (an absent key means null, false or empty)",
    ),
    (
        "`media.json`",
        "one entry per distinct media file: kind, MIME type, SHA-256, size, "
        "dimensions, duration, language, speech text, near-duplicate source, its paths",
    ),
)

SCENARIO = """## Scenario (what later analytics should find)

- **Takedown and look-alike**: `Synthetic Outlet A` posts until {a_last}; `Synthetic Outlet A
  (backup)` (new id, created as "Synthetic Outlet A reserve" and renamed: `create_channel` +
  `edit_group_title`) starts on {b_first} and re-posts A's media as **byte-identical copies
  in its own chat folder** (same SHA-256), plus two near-duplicates (`img01s`: img01 resized
  and recompressed; `vid01s`: vid01 downscaled) for perceptual matching.
- **New language**: Kyrgyz (`ky`) appears only from month 7 (June 2026), in every chat.
- **Volume changes**: the look-alike posts more than A did; the news desk reports more
  from month 7; the supporters' group grows after month 7.
- **Forwards** name other demo channels in `forwarded_from`; the Urdu relay D re-posts A's
  media with Urdu text and the Hindi relay E forwards D and re-posts D's media.
- **News about the group**: `Synthetic Regional News Desk` (Telegram) and the RSS feed
  report about recruitment outreach; they must be classified as news, not propaganda.
- **Export features**: text as string and as entity list (bold, hashtag, mention, link,
  text_link with href), `text_entities`, `author` signatures, `forwarded_from`,
  `reply_to_message_id`, `edited`/`edited_unixtime`, `via_bot`, `reactions` (with `recent`
  in groups), service messages ({actions}), every media kind, and placeholders
  ("(File not included ...)", "(File exceeds maximum size ...)").
"""

REGEN = """## Use it

`recruitwatch demo` ingests `telegram_export/result.json` and `feeds/*.xml` into a workspace
of its own (HOME/demo) and prints a summary; it needs no input and no display.

## Regenerate

The generator needs `../shared/data/langid` (the UDHR rows); a full build also needs
ffmpeg, espeak-ng, Pillow and pypdf. `--check` needs only Python.

```
.venv/bin/python scripts/make_demo_corpus.py           # full rebuild (ffmpeg, espeak-ng, Pillow)
.venv/bin/python scripts/make_demo_corpus.py --check   # rebuild the JSON/XML/manifest from
                                                       # the committed media and compare
```

The generator is deterministic for a seed (default {seed}): `random.Random` per concern,
fixed dates (2025-12-01 to 2026-11-30, local time UTC+05:00 in `date`, `date_unixtime` in
UTC), Pillow with fixed settings, ffmpeg with `-fflags +bitexact -flags:v +bitexact
-flags:a +bitexact -map_metadata -1` and one thread. Media bytes can still differ with
other versions of ffmpeg, x264, libopus, LAME, libwebp, Pillow or espeak-ng (these were
made with Debian 12's ffmpeg 5.1 and espeak-ng 1.51, and Pillow 13): **the committed output
is the canonical corpus**; `--check` verifies everything else against it.
"""


def _day(plan: Plan) -> str:
    return (plan.when + LOCAL).date().isoformat()


def _chat_row(chat: ChatSpec, plans: list[Plan]) -> str:
    langs = Counter(p.variety for p in plans if p.variety)
    top = ", ".join(f"{v} {n}" for v, n in langs.most_common())
    left = " (left)" if chat.left else ""
    return (
        f"| {chat.number} | {chat.name}{left} | {chat.type} | `{chat.source_key}` | "
        f"{chat.role} | {len(plans)} | {_day(plans[0])} | {_day(plans[-1])} | {top} |"
    )


def _figures(
    plans: dict[str, list[Plan]], placer: MediaPlacer, items: list[Item]
) -> dict[str, int]:
    every = [p for chat in plans.values() for p in chat]
    return {
        "messages": len(every),
        "services": sum(p.kind == "service" for p in every),
        "with_media": sum(p.asset is not None for p in every),
        "placeholders": sum(p.placeholder is not None for p in every),
        "forwards": sum(p.forward_of is not None for p in every),
        "replies": sum(p.reply_to is not None for p in every),
        "edited": sum(p.edited is not None for p in every),
        "distinct_assets": len(placer.library),
        "media_copies": len(placer.paths),
        "feed_items": len(items),
    }


def write(
    path: Path, plans: dict[str, list[Plan]], placer: MediaPlacer, items: list[Item], seed: int
) -> dict[str, int]:
    figures = _figures(plans, placer, items)
    rows = [_chat_row(chat, plans[chat.key]) for chat in CHATS]
    kinds = Counter(b.spec.kind for b in placer.library.values())
    actions = sorted({str(p.action["action"]) for c in plans.values() for p in c if p.action})
    a, b = plans["outlet_a"], plans["outlet_a_backup"]
    text = "\n".join(
        [
            INTRO,
            "## Files\n",
            "| path | what |",
            "|---|---|",
            *[f"| {path} | {what} |" for path, what in FILES],
            "",
            "## Chats\n",
            "| # | name | type | source key | role | messages | first | last | varieties |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "## Figures\n",
            *[f"- {name.replace('_', ' ')}: {value}" for name, value in figures.items()],
            "- distinct media files by kind: "
            + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
            "",
            SCENARIO.format(a_last=_day(a[-1]), b_first=_day(b[0]), actions=", ".join(actions)),
            REGEN.format(seed=seed),
        ]
    )
    path.write_text(text, encoding="utf-8")
    return figures

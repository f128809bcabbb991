"""Test helper: write a chat (result.json shape) as Telegram Desktop's HTML exporter would.

A Python port of the parts of tdesktop's export_output_html.cpp the tests need
(HtmlContext indentation, SerializeString, FormatText, pushMessage with joined
senders and forwards, pushMedia for photos, stickers, videos, voice, audio and
files, the service texts, date separators, pagination and GoToMessage links),
so the HTML reader is tested against the exporter's own layout. Only the
fields the JSON export also has drive it; the time zone is a parameter.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timezone
from pathlib import Path
from typing import Any

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
JOIN_WITHIN_SECONDS = 900
CHANNEL_TYPES = {"public_channel", "private_channel"}
NO_FILE = {
    "(File not included. Change data exporting settings to download.)": (
        "Not included, change data exporting settings to download."
    ),
    "(File exceeds maximum size. Change data exporting settings to download.)": (
        "Exceeds maximum size, change data exporting settings to download."
    ),
    "(File unavailable, please try again later)": "Unavailable, please try again later.",
}


def serialize(value: str) -> str:
    """SerializeString: escapes, newlines as <br>, control characters as &#xNN;."""
    out = []
    for ch in value:
        if ch in "\n\u2028\u2029":
            out.append("<br>")
        elif ch in "\"&'<>":
            out.append({'"': "&quot;", "&": "&amp;", "'": "&apos;", "<": "&lt;", ">": "&gt;"}[ch])
        elif ord(ch) < 32:
            out.append(f"&#x{ord(ch):02X};")
        else:
            out.append(ch)
    return "".join(out)


class Context:
    """HtmlContext: block tags on their own lines, indented by nesting depth."""

    def __init__(self) -> None:
        self.tags: list[tuple[str, bool]] = []

    def indent(self) -> str:
        return " " * len(self.tags)

    def push(
        self,
        tag: str,
        attrs: Mapping[str, str] | None = None,
        *,
        inline: bool = False,
        empty: bool = False,
    ) -> str:
        inner = "".join(f' {k}="{serialize(v)}"' for k, v in sorted((attrs or {}).items()))
        lead = "" if inline else "\n" + self.indent()
        result = f"{lead}<{tag}{inner}{'/' if empty else ''}>" + ("" if inline else "\n")
        if not empty:
            self.tags.append((tag, not inline))
        return result

    def pop(self) -> str:
        tag, block = self.tags.pop()
        return ("\n" + self.indent() if block else "") + f"</{tag}>" + ("\n" if block else "")

    def div(self, cls: str, style: str | None = None) -> str:
        return self.push("div", {"class": cls, **({"style": style} if style else {})})

    def close(self) -> str:
        return "".join(self.pop() for _ in range(len(self.tags)))


def format_text(parts: Sequence[Any]) -> str:
    out = []
    for part in parts:
        if isinstance(part, str):
            part = {"type": "plain", "text": part}
        out.append(_format_part(part))
    return "".join(out)


def _format_part(part: Mapping[str, Any]) -> str:
    text = serialize(part["text"])
    kind = part["type"]
    simple = {
        "bold": "strong",
        "italic": "em",
        "code": "code",
        "pre": "pre",
        "underline": "u",
        "strikethrough": "s",
        "blockquote": "blockquote",
    }
    onclick = {"hashtag": "ShowHashtag", "bot_command": "ShowBotCommand", "cashtag": "ShowCashtag"}
    if kind in simple:
        return f"<{simple[kind]}>{text}</{simple[kind]}>"
    if kind in onclick:
        arg = serialize('"' + part["text"][1:] + '"')
        return f'<a href="" onclick="return {onclick[kind]}({arg})">{text}</a>'
    links = {
        "mention": "https://t.me/" + text[1:],
        "link": text,
        "email": "mailto:" + text,
        "phone": "tel:" + text,
        "text_link": serialize(part.get("href", "")),
    }
    if kind in links:
        return f'<a href="{links[kind]}">{text}</a>'
    if kind == "mention_name":
        return f'<a href="" onclick="return ShowMentionName()">{text}</a>'
    if kind == "spoiler":
        return (
            '<span class="spoiler hidden" onclick="ShowSpoiler(this)">'
            f'<span aria-hidden="true">{text}</span></span>'
        )
    return text


def format_datetime(unix: int, tz: timezone, with_zone: bool = False) -> str:
    local = datetime.fromtimestamp(unix, tz)
    text = local.strftime("%d.%m.%Y %H:%M:%S")
    if not with_zone:
        return text
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "-" if minutes < 0 else "+"
    return f"{text} UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def format_duration(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def format_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


@dataclass
class Info:
    """MessageInfo: what the next message compares itself with."""

    id: int
    service: bool
    from_id: str | None = None
    via: str | None = None
    date: int = 0
    forwarded: bool = False
    forwarded_from: str | None = None
    forwarded_from_id: str | None = None


@dataclass
class ChatWriter:
    chat: Mapping[str, Any]
    tz: timezone
    prefix: str = ""  # "../../" for chats/chat_NNN/ pages of a whole-account export
    per_page: int = 1000
    pages: list[str] = field(default_factory=list)
    last_ids: list[int] = field(default_factory=list)

    @property
    def is_channel(self) -> bool:
        return self.chat.get("type") in CHANNEL_TYPES

    def local_day(self, unix: int) -> Any:
        return datetime.fromtimestamp(unix, self.tz).date()

    # -- page frame ------------------------------------------------------------------------

    def opening(self, ctx: Context, index: int) -> str:
        out = "<!DOCTYPE html>" + ctx.push("html") + ctx.push("head")
        out += ctx.push("meta", {"charset": "utf-8"}, empty=True)
        out += ctx.push("title", inline=True) + "Exported Data" + ctx.pop()
        out += ctx.push(
            "meta",
            {"name": "viewport", "content": "width=device-width, initial-scale=1.0"},
            empty=True,
        )
        out += ctx.push(
            "link", {"href": self.prefix + "css/style.css", "rel": "stylesheet"}, empty=True
        )
        out += (
            ctx.push("script", {"src": self.prefix + "js/script.js", "type": "text/javascript"})
            + ctx.pop()
        )
        out += ctx.pop() + ctx.push("body", {"onload": "CheckLocation();"}) + ctx.div("page_wrap")
        out += ctx.div("page_header")
        if self.prefix:
            out += ctx.push(
                "a",
                {
                    "class": "content block_link",
                    "onclick": "return GoBack(this)",
                    "href": self.prefix + "lists/chats.html",
                },
            )
        else:
            out += ctx.div("content")
        out += ctx.div("text bold") + serialize(self.chat["name"] + " ") + ctx.pop()
        out += ctx.pop() + ctx.pop() + ctx.div("page_body chat_page") + ctx.div("history")
        if index > 0:
            out += ctx.push("a", {"class": "pagination block_link", "href": page_name(index - 1)})
            out += "Previous messages" + ctx.pop()
        return out

    def message_link(self, message_id: int, text: str) -> str:
        for index, last in enumerate(self.last_ids):
            if message_id <= last:
                return f'<a href="{page_name(index)}#go_to_message{message_id}">{text}</a>'
        return (
            f'<a href="#go_to_message{message_id}" '
            f'onclick="return GoToMessage({message_id})">{text}</a>'
        )

    # -- the chat --------------------------------------------------------------------------

    def write(self) -> list[str]:
        messages = list(self.chat["messages"])
        date_id = 0
        for start in range(0, len(messages), self.per_page):
            index = start // self.per_page
            ctx = Context()
            out = self.opening(ctx, index)
            previous: Info | None = None
            for message in messages[start : start + self.per_page]:
                unix = int(message["date_unixtime"])
                if previous is None or self.local_day(previous.date) != self.local_day(unix):
                    date_id -= 1
                    out += self.service_block(ctx, date_id, date_text(unix, self.tz))
                info, html = self.message(ctx, message, previous)
                out += html
                previous = info
            if start + self.per_page < len(messages):
                out += ctx.push(
                    "a", {"class": "pagination block_link", "href": page_name(index + 1)}
                )
                out += "Next messages" + ctx.pop()
                self.last_ids.append(int(messages[start + self.per_page - 1]["id"]))
            self.pages.append(out + ctx.close())
        return self.pages

    def service_block(self, ctx: Context, message_id: int, text: str) -> str:
        out = ctx.push("div", {"class": "message service", "id": f"message{message_id}"})
        return out + ctx.div("body details") + text + ctx.pop() + ctx.pop()

    def message(self, ctx: Context, m: Mapping[str, Any], prev: Info | None) -> tuple[Info, str]:
        if m["type"] == "service":
            info = Info(int(m["id"]), True, date=int(m["date_unixtime"]))
            return info, self.service_block(ctx, int(m["id"]), self.service_text(m))
        info = Info(
            int(m["id"]),
            False,
            m.get("from_id"),
            m.get("via_bot"),
            int(m["date_unixtime"]),
            "forwarded_from" in m,
            m.get("forwarded_from"),
            m.get("forwarded_from_id"),
        )
        return info, self.default_block(ctx, m, info, prev)

    def service_text(self, m: Mapping[str, Any]) -> str:
        actor = serialize(m.get("actor") or "Deleted")
        action = m["action"]
        title = serialize(str(m.get("title", "")))
        names = serialize_list([serialize(n) for n in m.get("members", [])])
        texts = {
            "create_channel": f"Channel &laquo;{title}&raquo; created",
            "edit_group_title": (
                f"Channel title changed to &laquo;{title}&raquo;"
                if self.is_channel
                else f"{actor} changed group title to &laquo;{title}&raquo;"
            ),
            "invite_members": f"{actor} invited {names}",
            "remove_members": f"{actor} removed {names}",
            "join_group_by_link": f"{actor} joined group by link from "
            f"{serialize(str(m.get('inviter')))}",
            "pin_message": f"{actor} pinned "
            + self.message_link(int(m.get("message_id", 0)), "this message"),
            "clear_history": "History cleared",
        }
        return texts[action]

    def needs_wrap(self, info: Info, prev: Info | None) -> bool:
        if prev is None or prev.service or not info.from_id or prev.from_id != info.from_id:
            return True
        if info.via != prev.via or self.local_day(info.date) != self.local_day(prev.date):
            return True
        if (info.forwarded, info.forwarded_from, info.forwarded_from_id) != (
            prev.forwarded,
            prev.forwarded_from,
            prev.forwarded_from_id,
        ):
            return True
        limit = 1 if info.forwarded else JOIN_WITHIN_SECONDS
        return abs(info.date - prev.date) > limit

    def forward_needs_wrap(self, info: Info, prev: Info | None, wrap: bool) -> bool:
        if wrap or prev is None or not info.forwarded_from_id:
            return True
        return info.forwarded_from_id != prev.forwarded_from_id or not str(
            info.forwarded_from_id
        ).startswith("user")

    def default_block(
        self, ctx: Context, m: Mapping[str, Any], info: Info, prev: Info | None
    ) -> str:
        wrap = self.needs_wrap(info, prev)
        cls = "message default clearfix" + ("" if wrap else " joined")
        out = ctx.push("div", {"class": cls, "id": f"message{info.id}"})
        if wrap:
            out += ctx.div("pull_left userpic_wrap") + userpic(ctx, m.get("from", "")) + ctx.pop()
        out += ctx.div("body")
        out += ctx.push(
            "div",
            {
                "class": "pull_right date details",
                "title": format_datetime(info.date, self.tz, True),
            },
        )
        out += datetime.fromtimestamp(info.date, self.tz).strftime("%H:%M") + ctx.pop()
        via = (m.get("via_bot") or "")[1:]
        if wrap:
            out += ctx.div("from_name") + serialize(compose_name(m.get("from"), m.get("from_id")))
            if via and not info.forwarded:
                out += " via @" + serialize(via)
            out += ctx.pop()
        if info.forwarded:
            out += self.forwarded_header(ctx, m, info, self.forward_needs_wrap(info, prev, wrap))
        if "reply_to_message_id" in m:
            out += ctx.div("reply_to details")
            if "reply_to_peer_id" in m:
                out += "In reply to a message in another chat"
            else:
                out += "In reply to " + self.message_link(
                    int(m["reply_to_message_id"]), "this message"
                )
            out += ctx.pop()
        out += self.media(ctx, m)
        text = format_text(m.get("text_entities") or [])
        if text:
            out += ctx.div("text") + text + ctx.pop()
        if m.get("author"):
            out += ctx.div("signature details") + serialize(m["author"]) + ctx.pop()
        if info.forwarded:
            out += ctx.pop()
        return out + ctx.pop() + ctx.pop()

    def forwarded_header(self, ctx: Context, m: Mapping[str, Any], info: Info, wrap: bool) -> str:
        out = ""
        if wrap:
            out += (
                ctx.div("pull_left forwarded userpic_wrap")
                + userpic(ctx, m["forwarded_from"])
                + ctx.pop()
            )
        out += ctx.div("forwarded body")
        if wrap:
            name = compose_name(m["forwarded_from"], m.get("forwarded_from_id"))
            out += ctx.div("from_name") + serialize(name)
            if m.get("via_bot"):
                out += " via @" + serialize(m["via_bot"][1:])
            out += ctx.push(
                "span",
                {"class": "date details", "title": format_datetime(info.date, self.tz, True)},
                inline=True,
            )
            out += " " + format_datetime(info.date, self.tz) + ctx.pop() + ctx.pop()
        return out

    # -- media -----------------------------------------------------------------------------

    def media(self, ctx: Context, m: Mapping[str, Any]) -> str:
        if "photo" in m:
            return self.photo(ctx, m)
        if "file" not in m:
            return ""
        kind = m.get("media_type")
        present = not str(m["file"]).startswith("(")
        if kind == "sticker" and present:
            return self.wrapped(ctx, "sticker_wrap", m["file"], "sticker", m["file"] + ".png")
        if kind in ("video_file", "animation") and present and m.get("thumbnail"):
            cls = "video_file_wrap" if kind == "video_file" else "animated_wrap"
            img = "video_file" if kind == "video_file" else "animated"
            return self.wrapped(ctx, cls, m["file"], img, m["thumbnail"], m)
        return self.generic(ctx, **generic_data(m, present))

    def photo(self, ctx: Context, m: Mapping[str, Any]) -> str:
        if str(m["photo"]).startswith("("):
            status = f"{m.get('width')}×{m.get('height')}, " + format_size(
                m.get("photo_file_size", 0)
            )
            return self.generic(
                ctx,
                title="Photo",
                status=status,
                description=NO_FILE.get(m["photo"], ""),
                classes="media_photo",
            )
        return self.wrapped(ctx, "photo_wrap", m["photo"], "photo", m["photo"] + "_thumb.jpg")

    def wrapped(
        self,
        ctx: Context,
        cls: str,
        href: str,
        img: str,
        thumb: str,
        m: Mapping[str, Any] | None = None,
    ) -> str:
        out = ctx.div("media_wrap clearfix")
        out += ctx.push("a", {"class": f"{cls} clearfix pull_left", "href": self.prefix + href})
        if cls == "video_file_wrap" and m is not None:
            out += ctx.div("video_play_bg") + ctx.div("video_play") + ctx.pop() + ctx.pop()
            out += (
                ctx.div("video_duration")
                + format_duration(int(m.get("duration_seconds", 0)))
                + ctx.pop()
            )
        if cls == "animated_wrap":
            out += ctx.div("video_play_bg") + ctx.div("gif_play") + "GIF" + ctx.pop() + ctx.pop()
        out += ctx.push(
            "img",
            {"class": img, "style": "width: 160px; height: 120px", "src": self.prefix + thumb},
            empty=True,
        )
        return out + ctx.pop() + ctx.pop()

    def generic(
        self,
        ctx: Context,
        title: str = "",
        status: str = "",
        description: str = "",
        classes: str = "",
        link: str = "",
        thumb: str = "",
    ) -> str:
        out = ctx.div("media_wrap clearfix")
        if link:
            out += ctx.push(
                "a",
                {
                    "class": "media clearfix pull_left block_link " + classes,
                    "href": self.prefix + link,
                },
            )
        else:
            out += ctx.div("media clearfix pull_left " + classes)
        if thumb:
            out += ctx.push(
                "img", {"class": "thumb pull_left", "src": self.prefix + thumb}, empty=True
            )
        else:
            out += ctx.div("fill pull_left") + ctx.pop()
        out += ctx.div("body")
        for cls, value in (
            ("title bold", title),
            ("description", description),
            ("status details", status),
        ):
            if value:
                out += ctx.div(cls) + serialize(value) + ctx.pop()
        return out + ctx.pop() + ctx.pop() + ctx.pop()


def generic_data(m: Mapping[str, Any], present: bool) -> dict[str, str]:
    """prepareMediaData for documents: title, status, classes, link, thumb."""
    kind = m.get("media_type")
    size = format_size(int(m.get("file_size", 0)))
    timed = format_duration(int(m.get("duration_seconds", 0)))
    if not present:
        timed += ", " + size
    out = {
        "description": "" if present else NO_FILE.get(m["file"], ""),
        "link": m["file"] if present else "",
    }
    if kind == "sticker":
        status = m.get("sticker_emoji", "")
        status = (status + ", " if status else "") + size
        return {**out, "title": "Sticker", "status": status, "classes": "media_photo"}
    if kind == "video_message":
        return {
            **out,
            "title": "Video message",
            "status": timed,
            "classes": "media_video",
            "thumb": m.get("thumbnail", "") if present else "",
        }
    if kind == "voice_message":
        return {**out, "title": "Voice message", "status": timed, "classes": "media_voice_message"}
    if kind == "video_file":
        return {**out, "title": "Video file", "status": timed, "classes": "media_video"}
    if kind == "animation":
        return {**out, "title": "Animation", "status": size, "classes": "media_video"}
    if kind == "audio_file":
        title = (
            f"{m['performer']} – {m['title']}"
            if m.get("performer") and m.get("title")
            else "Audio file"
        )
        return {**out, "title": title, "status": timed, "classes": "media_audio_file"}
    return {**out, "title": m.get("file_name") or "File", "status": size, "classes": "media_file"}


def userpic(ctx: Context, name: str) -> str:
    initials = "".join(w[:1] for w in str(name).split()[:2])
    out = ctx.div("userpic userpic3", "width: 42px; height: 42px")
    out += ctx.div("initials", "line-height: 42px") + serialize(initials)
    return out + ctx.pop() + ctx.pop()


def compose_name(name: str | None, peer_id: str | None) -> str:
    """ComposeName: "first last"; chats and channels keep their name plus a space."""
    if not name:
        return "Deleted Account"
    if str(peer_id or "").startswith("user"):
        first, _, last = name.partition(" ")
        return f"{first} {last}"
    return name + " "


def serialize_list(values: Sequence[str]) -> str:
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + " and " + values[-1]


def date_text(unix: int, tz: timezone) -> str:
    day = datetime.fromtimestamp(unix, tz).date()
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def page_name(index: int) -> str:
    return "messages.html" if index == 0 else f"messages{index + 1}.html"


def write_chat_html(
    folder: Path, chat: Mapping[str, Any], tz: timezone, prefix: str = "", per_page: int = 1000
) -> list[Path]:
    """Write messages.html, messages2.html, ... of ``chat`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = ChatWriter(chat, tz, prefix, per_page).write()
    paths = [folder / page_name(i) for i in range(len(pages))]
    for path, html in zip(paths, pages, strict=True):
        path.write_text(html, encoding="utf-8")
    return paths


def write_result_json(folder: Path, chat: Mapping[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "result.json"
    path.write_text(json.dumps(chat, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def local_iso(unix: int, tz: timezone) -> str:
    return datetime.fromtimestamp(unix, tz).replace(tzinfo=None).isoformat()


def unix(year: int, month: int, day: int, hour: int, minute: int, tz: timezone) -> int:
    return int(datetime(year, month, day, hour, minute, tzinfo=tz).astimezone(UTC).timestamp())

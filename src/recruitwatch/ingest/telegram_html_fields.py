"""What the parts of a Telegram Desktop HTML message block mean: dates, text, media.

Each function mirrors one part of tdesktop's export_output_html.cpp
(FormatDateTime, FormatText, pushMedia / prepareMediaData) and returns the
fields result.json has for the same thing. Used by ``telegram_html_blocks``.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from ..errors import RecordError

Element = Any  # lxml elements are untyped

MONTHS = (
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
)
# "12.03.2024 09:00:00 UTC+05:00" (tdesktop); the zone may read GMT, be short ("UTC+5") or absent.
TITLE_RE = re.compile(
    r"^(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4}),? "
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2}):(?P<second>\d{2})(?P<zone>.*)$"
)
# "3 April 2023, 12:00:00": seen in other tools' export fixtures; carries no zone.
WORDY_TITLE_RE = re.compile(
    r"^(?P<day>\d{1,2}) (?P<month>[A-Z][a-z]+) (?P<year>\d{4}),? "
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2}):(?P<second>\d{2})(?P<zone>.*)$"
)
ZONE_RE = re.compile(r"^\s*(?:UTC|GMT)\s*(?:(?P<sign>[+-])(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?)?\s*$")
SEPARATOR_RE = re.compile(r"^(\d{1,2}) (\w+) (\d{4})$")
DURATION_RE = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")
IMAGE_SIZE_RE = re.compile(r"^(\d+)\s*[x×]\s*(\d+)")
FILE_SIZE_RE = re.compile(r"^\d+(?:\.\d+)? (?:B|KB|MB|GB|TB)$")

TAG_TYPES = {
    "strong": "bold",
    "b": "bold",
    "em": "italic",
    "i": "italic",
    "code": "code",
    "pre": "pre",
    "u": "underline",
    "s": "strikethrough",
    "blockquote": "blockquote",
}
ONCLICK_TYPES = {
    "ShowHashtag": "hashtag",
    "ShowBotCommand": "bot_command",
    "ShowCashtag": "cashtag",
    "ShowMentionName": "mention_name",
    "ShowNotLoadedEmoji": "custom_emoji",
    "ShowNotAvailableEmoji": "custom_emoji",
}
# NoFileDescription (HTML) -> the placeholder result.json writes for the same skip reason.
SKIP_REASONS = {
    "Not included, change data exporting settings to download.": (
        "(File not included. Change data exporting settings to download.)"
    ),
    "Exceeds maximum size, change data exporting settings to download.": (
        "(File exceeds maximum size. Change data exporting settings to download.)"
    ),
    "Unavailable, please try again later.": "(File unavailable, please try again later)",
}
# Media blocks drawn with a thumbnail: class -> (key, media_type).
WRAPS = {
    "photo_wrap": ("photo", None),
    "sticker_wrap": ("file", "sticker"),
    "animated_wrap": ("file", "animation"),
    "video_file_wrap": ("file", "video_file"),
}
# Generic media blocks: (class, title or None for any) -> (key, media_type).
GENERIC = {
    ("media_photo", "Photo"): ("photo", None),
    ("media_photo", "Sticker"): ("file", "sticker"),
    ("media_video", "Video message"): ("file", "video_message"),
    ("media_video", "Animation"): ("file", "animation"),
    ("media_video", "Video file"): ("file", "video_file"),
    ("media_voice_message", None): ("file", "voice_message"),
    ("media_audio_file", None): ("file", "audio_file"),
    ("media_file", None): ("file", None),
}
TIMED = {"voice_message", "audio_file", "video_message", "video_file", "animation"}


# -- element helpers -------------------------------------------------------------------------


def classes(el: Element) -> set[str]:
    return set(str(el.get("class") or "").split())


def child(el: Element, *names: str) -> Element | None:
    """The first child element carrying every class in ``names``."""
    for c in el:
        found = c.get("class") if isinstance(c.tag, str) else None
        if found and names[0] in found and set(names) <= set(found.split()):
            return c
    return None


def inner_text(el: Element) -> str:
    """Text of an element with <br> as a newline."""
    out = [el.text or ""]
    for c in el:
        if isinstance(c.tag, str):
            out.append("\n" if c.tag == "br" else inner_text(c))
        out.append(c.tail or "")
    return "".join(out)


def own_text(el: Element) -> str:
    """The element's own text nodes (not its children's), stripped."""
    return "".join(str(t) for t in el.xpath("text()")).strip()


def block_id(el: Element) -> int:
    value = str(el.get("id") or "")
    if not value.startswith("message"):
        raise RecordError(f"message block without a message id (id={value!r})")
    try:
        return int(value[len("message") :])
    except ValueError as exc:
        raise RecordError(f"message block id {value!r} is not a number") from exc


# -- dates -----------------------------------------------------------------------------------


def _title_parts(title: str) -> dict[str, str]:
    for pattern in (TITLE_RE, WORDY_TITLE_RE):
        match = pattern.match(title.strip())
        if match:
            parts = match.groupdict()
            if not parts["month"].isdigit():
                if parts["month"] not in MONTHS:
                    break
                parts["month"] = str(MONTHS.index(parts["month"]) + 1)
            return parts
    raise RecordError(f"date title {title!r} is not DD.MM.YYYY HH:MM:SS [UTC+HH:MM]")


def _zone(text: str, title: str) -> timezone | None:
    if not text.strip():
        return None
    match = ZONE_RE.match(text)
    if not match:
        raise RecordError(f"date title {title!r} has an unreadable time zone {text.strip()!r}")
    hours, minutes = int(match["h"] or 0), int(match["m"] or 0)
    offset = timedelta(hours=hours, minutes=minutes) * (-1 if match["sign"] == "-" else 1)
    try:
        return timezone(offset)
    except ValueError as exc:
        raise RecordError(f"date title {title!r} has an impossible offset") from exc


def parse_title(title: str) -> dict[str, Any]:
    """The date fields of result.json from a title such as "12.03.2024 10:00:00 UTC+05:00"."""
    parts = _title_parts(title)
    zone = _zone(parts["zone"], title)
    year, month, day, hour, minute, second = (
        int(parts[k]) for k in ("year", "month", "day", "hour", "minute", "second")
    )
    try:
        local = datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise RecordError(f"date title {title!r} is not a valid date") from exc
    unix = int(local.replace(tzinfo=zone or UTC).timestamp())
    out = {"date": local.isoformat(), "date_unixtime": str(unix), "html_date_title": title}
    if zone is None:
        out["html_date_zone"] = "missing: read as UTC"
    return out


def separator_day(text: str) -> date | None:
    match = SEPARATOR_RE.match(text.strip())
    if not match or match.group(2) not in MONTHS:
        return None
    day, month, year = match.groups()
    try:
        return date(int(year), MONTHS.index(month) + 1, int(day))
    except ValueError:
        return None


# -- text ------------------------------------------------------------------------------------


def link_part(a: Element, text: str) -> dict[str, Any]:
    onclick = str(a.get("onclick") or "")
    for key, kind in ONCLICK_TYPES.items():
        if key in onclick:
            return {"type": kind, "text": text}
    href = str(a.get("href") or "")
    if href == f"mailto:{text}":
        return {"type": "email", "text": text}
    if href == f"tel:{text}":
        return {"type": "phone", "text": text}
    if len(text) > 1 and text[0] == "@" and href.endswith("/" + text[1:]):
        return {"type": "mention", "text": text}
    if href == text:
        return {"type": "link", "text": text}
    return {"type": "text_link", "text": text, "href": href}


def element_part(el: Element, unknown: Counter[str]) -> dict[str, Any]:
    text = inner_text(el)
    if el.tag == "a":
        return link_part(el, text)
    if el.tag in TAG_TYPES:
        return {"type": TAG_TYPES[el.tag], "text": text}
    if el.tag == "span" and "spoiler" in classes(el):
        return {"type": "spoiler", "text": text}
    unknown[f"html_tag:{el.tag}"] += 1
    return {"type": "plain", "text": text}


def _add_plain(parts: list[dict[str, Any]], text: str | None) -> None:
    if not text:
        return
    if parts and parts[-1]["type"] == "plain":
        parts[-1]["text"] += text
    else:
        parts.append({"type": "plain", "text": text})


def _trim(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop the exporter's layout newline + indentation around the text."""
    if parts and parts[0]["type"] == "plain" and parts[0]["text"].startswith("\n"):
        parts[0]["text"] = parts[0]["text"][1:]
    if parts and parts[-1]["type"] == "plain":
        parts[-1]["text"] = re.sub(r"\n *$", "", parts[-1]["text"])
    return [p for p in parts if p["type"] != "plain" or p["text"]]


def text_parts(div: Element, unknown: Counter[str]) -> list[dict[str, Any]]:
    """A div.text as result.json's ``text_entities``."""
    parts: list[dict[str, Any]] = []
    _add_plain(parts, div.text)
    for el in div:
        if not isinstance(el.tag, str):
            _add_plain(parts, el.tail)
            continue
        if el.tag == "br":
            _add_plain(parts, "\n")
        else:
            parts.append(element_part(el, unknown))
        _add_plain(parts, el.tail)
    return _trim(parts)


def text_fields(div: Element | None, unknown: Counter[str]) -> dict[str, Any]:
    parts = text_parts(div, unknown) if div is not None else []
    if len(parts) <= 1 and all(p["type"] == "plain" for p in parts):
        text: Any = parts[0]["text"] if parts else ""
    else:
        text = [p["text"] if p["type"] == "plain" else p for p in parts]
    return {"text": text, "text_entities": parts}


# -- media -----------------------------------------------------------------------------------


def duration(text: str) -> int | None:
    match = DURATION_RE.match(text.split(",")[0].strip())
    if not match:
        return None
    hours, minutes, seconds = match.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return total or None


def placeholder(description: str) -> str:
    return SKIP_REASONS.get(description) or f"({description or 'File not exported'})"


def _wrapped(el: Element, key: str, media_type: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {key: str(el.get("href") or "")}
    if media_type:
        out["media_type"] = media_type
    shown = child(el, "video_duration")
    if shown is not None and (seconds := duration(inner_text(shown))):
        out["duration_seconds"] = seconds
    thumb = next((i for i in el.iter("img") if classes(i) & {"video_file", "animated"}), None)
    if thumb is not None and thumb.get("src"):
        out["thumbnail"] = str(thumb.get("src"))
    return out


def _generic_kind(cls: set[str], title: str) -> tuple[str, str | None] | None:
    for (name, wanted), kind in GENERIC.items():
        if name in cls and wanted in (None, title):
            return kind
    return None


def _field(el: Element, name: str) -> str:
    body = child(el, "body")
    found = child(el if body is None else body, name)
    return inner_text(found).strip() if found is not None else ""


def _details(title: str, status: str, media_type: str | None, has_file: bool) -> dict[str, Any]:
    """What a generic media block's title and status say about a document."""
    out: dict[str, Any] = {}
    if media_type in TIMED and (seconds := duration(status)):
        out["duration_seconds"] = seconds
    if media_type is None and title and title != "File":
        out["file_name"] = title
    if media_type == "audio_file" and " – " in title:
        out["performer"], out["title"] = title.split(" – ", 1)
    if media_type == "sticker":
        emoji = status if has_file else status.split(", ")[0]
        if emoji and not FILE_SIZE_RE.match(emoji):
            out["sticker_emoji"] = emoji
    return out


def _photo_size(status: str) -> dict[str, Any]:
    match = IMAGE_SIZE_RE.match(status)
    return {"width": int(match.group(1)), "height": int(match.group(2))} if match else {}


def generic_media(el: Element, unknown: Counter[str]) -> dict[str, Any]:
    cls = classes(el)
    title, status = _field(el, "title"), _field(el, "status")
    description = _field(el, "description")
    kind = _generic_kind(cls, title)
    if kind is None:
        unknown[f"html_media:{'/'.join(sorted(cls - {'media', 'clearfix', 'pull_left'}))}"] += 1
        return {"html_media": {"title": title, "status": status, "description": description}}
    key, media_type = kind
    href = str(el.get("href") or "") if el.tag == "a" else ""
    out: dict[str, Any] = {key: href or placeholder(description)}
    if media_type:
        out["media_type"] = media_type
    if key == "photo":
        out.update({} if href else _photo_size(status))
        return out
    thumb = next((i for i in el.iter("img") if "thumb" in classes(i)), None)
    if media_type == "video_message" and thumb is not None and thumb.get("src"):
        out["thumbnail"] = str(thumb.get("src"))
    out.update(_details(title, status, media_type, bool(href)))
    return out


def poll_answer(el: Element) -> dict[str, Any]:
    """ "- Text <span class="details">3 votes, chosen vote</span>" as result.json's answer."""
    details = " ".join("".join(s.itertext()) for s in el.iter("span"))
    votes = re.match(r"\s*(\d+) votes?", details)
    return {
        "text": own_text(el).removeprefix("- ").strip(),
        "voters": int(votes.group(1)) if votes else 0,
        "chosen": "chosen vote" in details,
    }


def poll(el: Element) -> dict[str, Any]:
    question = child(el, "question")
    return {
        "poll": {
            "question": inner_text(question).strip() if question is not None else "",
            "closed": "Final results" in "".join(el.itertext()),
            "answers": [poll_answer(a) for a in el if "answer" in classes(a)],
        }
    }


def media_fields(content: Element, unknown: Counter[str]) -> dict[str, Any]:
    wrap = child(content, "media_wrap")
    for el in wrap if wrap is not None else ():
        cls = classes(el)
        for name, (key, media_type) in WRAPS.items():
            if name in cls:
                return _wrapped(el, key, media_type)
        if "media" in cls:
            return generic_media(el, unknown)
        if "media_poll" in cls:
            return poll(el)
    return {}

"""One Telegram Desktop HTML message block -> the dict shape of result.json.

Used by ``telegram_html``. Mirrors tdesktop's export_output_html.cpp
(pushMessage, the service texts); the meaning of dates, text and media comes
from ``telegram_html_fields``. Keys that only HTML has start with ``html_`` and
stay in the raw payload. A block that cannot be read becomes
``{"id", "html_error", "html"}`` so the reader quarantines that one record and
goes on.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import lxml.etree

from ..errors import RecordError
from .telegram_html_fields import (
    block_id,
    child,
    classes,
    inner_text,
    media_fields,
    parse_title,
    separator_day,
    text_fields,
)

Element = Any  # lxml elements are untyped

HTML_SNIPPET = 4000
GOTO_RE = re.compile(r"GoToMessage\((\d+)\)|go_to_message(\d+)")
VIA_RE = re.compile(r"^(?P<name>.*?)\s+via @(?P<bot>\S+)$", re.DOTALL)
UNSUPPORTED = "This message is not supported"

# Classes of the blocks a message body is made of, as far as this reader maps them.
KNOWN_BLOCKS = frozenset(
    (
        "userpic_wrap",
        "date",
        "from_name",
        "forwarded",
        "reply_to",
        "media_wrap",
        "text",
        "signature",
    )
)

_A = r"(?P<actor>.+?)"
_T = r"«(?P<title>.*)»"
SERVICE_ACTIONS = [
    (rf"^Channel {_T} created$", "create_channel"),
    (rf"^{_A} created group {_T}(?: with members (?P<members>.+))?$", "create_group"),
    (rf"^Channel title changed to {_T}$", "edit_group_title"),
    (rf"^{_A} changed group title to {_T}$", "edit_group_title"),
    (r"^Channel photo changed$", "edit_group_photo"),
    (rf"^{_A} changed group photo$", "edit_group_photo"),
    (r"^Channel photo removed$", "delete_group_photo"),
    (rf"^{_A} removed group photo$", "delete_group_photo"),
    (rf"^{_A} joined group by link from (?P<inviter>.+)$", "join_group_by_link"),
    (rf"^{_A} joined group by request$", "join_group_by_request"),
    (rf"^{_A} invited (?P<members>.+) to the voice chat$", "invite_to_group_call"),
    (rf"^{_A} invited (?P<members>.+)$", "invite_members"),
    (rf"^{_A} converted this group to a supergroup$", "migrate_to_supergroup"),
    (rf"^{_A} converted a basic group to this supergroup {_T}$", "migrate_from_group"),
    (rf"^{_A} removed (?P<members>.+)$", "remove_members"),
    (rf"^{_A} pinned this message$", "pin_message"),
    (r"^History cleared$", "clear_history"),
    (rf"^{_A} took a screenshot$", "take_screenshot"),
    (rf"^{_A} joined Telegram$", "joined_telegram"),
    (rf"^{_A} created topic {_T}$", "topic_created"),
    (r"^Voice chat(?: \(\d+ seconds\))?$", "group_call"),
    (rf"^{_A} started voice chat(?: \(\d+ seconds\))?$", "group_call"),
    (rf"^{_A} set a new background for this chat$", "set_chat_wallpaper"),
    (rf"^{_A} set the same background for this chat$", "set_same_chat_wallpaper"),
]
SERVICE_RES = [(re.compile(p, re.DOTALL), action) for p, action in SERVICE_ACTIONS]


@dataclass(slots=True)
class Item:
    """One message dict and the day of the date separator above it (local time)."""

    message: dict[str, Any]
    day: date | None


# -- senders, replies, forwards --------------------------------------------------------------


def name_text(el: Element) -> str:
    """A from_name's text: the name and any "via @bot", without the forward's date span."""
    parts = [el.text or ""]
    for c in el:
        if isinstance(c.tag, str) and "date" not in classes(c):
            parts.append(" " + inner_text(c))
        parts.append(c.tail or "")
    return "".join(parts).strip()


def name_and_via(el: Element) -> dict[str, Any]:
    text = name_text(el)
    match = VIA_RE.match(text)
    if match:
        return {"name": match.group("name").strip(), "via_bot": "@" + match.group("bot")}
    return {"name": text}


def sender_fields(
    body: Element, joined: bool, previous: Mapping[str, Any] | None
) -> dict[str, Any]:
    top = child(body, "from_name")
    if top is not None:
        found = name_and_via(top)
        out = {"from": found["name"]}
        if "via_bot" in found:
            out["via_bot"] = found["via_bot"]
        return out
    if joined and previous is not None:
        return {k: previous[k] for k in ("from", "via_bot") if k in previous}
    return {"html_sender": "not shown"}


def forward_fields(fwd: Element, previous: Mapping[str, Any] | None) -> dict[str, Any]:
    name = child(fwd, "from_name")
    if name is None:  # a joined forward repeats the previous message's origin
        keep = ("forwarded_from", "via_bot")
        return {k: previous[k] for k in keep if k in previous} if previous else {}
    found = name_and_via(name)
    out = {"forwarded_from": found["name"]}
    if "via_bot" in found:
        out["via_bot"] = found["via_bot"]
    shown = next((s for s in name.iter("span") if "date" in classes(s)), None)
    if shown is not None and shown.get("title"):
        out["html_forwarded_date"] = str(shown.get("title"))
    return out


def reply_fields(content: Element) -> dict[str, Any]:
    div = child(content, "reply_to")
    if div is None:
        return {}
    for a in div.iter("a"):
        match = GOTO_RE.search(f"{a.get('onclick') or ''} {a.get('href') or ''}")
        if match:
            return {"reply_to_message_id": int(match.group(1) or match.group(2))}
    return {"html_reply_to": inner_text(div).strip()}


# -- blocks ----------------------------------------------------------------------------------


def default_message(
    el: Element, previous: Mapping[str, Any] | None, unknown: Counter[str]
) -> dict[str, Any]:
    message: dict[str, Any] = {"id": block_id(el), "type": "message"}
    body = child(el, "body")
    if body is None:
        raise RecordError("message block has no div.body")
    shown = child(body, "date")
    if shown is None or not shown.get("title"):
        raise RecordError("message block has no date (div.pull_right.date.details title)")
    message.update(parse_title(str(shown.get("title"))))
    if "edited" in inner_text(shown):  # some exporters write "edited 10:05", never the edit date
        message["html_edited"] = True
    message.update(sender_fields(body, "joined" in classes(el), previous))
    fwd = child(body, "forwarded", "body")
    content = fwd if fwd is not None else body
    if fwd is not None:
        message.update(forward_fields(fwd, previous))
    message.update(reply_fields(content))
    message.update(media_fields(content, unknown))
    message.update(text_fields(child(content, "text"), unknown))
    signature = child(content, "signature")
    if signature is not None:
        message["author"] = inner_text(signature).strip()
    message.update(extra_blocks(body, content, unknown))
    return message


def extra_blocks(body: Element, content: Element, unknown: Counter[str]) -> dict[str, Any]:
    """Blocks this reader does not map (reactions, bot buttons ...): counted, text kept raw."""
    out: dict[str, Any] = {}
    for el in (*body, *(content if content is not body else ())):
        cls = classes(el) if isinstance(el.tag, str) else KNOWN_BLOCKS
        if cls and not cls & KNOWN_BLOCKS:
            name = sorted(cls)[0]
            unknown[f"html_block:{name}"] += 1
            out.setdefault("html_blocks", {})[name] = " ".join(inner_text(el).split())
    return out


def _pinned_id(body: Element) -> dict[str, Any]:
    for a in body.iter("a"):
        match = GOTO_RE.search(f"{a.get('onclick') or ''} {a.get('href') or ''}")
        if match:
            return {"message_id": int(match.group(1) or match.group(2))}
    return {}


def _names(text: str) -> list[str]:
    """tdesktop's SerializeList: "A", "A and B", "A, B and C"."""
    head, _, last = text.rpartition(" and ")
    return [*head.split(", "), last] if head else [last]


def service_action(text: str, body: Element) -> dict[str, Any]:
    for pattern, action in SERVICE_RES:
        match = pattern.match(text)
        if not match:
            continue
        found = {k: v for k, v in match.groupdict().items() if v is not None}
        out: dict[str, Any] = {"action": action}
        if "actor" in found:
            out["actor"] = found["actor"]
        if "title" in found:
            out["title"] = found["title"]
        if "inviter" in found:
            out["inviter"] = found["inviter"]
        if "members" in found:
            out["members"] = _names(found["members"])
        if action == "pin_message":
            out.update(_pinned_id(body))
        return out
    return {}


def service_message(el: Element, message_id: int, unknown: Counter[str]) -> dict[str, Any]:
    body = child(el, "body")
    text = " ".join(inner_text(body).split()) if body is not None else ""
    if text.startswith(UNSUPPORTED):
        return {"id": message_id, "type": "unsupported"}
    out = {"id": message_id, "type": "service", "text": "", "text_entities": []}
    out["html_service_text"] = text
    action = service_action(text, body)
    if not action:
        unknown["html_service:unrecognised"] += 1
    out.update(action)
    return out


def _error(el: Element, exc: RecordError) -> dict[str, Any]:
    html = lxml.etree.tostring(el, encoding="unicode", method="html")[:HTML_SNIPPET]
    return {
        "id": str(el.get("id") or "?").removeprefix("message"),
        "html_error": exc.reason,
        "html": html,
    }


def read_blocks(elements: Iterable[Element], unknown: Counter[str]) -> list[Item]:
    """Every message of a page, in order; date separators set the day, joins the sender."""
    items: list[Item] = []
    previous: dict[str, Any] | None = None
    day: date | None = None
    for el in elements:
        try:
            message_id = block_id(el)
            if "service" in classes(el):
                previous = None
                if message_id < 0:
                    day = separator_day(inner_text(el)) or day
                    continue
                message = service_message(el, message_id, unknown)
            else:
                message = default_message(el, previous, unknown)
                previous = message
        except RecordError as exc:
            message, previous = _error(el, exc), None
        items.append(Item(message, day))
    return items

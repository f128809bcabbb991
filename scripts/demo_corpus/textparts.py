"""Message text as Telegram Desktop writes it: ``text`` (string or mixed list) and
``text_entities`` (always a list of objects, plain parts included)."""

from __future__ import annotations

from typing import Any

Part = str | dict[str, str]


def bold(text: str) -> Part:
    return {"type": "bold", "text": text}


def hashtag(tag: str) -> Part:
    return {"type": "hashtag", "text": f"#{tag}"}


def mention(handle: str) -> Part:
    return {"type": "mention", "text": f"@{handle}"}


def link(url: str) -> Part:
    return {"type": "link", "text": url}


def text_link(text: str, href: str) -> Part:
    return {"type": "text_link", "text": text, "href": href}


def merge(parts: list[Part]) -> list[Part]:
    """Adjacent plain strings joined, empty strings dropped."""
    out: list[Part] = []
    for part in parts:
        if isinstance(part, str):
            if not part:
                continue
            if out and isinstance(out[-1], str):
                out[-1] += part
                continue
        out.append(part)
    return out


def plain(parts: list[Part]) -> str:
    return "".join(p if isinstance(p, str) else p["text"] for p in parts)


def export_text(parts: list[Part]) -> tuple[Any, list[dict[str, str]]]:
    """(``text``, ``text_entities``) as in result.json."""
    merged = merge(parts)
    entities = [{"type": "plain", "text": p} if isinstance(p, str) else dict(p) for p in merged]
    if all(isinstance(p, str) for p in merged):
        return ("".join(p for p in merged if isinstance(p, str)), entities)
    return ([p if isinstance(p, str) else dict(p) for p in merged], entities)


def entity_texts(parts: list[Part], kind: str) -> list[str]:
    return [p["text"] for p in parts if isinstance(p, dict) and p["type"] == kind]

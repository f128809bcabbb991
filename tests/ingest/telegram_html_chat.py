"""A synthetic chat for the HTML reader tests, in result.json shape, with its media files.

Every post is marked "[synthetic]" and describes what it does; names, handles
and links are invented. The Uzbek Cyrillic and Urdu posts carry sentences of
the Universal Declaration of Human Rights read from ../shared/data/langid.
"""

from __future__ import annotations

import csv
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

from .html_export_writer import local_iso, unix

ROOT = Path(__file__).resolve().parents[2]
LANGID = ROOT / ".." / "shared" / "data" / "langid" / "test.tsv"
TZ = timezone(timedelta(hours=5))  # Tashkent: a UTC offset other than 0


def udhr_sentence(lang: str, script: str) -> str:
    """A sentence of the Universal Declaration of Human Rights from the shared langid data."""
    with LANGID.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            if (row["lang"], row["script"]) == (lang, script) and row["source"].startswith("udhr:"):
                return row["text"]
    raise AssertionError(f"no UDHR row for {lang}/{script} in {LANGID}")


# -- the synthetic chat ------------------------------------------------------------------------

ONE = {"from": "Synthetic Member One", "from_id": "user1001"}
TWO = {"from": "Synthetic Member Two", "from_id": "user1002"}
FILES = {
    "photos/photo_1@12-03-2024_09-20-00.jpg": b"[synthetic] photo bytes",
    "voice_messages/audio_1@12-03-2024_09-30-00.ogg": b"[synthetic] voice bytes",
    "video_files/video_1@12-03-2024_09-40-00.mp4": b"[synthetic] video bytes",
    "video_files/video_1@12-03-2024_09-40-00.mp4_thumb.jpg": b"[synthetic] thumb bytes",
    "stickers/sticker_1.webp": b"[synthetic] sticker bytes",
    "files/synthetic_report.pdf": b"[synthetic] document bytes",
    "files/synthetic_song.mp3": b"[synthetic] audio bytes",
}
NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"


def parts_to_text(parts: list[dict[str, Any]]) -> Any:
    """result.json's ``text``: a string for one plain part, else a mixed list."""
    if len(parts) == 1 and parts[0]["type"] == "plain":
        return parts[0]["text"]
    return [p["text"] if p["type"] == "plain" else p for p in parts]


def message(mid: int, when: int, parts: list[dict[str, Any]] | None = None, **extra: Any) -> dict:
    parts = parts or []
    out = {"id": mid, "type": "message", "date": local_iso(when, TZ), "date_unixtime": str(when)}
    out.update(extra)
    out["text"] = parts_to_text(parts) if parts else ""
    out["text_entities"] = parts
    return out


def service(mid: int, when: int, action: str, **extra: Any) -> dict:
    out = {
        "id": mid,
        "type": "service",
        "date": local_iso(when, TZ),
        "date_unixtime": str(when),
        "action": action,
        **extra,
        "text": "",
        "text_entities": [],
    }
    return out


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain", "text": text}


def synthetic_chat() -> dict[str, Any]:
    def t(day: int, hour: int, minute: int) -> int:
        return unix(2024, 3, day, hour, minute, TZ)

    size = {path: len(data) for path, data in FILES.items()}
    group = {"actor": "Synthetic Discussion Group B", "actor_id": "channel2002"}
    entities = [
        plain("[synthetic] Entity test: "),
        {"type": "bold", "text": "weekly summary"},
        plain(", link "),
        {"type": "link", "text": "https://example.org/synthetic"},
        plain(", mention "),
        {"type": "mention", "text": "@synthetic_outlet_a"},
        plain(", tag "),
        {"type": "hashtag", "text": "#synthetic_release"},
        plain(",\n"),
        {
            "type": "text_link",
            "text": "a described page",
            "href": "https://t.me/synthetic_channel_b",
        },
        plain(" & <quotes> 'single' \"double\", "),
        {"type": "italic", "text": "italic\nsecond line"},
        plain(" "),
        {"type": "code", "text": "code_x"},
        plain(" "),
        {"type": "email", "text": "desk@example.org"},
        plain(" "),
        {"type": "underline", "text": "under"},
        plain(" "),
        {"type": "strikethrough", "text": "struck"},
        plain(" "),
        {"type": "spoiler", "text": "hidden"},
        plain(" "),
        {"type": "bot_command", "text": "/start"},
        plain(" "),
        {"type": "cashtag", "text": "$SYN"},
        plain(" "),
        {"type": "phone", "text": "+10000000000"},
        plain(" "),
        {"type": "pre", "text": "print(1)", "language": "python"},
        plain(" "),
        {"type": "mention_name", "text": "Synthetic Member Three", "user_id": 1003},
        plain("  "),
    ]
    uz = udhr_sentence("uz", "Cyrl")
    ur = udhr_sentence("ur", "Arab")
    return {
        "name": "Synthetic Discussion Group B",
        "type": "public_supergroup",
        "id": 2002,
        "messages": [
            service(
                1, t(12, 8, 0), "create_channel", title="Synthetic Discussion Group B", **group
            ),
            message(
                2,
                t(12, 9, 0),
                [plain("[synthetic] A plain post that announces a weekly summary.")],
                **ONE,
            ),
            message(3, t(12, 9, 2), entities, **ONE),
            message(
                4,
                t(12, 9, 5),
                [plain("[synthetic] A reply asking when the summary comes.")],
                reply_to_message_id=2,
                **TWO,
            ),
            message(
                5,
                t(12, 9, 6),
                [
                    plain(
                        "[synthetic] Forwarded announcement of an "
                        "Uzbek-language audio series by outlet "
                        "synthetic_outlet_a."
                    )
                ],
                forwarded_from="Synthetic Outlet A",
                forwarded_from_id="channel3003",
                **TWO,
            ),
            message(
                6,
                t(12, 9, 10),
                [plain("[synthetic] Posted through an inline bot.")],
                via_bot="@synthetic_helper_bot",
                **ONE,
            ),
            service(
                7,
                t(12, 9, 15),
                "invite_members",
                actor="Synthetic Member One",
                actor_id="user1001",
                members=["Synthetic Member Three", "Synthetic Member Four"],
            ),
            message(
                8,
                t(12, 9, 20),
                [plain("[synthetic] Photo caption.")],
                photo="photos/photo_1@12-03-2024_09-20-00.jpg",
                width=800,
                height=600,
                **TWO,
            ),
            message(9, t(12, 9, 21), [], photo=NOT_INCLUDED, width=1009, height=396, **TWO),
            message(
                10,
                t(12, 9, 30),
                [],
                file="voice_messages/audio_1@12-03-2024_09-30-00.ogg",
                media_type="voice_message",
                mime_type="audio/ogg",
                duration_seconds=7,
                file_size=size["voice_messages/audio_1@12-03-2024_09-30-00.ogg"],
                **ONE,
            ),
            message(
                11,
                t(12, 9, 40),
                [plain("[synthetic] Video post.")],
                file="video_files/video_1@12-03-2024_09-40-00.mp4",
                thumbnail="video_files/video_1@12-03-2024_09-40-00.mp4_thumb.jpg",
                media_type="video_file",
                mime_type="video/mp4",
                duration_seconds=65,
                width=640,
                height=360,
                **ONE,
            ),
            message(
                12,
                t(12, 9, 41),
                [],
                file="stickers/sticker_1.webp",
                thumbnail="stickers/sticker_1.webp_thumb.jpg",
                media_type="sticker",
                sticker_emoji="🙂",
                width=512,
                height=512,
                **ONE,
            ),
            message(
                13,
                t(12, 9, 42),
                [],
                file=NOT_INCLUDED,
                media_type="sticker",
                sticker_emoji="🙂",
                width=512,
                height=512,
                file_size=20480,
                **ONE,
            ),
            message(
                14,
                t(12, 9, 50),
                [plain("[synthetic] Report attached.")],
                file="files/synthetic_report.pdf",
                file_name="synthetic_report.pdf",
                mime_type="application/pdf",
                file_size=size["files/synthetic_report.pdf"],
                **TWO,
            ),
            message(
                15,
                t(12, 9, 55),
                [plain("[synthetic] Text after an edit.")],
                edited=local_iso(t(12, 10, 30), TZ),
                edited_unixtime=str(t(12, 10, 30)),
                author="Synthetic Editor",
                **TWO,
            ),
            service(
                16,
                t(12, 10, 0),
                "pin_message",
                actor="Synthetic Member One",
                actor_id="user1001",
                message_id=2,
            ),
            message(
                17,
                t(12, 10, 5),
                [],
                file="files/synthetic_song.mp3",
                media_type="audio_file",
                performer="Synthetic Singer",
                title="Synthetic Tune",
                mime_type="audio/mpeg",
                duration_seconds=3725,
                file_size=size["files/synthetic_song.mp3"],
                **ONE,
            ),
            message(
                18,
                t(12, 10, 6),
                [],
                file=NOT_INCLUDED,
                media_type="video_message",
                mime_type="video/mp4",
                duration_seconds=12,
                file_size=300000,
                **ONE,
            ),
            message(
                19,
                t(12, 10, 7),
                [plain("[synthetic] Reply into another chat.")],
                reply_to_message_id=77,
                reply_to_peer_id="channel3003",
                **ONE,
            ),
            message(20, t(13, 8, 0), [plain("[synthetic] ذیل: " + ur)], **TWO),
            message(21, t(13, 8, 1), [plain("[synthetic] " + uz)], **TWO),
            service(
                22,
                t(13, 8, 30),
                "edit_group_title",
                actor="Synthetic Member Two",
                actor_id="user1002",
                title="Synthetic Discussion Group B2",
            ),
            service(
                23,
                t(13, 8, 31),
                "remove_members",
                actor="Synthetic Member Two",
                actor_id="user1002",
                members=["Synthetic Member Four"],
            ),
            message(24, t(13, 8, 40), [plain("[synthetic] Last message of the day.")], **TWO),
        ],
    }


def write_media(folder: Path) -> None:
    for rel, data in FILES.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

"""The Telegram Desktop HTML export reader, checked against the JSON export of the same chat.

A synthetic chat (every post marked "[synthetic]", handles invented) is written
as result.json and, by ``html_export_writer`` (a port of tdesktop's HTML
exporter), as messages.html with its media; both are read by their readers and
every field both formats carry must be equal. ``NOT_IN_HTML`` lists what the
HTML export does not carry, and the tests check that list too.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recruitwatch.errors import InputError, RecordError, UnsafePathError
from recruitwatch.ingest.base import RawRecord
from recruitwatch.ingest.telegram_export import TelegramJsonReader
from recruitwatch.ingest.telegram_html import TelegramHtmlReader, chat_pages, page_number
from recruitwatch.ingest.telegram_html_fields import parse_title, text_parts
from recruitwatch.model import Post
from recruitwatch.pipeline import ingest_location
from recruitwatch.settings import Settings, sqlite_url
from recruitwatch.store import open_store
from recruitwatch.store.queries import iter_posts, list_quarantine

from .html_export_writer import format_text, unix, write_chat_html, write_result_json
from .telegram_html_chat import (
    NOT_INCLUDED,
    ROOT,
    TZ,
    message,
    plain,
    service,
    synthetic_chat,
    udhr_sentence,
    write_media,
)

FIXTURES = ROOT / "tests" / "fixtures" / "telegram_html"

# What the HTML export does not carry, so the comparison leaves it out.
NOT_IN_HTML = {
    "source id and type": "HTML names the chat only: handle html-<sha256(name)>, kind unknown",
    "sender_id, forwarded_from_id": "peer ids (user123, channel456) are not written",
    "edited": "no edit date in HTML (some exporters write 'edited HH:MM': html_edited)",
    "reply_to_peer, reply into another chat": "'In reply to a message in another chat', no id",
    "media mime_type; width/height of exported files": "only the thumbnail size is drawn",
    "sticker_emoji of a drawn sticker; sticker thumbnail": "the sticker is drawn as an image",
    "service message date": "not written; inferred from a neighbour (html_date_inferred)",
    "actor of channel-wide service messages": "'Channel «...» created' names no actor",
    "reactions": "newer exporters draw div.reactions: kept as text in raw html_blocks",
    "entity user_id, language, document_id": "mention_name, pre and custom_emoji lose them",
}


def read_all(reader: Any, location: Path) -> list[Post]:
    return [reader.normalise(raw) for raw in reader.records(str(location))]


# -- what both formats carry -------------------------------------------------------------------

ACTION_KEYS = ("action", "title", "members", "inviter", "message_id")
MEDIA_KEYS = (
    "kind",
    "path",
    "present",
    "sha256",
    "size",
    "duration_seconds",
    "absent_reason",
    "file_name",
)


def shared_media(html: Mapping[str, Any], json: Mapping[str, Any]) -> tuple[dict, dict]:
    """Media fields both carry; extras (performer, title, thumbnail ...) where HTML has them."""
    keys = [k for k in MEDIA_KEYS]
    if html["width"] is not None:  # drawn only for photos that were not exported
        keys += ["width", "height"]
    pick = lambda m: {k: m[k] for k in keys}  # noqa: E731
    common = set(html["extra"]) & set(json["extra"])
    return (
        {**pick(html), "extra": {k: html["extra"][k] for k in common}},
        {**pick(json), "extra": {k: json["extra"][k] for k in common}},
    )


def carried(post: Post) -> dict[str, Any]:
    service_post = post.kind == "service"
    return {
        "message_id": post.message_id,
        "kind": post.kind,
        "text": post.text,
        "entities": [e.to_dict() for e in post.entities],
        "date": None if service_post else post.date,
        "sender": post.sender,
        "forwarded_from": post.forwarded_from,
        "reply_to": post.reply_to,
        "via_bot": post.via_bot,
        "author": post.author,
        "action": {k: post.action[k] for k in ACTION_KEYS if k in post.action}
        if post.action
        else None,
    }


@dataclass
class Both:
    folder: Path
    chat: dict[str, Any]
    html: dict[str, Post]
    json: dict[str, Post]


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Both:
    """The chat exported in both formats into one folder (what tdesktop's "both" option writes)."""
    folder = tmp_path_factory.mktemp("both")
    chat = synthetic_chat()
    write_media(folder)
    write_result_json(folder, chat)
    write_chat_html(folder, chat, TZ)
    html = {p.message_id: p for p in read_all(TelegramHtmlReader(), folder / "messages.html")}
    json = {p.message_id: p for p in read_all(TelegramJsonReader(), folder / "result.json")}
    return Both(folder, chat, html, json)


def test_the_same_messages_come_out_of_both_formats(both: Both) -> None:
    assert list(both.html) == list(both.json) == [str(m["id"]) for m in both.chat["messages"]]


def expected_in_html(json_post: Post) -> dict[str, Any]:
    """``carried`` of the JSON post, less what NOT_IN_HTML says HTML cannot hold."""
    expected = carried(json_post)
    if json_post.action and json_post.action.get("action") == "create_channel":
        expected["sender"] = None  # actor of channel-wide service messages
    if json_post.reply_to_peer:
        expected["reply_to"] = None  # reply into another chat
    for entity in expected["entities"]:
        for key in ("user_id", "language", "document_id"):
            entity.pop(key, None)
    return expected


def test_every_field_both_formats_carry_is_equal(both: Both) -> None:
    for mid, json_post in both.json.items():
        html_post = both.html[mid]
        assert carried(html_post) == expected_in_html(json_post), mid
        assert len(html_post.media) == len(json_post.media), mid
        for h, j in zip(html_post.media, json_post.media, strict=True):
            assert (
                shared_media(h.to_dict(), j.to_dict())[0]
                == shared_media(h.to_dict(), j.to_dict())[1]
            ), mid


def test_the_comparison_covers_every_kind_of_field(both: Both) -> None:
    """Guard against a vacuous comparison: the chat exercises what the test claims."""
    posts = list(both.html.values())
    entity_types = {e.type for p in posts for e in p.entities}
    assert entity_types >= {
        "bold",
        "link",
        "mention",
        "hashtag",
        "text_link",
        "italic",
        "code",
        "email",
        "underline",
        "strikethrough",
        "spoiler",
        "bot_command",
        "cashtag",
        "phone",
        "pre",
        "mention_name",
    }
    kinds = {(m.kind, m.present) for p in posts for m in p.media}
    assert kinds >= {
        ("photo", True),
        ("photo", False),
        ("voice", True),
        ("video", True),
        ("sticker", True),
        ("sticker", False),
        ("document", True),
        ("audio", True),
        ("video_message", False),
    }
    assert all(m.sha256 for p in posts for m in p.media if m.present)
    assert {p.action["action"] for p in posts if p.action} == {
        "create_channel",
        "invite_members",
        "pin_message",
        "edit_group_title",
        "remove_members",
    }
    assert both.html["3"].sender == "Synthetic Member One"  # a joined block: no from_name
    assert 'class="message default clearfix joined" id="message3"' in (
        both.folder / "messages.html"
    ).read_text(encoding="utf-8")
    assert both.html["5"].forwarded_from == "Synthetic Outlet A"
    assert both.html["6"].via_bot == "@synthetic_helper_bot"
    assert both.html["4"].reply_to == "2"
    assert both.html["15"].author == "Synthetic Editor"
    assert both.html["16"].action == {**both.html["16"].action, "message_id": 2}


def test_non_latin_text_survives(both: Both) -> None:
    uz, ur = udhr_sentence("uz", "Cyrl"), udhr_sentence("ur", "Arab")
    assert both.html["21"].text == "[synthetic] " + uz
    assert both.html["20"].text.endswith(ur)
    assert (
        hashlib.sha256(both.html["21"].text.encode()).hexdigest()
        == hashlib.sha256(both.json["21"].text.encode()).hexdigest()
    )


def test_dates_are_utc_instants_from_the_offset_in_the_title(both: Both) -> None:
    page = (both.folder / "messages.html").read_text(encoding="utf-8")
    assert 'title="12.03.2024 09:00:00 UTC+05:00"' in page
    assert both.html["2"].date == datetime(2024, 3, 12, 4, 0, tzinfo=UTC)
    assert both.html["2"].raw["date"] == "2024-03-12T09:00:00"


def test_what_html_does_not_carry(both: Both) -> None:
    html, json = both.html, both.json
    assert json["15"].edited is not None and html["15"].edited is None
    assert json["2"].sender_id == "user1001" and html["2"].sender_id is None
    assert json["5"].forwarded_from_id == "channel3003" and html["5"].forwarded_from_id is None
    assert json["19"].reply_to == "77" and json["19"].reply_to_peer == "channel3003"
    assert html["19"].reply_to is None and html["19"].reply_to_peer is None
    assert html["19"].raw["html_reply_to"] == "In reply to a message in another chat"
    assert json["11"].media[0].mime_type == "video/mp4" and html["11"].media[0].mime_type is None
    assert json["12"].media[0].extra["sticker_emoji"] == "🙂"
    assert "sticker_emoji" not in html["12"].media[0].extra
    assert json["1"].sender == "Synthetic Discussion Group B" and html["1"].sender is None
    pre = [
        (e.type, e.language, e.user_id)
        for e in json["3"].entities
        if e.type in ("pre", "mention_name")
    ]
    assert pre == [("pre", "python", None), ("mention_name", None, "1003")]
    assert all(e.language is None and e.user_id is None for e in html["3"].entities)


def test_service_dates_are_inferred_and_marked(both: Both) -> None:
    for mid in ("1", "7", "16", "22", "23"):
        html, json = both.html[mid], both.json[mid]
        assert "html_date_inferred" in html.raw, mid
        assert html.date.astimezone(TZ).date() == json.date.astimezone(TZ).date(), mid
    assert both.html["7"].date == both.json["6"].date  # from the previous message
    assert both.html["7"].raw["html_date_inferred"] == "from the previous message 6"
    assert both.html["1"].date == both.json["2"].date  # first of the day: from the next one


def test_a_folder_with_result_json_gives_the_json_source(both: Both) -> None:
    assert both.html["2"].source == both.json["2"].source
    assert both.html["2"].id == both.json["2"].id == "telegram:channel2002/2"


def test_html_alone_gets_a_stable_handle_from_the_chat_name(tmp_path: Path, both: Both) -> None:
    write_media(tmp_path)
    write_chat_html(tmp_path, both.chat, TZ)
    posts = read_all(TelegramHtmlReader(), tmp_path)
    again = read_all(TelegramHtmlReader(), tmp_path)
    digest = hashlib.sha256(b"Synthetic Discussion Group B").hexdigest()[:16]
    assert {p.source.key for p in posts} == {f"telegram:html-{digest}"}
    assert posts[0].source.title == "Synthetic Discussion Group B"
    assert posts[0].source.kind == "unknown" and posts[0].source.external_id is None
    assert [p.id for p in posts] == [p.id for p in again]
    assert [carried(p) for p in posts] == [carried(both.html[p.message_id]) for p in posts]


def test_pages_are_read_in_numeric_order(tmp_path: Path, both: Both) -> None:
    write_media(tmp_path)
    paths = write_chat_html(tmp_path, both.chat, TZ, per_page=2)
    assert len(paths) == 12 and paths[-1].name == "messages12.html"
    assert [p.name for p in chat_pages(tmp_path)][8:11] == [
        "messages9.html",
        "messages10.html",
        "messages11.html",
    ]
    posts = read_all(TelegramHtmlReader(), tmp_path)
    assert [p.message_id for p in posts] == list(both.json)
    for post in posts:
        assert carried(post)["text"] == carried(both.json[post.message_id])["text"]
    by_id = {p.message_id: p for p in posts}
    assert by_id["4"].reply_to == "2"  # the link points into messages.html from messages2.html
    assert by_id["16"].action and by_id["16"].action["message_id"] == 2
    assert by_id["2"].sender == "Synthetic Member One"


def test_page_number() -> None:
    assert page_number(Path("messages.html")) == 1
    assert page_number(Path("messages10.html")) == 10
    assert page_number(Path("other.html")) == 0


def test_whole_account_export_resolves_media_from_the_export_root(
    tmp_path: Path, both: Both
) -> None:
    chat_dir = tmp_path / "chats" / "chat_001"
    account_chat = dict(both.chat)
    account_chat["messages"] = [
        {
            k: (
                f"chats/chat_001/{v}"
                if k in ("photo", "file", "thumbnail") and not str(v).startswith("(")
                else v
            )
            for k, v in m.items()
        }
        for m in both.chat["messages"]
    ]
    write_media(chat_dir)
    write_chat_html(chat_dir, account_chat, TZ, prefix="../../")
    other = {
        "name": "Synthetic Outlet A",
        "type": "public_channel",
        "id": 3003,
        "messages": [
            message(
                1,
                unix(2024, 3, 1, 12, 0, TZ),
                [plain("[synthetic] x")],
                **{"from": "Synthetic Outlet A", "from_id": "channel3003"},
            )
        ],
    }
    write_chat_html(tmp_path / "chats" / "chat_002", other, TZ, prefix="../../")
    posts = read_all(TelegramHtmlReader(), tmp_path)
    assert len({p.source.key for p in posts}) == 2
    photo = next(p for p in posts if p.message_id == "8").media[0]
    assert photo.path == "chats/chat_001/photos/photo_1@12-03-2024_09-20-00.jpg"
    assert photo.present and photo.sha256 == both.json["8"].media[0].sha256
    assert 'href="../../chats/chat_001/photos/' in (chat_dir / "messages.html").read_text(
        encoding="utf-8"
    )


# -- bad input ---------------------------------------------------------------------------------


def test_an_html_page_that_is_not_an_export_is_refused() -> None:
    location = FIXTURES / "not_an_export.html"
    assert not TelegramHtmlReader.sniff(str(location), location.read_bytes())
    with pytest.raises(InputError, match="no message blocks"):
        list(TelegramHtmlReader().records(str(location)))


def test_an_empty_page_and_an_empty_folder_are_refused(tmp_path: Path) -> None:
    (tmp_path / "messages.html").write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        list(TelegramHtmlReader().records(str(tmp_path)))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match=r"no messages\.html"):
        list(TelegramHtmlReader().records(str(empty)))


def bad_records() -> dict[str, RawRecord]:
    reader = TelegramHtmlReader()
    return {raw.locator: raw for raw in reader.records(str(FIXTURES / "bad_blocks"))}


def test_an_unreadable_block_is_a_record_error() -> None:
    raws = bad_records()
    reader = TelegramHtmlReader()
    with pytest.raises(RecordError, match="has no date"):
        reader.normalise(raws["messages.html#message2"])
    with pytest.raises(RecordError, match=r"not DD\.MM\.YYYY"):
        reader.normalise(raws["messages.html#message3"])
    with pytest.raises(RecordError, match="without a message id"):
        reader.normalise(raws["messages.html#message?"])
    assert reader.normalise(raws["messages.html#message1"]).text == "[synthetic] A good post."


def test_a_media_href_leaving_the_export_folder_is_refused() -> None:
    raws = bad_records()
    reader = TelegramHtmlReader()
    with pytest.raises(UnsafePathError, match="escapes the export folder"):
        reader.normalise(raws["messages.html#message4"])
    with pytest.raises(UnsafePathError):
        reader.normalise(raws["messages.html#message5"])


def test_the_pipeline_quarantines_bad_blocks_and_keeps_the_rest(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, db=sqlite_url(tmp_path / "s.db"), batch_size=2)
    store = open_store(settings.db_url)
    try:
        report = ingest_location(
            store, str(FIXTURES / "bad_blocks"), settings, TelegramHtmlReader()
        )
        with store.connect() as conn:
            stored = list(iter_posts(conn))
            quarantined = list_quarantine(conn)
    finally:
        store.dispose()
    assert report.error is None and report.records == 7
    assert report.quarantined == 5 and len(quarantined) == 5
    assert {q["reason"] for q in quarantined} >= {
        "message block has no date (div.pull_right.date.details title)"
    }
    assert any("escapes the export folder" in q["reason"] for q in quarantined)
    assert sorted(p["message_id"] for p in stored) == ["1", "6"]


# -- the handmade page, sniffing, dates, text --------------------------------------------------


def test_a_handmade_page_in_the_exporters_layout() -> None:
    reader = TelegramHtmlReader()
    raws = list(reader.records(str(FIXTURES / "handmade" / "messages.html")))
    assert [r.locator for r in raws] == [f"messages.html#message{i}" for i in range(10, 17)]
    unsupported = raws.pop(5)
    assert unsupported.payload == {"id": 15, "type": "unsupported"}
    with pytest.raises(RecordError, match="no date"):  # as in result.json: no date to keep
        reader.normalise(unsupported)
    by_id = {p.message_id: p for p in map(reader.normalise, raws)}
    first = by_id["10"]
    assert first.source.title == "[synthetic] Synthetic Outlet A"
    assert first.sender == "Synthetic Outlet A"
    assert first.date == datetime(2023, 6, 8, 5, 48, 51, tzinfo=UTC)
    assert first.text == "[synthetic] Deals list\n\nMaster link: https://example.org/a"
    assert [(e.type, e.text, e.offset) for e in first.entities] == [
        ("link", "https://example.org/a", 37)
    ]
    assert by_id["11"].sender == "Synthetic Outlet A"  # joined
    photo = by_id["11"].media[0]
    assert (photo.kind, photo.present, photo.width, photo.height) == ("photo", False, 1009, 396)
    assert photo.absent_reason == NOT_INCLUDED
    assert by_id["12"].action and by_id["12"].action["action"] == "edit_group_title"
    assert by_id["12"].action["title"] == "[synthetic] Synthetic Outlet A2"
    assert by_id["12"].date == by_id["11"].date
    assert by_id["13"].media[0].kind == "voice" and by_id["13"].media[0].duration_seconds == 125
    assert by_id["13"].media[0].absent_reason == NOT_INCLUDED
    assert by_id["14"].raw["poll"] == {
        "question": "[synthetic] Which summary format do readers prefer?",
        "closed": True,
        "answers": [
            {"text": "Audio", "voters": 3, "chosen": False},
            {"text": "Text", "voters": 1, "chosen": True},
        ],
    }
    assert by_id["16"].media == () and by_id["16"].raw["html_media"]["title"] == "Synthetic Contact"
    assert reader.unknown["html_media:media_contact"] == 1


def test_a_service_message_alone_on_its_day_gets_the_days_midnight(tmp_path: Path) -> None:
    one = {"from": "Synthetic Member One", "from_id": "user1001"}
    chat = {
        "name": "Synthetic Outlet A",
        "type": "public_supergroup",
        "id": 3003,
        "messages": [
            message(1, unix(2024, 3, 12, 9, 0, TZ), [plain("[synthetic] before")], **one),
            service(2, unix(2024, 3, 13, 15, 0, TZ), "clear_history"),
            message(3, unix(2024, 3, 14, 9, 0, TZ), [plain("[synthetic] after")], **one),
        ],
    }
    write_chat_html(tmp_path, chat, TZ)
    post = {p.message_id: p for p in read_all(TelegramHtmlReader(), tmp_path)}["2"]
    assert post.action and post.action["action"] == "clear_history"
    assert post.date == datetime(2024, 3, 13, 0, 0, tzinfo=TZ)
    assert post.raw["html_date_inferred"] == "day separator, time unknown"


@pytest.mark.parametrize(
    ("name", "head", "claimed"),
    [
        ("messages.html", b'<div class="page_wrap">', True),
        ("messages7.html", b'<div class="message default clearfix" id="message1">', True),
        ("page.html", b'<div class="page_wrap"><div class="message service" id="message-1">', True),
        ("page.html", b"<html><body><p>[synthetic] a page</p></body></html>", False),
        ("feed.xml", b'<rss><div class="message default">', False),
        ("result.json", b'{"name": "x", "messages": []}', False),
    ],
)
def test_sniff_files(tmp_path: Path, name: str, head: bytes, claimed: bool) -> None:
    path = tmp_path / name
    path.write_bytes(head)
    assert TelegramHtmlReader.sniff(str(path), head) is claimed


def test_sniff_folders(tmp_path: Path) -> None:
    chat = tmp_path / "chat"
    (chat).mkdir()
    assert not TelegramHtmlReader.sniff(str(chat), b"")
    (chat / "messages.html").write_text("x")
    assert TelegramHtmlReader.sniff(str(chat), b"")
    account = tmp_path / "account"
    (account / "chats" / "chat_001").mkdir(parents=True)
    (account / "chats" / "chat_001" / "messages.html").write_text("x")
    assert TelegramHtmlReader.sniff(str(account), b"")


@pytest.mark.parametrize(
    ("title", "expected", "zone_known"),
    [
        ("12.03.2024 09:00:00 UTC+05:00", datetime(2024, 3, 12, 4, 0, tzinfo=UTC), True),
        ("12.03.2024 09:00:00 UTC-03:30", datetime(2024, 3, 12, 12, 30, tzinfo=UTC), True),
        ("12.03.2024 09:00:00 UTC", datetime(2024, 3, 12, 9, 0, tzinfo=UTC), True),
        ("12.03.2024 09:00:00", datetime(2024, 3, 12, 9, 0, tzinfo=UTC), False),
        ("12.03.2024 09:00:00 GMT+5", datetime(2024, 3, 12, 4, 0, tzinfo=UTC), True),
        ("12 March 2024, 09:00:00", datetime(2024, 3, 12, 9, 0, tzinfo=UTC), False),
    ],
)
def test_parse_title(title: str, expected: datetime, zone_known: bool) -> None:
    fields = parse_title(title)
    assert datetime.fromtimestamp(int(fields["date_unixtime"]), UTC) == expected
    assert fields["date"] == "2024-03-12T09:00:00"
    assert ("html_date_zone" not in fields) is zone_known


@pytest.mark.parametrize(
    "title",
    [
        "31.02.2024 09:00:00 UTC",
        "2024-03-12 09:00",
        "",
        "12.03.2024 09:00:00 Asia/Tashkent",
        "12.03.2024 09:00:00 UTC+25:00",
        "12 Marchember 2024, 09:00:00",
    ],
)
def test_parse_title_refuses_bad_dates(title: str) -> None:
    with pytest.raises(RecordError):
        parse_title(title)


def rendered_parts(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Render parts as the exporter's div.text (with its layout whitespace) and read them back."""

    html = f'<html><body><div class="text">\n{format_text(parts)}\n       </div></body></html>'
    div = lxml.html.document_fromstring(html).find(".//div")
    return text_parts(div, Counter())


PART_TYPES = [
    "plain",
    "bold",
    "italic",
    "code",
    "underline",
    "strikethrough",
    "spoiler",
    "text_link",
]
TEXT = st.text(
    alphabet=st.characters(min_codepoint=32, max_codepoint=0x6FF, exclude_categories=("Cs", "Cc"))
    | st.sampled_from("\n&<>'\"ўқғҳ"),
    min_size=1,
    max_size=12,
)


@st.composite
def part_lists(draw: st.DrawFn) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for kind in draw(st.lists(st.sampled_from(PART_TYPES), min_size=1, max_size=6)):
        if kind == "plain" and parts and parts[-1]["type"] == "plain":
            continue  # the exporter never writes two plain parts in a row
        part: dict[str, Any] = {"type": kind, "text": draw(TEXT)}
        if kind == "text_link":
            part["href"] = "https://example.org/" + draw(
                st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True)
            )
        parts.append(part)
    return parts


@settings(max_examples=150, deadline=None)
@given(part_lists())
def test_text_and_entities_round_trip(parts: list[dict[str, Any]]) -> None:
    assert rendered_parts(parts) == parts


VARIANTS = """<!DOCTYPE html><html><body><div class="page_wrap">
<div class="page_header chat_header"><div class="content bubble"><div class="body">
<div class="name bold">[synthetic] Variant Layout Group</div></div></div></div>
<div class="page_body chat_page"><div class="history">
<div class="message default clearfix" id="message1"><div class="body">
 <div class="pull_right date details" title="28.07.2025 01:29:21 GMT+01:00">edited 01:35</div>
 <div class="from_name">Synthetic Member One <span class="details">via @synthetic_bot</span></div>
 <div class="text">[synthetic] Through a bot, edited later.</div>
 <table class="bot_button_table"><tbody><tr><td class="bot_button_row">
  <div class="bot_button"><a href="https://example.org/b"><div>Open</div></a></div>
 </td></tr></tbody></table>
 <div class="reactions"><span class="reaction"><span class="emoji">👍</span>
  <span class="count">3</span></span></div>
</div></div>
<div class="message default clearfix" id="message2"><div class="body">
 <div class="pull_right date details" title="3 April 2023, 12:00:00">12:00</div>
 <div class="from_name">Synthetic Member Two</div>
 <div class="text">[synthetic] A title in words, without a zone.</div>
</div></div>
</div></div></div></body></html>"""


def test_layout_variants_seen_in_other_exports(tmp_path: Path) -> None:
    (tmp_path / "messages.html").write_text(VARIANTS, encoding="utf-8")
    reader = TelegramHtmlReader()
    first, second = read_all(reader, tmp_path)
    assert first.source.title == "[synthetic] Variant Layout Group"
    assert first.date == datetime(2025, 7, 28, 0, 29, 21, tzinfo=UTC)
    assert first.sender == "Synthetic Member One" and first.via_bot == "@synthetic_bot"
    assert first.raw["html_edited"] is True and first.edited is None  # no edit date in HTML
    assert first.raw["html_blocks"] == {"bot_button_table": "Open", "reactions": "👍 3"}
    assert reader.unknown["html_block:reactions"] == 1
    assert second.date == datetime(2023, 4, 3, 12, 0, tzinfo=UTC)
    assert second.raw["html_date_zone"] == "missing: read as UTC"


def test_a_chat_without_a_name_is_told_apart_by_its_folder(tmp_path: Path) -> None:
    nameless = VARIANTS.replace("[synthetic] Variant Layout Group", "")
    for folder in ("chat_001", "chat_002"):
        (tmp_path / "chats" / folder).mkdir(parents=True)
        (tmp_path / "chats" / folder / "messages.html").write_text(nameless, encoding="utf-8")
    posts = read_all(TelegramHtmlReader(), tmp_path)
    assert len({p.source.key for p in posts}) == 2
    assert {p.source.title for p in posts} == {None}

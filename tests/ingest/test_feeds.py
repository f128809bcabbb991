"""The RSS/Atom feed reader: real feeds (golden), malformed input, URLs from a local server."""

from __future__ import annotations

import functools
import json
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from recruitwatch import pipeline
from recruitwatch.cli import main
from recruitwatch.errors import FetchError, InputError, InputWarning, RecordError
from recruitwatch.ingest.base import detect_reader
from recruitwatch.ingest.feeds import FeedReader, fetch, html_to_text, looks_like_feed, parse
from recruitwatch.settings import Settings
from recruitwatch.store import Store, open_store
from recruitwatch.store.queries import iter_posts, list_quarantine, list_sources

from ..golden.feeds import regenerate

FEEDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "feeds"
LENTA = FEEDS / "lenta_ru_edited" / "news.xml"
ONLINER = FEEDS / "onliner_by_ru" / "RSS.xml"
HODER = FEEDS / "pear_xml_feed_parser" / "hoder.xml"
ARABIC_LETTER = re.compile("[\u0600-\u06ff]")

SYNTHETIC_RSS = """<?xml version="1.0" encoding="utf-8"?>
<!-- [synthetic] fixture: invented outlet, neutral descriptions -->
<rss version="2.0"><channel>
<title>[synthetic] Outlet A</title><link>https://synthetic-outlet-a.example/</link>
<language>uz</language>
<item><title>[synthetic] Report on an audio series announcement</title>
 <guid>synthetic-a-1</guid><link>https://synthetic-outlet-a.example/a/1</link>
 <pubDate>Mon, 02 Mar 2026 10:00:00 +0500</pubDate>
 <description>&lt;p&gt;[synthetic] The article &lt;a href="/about"&gt;describes&lt;/a&gt; an
 announcement.&lt;/p&gt;&lt;p&gt;Second&amp;nbsp;paragraph.&lt;/p&gt;</description></item>
<item><title>[synthetic] Link only</title><link>https://synthetic-outlet-a.example/a/2</link>
 <pubDate>Tue, 03 Mar 2026 08:00:00 GMT</pubDate></item>
<item><title>[synthetic] Neither guid nor link</title>
 <pubDate>Wed, 04 Mar 2026 08:00:00 GMT</pubDate></item>
<item><title>[synthetic] No date at all</title><guid>synthetic-a-4</guid></item>
<item><title>[synthetic] Unreadable date</title><guid>synthetic-a-5</guid>
 <pubDate>sometime last spring</pubDate></item>
</channel></rss>
"""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st = open_store("sqlite:///" + str(tmp_path / "db.sqlite"))
    yield st
    st.dispose()


def posts_of(store: Store) -> list[dict[str, Any]]:
    with store.connect() as conn:
        return list(iter_posts(conn, with_raw=True))


def quarantine_of(store: Store) -> list[dict[str, Any]]:
    with store.connect() as conn:
        return list_quarantine(conn)


def write(tmp_path: Path, name: str, text: str | bytes) -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return str(path)


# --- sniffing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", regenerate.GOLDEN.values())
def test_sniff_claims_every_real_feed(name: str) -> None:
    assert looks_like_feed((FEEDS / name).read_bytes()[:65536])
    assert type(detect_reader(str(FEEDS / name))) is FeedReader


@pytest.mark.parametrize(
    ("head", "claimed"),
    [
        (b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- c -->\n<rss version="2.0">', True),
        (b'<!DOCTYPE rss [<!ENTITY x "y">]>\n<rss>', True),
        (b'<feed xmlns="http://www.w3.org/2005/Atom">', True),
        (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>", True),
        ('<?xml version="1.0" encoding="utf-16"?><rss>'.encode("utf-16"), True),
        (b"<!DOCTYPE html><html><head><title>[synthetic] rss</title></head>", False),
        (b'{"messages": []}', False),
        (b"id,source,date,text\n", False),
        (b"", False),
    ],
)
def test_sniff_looks_at_the_first_element(head: bytes, claimed: bool) -> None:
    assert looks_like_feed(head) is claimed


def test_sniff_claims_urls_and_any_extension(tmp_path: Path) -> None:
    assert FeedReader.sniff("https://synthetic-outlet-a.example/rss", b"")
    assert FeedReader.sniff("http://127.0.0.1:1/feed", b"")
    path = write(tmp_path, "feed.txt", SYNTHETIC_RSS)
    assert type(detect_reader(path)) is FeedReader


# --- golden files on the real feeds --------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(regenerate.GOLDEN))
def test_golden(name: str) -> None:
    expected = (Path(regenerate.__file__).parent / f"{name}.json").read_text(encoding="utf-8")
    assert regenerate.render(regenerate.summarise(regenerate.GOLDEN[name])) == expected


def test_golden_files_keep_no_text() -> None:
    folder = Path(regenerate.__file__).parent
    for name in regenerate.GOLDEN:
        data = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        assert data["posts"], name
        for post in data["posts"]:
            assert set(post) >= {"text_sha256", "title_sha256", "date", "message_id_sha256"}
            assert "text" not in post and "title" not in post


# --- real feeds through the pipeline -----------------------------------------------------------


def test_onliner_through_the_pipeline_is_idempotent(store: Store, tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    first = pipeline.ingest(store, [str(ONLINER)], settings)
    assert first.exit_code == 0
    assert first.totals()["written"] == 30
    posts = posts_of(store)
    assert len(posts) == 30
    assert {p["kind"] for p in posts} == {"article"}
    assert {p["source"] for p in posts} == {"feed:http://www.onliner.by/"}
    assert {p["lang_hint"] for p in posts} == {"ru"}
    assert all(p["date"].endswith("Z") and p["url"].startswith("https://") for p in posts)
    assert all(p["text"].startswith(p["title"]) for p in posts)
    json.dumps([p["raw"] for p in posts])  # raw is plain JSON
    second = pipeline.ingest(store, [str(ONLINER)], settings)
    assert second.totals()["written"] == 0
    assert len(posts_of(store)) == 30
    with store.connect() as conn:
        (source,) = list_sources(conn)
    assert source["kind"] == "feed" and source["title"]


def test_links_in_real_content_become_text_link_entities(store: Store, tmp_path: Path) -> None:
    pipeline.ingest(store, [str(ONLINER)], Settings(home=tmp_path))
    links = [(p["text"], e) for p in posts_of(store) for e in p["entities"]]
    assert len(links) >= 30
    for text, entity in links:
        assert entity["type"] == "text_link"
        assert text[entity["offset"] : entity["offset"] + entity["length"]] == entity["text"]
        assert entity["href"].startswith(("http://", "https://"))


def test_persian_feed_keeps_its_declared_english_language(store: Store, tmp_path: Path) -> None:
    pipeline.ingest(store, [str(HODER)], Settings(home=tmp_path))
    posts = posts_of(store)
    assert len(posts) == 7
    assert {p["lang_hint"] for p in posts} == {"en-us"}
    assert all(ARABIC_LETTER.search(p["text"]) for p in posts)


def test_malformed_lenta_feed_is_ingested_with_a_warning(store: Store, tmp_path: Path) -> None:
    with pytest.warns(InputWarning, match=r"news\.xml: malformed feed: not well-formed.*line 52"):
        report = pipeline.ingest(store, [str(LENTA)], Settings(home=tmp_path))
    assert report.totals() == {
        "files": 1,
        "records": 3,
        "written": 3,
        "quarantined": 0,
        "failed_files": 0,
    }
    assert [p["source"] for p in posts_of(store)] == ["feed:https://lenta.ru"] * 3


def test_cli_prints_the_malformed_feed_warning(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["--home", str(tmp_path), "ingest", "--no-enrich", str(LENTA)]
    )
    stderr = " ".join(result.stderr.split())
    assert result.exit_code == 0, stderr
    assert "warning: " in stderr and "malformed feed: not well-formed" in stderr
    assert "3 posts written" in stderr


# --- synthetic feeds: ids, dates, text ---------------------------------------------------------


def test_synthetic_feed_ids_dates_and_quarantine(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "outlet.xml", SYNTHETIC_RSS)
    report = pipeline.ingest(store, [path], Settings(home=tmp_path))
    assert report.exit_code == 4  # two entries quarantined
    posts = {p["title"]: p for p in posts_of(store)}
    first = posts["[synthetic] Report on an audio series announcement"]
    assert first["message_id"] == "synthetic-a-1"
    assert first["date"] == "2026-03-02T05:00:00Z"
    assert first["lang_hint"] == "uz"
    assert first["source"] == "feed:https://synthetic-outlet-a.example/"
    assert posts["[synthetic] Link only"]["message_id"] == "https://synthetic-outlet-a.example/a/2"
    assert posts["[synthetic] Neither guid nor link"]["message_id"].startswith("sha256:")
    reasons = {q["locator"]: q["reason"] for q in quarantine_of(store)}
    assert reasons["entry 4"].startswith("entry has no date")
    assert reasons["entry 5"] == "entry date 'sometime last spring' could not be parsed"


def test_hashed_id_is_stable_and_depends_on_title(tmp_path: Path) -> None:
    reader = FeedReader()
    path = write(tmp_path, "outlet.xml", SYNTHETIC_RSS)
    again = write(tmp_path, "again.xml", SYNTHETIC_RSS.replace("Neither", "Nor"))
    ids = [reader.normalise(list(reader.records(p))[2]).message_id for p in (path, path, again)]
    assert ids[0] == ids[1] != ids[2]


def test_entry_text_is_title_then_plain_body_with_links(tmp_path: Path) -> None:
    reader = FeedReader()
    post = reader.normalise(next(iter(reader.records(write(tmp_path, "o.xml", SYNTHETIC_RSS)))))
    title = "[synthetic] Report on an audio series announcement"
    body = "[synthetic] The article describes an announcement.\nSecond\xa0paragraph."
    assert post.text == f"{title}\n\n{body}"
    (link,) = post.entities
    assert (link.type, link.text, link.href) == (
        "text_link",
        "describes",
        "https://synthetic-outlet-a.example/about",
    )
    assert post.text[link.offset : link.offset + link.length] == "describes"
    assert post.raw["published_parsed"] == "2026-03-02T05:00:00Z"


def test_html_to_text_blocks_scripts_and_nested_links() -> None:
    html = (
        "<div>[synthetic] one <b>bold</b>  word<br>next <a href='https://x.example/a'>"
        "<i>linked</i> text </a>end<script>hidden()</script><!-- note -->tail</div><ul><li>a</li>"
        "<li>b</li></ul>"
    )
    text, links = html_to_text(html)
    assert text == "[synthetic] one bold word\nnext linked text endtail\na\nb"
    assert [(e.text, e.href) for e in links] == [("linked text", "https://x.example/a")]
    assert text[links[0].offset : links[0].offset + links[0].length] == "linked text"
    assert html_to_text("plain &amp; simple") == ("plain & simple", ())
    assert html_to_text("  ") == ("", ())


def test_atom_updated_after_published_is_the_edit_time() -> None:
    reader = FeedReader()
    records = list(reader.records(str(FEEDS / "pear_xml_feed_parser" / "ongoing.atom")))
    first = reader.normalise(records[0])
    assert first.date.isoformat() == "2006-03-06T20:00:00+00:00"
    assert first.edited is not None and first.edited.isoformat() == "2006-03-08T07:32:17+00:00"


# --- inputs that are not feeds -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x00\x01 not xml at all <", "not a readable feed"),
        (b"<?xml version='1.0'?><html><body>[synthetic]</body></html>", "not an RSS/Atom feed"),
        (b"   \n", "empty"),
    ],
)
def test_not_a_feed_is_an_input_error(data: bytes, reason: str) -> None:
    with pytest.raises(InputError, match=reason) as info:
        parse(data, "synthetic.xml")
    assert info.value.location == "synthetic.xml"


def test_forced_feed_format_on_garbage_fails_the_input_only(store: Store, tmp_path: Path) -> None:
    bad = write(tmp_path, "garbage.xml", b"<rss><<<\xff\xfe")
    report = pipeline.ingest(store, [bad, str(HODER)], Settings(home=tmp_path), fmt="feed")
    assert report.files[0].error is not None and "not a readable feed" in report.files[0].error
    assert report.files[1].written == 7
    (item,) = quarantine_of(store)
    assert item["location"] == bad and item["locator"] == "whole input"


def test_unparseable_entry_payload_is_a_record_error() -> None:
    from recruitwatch.ingest.base import RawRecord

    with pytest.raises(RecordError, match="expected an object"):
        FeedReader().normalise(RawRecord("x.xml", "entry 1", ["not", "a", "dict"]))


# --- URLs (local HTTP servers on 127.0.0.1 only) -----------------------------------------------


class _Files(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Garbage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"\x00\x13[synthetic] garbage, <html> not a feed"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(handler: Any) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def feed_server() -> Iterator[str]:
    with serve(functools.partial(_Files, directory=str(FEEDS.resolve()))) as url:
        yield url


def test_url_is_fetched_and_named_by_its_url(
    store: Store, tmp_path: Path, feed_server: str
) -> None:
    url = f"{feed_server}/pear_xml_feed_parser/hoder.xml"
    report = pipeline.ingest(store, [url], Settings(home=tmp_path))
    assert report.exit_code == 0 and report.totals()["written"] == 7
    assert {p["source"] for p in posts_of(store)} == {f"feed:{url}"}
    again = pipeline.ingest(store, [url], Settings(home=tmp_path))
    assert again.totals()["records"] == 7 and again.totals()["written"] == 0


def test_url_posts_equal_file_posts(feed_server: str) -> None:
    reader = FeedReader()
    by_file = [reader.normalise(r) for r in reader.records(str(ONLINER))]
    by_url = [reader.normalise(r) for r in reader.records(f"{feed_server}/onliner_by_ru/RSS.xml")]
    assert [(p.message_id, p.date, p.text, p.entities) for p in by_url] == [
        (p.message_id, p.date, p.text, p.entities) for p in by_file
    ]


def test_http_404_is_a_fetch_error_naming_the_url(
    store: Store, tmp_path: Path, feed_server: str
) -> None:
    url = f"{feed_server}/no/such/feed.xml"
    report = pipeline.ingest(store, [url], Settings(home=tmp_path))
    assert report.exit_code == 3
    assert report.files[0].error == f"{url}: HTTP 404 File not found"
    (item,) = quarantine_of(store)
    assert item["location"] == url and item["error"] == "FetchError"


def test_server_returning_garbage_is_an_input_error() -> None:
    with serve(_Garbage) as base, pytest.raises(InputError, match="not a readable feed") as info:
        list(FeedReader().records(f"{base}/feed"))
    assert info.value.location == f"{base}/feed"
    assert not isinstance(info.value, FetchError)


class _PlainText(_Files):
    def guess_type(self, path: Any) -> str:
        return "text/plain"


def test_feed_served_as_text_plain_warns_and_is_read() -> None:
    with serve(functools.partial(_PlainText, directory=str(FEEDS.resolve()))) as base:
        url = f"{base}/pear_xml_feed_parser/hoder.xml"
        with pytest.warns(InputWarning, match=r"feed read with a problem: .*us-ascii.*7 entries"):
            records = list(FeedReader().records(url))
    assert len(records) == 7


def test_refused_connection_is_a_fetch_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed.xml"
    with pytest.raises(FetchError, match="cannot connect") as info:
        fetch(url, timeout=5)
    assert info.value.location == url


def test_dns_failure_is_a_fetch_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)  # no resolver is ever asked
    url = "https://synthetic-outlet-a.example/rss"
    with pytest.raises(FetchError, match="cannot connect: Name or service not known") as info:
        fetch(url, timeout=5)
    assert info.value.location == url


def test_silent_server_is_a_timeout_fetch_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)  # the kernel accepts; nobody ever answers
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/feed.xml"
        with pytest.raises(FetchError, match=r"no answer within 0\.2 s"):
            fetch(url, timeout=0.2)


def test_timeout_comes_from_settings(tmp_path: Path) -> None:
    reader = detect_reader(
        "https://synthetic-outlet-a.example/rss", None, Settings(home=tmp_path, feed_timeout=7.5)
    )
    assert isinstance(reader, FeedReader) and reader.timeout == 7.5
    assert FeedReader().timeout == 30.0


def test_url_is_never_resumed_by_position() -> None:
    reader = FeedReader()
    url = "https://synthetic-outlet-a.example/rss"
    assert reader.fingerprint(url) != reader.fingerprint(url)
    assert reader.fingerprint(str(HODER)) == reader.fingerprint(str(HODER))

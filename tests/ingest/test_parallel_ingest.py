"""Parallel ingest (parse and normalise in workers) stores exactly what the serial runner does.

Each test ingests the same input twice, serially and with two workers (small
batches, so many batches go through every worker), and compares a dump of
every post, the quarantine and the checkpoint. Inputs: the Telegram fixture
export (every field, present media files) repeated to ~700 messages in
Telegram Desktop's layout (split mode) and compact (stream mode), the real
fragments in ../shared/data/telegram, a file that leaves the layout halfway
(split, then stream from the last commit), broken UTF-8, a truncated file, CSV.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from recruitwatch import parallel_ingest
from recruitwatch.enrich import language_step
from recruitwatch.enrich.chain import Chain
from recruitwatch.ingest.base import detect_reader
from recruitwatch.ingest.feeds import FeedReader
from recruitwatch.pipeline import ingest
from recruitwatch.settings import Settings
from recruitwatch.store import open_store, schema
from recruitwatch.store.queries import dump

from .telegram_json_support import CHAT, FIXTURES, REAL_FRAGMENTS, fixture_messages, write_json

BATCH = 25


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Which parallel runners ran: ("split", complete) and ("stream", True) entries."""
    seen: list[tuple[str, bool]] = []
    split, stream = parallel_ingest.run_split, parallel_ingest.run_stream

    def run_split(*args: Any, **kwargs: Any) -> parallel_ingest.Outcome:
        outcome = split(*args, **kwargs)
        seen.append(("split", outcome.complete))
        return outcome

    def run_stream(*args: Any, **kwargs: Any) -> parallel_ingest.Outcome:
        seen.append(("stream", True))
        return stream(*args, **kwargs)

    monkeypatch.setattr(parallel_ingest, "run_split", run_split)
    monkeypatch.setattr(parallel_ingest, "run_stream", run_stream)
    return seen


def settings_for(home: Path, db_url: str, workers: int, enrich_workers: int = 0) -> Settings:
    return Settings(
        home=home,
        db=db_url,
        batch_size=BATCH,
        commit_seconds=3600.0,  # count-only batches, as the parallel runner has
        ingest_workers=workers,
        enrich_workers=enrich_workers,
        ingest_parallel_mb=0.0,
    )


def snapshot(db_url: str) -> dict[str, Any]:
    store = open_store(db_url)
    with store.connect() as conn:
        q, c = schema.quarantine.c, schema.checkpoints.c
        out = {
            "posts": dump(conn),
            "quarantine": sorted(
                tuple(r) for r in conn.execute(sa.select(q.location, q.locator, q.reason))
            ),
            "checkpoints": sorted(
                tuple(r) for r in conn.execute(sa.select(c.stream, c.position, c.done))
            ),
            "enrichments": sorted(
                (r.post_id, r.enricher, r.version, json.dumps(r.result, sort_keys=True))
                for r in conn.execute(sa.select(schema.enrichments))
            ),
        }
    store.dispose()
    return out


def ingest_both(
    tmp_path: Path,
    location: Path,
    db_urls: tuple[str, str] | None = None,
    enrich: tuple[str, ...] = (),
) -> tuple[dict[str, Any], dict[str, Any], list[Any]]:
    """Serial and parallel ingest of ``location``: both snapshots and both reports.

    With ``enrich`` (enricher names), both runs enrich: the serial one in-process, the
    parallel one in its two ingest workers."""
    results, reports = [], []
    for name, workers in (("serial", -1), ("parallel", 2)):
        url = db_urls[workers > 0] if db_urls else f"sqlite:///{tmp_path / name}.db"
        settings = settings_for(tmp_path / f"home-{name}", url, workers, 1 if workers < 0 else 2)
        store = open_store(url)
        chain = Chain.default(list(enrich), settings) if enrich else None
        report = ingest(store, [str(location)], settings, chain=chain)
        store.dispose()
        results.append(snapshot(url))
        reports.append(report.files[0])
    return results[0], results[1], reports


def big_export(folder: Path, copies: int = 40, indent: int | None = 1) -> Path:
    """The fixture chat's messages repeated with new ids; media files copied alongside."""
    shutil.copytree(FIXTURES / "single_chat", folder)
    base = fixture_messages()
    messages = []
    for copy_no in range(copies):
        for msg in base:
            item = copy.deepcopy(msg)
            item["id"] = copy_no * 1000 + int(msg["id"])
            if "reply_to_message_id" in item:
                item["reply_to_message_id"] = copy_no * 1000 + int(item["reply_to_message_id"])
            messages.append(item)
    chat = {**CHAT, "messages": messages}
    return write_json(folder / "result.json", chat, indent=indent)


def test_layout_found_for_telegram_desktop_files(tmp_path: Path) -> None:
    from recruitwatch.ingest.telegram_split import find_layout

    path = big_export(tmp_path / "chat")
    layout = find_layout(path.read_bytes()[:65536])
    assert layout is not None and not layout.bare and layout.indent == b"  "
    for fragment in REAL_FRAGMENTS:
        found = find_layout(fragment.read_bytes()[:65536])
        assert found is not None and found.bare and found.indent == b" "
    compact = write_json(tmp_path / "compact.json", {**CHAT, "messages": [{"id": 1}]}, None)
    assert find_layout(compact.read_bytes()) is None
    crlf = path.read_bytes().replace(b"\n", b"\r\n")
    assert find_layout(crlf) is None
    two = write_json(tmp_path / "two.json", {**CHAT, "messages": fixture_messages()}, 2)
    assert find_layout(two.read_bytes()) is not None  # any consistent indentation


@pytest.mark.parametrize("fragment", REAL_FRAGMENTS, ids=lambda p: p.name)
def test_split_gives_the_streamed_records(fragment: Path) -> None:
    """Every real message cut by the splitter parses to the record ijson streams."""
    from recruitwatch.ingest.telegram_export import TelegramJsonReader
    from recruitwatch.ingest.telegram_split import messages
    from recruitwatch.jsonutil import dumps

    reader = TelegramJsonReader()
    found = reader.split_plan(str(fragment))
    assert found is not None
    path, layout, context = found
    split = [
        reader.split_record(str(fragment), i, text, context)
        for i, text in enumerate(messages(path, layout))
    ]
    streamed = list(TelegramJsonReader().records(str(fragment)))
    assert len(split) == len(streamed) > 100
    for a, b in zip(split, streamed, strict=True):
        assert (a.locator, dumps(a.payload)) == (b.locator, dumps(b.payload))
    assert [t for i, t in enumerate(messages(path, layout, skip=5))] == [
        t for i, t in enumerate(messages(path, layout)) if i >= 5
    ]


@pytest.mark.parametrize("indent", [1, None], ids=["split", "stream"])
def test_parallel_equals_serial(
    tmp_path: Path, indent: int | None, runs: list[tuple[str, bool]]
) -> None:
    path = big_export(tmp_path / "chat", indent=indent)
    serial, parallel, reports = ingest_both(tmp_path, path)
    assert runs == ([("split", True)] if indent else [("stream", True)])
    assert len(serial["posts"]) == 40 * len(fixture_messages())
    assert any(m["present"] for p in serial["posts"] for m in p["media"])
    assert parallel == serial
    assert reports[1].records == reports[0].records and reports[1].written == reports[0].written
    assert reports[1].unknown == reports[0].unknown


@pytest.mark.postgres
def test_parallel_equals_serial_on_postgres(tmp_path: Path, pg_url: str) -> None:
    path = big_export(tmp_path / "chat", copies=10)
    serial_url = f"sqlite:///{tmp_path / 'serial.db'}"
    serial, parallel, _ = ingest_both(tmp_path, path, (serial_url, pg_url))
    for snap in (serial, parallel):
        snap["checkpoints"] = [(s.replace(serial_url, ""), p, d) for s, p, d in snap["checkpoints"]]
    assert len(parallel["posts"]) == 10 * len(fixture_messages())
    assert parallel["posts"] == serial["posts"]
    assert [c[1:] for c in parallel["checkpoints"]] == [c[1:] for c in serial["checkpoints"]]


ENRICH = ("language", "entities", "text_minhash")


@pytest.fixture
def priors_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The language step reads its source priors as usual, but uses none: they depend on
    how many batches are committed when a batch is enriched, which differs between the
    runners. Each read is logged (process id, sources with a prior) to the returned file."""
    log = tmp_path / "priors.log"
    real = language_step.source_priors

    def priors(conn: sa.Connection, sources: Any) -> dict[str, dict[str, float]]:
        found = real(conn, sources)
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {len(found)}\n")
        return {}

    monkeypatch.setattr(language_step, "source_priors", priors)
    return log


@pytest.mark.parametrize("indent", [1, None], ids=["split", "stream"])
def test_parallel_enrichment_equals_serial(
    tmp_path: Path, indent: int | None, runs: list[tuple[str, bool]], priors_read: Path
) -> None:
    """The ingest workers enrich the batches they prepare: the same results as the serial
    runner enriching in-process, each batch stored in its own transaction."""
    path = big_export(tmp_path / "chat", indent=indent)
    serial, parallel, reports = ingest_both(tmp_path, path, enrich=ENRICH)
    assert runs == ([("split", True)] if indent else [("stream", True)])
    posts = {p["id"] for p in serial["posts"]}
    assert len(posts) == 40 * len(fixture_messages())
    for name in ENRICH:
        assert {e[0] for e in serial["enrichments"] if e[1] == name} == posts
    assert parallel == serial
    assert reports[1].written == reports[0].written == len(posts)
    reads = [line.split() for line in priors_read.read_text(encoding="utf-8").splitlines()]
    workers = {pid for pid, _ in reads if int(pid) != os.getpid()}
    assert len(workers) == 2, "each worker enriched batches with its own connection"
    assert any(int(n) for pid, n in reads if pid in workers), "workers see committed history"


@pytest.mark.postgres
def test_parallel_enrichment_on_postgres(tmp_path: Path, pg_url: str, priors_read: Path) -> None:
    path = big_export(tmp_path / "chat", copies=10)
    serial_url = f"sqlite:///{tmp_path / 'serial.db'}"
    serial, parallel, _ = ingest_both(tmp_path, path, (serial_url, pg_url), enrich=ENRICH)
    assert len(parallel["enrichments"]) == 3 * 10 * len(fixture_messages())
    assert parallel["enrichments"] == serial["enrichments"]
    assert parallel["posts"] == serial["posts"]


def test_parallel_enrichment_of_a_changed_input(tmp_path: Path, priors_read: Path) -> None:
    """Ingesting an input again enriches only the posts whose content changed."""
    path = big_export(tmp_path / "chat", copies=8)
    url = f"sqlite:///{tmp_path / 'again.db'}"
    settings = settings_for(tmp_path / "home", url, 2, 2)
    store = open_store(url)
    chain = Chain.default(list(ENRICH), settings)
    ingest(store, [str(path)], settings, chain=chain)
    before = snapshot(url)
    data = json.loads(path.read_text(encoding="utf-8"))
    edited = data["messages"][30]
    edited["text"] = "[synthetic] edited text about Kunduz and Khorasan"
    edited["text_entities"] = [{"type": "plain", "text": edited["text"]}]
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    report = ingest(store, [str(path)], settings, chain=chain)
    store.dispose()
    after = snapshot(url)
    assert report.files[0].written == 1
    changed = {e for e in after["enrichments"]} - set(before["enrichments"])
    assert {e[0] for e in changed} == {f"telegram:channel{data['id']}/{edited['id']}"}
    mentions = next(e[3] for e in changed if e[1] == "entities")
    assert "Kunduz" in mentions and "Khorasan" in mentions


def test_real_fragments_in_parallel(tmp_path: Path) -> None:
    for fragment in REAL_FRAGMENTS:
        serial, parallel, _ = ingest_both(tmp_path / fragment.stem, fragment)
        assert parallel == serial and len(serial["posts"]) > 100


def test_file_leaving_the_layout_goes_on_streaming(
    tmp_path: Path, runs: list[tuple[str, bool]]
) -> None:
    """Message 400 is written on one line: split mode stops there, streaming does the rest."""
    path = big_export(tmp_path / "chat")
    data = json.loads(path.read_text(encoding="utf-8"))
    text = json.dumps(data, ensure_ascii=False, indent=1)
    odd = json.dumps(data["messages"][400], ensure_ascii=False, indent=1)
    assert text.count(odd.replace("\n", "\n  ")) == 1
    path.write_text(text.replace(odd.replace("\n", "\n  "), json.dumps(data["messages"][400])))
    serial, parallel, reports = ingest_both(tmp_path, path)
    assert parallel == serial and len(serial["posts"]) == len(data["messages"])
    assert runs == [("split", False), ("stream", True)]
    assert reports[1].written == reports[0].written == len(data["messages"])


def test_broken_utf8_and_truncation_as_serial(tmp_path: Path, runs: list[tuple[str, bool]]) -> None:
    path = big_export(tmp_path / "chat")
    raw = path.read_bytes()
    marker = b'"id": 12003'
    at = raw.index(marker)
    broken = raw[:at] + raw[at:].replace(b"[synthetic]", b"[synth\xffetic]", 1)
    (tmp_path / "broken").mkdir()
    broken_path = tmp_path / "broken" / "result.json"
    broken_path.write_bytes(broken)
    serial, parallel, reports = ingest_both(tmp_path / "b", broken_path)
    assert parallel == serial and serial["quarantine"], "the bad record is quarantined"
    assert reports[1].quarantined == reports[0].quarantined >= 1
    assert runs == [("split", False), ("stream", True)]
    truncated = tmp_path / "cut" / "result.json"
    truncated.parent.mkdir()
    truncated.write_bytes(raw[: len(raw) * 2 // 3])
    serial, parallel, reports = ingest_both(tmp_path / "t", truncated)
    assert parallel == serial
    assert reports[0].error and reports[1].error == reports[0].error
    assert not serial["checkpoints"][0][2], "a truncated input is not marked done"


def test_csv_in_parallel(tmp_path: Path) -> None:
    rows = ["id,source,date,text"] + [
        f"{i},[synthetic] board,2026-01-{1 + i % 28:02d}T10:00:00Z,[synthetic] row {i}"
        for i in range(600)
    ]
    rows.insert(300, "bad,[synthetic] board,not a date,[synthetic] broken row")
    path = tmp_path / "posts.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert detect_reader(str(path)).PARALLEL
    serial, parallel, _ = ingest_both(tmp_path, path)
    assert parallel == serial and len(serial["posts"]) == 600 and len(serial["quarantine"]) == 1


def test_small_inputs_and_urls_stay_serial(tmp_path: Path) -> None:
    path = big_export(tmp_path / "chat", copies=1)
    reader = detect_reader(str(path))
    small = Settings(home=tmp_path, ingest_parallel_mb=32.0, ingest_workers=2)
    assert not parallel_ingest.wanted(reader, str(path), small)
    assert parallel_ingest.wanted(reader, str(path), settings_for(tmp_path, "", 2))
    assert not parallel_ingest.wanted(reader, str(path), settings_for(tmp_path, "", -1))
    assert not parallel_ingest.wanted(reader, "https://example.invalid/x.json", small)
    assert not FeedReader.PARALLEL  # a URL would be fetched once per worker

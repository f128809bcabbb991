"""CSV/TSV and JSONL post tables: default and custom column maps, bad rows, broken UTF-8."""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recruitwatch import pipeline
from recruitwatch.cli import main
from recruitwatch.errors import ConfigError, InputError, RecordError
from recruitwatch.ingest.base import RawRecord, detect_reader
from recruitwatch.ingest.columns import FIELDS, parse_date, parse_map
from recruitwatch.ingest.tabular import CsvReader, JsonlReader
from recruitwatch.model import Post
from recruitwatch.settings import Settings
from recruitwatch.store import Store, open_store
from recruitwatch.store.queries import iter_posts, list_quarantine

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tabular"
COMPARED = ("id", "source", "platform", "message_id", "kind", "date", "text", "author", "url")
COMPARED += ("lang_hint", "reply_to", "forwarded_from")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    st_ = open_store("sqlite:///" + str(tmp_path / "db.sqlite"))
    yield st_
    st_.dispose()


def ingest(store: Store, tmp_path: Path, *names: str, **options: Any) -> pipeline.IngestReport:
    paths = [str(FIXTURES / n) for n in names]
    return pipeline.ingest(store, paths, Settings(home=tmp_path, **options))


def posts_of(store: Store) -> list[dict[str, Any]]:
    with store.connect() as conn:
        return list(iter_posts(conn, with_raw=True))


def compared(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(({k: p[k] for k in COMPARED} for p in posts), key=lambda p: p["id"])


def quarantine_of(store: Store) -> dict[str, str]:
    with store.connect() as conn:
        return {q["locator"]: q["reason"] for q in list_quarantine(conn)}


# --- the default mapping ----------------------------------------------------------------------


def test_csv_default_mapping_through_the_pipeline(store: Store, tmp_path: Path) -> None:
    report = ingest(store, tmp_path, "posts.csv")
    assert report.exit_code == 0 and report.totals()["written"] == 5
    posts = {p["message_id"]: p for p in posts_of(store)}
    first = posts["1"]
    assert first["source"] == "table:synthetic_outlet_a" and first["kind"] == "row"
    assert first["date"] == "2026-03-01T04:30:00Z"
    assert (first["author"], first["url"], first["lang_hint"]) == (
        "Editor A",
        "https://synthetic-outlet-a.example/p/1",
        "uz-Latn",
    )
    assert first["raw"]["views"] == "120"  # extra columns stay in raw
    second = posts["2"]
    assert second["text"] == '[synthetic] Post with a comma, a "quote" and\na second line'
    assert second["date"] == "2026-03-01T12:00:00Z"  # naive = UTC
    assert second["reply_to"] == "1" and second["author"] is None
    third = posts["3"]
    assert third["source"] == "telegram:synthetic_channel_b" and third["platform"] == "telegram"
    assert third["date"] == "2026-03-04T08:00:00Z"  # unix seconds
    assert third["forwarded_from"] == "synthetic_outlet_a"
    assert posts["5"]["text"] == "" and posts["5"]["date"] == "2026-03-06T00:00:00Z"


def test_jsonl_gives_the_same_posts_as_csv(store: Store, tmp_path: Path) -> None:
    ingest(store, tmp_path, "posts.csv")
    from_csv = compared(posts_of(store))
    other = open_store("sqlite:///" + str(tmp_path / "other.sqlite"))
    try:
        report = ingest(other, tmp_path, "posts.jsonl")
        assert report.exit_code == 0 and report.totals()["records"] == 5  # blank line skipped
        assert compared(posts_of(other)) == from_csv
    finally:
        other.dispose()


@pytest.mark.parametrize("name", ["posts.csv", "posts.jsonl"])
def test_ingesting_twice_is_idempotent(store: Store, tmp_path: Path, name: str) -> None:
    first = ingest(store, tmp_path, name, "semicolon.csv")
    again = ingest(store, tmp_path, name, "semicolon.csv")
    assert first.totals()["written"] == 7
    assert again.totals()["records"] == 7 and again.totals()["written"] == 0
    assert len(posts_of(store)) == 7


def test_tsv_and_semicolon_delimiters(store: Store, tmp_path: Path) -> None:
    report = ingest(store, tmp_path, "posts.tsv", "semicolon.csv")
    assert report.exit_code == 0
    texts = {p["message_id"]: p["text"] for p in posts_of(store)}
    assert texts["s1"] == "[synthetic] semicolon table, with a comma in the text"
    assert texts["2"].endswith("a second line") and set(texts) == {"1", "2", "3", "s1", "s2"}


def test_sniff_by_extension() -> None:
    assert type(detect_reader(str(FIXTURES / "posts.csv"))) is CsvReader
    assert type(detect_reader(str(FIXTURES / "posts.tsv"))) is CsvReader
    assert type(detect_reader(str(FIXTURES / "posts.jsonl"))) is JsonlReader
    assert not CsvReader.sniff(str(FIXTURES / "README.md"), b"")
    assert not JsonlReader.sniff("https://synthetic-outlet-a.example/posts.jsonl", b"")


# --- column maps ------------------------------------------------------------------------------


MAPPED = "post_id=id,channel=source,created_at=date,body=text,writer=author"


def test_column_map_from_settings(store: Store, tmp_path: Path) -> None:
    report = ingest(store, tmp_path, "mapped.csv", table_map=MAPPED)
    assert report.exit_code == 0
    posts = {p["message_id"]: p for p in posts_of(store)}
    assert set(posts) == {"m1", "m2"}  # "Post_ID" matched case-insensitively
    assert posts["m1"]["author"] == "Editor A" and posts["m2"]["author"] is None
    assert posts["m2"]["date"] == "2026-04-01T10:00:00Z"
    assert posts["m1"]["text"].startswith("[synthetic] Mapped post one")


def test_cli_map_option(tmp_path: Path) -> None:
    args = ["--home", str(tmp_path), "ingest", "--no-enrich", str(FIXTURES / "mapped.csv")]
    for pair in MAPPED.split(","):
        args += ["--map", pair]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.stderr
    assert "2 posts written" in " ".join(result.stderr.split())


def test_cli_bad_map_fails_before_reading(tmp_path: Path) -> None:
    args = ["--home", str(tmp_path), "ingest", "--map", "body=txt", str(FIXTURES / "posts.csv")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == ConfigError.exit_code
    assert "unknown field 'txt'" in result.stderr


def test_missing_column_refuses_the_file_and_names_it(store: Store, tmp_path: Path) -> None:
    report = ingest(store, tmp_path, "no_date_column.csv", "posts.tsv")
    error = report.files[0].error or ""
    assert "no_date_column.csv: header row has no column 'date' for date" in error
    assert "--map COLUMN=FIELD" in error
    assert report.files[1].written == 3  # the other file goes on
    assert report.exit_code == InputError.exit_code


@pytest.mark.parametrize(
    ("spec", "message"),
    [("body", "expected COLUMN=FIELD"), ("text=body", "unknown field 'body'"), ("=id", "COLUMN")],
)
def test_parse_map_rejects_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_map(spec)


def test_parse_map_renames_only_what_it_names() -> None:
    cmap = parse_map(" body = text , created_at=date,")
    assert cmap.column("text") == "body" and cmap.column("date") == "created_at"
    assert cmap.column("id") == "id" and set(cmap.columns) == set(FIELDS)


# --- bad rows -----------------------------------------------------------------------------------


def test_bad_csv_rows_are_quarantined_and_the_rest_goes_on(store: Store, tmp_path: Path) -> None:
    report = ingest(store, tmp_path, "bad_rows.csv")
    assert report.exit_code == 4
    assert sorted(p["message_id"] for p in posts_of(store)) == ["ok1", "ok2"]
    assert quarantine_of(store) == {
        "row 2 (line 3)": "missing id",
        "row 3 (line 4)": "missing date",
        "row 4 (line 5)": "date 'the day after tomorrow' is neither ISO 8601 nor unix seconds",
        "row 5 (line 6)": "date '1772611200000' is too large for unix seconds (milliseconds?)",
        "row 6 (line 7)": "row has 3 fields, the header has 4",
        "row 7 (line 8)": "missing source",
    }


def test_bad_jsonl_lines_are_quarantined_and_the_rest_goes_on(store: Store, tmp_path: Path) -> None:
    report = ingest(store, tmp_path, "bad_rows.jsonl")
    assert report.exit_code == 4
    assert sorted(p["message_id"] for p in posts_of(store)) == ["ok1", "ok2"]
    reasons = quarantine_of(store)
    assert reasons["line 2"].startswith("not valid JSON: Expecting value at column")
    assert reasons["line 3"] == "a JSON array, expected an object"
    assert reasons["line 4"] == "missing id"
    assert reasons["line 5"] == "missing date"
    assert reasons["line 6"] == "text is a dict, expected text or a number"
    assert reasons["line 7"] == "id is a boolean, expected text or a number"
    with store.connect() as conn:
        raw = {q["locator"]: q["raw"] for q in list_quarantine(conn)}
    assert "array" in raw["line 3"] and "broken" in raw["line 2"]  # the bad record is kept


def test_unclosed_quote_is_quarantined_with_its_span(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "unclosed.csv"
    path.write_text(
        "id,source,date,text\n0,synthetic_outlet_a,2026-03-01,[synthetic] fine\n"
        '1,synthetic_outlet_a,2026-03-01,"[synthetic] never closed\n'
        "2,synthetic_outlet_a,2026-03-02,[synthetic] swallowed\n",
        encoding="utf-8",
    )
    report = pipeline.ingest(store, [str(path)], Settings(home=tmp_path))
    assert report.totals()["written"] == 1
    assert quarantine_of(store) == {
        "row 2 (line 3)": "CSV error: unexpected end of data (lines 3-4: an unclosed quote?)"
    }


def test_stray_quote_is_a_csv_error(tmp_path: Path) -> None:
    path = tmp_path / "stray.csv"
    path.write_text('id,source,date,text\n1,a,2026-03-01,"x"y\n2,a,2026-03-01,ok\n')
    reader = CsvReader()
    records = list(reader.records(str(path)))
    assert [r.locator for r in records] == ["row 1 (line 2)", "row 2 (line 3)"]
    with pytest.raises(RecordError, match="CSV error: ',' expected after '\"'"):
        reader.normalise(records[0])
    assert reader.normalise(records[1]).text == "ok"


def test_broken_utf8_spoils_only_its_row_csv(store: Store, tmp_path: Path) -> None:
    data = (FIXTURES / "broken_utf8.csv").read_bytes()
    report = ingest(store, tmp_path, "broken_utf8.csv")
    assert report.totals()["records"] == 5 and report.exit_code == 4
    first_bad, second_bad = data.index(b"\xff"), data.index(b"\xd0 ")  # 2nd: a row's 2nd line
    assert quarantine_of(store) == {
        "row 2 (line 3)": f"invalid UTF-8 at byte {first_bad}",
        "row 4 (line 5)": f"invalid UTF-8 at byte {second_bad}",
    }
    posts = posts_of(store)
    assert [p["message_id"] for p in posts] == ["1", "3", "5"]
    assert posts[1]["text"] == "[synthetic] третья строка после плохой"


def test_broken_utf8_spoils_only_its_row_jsonl(store: Store, tmp_path: Path) -> None:
    data = (FIXTURES / "broken_utf8.jsonl").read_bytes()
    report = ingest(store, tmp_path, "broken_utf8.jsonl")
    assert report.totals()["records"] == 3 and report.exit_code == 4
    bad = data.index(b"\xc3(")
    assert quarantine_of(store) == {"line 2": f"invalid UTF-8 at byte {bad}"}
    assert [p["message_id"] for p in posts_of(store)] == ["1", "3"]
    with store.connect() as conn:
        (item,) = list_quarantine(conn)
    assert "bad \ufffd( byte" in item["raw"]  # kept, with the bad byte replaced


def test_invalid_utf8_in_the_header_refuses_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cp1251.csv"
    path.write_bytes("id,source,date,текст\n".encode("cp1251"))
    with pytest.raises(InputError, match=r"header row: invalid UTF-8 at byte 15"):
        list(CsvReader().records(str(path)))


def test_empty_and_duplicate_headers_refuse_the_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    dup = tmp_path / "dup.csv"
    dup.write_text("id,source,date,text,text\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty file"):
        list(CsvReader().records(str(empty)))
    with pytest.raises(InputError, match="duplicate columns text"):
        list(CsvReader().records(str(dup)))


def test_bom_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(
        b"\xef\xbb\xbfid,source,date,text\nb1,synthetic_outlet_a,2026-01-01,[synthetic] x\n"
    )
    (raw,) = CsvReader().records(str(path))
    assert CsvReader().normalise(raw).message_id == "b1"


def test_normalise_rejects_a_record_that_is_not_an_object() -> None:
    with pytest.raises(RecordError, match="expected an object"):
        JsonlReader().normalise(RawRecord("x.jsonl", "line 1", ["a"]))


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-01T09:30:00+05:00", "2026-03-01T04:30:00+00:00"),
        ("2026-03-01T09:30:00Z", "2026-03-01T09:30:00+00:00"),
        ("2026-03-01 09:30:00.250", "2026-03-01T09:30:00.250000+00:00"),
        ("2026-03-01", "2026-03-01T00:00:00+00:00"),
        (" 1772611200 ", "2026-03-04T08:00:00+00:00"),
        ("1772611200.5", "2026-03-04T08:00:00.500000+00:00"),
        (1772611200, "2026-03-04T08:00:00+00:00"),
        (0, "1970-01-01T00:00:00+00:00"),
    ],
)
def test_parse_date(value: Any, expected: str) -> None:
    assert parse_date(value).isoformat() == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "missing date"),
        ("", "missing date"),
        (True, "date is a boolean"),
        ("03/01/2026", "neither ISO 8601 nor unix seconds"),
        (1772611200000, "milliseconds"),
        (float("nan"), "out of range"),
    ],
)
def test_parse_date_errors(value: Any, reason: str) -> None:
    with pytest.raises(RecordError, match=reason):
        parse_date(value)


# --- property: generated rows round-trip through CSV and JSONL ----------------------------------

CELL = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
TOKEN = st.text(
    st.characters(whitelist_categories=("L", "N"), whitelist_characters="_-.:/"),
    min_size=1,
    max_size=20,
)
OPTIONAL = st.one_of(st.none(), TOKEN)
DATES = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
ROW = st.fixed_dictionaries(
    {
        "id": TOKEN,
        "source": TOKEN,
        "date": DATES,
        "text": CELL,
        "author": OPTIONAL,
        "url": OPTIONAL,
        "lang": OPTIONAL,
        "reply_to": OPTIONAL,
        "forwarded_from": OPTIONAL,
        "platform": OPTIONAL,
    }
)


def _cells(row: dict[str, Any], unix: bool) -> dict[str, Any]:
    out = {k: ("" if v is None else v) for k, v in row.items()}
    date: datetime = row["date"]
    out["date"] = str(int(date.timestamp())) if unix else date.isoformat()
    return out


def _write_tables(folder: Path, rows: list[dict[str, Any]], unix: bool) -> tuple[str, str]:
    csv_path, jsonl_path = folder / "rows.csv", folder / "rows.jsonl"
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(FIELDS))
        writer.writeheader()
        writer.writerows(_cells(r, unix) for r in rows)
    with jsonl_path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(_cells(row, unix), ensure_ascii=False) + "\n")
    return str(csv_path), str(jsonl_path)


def _read(reader: CsvReader | JsonlReader, path: str) -> list[Post]:
    return [reader.normalise(raw) for raw in reader.records(path)]


def _expected(row: dict[str, Any], unix: bool) -> dict[str, Any]:
    date: datetime = row["date"].replace(microsecond=0) if unix else row["date"]
    return {
        "message_id": row["id"],
        "key": f"{row['platform'] or 'table'}:{row['source']}",
        "date": date,
        "text": row["text"],
        "author": row["author"],
        "url": row["url"],
        "lang_hint": row["lang"],
        "reply_to": row["reply_to"],
        "forwarded_from": row["forwarded_from"],
    }


def _actual(post: Post) -> dict[str, Any]:
    return {
        "message_id": post.message_id,
        "key": post.source.key,
        "date": post.date,
        "text": post.text,
        "author": post.author,
        "url": post.url,
        "lang_hint": post.lang_hint,
        "reply_to": post.reply_to,
        "forwarded_from": post.forwarded_from,
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(ROW, min_size=1, max_size=8), unix=st.booleans())
def test_generated_rows_round_trip_through_csv_and_jsonl(
    rows: list[dict[str, Any]], unix: bool
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        csv_path, jsonl_path = _write_tables(Path(folder), rows, unix)
        from_csv = _read(CsvReader(), csv_path)
        from_jsonl = _read(JsonlReader(), jsonl_path)
    expected = [_expected(r, unix) for r in rows]
    assert [_actual(p) for p in from_csv] == expected
    assert [_actual(p) for p in from_jsonl] == expected

"""CLI behaviour that does not depend on one reader: help, formats, errors, exit codes."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from recruitwatch.cli import main
from recruitwatch.model import Post, Source
from recruitwatch.store import open_store
from recruitwatch.store.writer import write_posts

from .test_docs import command_paths

SRC = Source("telegram", "channel77", "[synthetic] Channel", "public_channel", "77")


def seed(home: Path) -> None:
    store = open_store(f"sqlite:///{home / 'recruitwatch.db'}")
    posts = [
        Post(SRC, str(i), datetime(2026, 3, i, tzinfo=UTC), f"[synthetic] post {i}", raw={"id": i})
        for i in range(1, 6)
    ]
    with store.begin() as conn:
        write_posts(conn, posts)
    store.dispose()


def invoke(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--home", str(home), *args])
    return result.exit_code, result.output


def test_every_command_answers_help() -> None:
    for path, _ in command_paths(main):
        args = [*path.split()[1:], "--help"]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output


def test_posts_formats(tmp_path: Path) -> None:
    seed(tmp_path)
    code, out = invoke(tmp_path, "posts", "--format", "jsonl", "--since", "2026-03-02")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["message_id"] for r in rows] == ["2", "3", "4", "5"]
    required = {
        "id",
        "source",
        "platform",
        "message_id",
        "date",
        "text",
        "forwarded_from",
        "reply_to",
        "edited",
        "media",
        "entities",
    }
    assert required <= rows[0].keys()
    assert rows[0]["date"] == "2026-03-02T00:00:00Z" and rows[0]["edited"] is None
    code, out = invoke(tmp_path, "posts", "--format", "csv", "--search", "post 3")
    assert [r["id"] for r in csv.DictReader(io.StringIO(out))] == ["telegram:channel77/3"]
    code, out = invoke(tmp_path, "posts", "--format", "json", "--limit", "2")
    assert len(json.loads(out)) == 2
    code, out = invoke(tmp_path, "posts", "--format", "table", "--source", "channel77")
    assert code == 0 and "[synthetic] post 5" in out


def test_stats_sources_json(tmp_path: Path) -> None:
    seed(tmp_path)
    code, out = invoke(tmp_path, "stats", "--format", "json")
    assert code == 0 and json.loads(out)["posts"] == 5
    code, out = invoke(tmp_path, "sources", "--format", "json")
    assert json.loads(out)[0]["posts"] == 5


def test_bad_date_is_a_usage_error(tmp_path: Path) -> None:
    code, out = invoke(tmp_path, "posts", "--since", "last tuesday")
    assert code == 2 and "not an ISO date" in out


def test_missing_input_exit_code_and_quarantine(tmp_path: Path) -> None:
    code, out = invoke(tmp_path, "ingest", str(tmp_path / "nope.json"))
    assert code == 3
    assert "nope.json" in out and "no such file" in out
    code, out = invoke(tmp_path, "quarantine", "--format", "json")
    assert json.loads(out)[0]["reason"] == "no such file or folder"


def test_unrecognised_input(tmp_path: Path) -> None:
    odd = tmp_path / "notes.bin"
    odd.write_bytes(b"\x00\x01binary")
    code, out = invoke(tmp_path, "ingest", str(odd))
    assert code == 3 and "format not recognised" in out


def test_bad_database_url_is_a_store_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--home", str(tmp_path), "--db", "nosuchdb://x", "stats"])
    assert result.exit_code == 5
    assert "cannot use database URL" in result.output


def test_db_upgrade_and_current(tmp_path: Path) -> None:
    code, out = invoke(tmp_path, "db", "upgrade")
    head = open_store(f"sqlite:///{tmp_path / 'recruitwatch.db'}").head_revision()
    assert code == 0 and f"empty -> {head}" in out
    code, out = invoke(tmp_path, "db", "current")
    assert f"current: {head}  head: {head}" in out


def test_ingest_reports_fields_it_did_not_understand(tmp_path: Path) -> None:
    export = tmp_path / "fragment.json"
    message = {
        "id": 1,
        "type": "message",
        "date_unixtime": "1700000000",
        "from_id": "channel5",
        "text": "[synthetic] x",
        "fancy_new_field": 1,
    }
    export.write_text(json.dumps([message]), encoding="utf-8")
    code, out = invoke(tmp_path, "ingest", "--no-enrich", str(export))
    assert code == 0
    assert "not understood: field:fancy_new_field (1)" in out
    code, out = invoke(tmp_path, "posts", "--format", "jsonl")
    assert json.loads(out)["text"] == "[synthetic] x"


def test_similar_errors_and_empty_answer(tmp_path: Path) -> None:
    seed(tmp_path)
    code, out = invoke(tmp_path, "similar", "telegram:channel77/1")
    assert code == 3 and "no text fingerprint yet" in out and "recruitwatch enrich" in out
    assert invoke(tmp_path, "enrich", "--only", "text_minhash")[0] == 0
    args = ["--home", str(tmp_path), "similar", "telegram:channel77/1", "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []  # "post 1" .. "post 5" differ by their number
    assert "no near-duplicates of telegram:channel77/1 at the threshold 0.5" in result.stderr
    code, out = invoke(tmp_path, "similar", "telegram:channel77/99")
    assert code == 3 and "telegram:channel77/99: no such post in the store" in out
    code, out = invoke(tmp_path, "similar", "telegram:channel77/1", "--threshold", "1.5")
    assert code == 2 and "--threshold" in out
    code, out = invoke(tmp_path, "similar", "telegram:channel77/1", "--limit", "0")
    assert code == 2 and "--limit" in out


def test_eval_langid_prints_the_report_and_checks_prefix(tmp_path: Path) -> None:
    tsv = tmp_path / "synthetic.tsv"
    tsv.write_text(
        "lang\tscript\tsource_code\tsource\ttext\n"
        "en\tLatn\teng\tsynthetic\t[synthetic] The weather report for the mountain villages.\n"
        "ru\tCyrl\trus\tsynthetic\t[synthetic] Прогноз погоды для горных сёл на завтра.\n",
        encoding="utf-8",
    )
    code, out = invoke(tmp_path, "eval", "langid", str(tsv), "--prefix", "40")
    assert code == 0, out
    assert "first 40 code points, each text alone" in out
    assert re.search(r"^en\s+1\s+1\s+100\.00%", out, re.MULTILINE)
    assert "macro accuracy 100.00% over 2 languages" in out
    for bad in ("0", "-5"):
        code, out = invoke(tmp_path, "eval", "langid", str(tsv), "--prefix", bad)
        assert code == 2 and "--prefix" in out


def test_messages_print_file_names_and_ids_as_written(tmp_path: Path) -> None:
    """ "[x]" in a file name is not rich markup and ":x:" in an id is not an emoji code."""
    listed = tmp_path / "list[x].csv"
    listed.write_text(
        "hash_digest,algorithm,ideology,file_type\nzz[bold]zz,pdq,synthetic,image\n",
        encoding="utf-8",
    )
    code, out = invoke(tmp_path, "hashlist", "import", str(listed))
    assert code == 4
    assert f"{listed}: line 2: pdq digest is not valid" in out and "not 10" in out
    gazetteer = tmp_path / "gazetteer" / "mine[1].tsv"
    gazetteer.parent.mkdir()
    gazetteer.write_text(
        "id\tkind\tname\tcountry\taliases\tnote\norg:x:1\tbadkind\tX\t\t\t\n", encoding="utf-8"
    )
    code, out = invoke(tmp_path, "enrich", "--only", "entities")
    assert code == 2
    assert f"error: {gazetteer}, line 2: org:x:1: unknown kind 'badkind'" in out

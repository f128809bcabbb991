"""`recruitwatch match`: edited copies of stored [synthetic] media are found, with distances,
the posts and sources carrying them, and the hash-list entries they match."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from recruitwatch.cli import main
from recruitwatch.enrich.chain import Chain
from recruitwatch.enrich.fingerprint.hashlist import import_list
from recruitwatch.enrich.fingerprint.image import PdqSignal
from recruitwatch.enrich.fingerprint.match import match_paths
from recruitwatch.enrich.fingerprint.media import MediaFingerprintEnricher
from recruitwatch.media_cache import store_file
from recruitwatch.model import MediaRef, Post, Source
from recruitwatch.store import Store
from recruitwatch.store.writer import write_posts
from tests.enrich.test_fingerprint_media import media, workspace  # noqa: F401 (fixtures)
from tests.enrich.test_fingerprint_samples import (
    document_lines,
    make_epub,
    make_image,
    needs_tools,
    recompress,
    run,
)

pytestmark = needs_tools


def cli(home: Path, *args: str) -> Any:
    result = CliRunner().invoke(main, ["--home", str(home), *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def queries(tmp_path_factory: pytest.TempPathFactory, media: dict[str, Path]) -> Path:  # noqa: F811
    folder = tmp_path_factory.mktemp("queries")
    shutil.copyfile(media["photo"], folder / "exact_copy.jpg")
    recompress(media["photo"], folder / "recompressed.jpg", 40, 0.6)
    run(
        "ffmpeg",
        "-y",
        "-nostdin",
        "-v",
        "error",
        "-i",
        str(media["voice"]),
        "-b:a",
        "48k",
        str(folder / "voice_as.mp3"),
    )
    make_epub(folder / "book.epub", document_lines(9, 60))
    make_image(folder / "unrelated.png", 99)
    return folder


def by_file(results: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {Path(r["file"]).name: r["matches"] for r in results}


def test_folder_matches_stored_media_with_posts(workspace: Path, queries: Path) -> None:  # noqa: F811
    results = json.loads(cli(workspace, "match", str(queries), "--format", "json").stdout)
    found = by_file(results)
    assert set(found) == {
        "exact_copy.jpg",
        "recompressed.jpg",
        "voice_as.mp3",
        "book.epub",
        "unrelated.png",
    }
    exact = {m["algorithm"]: m["distance"] for m in found["exact_copy.jpg"]}
    assert exact == {"md5": 0.0, "sha256": 0.0, "pdq": 0.0}
    (pdq,) = found["recompressed.jpg"]
    assert pdq["algorithm"] == "pdq" and 0 < pdq["distance"] <= 31
    assert pdq["post_count"] == len(pdq["posts"]) == 2
    assert len({p["source"] for p in pdq["posts"]}) == 2
    (voice,) = found["voice_as.mp3"]
    assert voice["algorithm"] == "chromaprint" and voice["distance"] <= 0.2
    assert voice["posts"][0]["source"] == "telegram:channel1000000201"
    (book,) = found["book.epub"]
    assert book["algorithm"] == "doc_minhash" and book["target"] == "media_item"
    assert found["unrelated.png"] == []


def test_table_output(workspace: Path, queries: Path) -> None:  # noqa: F811
    out = cli(workspace, "match", str(queries / "recompressed.jpg")).stdout
    assert "media item" in out and "pdq" in out and "2 posts" in out


def test_hash_list_entries_match(workspace: Path, queries: Path, tmp_path: Path) -> None:  # noqa: F811
    """A list exported from one workspace and imported into another is matched there."""
    exported = tmp_path / "synthetic_known.csv"
    cli(
        workspace,
        "hashlist",
        "export",
        "--algorithm",
        "pdq",
        "--algorithm",
        "chromaprint",
        "-o",
        str(exported),
    )
    text = exported.read_text(encoding="utf-8").replace(",,", ",[synthetic] ideology A,", 1)
    exported.write_text(text, encoding="utf-8")
    other = tmp_path / "other_home"
    cli(other, "hashlist", "import", str(exported), "--list", "synthetic_known")
    found = by_file(json.loads(cli(other, "match", str(queries), "--format", "json").stdout))
    (pdq,) = found["recompressed.jpg"]
    assert pdq["target"] == "hash_list" and pdq["list"] == "synthetic_known"
    assert pdq["file_type"] == "image"
    (voice,) = found["voice_as.mp3"]
    assert voice["target"] == "hash_list" and voice["algorithm"] == "chromaprint"
    assert found["unrelated.png"] == [] and found["book.epub"] == []


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--home", str(tmp_path), "match", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_enrich_import_and_match_on_every_backend(store: Store, tmp_path: Path) -> None:
    """The enricher's rows, a list import and matching on SQLite and PostgreSQL."""
    picture = make_image(tmp_path / "p.png", 21)
    sha = hashlib.sha256(picture.read_bytes()).hexdigest()
    store_file(tmp_path / "media", sha, picture)
    ref = MediaRef("photo", "photos/p.png", True, sha)
    post = Post(
        Source("telegram", "synthetic_outlet_a"),
        "1",
        datetime(2026, 1, 1, tzinfo=UTC),
        "[synthetic] a picture post",
        media=(ref,),
    )
    listed = make_image(tmp_path / "listed.png", 22)
    lst = tmp_path / "synthetic_list.json"
    lst.write_text(
        json.dumps(
            [
                {
                    "hash_digest": PdqSignal.compute(listed).value,
                    "algorithm": "pdq",
                    "ideology": "[synthetic] B",
                    "file_type": "image",
                }
            ]
        ),
        encoding="utf-8",
    )
    with store.begin() as conn:
        write_posts(conn, [post])
        Chain([MediaFingerprintEnricher(tmp_path / "media")]).run_posts(conn, [post])
        assert import_list(conn, lst).new == 1
    query = tmp_path / "q"
    query.mkdir()
    recompress(picture, query / "a.jpg", 50)
    recompress(listed, query / "b.jpg", 50)
    with store.connect() as conn:
        found = {Path(r.file).name: r.matches for r in match_paths(conn, query)}
    assert [(m["target"], m["sha256"]) for m in found["a.jpg"]] == [("media_item", sha)]
    assert found["a.jpg"][0]["posts"][0]["source"] == "telegram:synthetic_outlet_a"
    assert [(m["target"], m["ideology"]) for m in found["b.jpg"]] == [
        ("hash_list", "[synthetic] B")
    ]

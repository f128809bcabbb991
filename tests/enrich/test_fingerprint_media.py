"""The media fingerprint enricher: once per media item, stored per item, shown per post."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from recruitwatch.cli import main
from recruitwatch.enrich.base import Item, MediaInfo
from recruitwatch.enrich.chain import Chain
from recruitwatch.enrich.fingerprint import image
from recruitwatch.enrich.fingerprint.media import MediaFingerprintEnricher, file_type
from recruitwatch.media_cache import store_file
from recruitwatch.store import open_store, schema
from tests.enrich.test_fingerprint_samples import (
    document_lines,
    make_image,
    make_pdf,
    make_speech,
    needs_tools,
    run,
)

# --- a [synthetic] Telegram export with media ------------------------------------------------


def _message(n: int, rel: str, kind: str) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "id": n,
        "type": "message",
        "date": f"2026-01-0{n}T10:00:00",
        "date_unixtime": str(1767261600 + 86400 * n),
        "from": "[synthetic] outlet",
        "from_id": "channel1000000201",
        "text": f"[synthetic] post {n} sharing a {kind} file",
        "text_entities": [],
    }
    if kind == "photo":
        msg["photo"] = rel
    else:
        msg["file"] = rel
        msg["media_type"] = {"voice": "voice_message", "video": "video_file"}.get(kind, kind)
    return msg


def make_export(folder: Path, handle_id: int, files: dict[str, Path]) -> Path:
    """A single-chat export whose posts carry ``files`` ({relative path: source file})."""
    folder.mkdir(parents=True, exist_ok=True)
    messages = []
    for n, (rel, src) in enumerate(sorted(files.items()), start=1):
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, folder / rel)
        kind = (
            rel.split("/")[0]
            .rstrip("s")
            .replace("voice_message", "voice")
            .replace("file", "document")
        )
        msg = _message(n, rel, kind)
        msg["from_id"] = f"channel{handle_id}"
        messages.append(msg)
    chat = {
        "name": f"[synthetic] outlet {handle_id}",
        "type": "public_channel",
        "id": handle_id,
        "messages": messages,
    }
    (folder / "result.json").write_text(json.dumps(chat, ensure_ascii=False), encoding="utf-8")
    return folder


def ingest(home: Path, *paths: Path) -> None:
    result = CliRunner().invoke(main, ["--home", str(home), "ingest", *map(str, paths)])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("media")
    speech = make_speech(folder / "speech.wav", 0)
    voice = folder / "voice.ogg"
    run(
        "ffmpeg",
        "-y",
        "-nostdin",
        "-v",
        "error",
        "-i",
        str(speech),
        "-ac",
        "1",
        "-ar",
        "48000",
        "-c:a",
        "libopus",
        "-b:a",
        "16k",
        str(voice),
    )
    return {
        "photo": make_image(folder / "poster.jpg", 11),
        "voice": voice,
        "book": make_pdf(folder / "book.pdf", document_lines(9, 60)),
    }


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, media: dict[str, Path]) -> Path:
    """Two channels: both share the photo; one also has the voice message and the book."""
    root = tmp_path_factory.mktemp("workspace")
    first = make_export(
        root / "export_a",
        1000000201,
        {
            "photos/photo_1.jpg": media["photo"],
            "voice_messages/audio_1.ogg": media["voice"],
            "files/book.pdf": media["book"],
        },
    )
    second = make_export(root / "export_b", 1000000202, {"photos/photo_9.jpg": media["photo"]})
    ingest(root / "home", first, second)
    return root / "home"


def db_rows(home: Path, query: sa.Select[Any]) -> list[Any]:
    store = open_store(f"sqlite:///{home / 'recruitwatch.db'}")
    try:
        with store.connect() as conn:
            return list(conn.execute(query))
    finally:
        store.dispose()


# --- tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "hint", "expected"),
    [
        (b"\xff\xd8\xff\xe0", None, "image"),
        (b"\x89PNG\r\n", None, "image"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "sticker", "image"),
        (b"OggS\x00\x02", "voice", "audio"),
        (b"ID3\x04", "document", "audio"),
        (b"\x00\x00\x00\x18ftypisom", None, "video"),
        (b"\x00\x00\x00\x18ftypM4A ", None, "audio"),
        (b"%PDF-1.7", "document", "document"),
        (b"\x1aE\xdf\xa3", None, "video"),
        (b"hello", "photo", "image"),
        (b"hello", None, "other"),
    ],
)
def test_file_type_from_content(
    tmp_path: Path, head: bytes, hint: str | None, expected: str
) -> None:
    path = tmp_path / "f"
    path.write_bytes(head + b"\x00" * 64)
    assert file_type(path, hint) == expected


@needs_tools
def test_fingerprints_are_stored_once_per_media_item(
    workspace: Path, media: dict[str, Path]
) -> None:
    f = schema.media_fingerprints.c
    rows = db_rows(workspace, sa.select(f.sha256, f.algorithm))
    by_item: dict[str, set[str]] = {}
    for sha, alg in rows:
        by_item.setdefault(sha, set()).add(alg)
    assert sorted(map(sorted, by_item.values())) == [
        ["chromaprint", "md5", "sha256"],
        ["doc_minhash", "md5", "sha256"],
        ["md5", "pdq", "sha256"],
    ]
    pm = schema.post_media.c
    photo_sha = next(s for s, algs in by_item.items() if "pdq" in algs)
    posts = db_rows(workspace, sa.select(pm.post_id).where(pm.sha256 == photo_sha))
    assert len(posts) == 2  # one media item linked to posts of two channels


@needs_tools
def test_posts_json_shows_media_fingerprints(workspace: Path) -> None:
    out = CliRunner().invoke(main, ["--home", str(workspace), "posts", "--format", "jsonl"])
    assert out.exit_code == 0, out.output
    posts = [json.loads(line) for line in out.output.splitlines()]
    photos = [p for p in posts if p["media"] and p["media"][0]["kind"] == "photo"]
    assert len(photos) == 2
    prints = [p["fingerprints"]["media"][0]["fingerprints"] for p in photos]
    assert prints[0] == prints[1] and len(prints[0]["pdq"]["value"]) == 64
    assert 0 <= prints[0]["pdq"]["quality"] <= 100
    assert all("text" in p["fingerprints"] for p in photos)  # the text fingerprint is kept


def _items(shas: list[str], kind: str = "photo") -> list[Item]:
    return [
        Item(f"t:s/{n}", "t:s", "", media=(MediaInfo(kind, sha, f"p/{n}", True),))
        for n, sha in enumerate(shas)
    ]


def _cached(media_dir: Path, src: Path) -> str:
    import hashlib

    sha = hashlib.sha256(src.read_bytes()).hexdigest()
    store_file(media_dir, sha, src)
    return sha


def test_computed_once_per_sha_and_batch_equals_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shas = [_cached(tmp_path / "media", make_image(tmp_path / f"{i}.png", i)) for i in range(2)]
    calls: list[Path] = []
    real = image.PdqSignal.compute.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(
        image.PdqSignal, "compute", classmethod(lambda cls, p: calls.append(p) or real(cls, p))
    )
    enricher = MediaFingerprintEnricher(tmp_path / "media")
    batch = _items([shas[0], shas[1], shas[0], shas[0]])
    enricher.prepare(None, batch)
    together = enricher.enrich(batch)
    assert len(calls) == 2  # the item carried by three posts is hashed once
    alone = []
    for item in batch:
        enricher.prepare(None, [item])
        alone.extend(enricher.enrich([item]))
    assert together == alone
    assert json.loads(json.dumps(together)) == together


def test_missing_cache_file_corrupt_file_and_no_media_folder(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff" + b"\x00" * 50)
    sha = _cached(tmp_path / "media", bad)
    enricher = MediaFingerprintEnricher(tmp_path / "media")
    missing, corrupt = enricher.enrich(_items(["f" * 64, sha]))
    assert missing["media"][0]["status"] == "not fingerprinted: file not in the media cache"
    entry = corrupt["media"][0]
    assert "not a readable image" in entry["errors"]["pdq"]
    assert set(entry["fingerprints"]) == {"md5", "sha256"}  # the rest goes on
    nothing = MediaFingerprintEnricher().enrich(_items([sha]))[0]["media"][0]
    assert nothing["status"].startswith("not fingerprinted")
    assert MediaFingerprintEnricher().enrich([Item("t:s/x", "t:s", "text")]) == [None]


def test_index_writes_only_missing_rows(tmp_path: Path) -> None:
    src = make_image(tmp_path / "a.png", 3)
    sha = _cached(tmp_path / "media", src)
    store = open_store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with store.begin() as conn:
        conn.execute(sa.insert(schema.media_items).values(sha256=sha, kind="photo"))
        chain = Chain([MediaFingerprintEnricher(tmp_path / "media")])
        items = _items([sha])
        chain.compute(conn, items)
        # nothing stored yet; a fresh instance (as in the writer process) indexes from results
        MediaFingerprintEnricher().index(conn, {"t:s/0": items[0].results["media_fingerprints"]})
        stored = conn.execute(sa.select(schema.media_fingerprints)).mappings().all()
        assert {r["algorithm"] for r in stored} == {"md5", "pdq", "sha256"}
        pdq = next(r for r in stored if r["algorithm"] == "pdq")
        assert "quality" in pdq["extra"] and "value" not in pdq["extra"]
        again = MediaFingerprintEnricher(tmp_path / "media")
        again.prepare(conn, items)
        assert set(again.known[sha]) == {"md5", "pdq", "sha256"}
    store.dispose()

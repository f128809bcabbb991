"""The language enricher in the chain: the source's recent history as a prior."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from recruitwatch.enrich.chain import Chain
from recruitwatch.enrich.language_step import PRIOR_WINDOW, source_priors
from recruitwatch.model import Post, Source
from recruitwatch.store import Store
from recruitwatch.store.writer import write_posts

SRC = Source("telegram", "channel31", "[synthetic] Tajik channel", "public_channel")
TG = "[synthetic] Ҳар як инсон ҳуқуқ дорад, ки озодона дар ҳаёти фарҳангии ҷомеа иштирок намояд."
RU = "[synthetic] Каждый человек имеет право свободно участвовать в культурной жизни общества."


def posts(start: int, count: int, text: str) -> list[Post]:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        Post(SRC, str(n), t0 + timedelta(minutes=n), text, raw={"n": n})
        for n in range(start, start + count)
    ]


def ingest(store: Store, batch: list[Post]) -> None:
    with store.begin() as conn:
        Chain.default(["language"]).run_posts(conn, write_posts(conn, batch))


def test_prior_is_the_share_of_recent_languages(store: Store) -> None:
    ingest(store, posts(0, 30, TG))
    ingest(store, posts(30, 10, RU))
    with store.connect() as conn:
        prior = source_priors(conn, [SRC.key, "telegram:empty"])
    assert set(prior) == {SRC.key}
    assert prior[SRC.key] == {"tg": 0.75, "ru": 0.25}


def test_prior_only_counts_the_recent_window(store: Store) -> None:
    ingest(store, posts(0, 20, TG))
    ingest(store, posts(100, PRIOR_WINDOW, RU))
    with store.connect() as conn:
        assert source_priors(conn, [SRC.key])[SRC.key] == {"ru": 1.0}

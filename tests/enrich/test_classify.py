"""Classification: reporting about a group is never propaganda (real feeds + synthetic prose)."""

from __future__ import annotations

import warnings
from dataclasses import replace
from pathlib import Path

import pytest

from recruitwatch.enrich.base import Item
from recruitwatch.enrich.chain import Chain
from recruitwatch.enrich.classify import ClassifyEnricher
from recruitwatch.enrich.codebook import load
from recruitwatch.ingest.feeds import FeedReader

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
FEEDS = sorted(p for p in (DATA / "feeds").glob("*/*") if p.suffix in {".xml", ".atom"})
PROPAGANDA = {"official_propaganda", "supporter_amplification"}
INJECTED = " Al-Azaim #synthetic_release_001"
ANALYSIS = [
    "[synthetic] Analysis: the outlet Al-Azaim released Uzbek-language audio; researchers count "
    "32 attacks between August and December and estimate about 4,000 fighters.",
    "[synthetic] Анализ: эксперты отмечают, что агентство Амак выпустило аудиозапись на "
    "таджикском языке; по оценкам исследователей, за период произошло 32 нападения.",
    "[synthetic] Tahlil: tadqiqotchilar Al-Azaim nashrlarini o'rganib, 32 hujumni sanab chiqdi.",
    "[synthetic] News report: officials said the group ISKP used the hashtag "
    "#synthetic_release_002 for a Tajik-language audio series, according to monitors.",
    "[synthetic] Таҳлил: коршинос мегӯяд, ки Вилояти Хуросон силсилаи аудиоӣ нашр кард.",
    "[synthetic] Талдоо: эксперт ИГИЛ-Хорасан топтун жаңы видеосун изилдөө менен баалады.",
    "[synthetic] تحلیل: به گفته کارشناس، ولایت خراسان یک مجموعه صوتی منتشر کرد.",
    "[synthetic] تجزیہ: ماہرین کے مطابق داعش خراسان نے ازبک زبان میں آڈیو جاری کی۔",
]


def classify(items: list[Item]) -> list[dict[str, object]]:
    Chain.default(["classify"]).run(None, items)
    return [i.results["classify"] for i in items]


def feed_items(path: Path) -> list[Item]:
    reader = FeedReader()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lenta's feed is malformed on purpose (recovered)
        return [Item.from_post(reader.normalise(raw)) for raw in reader.records(str(path))]


def as_channel_post(item: Item, text: str) -> Item:
    return replace(
        item, source="telegram:channel1234", kind="message", text=text, results={}, versions={}
    )


@pytest.mark.parametrize("path", FEEDS, ids=lambda p: p.name)
def test_real_news_feeds_are_never_propaganda(path: Path) -> None:
    items = feed_items(path)
    assert items
    for inject in ("", INJECTED):
        articles = [replace(i, text=i.text + inject, results={}, versions={}) for i in items]
        channel = [as_channel_post(i, i.text) for i in articles]
        as_article, as_message = classify(articles), classify(channel)
        assert not {r["genre"] for r in as_article} & PROPAGANDA
        assert [r["genre"] for r in as_article] == [r["genre"] for r in as_message]
        for result in as_article:
            assert all(lab["label"] != "tier" for lab in result["labels"])  # type: ignore[attr-defined]


def test_injected_outlet_and_hashtag_are_seen_as_evidence() -> None:
    item = feed_items(FEEDS[0])[0]
    result = classify([replace(item, text=item.text + INJECTED, results={}, versions={})])[0]
    rules = {e["rule"] for e in result["evidence"]}  # type: ignore[attr-defined]
    assert {"mentions-designated-outlet", "release-hashtag"} <= rules


@pytest.mark.parametrize("text", ANALYSIS)
def test_analytic_prose_is_news_or_analysis(text: str) -> None:
    article = Item("feed:x/1", "feed:https://synthetic-news.example/", text, "article")
    post = as_channel_post(article, text)
    a, m = classify([article, post])
    assert a["genre"] in {"news_reporting", "research_analysis"}
    assert a["genre"] == m["genre"]
    assert a["reporting"]["attribution"] + a["reporting"]["analytic"] > 0  # type: ignore[index]


def test_labels_carry_provenance_and_confidence() -> None:
    result = classify([Item("t:s/1", "telegram:s", ANALYSIS[0])])[0]
    for lab in result["labels"]:  # type: ignore[attr-defined]
        assert lab["label"] in {"genre", "theme", "tier"}
        assert lab["source"].split(":")[0] in {"rule", "model"}
        assert 0.0 <= lab["confidence"] <= 1.0
    assert "attack_claim" in result["themes"]  # type: ignore[operator]


def test_reporting_markers_match_across_scripts() -> None:
    rules = ClassifyEnricher().rules
    from recruitwatch.enrich.translit import match_form

    for text, lang in [("сообщил", "ru"), ("xabar berdi", "uz"), ("хабар берди", "uz")]:
        assert rules.reporting(match_form(f"[synthetic] {text}", lang))["attribution"] == 1


def test_user_codebook_extends_the_default(tmp_path: Path) -> None:
    (tmp_path / "codebook.toml").write_text(
        '[themes.synthetic_theme]\ndefinition = "[synthetic] a test theme"\n'
        '[[rules]]\nid = "synthetic-rule"\nevidence = "test"\ntheme = "synthetic_theme"\n'
        '[rules.terms]\nen = ["synthetic_marker_word"]\n',
        encoding="utf-8",
    )
    book = load(tmp_path)
    assert "synthetic_theme" in book.themes and "recruitment_call" in book.themes
    assert book.digest != load().digest  # a changed codebook re-runs the classify step
    step = ClassifyEnricher(book)
    item = Item("t:s/1", "telegram:s", "[synthetic] synthetic_marker_word")
    Chain.default(["entities"]).run(None, [item])
    assert step.enrich([item])[0]["themes"] == ["synthetic_theme"]

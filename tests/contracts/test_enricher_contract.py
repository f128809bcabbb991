"""The contract every enricher (built-in or plug-in) must keep."""

from __future__ import annotations

import json

import pytest

from recruitwatch.enrich.base import Enricher, Item, MediaInfo, enrichers
from recruitwatch.enrich.chain import Chain

SAMPLES = [
    "[synthetic] Toshkent shahrida yangi kitob taqdimoti boʻlib oʻtdi.",
    "[synthetic] Тошкент шаҳрида янги китоб тақдимоти бўлиб ўтди.",
    "[synthetic] В Душанбе прошла пресс-конференция о новой книге.",
    "[synthetic] کابل میں ایک نئی کتاب کی رونمائی ہوئی۔",
    "",
    "🙂🙂",
    "\x00\ud800 control and lone surrogate",
]


def items() -> list[Item]:
    media = (MediaInfo("photo", "a" * 64, "photos/x.jpg", True),)
    return [
        Item(f"t:s/{i}", "t:s", text, media=media if i % 2 else ())
        for i, text in enumerate(SAMPLES)
    ]


@pytest.fixture(params=sorted(enrichers()))
def enricher_cls(request: pytest.FixtureRequest) -> type[Enricher]:
    return enrichers()[request.param]


def run_chain_until(cls: type[Enricher]) -> list[Item]:
    """Items carrying the results of everything ``cls`` requires."""
    available = enrichers()
    needed: list[str] = []

    def visit(name: str) -> None:
        for dep in available[name].REQUIRES:
            visit(dep)
        if name not in needed:
            needed.append(name)

    visit(cls.NAME)
    batch = items()
    Chain([available[n]() for n in needed if n != cls.NAME]).run(None, batch)
    return batch


def test_identity(enricher_cls: type[Enricher]) -> None:
    assert enricher_cls.NAME and enricher_cls.NAME.isidentifier()
    assert enricher_cls.VERSION
    assert enricher_cls.DESCRIPTION
    assert all(r in enrichers() for r in enricher_cls.REQUIRES)


def test_one_json_result_per_item_and_deterministic(enricher_cls: type[Enricher]) -> None:
    batch = run_chain_until(enricher_cls)
    first = enricher_cls().enrich(batch)
    second = enricher_cls().enrich(batch)
    assert len(first) == len(batch)
    assert json.loads(json.dumps(first)) == first  # JSON-able, no tuples or numpy
    assert first == second


def test_batch_equals_one_by_one(enricher_cls: type[Enricher]) -> None:
    batch = run_chain_until(enricher_cls)
    together = enricher_cls().enrich(batch)
    alone = [enricher_cls().enrich([item])[0] for item in batch]
    assert together == alone


def test_empty_batch(enricher_cls: type[Enricher]) -> None:
    assert enricher_cls().enrich([]) == []

"""Fingerprints on the bundled [synthetic] demo corpus media (src/recruitwatch/data/demo).

media.json lists every asset and which ones are edited copies of another
(``derived_from``: a resized photo, a voice message transcoded to MP3, a
downscaled video): each copy must match its original by a perceptual signal
type, and no two unrelated assets of the corpus may match.
"""

from __future__ import annotations

import itertools
import json
from functools import cache
from typing import Any

import pytest

from recruitwatch.demo import corpus_dir
from recruitwatch.enrich.fingerprint.media import file_type, for_file_type, signal_types
from tests.enrich.test_fingerprint_samples import needs_tools

CORPUS = corpus_dir()
PERCEPTUAL = ("pdq", "chromaprint", "vpdq", "doc_minhash")

pytestmark = [
    needs_tools,
    pytest.mark.skipif(not (CORPUS / "media.json").is_file(), reason="no demo corpus"),
]


def assets() -> list[dict[str, Any]]:
    return list(json.loads((CORPUS / "media.json").read_text(encoding="utf-8"))["assets"])


@cache
def fingerprints(asset_id: str) -> dict[str, str]:
    asset = next(a for a in assets() if a["id"] == asset_id)
    path = CORPUS / "telegram_export" / asset["files"][0]
    out = {}
    for cls in for_file_type(file_type(path, asset["kind"])):
        if cls.NAME in PERCEPTUAL and not cls.unavailable():
            try:
                out[cls.NAME] = cls.compute(path).value
            except Exception:  # a file without sound has no Chromaprint: fine here
                continue
    return out


def matching(a: str, b: str) -> set[str]:
    fa, fb = fingerprints(a), fingerprints(b)
    return {n for n in fa.keys() & fb.keys() if signal_types()[n].matches(fa[n], fb[n])}


@pytest.mark.slow
def test_edited_copies_match_their_originals() -> None:
    copies = [a for a in assets() if a["derived_from"]]
    assert len(copies) >= 3
    for copy in copies:
        assert matching(copy["id"], copy["derived_from"]), copy["description"]


@pytest.mark.slow
def test_unrelated_demo_assets_do_not_match() -> None:
    related = {frozenset((a["id"], a["derived_from"])) for a in assets() if a["derived_from"]}
    spoken: dict[str, list[str]] = {}  # the same sentence spoken again is the same content
    for a in assets():
        if a.get("speech"):
            spoken.setdefault(a["speech"]["text"], []).append(a["id"])
    related |= {frozenset(p) for ids in spoken.values() for p in itertools.combinations(ids, 2)}
    ids = [a["id"] for a in assets()]
    false = [
        (a, b, matching(a, b))
        for a, b in itertools.combinations(ids, 2)
        if frozenset((a, b)) not in related and matching(a, b)
    ]
    assert false == []

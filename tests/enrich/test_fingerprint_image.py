"""PDQ on [synthetic] pictures: edited copies match (recompressed, resized, captioned,
rotated, mirrored, letterboxed), different pictures do not."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from recruitwatch.enrich.fingerprint.image import PdqSignal, hex_to_words, unletterbox
from recruitwatch.errors import InputError
from tests.enrich.test_fingerprint_samples import (
    caption,
    letterbox,
    make_image,
    recompress,
    transform,
)


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_image(tmp_path_factory.mktemp("pdq") / "original.png", 7)


def copies(original: Path, folder: Path) -> dict[str, Path]:
    return {
        "jpeg q30": recompress(original, folder / "q30.jpg", 30),
        "half size": recompress(original, folder / "half.jpg", 80, 0.5),
        "caption": caption(original, folder / "caption.png"),
        "rotated": transform(original, folder / "rot.png", Image.Transpose.ROTATE_90),
        "mirrored": transform(original, folder / "flip.png", Image.Transpose.FLIP_LEFT_RIGHT),
        "letterboxed": letterbox(original, folder / "box.png"),
    }


def test_copies_match_the_stored_original(original: Path, tmp_path: Path) -> None:
    stored = PdqSignal.compute(original)
    index = PdqSignal.index(PdqSignal.stored_values(stored.value, stored.extra))
    for name, path in copies(original, tmp_path).items():
        hits = index.search(PdqSignal.query_values(path))
        assert hits, f"{name} copy did not match"
        assert hits[0][1] <= PdqSignal.THRESHOLD


def test_stored_letterboxed_copy_is_found_by_the_original(original: Path, tmp_path: Path) -> None:
    boxed = PdqSignal.compute(letterbox(original, tmp_path / "box.png"))
    assert "unletterboxed" in boxed.extra
    plain = PdqSignal.index([boxed.value])  # without the unletterboxed hash: too far
    assert plain.search([PdqSignal.compute(original).value]) == []
    full = PdqSignal.index(PdqSignal.stored_values(boxed.value, boxed.extra))
    assert full.search(PdqSignal.query_values(original))


def test_different_pictures_do_not_match(tmp_path: Path) -> None:
    hashes = [PdqSignal.compute(make_image(tmp_path / f"{i}.png", 100 + i)).value for i in range(8)]
    index = PdqSignal.index(hashes)
    for i in range(8):
        found = {pos for pos, _ in index.search([hashes[i]])}
        assert found == {i}


def test_hash_format_and_quality(original: Path) -> None:
    fp = PdqSignal.compute(original)
    assert len(fp.value) == 64 and int(fp.value, 16) >= 0
    assert 0 <= int(fp.extra["quality"]) <= 100
    assert PdqSignal.validate(fp.value.upper()) == fp.value
    assert hex_to_words([fp.value]).shape == (1, 4)


def test_unletterbox_finds_the_bars_only() -> None:
    img = np.full((100, 200, 3), 200, dtype=np.uint8)
    assert unletterbox(img) is None
    boxed = np.zeros((160, 200, 3), dtype=np.uint8)
    boxed[30:130] = img
    inner = unletterbox(boxed)
    assert inner is not None and inner.shape == (100, 200, 3)
    assert unletterbox(np.zeros((50, 50, 3), dtype=np.uint8)) is None  # all black: no content


def test_index_scans_many_hashes_in_chunks() -> None:
    rng = np.random.default_rng(3)
    values = [bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex() for _ in range(70_000)]
    hits = PdqSignal.index(values).search([values[0], values[69_999]])
    assert sorted(pos for pos, d in hits if d == 0) == [0, 69_999]


def test_unreadable_image_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff" + b"\x00" * 100)
    with pytest.raises(InputError, match=r"bad\.jpg"):
        PdqSignal.compute(bad)

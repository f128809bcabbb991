"""Video: MD5/SHA-256 always; vPDQ (extra 'video') on [synthetic] 320x240 test videos."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest

from recruitwatch.enrich.fingerprint import video
from recruitwatch.enrich.fingerprint.media import for_file_type
from recruitwatch.enrich.fingerprint.video import Md5Signal, Sha256Signal, VpdqSignal, parse_vpdq
from recruitwatch.errors import MissingExtraError
from tests.enrich.test_fingerprint_samples import downscale, make_video, needs_tools

has_vpdq = pytest.mark.skipif(
    importlib.util.find_spec("vpdq") is None,
    reason="the 'video' extra (vpdq) is not installed; scripts/setup --dev installs it",
)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("video")
    original = make_video(folder / "original.mp4", "testsrc2", seconds=6)
    return {
        "original": original,
        "downscaled": downscale(original, folder / "small.mp4"),
        "different": make_video(folder / "other.mp4", "mandelbrot", seconds=6),
    }


@needs_tools
def test_video_gets_exact_hashes(clips: dict[str, Path]) -> None:
    names = {cls.NAME for cls in for_file_type("video")}
    assert {"md5", "sha256", "vpdq", "chromaprint"} <= names
    data = clips["original"].read_bytes()
    assert Md5Signal.compute(clips["original"]).value == hashlib.md5(data).hexdigest()
    assert Sha256Signal.compute(clips["original"]).value == hashlib.sha256(data).hexdigest()
    other = Md5Signal.compute(clips["downscaled"]).value
    assert not Md5Signal.matches(Md5Signal.compute(clips["original"]).value, other)


@needs_tools
@has_vpdq
def test_vpdq_matches_a_downscaled_reencode_not_another_clip(clips: dict[str, Path]) -> None:
    stored = VpdqSignal.compute(clips["original"])
    assert stored.extra["frames"] == len(parse_vpdq(stored.value)) >= 5
    small = VpdqSignal.compute(clips["downscaled"]).value
    other = VpdqSignal.compute(clips["different"]).value
    assert VpdqSignal.distance(small, stored.value) <= VpdqSignal.THRESHOLD
    assert VpdqSignal.distance(other, stored.value) > VpdqSignal.THRESHOLD
    assert VpdqSignal.distance(other, stored.value) == 100.0


def test_vpdq_parses_the_threatexchange_serialisation() -> None:
    value = '["' + "ab" * 32 + ',100,0.0", "' + "cd" * 32 + ',40,1.0"]'
    frames = parse_vpdq(value)
    assert [(f.quality, f.timestamp) for f in frames] == [(100, 0.0), (40, 1.0)]
    assert VpdqSignal.distance(value, value) == 0.0
    for bad in ("[]x", '["ab,100,0"]', '["' + "ab" * 32 + ',101,0"]'):
        with pytest.raises(ValueError):
            parse_vpdq(bad)


def test_missing_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        video.importlib.util, "find_spec", lambda name: None if name == "vpdq" else real(name)
    )
    reason = VpdqSignal.unavailable()
    assert reason and "pip install 'recruitwatch[video]'" in reason
    monkeypatch.setitem(__import__("sys").modules, "vpdq", None)  # import vpdq -> ImportError
    with pytest.raises(MissingExtraError, match="video"):
        VpdqSignal.compute(tmp_path / "any.mp4")

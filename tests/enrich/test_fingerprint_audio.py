"""Chromaprint on generated speech (espeak-ng): every re-encoded copy matches its original
at the one fixed threshold, no different recording does."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import numpy as np
import pytest

from recruitwatch.enrich.fingerprint import audio
from recruitwatch.enrich.fingerprint.audio import AGREEMENT, ChromaprintSignal, agreement, frames
from recruitwatch.enrich.fingerprint.media import NoContent
from recruitwatch.errors import InputError
from tests.enrich.test_fingerprint_samples import SENTENCES, audio_copies, make_speech, needs_tools

pytestmark = needs_tools


def fingerprint(path: Path) -> np.ndarray:
    return frames(ChromaprintSignal.compute(path).value)


def test_telegram_voice_copy_matches_and_other_speech_does_not(tmp_path: Path) -> None:
    original = make_speech(tmp_path / "a.wav", 0)
    voice = audio_copies(original, tmp_path)["opus16"]
    other = make_speech(tmp_path / "b.wav", 1)
    stored = ChromaprintSignal.compute(original)
    assert stored.extra["seconds"] > 5
    index = ChromaprintSignal.index([stored.value])
    assert [pos for pos, _ in index.search(ChromaprintSignal.query_values(voice))] == [0]
    assert index.search(ChromaprintSignal.query_values(other)) == []


@pytest.mark.slow
def test_threshold_separates_copies_from_different_speech(tmp_path: Path) -> None:
    """The measurement behind AGREEMENT (docs/fingerprints.md), repeated on every run."""
    originals = {
        i: fingerprint(make_speech(tmp_path / f"s{i}.wav", i)) for i in range(len(SENTENCES))
    }
    worst_copy = 1.0
    for i in originals:
        for name, path in audio_copies(tmp_path / f"s{i}.wav", tmp_path).items():
            score = agreement(originals[i], fingerprint(path))
            assert score >= AGREEMENT, f"speech {i}, {name} copy: agreement {score:.3f}"
            worst_copy = min(worst_copy, score)
    different = [
        agreement(originals[i], originals[j]) for i, j in itertools.combinations(originals, 2)
    ]
    assert max(different) < AGREEMENT <= worst_copy
    print(f"copies >= {worst_copy:.3f}; different {min(different):.3f}-{max(different):.3f}")


def test_alignment_finds_a_shifted_copy() -> None:
    rng = np.random.default_rng(5)
    base = rng.integers(0, 2**32, 200, dtype=np.uint64).astype(np.uint32)
    assert agreement(base, base[8:]) == 1.0  # 1 s trimmed from the start
    assert agreement(base[:150], base[30:]) == 1.0
    assert agreement(base, rng.integers(0, 2**32, 200, dtype=np.uint64).astype(np.uint32)) < 0.6
    assert agreement(base[:5], base[:5]) == 0.0  # too short to match anything


def test_compressed_fingerprint_round_trip(tmp_path: Path) -> None:
    fp = ChromaprintSignal.compute(make_speech(tmp_path / "a.wav", 2))
    assert ChromaprintSignal.validate(fp.value) == fp.value
    assert ChromaprintSignal.distance(fp.value, fp.value) == 0.0
    with pytest.raises(ValueError):
        ChromaprintSignal.validate("AQAA!!")


def test_silence_and_garbage(tmp_path: Path) -> None:
    short = tmp_path / "short.wav"
    subprocess.run(["sox", "-n", "-r", "11025", str(short), "trim", "0", "0.5"], check=True)
    with pytest.raises(NoContent, match="less than one second"):
        ChromaprintSignal.compute(short)
    garbage = tmp_path / "garbage.mp3"
    garbage.write_bytes(b"ID3" + bytes(range(256)) * 4)
    with pytest.raises(InputError, match=r"garbage\.mp3"):
        ChromaprintSignal.compute(garbage)


def test_missing_library_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    audio._library_problem.cache_clear()
    monkeypatch.setattr(audio.shutil, "which", lambda _name: None)
    try:
        assert "ffmpeg" in str(ChromaprintSignal.unavailable())
    finally:
        audio._library_problem.cache_clear()
